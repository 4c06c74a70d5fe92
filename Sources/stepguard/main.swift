// Entry point only: everything lives in StepGuardCLI.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import StepGuardCLI

exit(CLI.run(arguments: Array(CommandLine.arguments.dropFirst()), console: .standard()))
