// stepguard-bench SUBCOMMAND [ARGS...]: one benchmark per area; each area's file defines its
// run function and documents its arguments.
import Foundation

let benchUsage = "usage: stepguard-bench audit|cedar|crypto|gate|lint|replay|tiles|workflow [ARGS...]\n"
let benchArguments = Array(CommandLine.arguments.dropFirst())

guard let benchArea = benchArguments.first else {
    FileHandle.standardError.write(Data(benchUsage.utf8))
    exit(2)
}
let benchRest = Array(benchArguments.dropFirst())
switch benchArea {
case "audit":
    runAuditBenchmark(arguments: benchRest)
case "cedar":
    exit(runCedarBenchmark(arguments: benchRest))
case "crypto":
    runCryptoBenchmark(arguments: benchRest)
case "gate":
    exit(runGateBenchmark(arguments: benchRest))
case "lint":
    runLintBenchmark(arguments: benchRest)
case "replay":
    exit(runReplayBenchmark(arguments: benchRest))
case "tiles":
    runTilesBenchmark(arguments: benchRest)
case "workflow":
    runWorkflowBenchmark(arguments: benchRest)
case "-h", "--help", "help":
    print(benchUsage, terminator: "")
default:
    FileHandle.standardError.write(Data("stepguard-bench: unknown benchmark \"\(benchArea)\"\n\(benchUsage)".utf8))
    exit(2)
}
