#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Environment variables, looked up by name: the process's own, read when a variable is asked
/// for, or a fixed set (tests run commands in-process with one). Reading the process's only on
/// a lookup spares every start-up building a dictionary of all of them, which most commands
/// never consult beyond a name or two.
public struct Environment: Sendable, ExpressibleByDictionaryLiteral {
    private let fixed: [String: String]?

    /// The process's environment.
    public static var process: Environment { Environment(fixed: nil) }

    private init(fixed: [String: String]?) { self.fixed = fixed }

    /// A fixed set of variables.
    public init(_ variables: [String: String]) { fixed = variables }

    /// A fixed set of variables; a name given twice keeps its last value.
    public init(dictionaryLiteral elements: (String, String)...) {
        fixed = Dictionary(elements, uniquingKeysWith: { $1 })
    }

    /// The value of `name`, nil when it is not set. Of the process's, as
    /// `ProcessInfo.environment` reads them: entries without `=` are skipped, and of a name set
    /// twice the later entry counts.
    public subscript(name: String) -> String? {
        if let fixed { return fixed[name] }
        #if canImport(Darwin)
        let table = _NSGetEnviron()?.pointee
        #else
        let table: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = environ
        #endif
        guard var entry = table else { return nil }
        let length = name.utf8.count
        return name.withCString { cName -> String? in
            var found: String?
            while let text = entry.pointee {
                if strncmp(text, cName, length) == 0 && text[length] == 0x3D {
                    found = String(cString: text + length + 1)
                }
                entry += 1
            }
            return found
        }
    }
}
