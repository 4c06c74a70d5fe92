// The `--name VALUE` options of a benchmark, read once for every benchmark that takes them, so
// that a misspelt option or a number that is not one stops the run instead of measuring the
// default workload under a name that says otherwise.
import Foundation

struct BenchOptions {
    private var values: [String: String] = [:]
    let benchmark: String

    /// Reads `arguments` as pairs; nil (after saying why on stderr) on an option not in `known`
    /// or one without a value.
    init?(_ arguments: [String], benchmark: String, known: Set<String>) {
        self.benchmark = benchmark
        var index = 0
        while index < arguments.count {
            let name = arguments[index]
            guard known.contains(name) else {
                Self.fail("\(benchmark) benchmark: unknown argument \(name)")
                return nil
            }
            guard index + 1 < arguments.count else {
                Self.fail("\(benchmark) benchmark: \(name) needs a value")
                return nil
            }
            values[name] = arguments[index + 1]
            index += 2
        }
    }

    /// The text of `name`, or nil when it was not given.
    func text(_ name: String) -> String? { values[name] }

    /// The whole number of `name`, `fallback` when it was not given; nil (after saying why)
    /// when its value is not a whole number.
    func int(_ name: String, _ fallback: Int) -> Int? {
        guard let text = values[name] else { return fallback }
        guard let number = Int(text) else {
            Self.fail("\(benchmark) benchmark: \(name) takes a whole number, not \"\(text)\"")
            return nil
        }
        return number
    }

    private static func fail(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
