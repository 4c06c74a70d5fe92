import Basics
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import JSONValue

/// A parsed JSON file that can say where each value is.
struct JSONSource: Sendable {
    /// The document with its location table; nil for a source read without one.
    let document: JSONDocument?
    let file: String
    /// Where `root` sits in the document: empty for a whole file, `tests[2].plan` for a plan
    /// written inside a test suite.
    var base: [JSONPathComponent] = []
    var root: JSONValue

    init(document: JSONDocument, file: String) {
        self.document = document
        self.file = file
        self.root = document.value
    }

    /// A source without locations: every location is the file's start.
    init(value: JSONValue, file: String) {
        self.document = nil
        self.file = file
        self.root = value
    }

    /// The same document seen from the value at `path` (which must exist).
    func sub(_ path: [JSONPathComponent]) -> JSONSource {
        var copy = self
        copy.base = base + path
        for component in path {
            switch component {
            case .key(let key): copy.root = copy.root[key] ?? .null
            case .index(let index): copy.root = copy.root.arrayValue.flatMap { index < $0.count ? $0[index] : nil } ?? .null
            }
        }
        return copy
    }

    /// Location of the value at `path`, or of its nearest existing ancestor.
    func location(_ path: [JSONPathComponent]) -> FileLocation {
        let where_ = document?.nearestLocation(of: base + path) ?? SourceLocation(line: 1, column: 1, offset: 0)
        return FileLocation(file: file, line: where_.line, column: where_.column, path: renderJSONPath(base + path))
    }

    static func parse(_ bytes: [UInt8], file: String) throws(WorkflowError) -> JSONSource {
        do {
            return JSONSource(document: try JSONParser.parseDocument(bytes, file: file), file: file)
        } catch {
            throw .malformedJSON(error)
        }
    }

    /// Runs `read` over the JSON in `bytes`, first over a source without a location table (one
    /// path string per value is most of the cost of parsing a large file), and when that fails,
    /// again over a located one, so that the error thrown says where. `read` must keep no
    /// location from a source that succeeds.
    static func reading<T>(_ bytes: [UInt8], file: String, _ read: (JSONSource) throws(WorkflowError) -> T) throws(WorkflowError) -> T {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, file: file)
        } catch {
            throw .malformedJSON(error)
        }
        do {
            return try read(JSONSource(value: value, file: file))
        } catch {
            return try read(try parse(bytes, file: file))
        }
    }

    static func load(_ path: String) throws(WorkflowError) -> JSONSource {
        try parse(try readFile(path), file: path)
    }
}

/// Reads a whole file.
func readFile(_ path: String, limit: Int = WorkflowLimits.maxFileBytes) throws(WorkflowError) -> [UInt8] {
    do {
        return try BoundedRead.file(path, limit: limit)
    } catch {
        throw .unreadable(file: path, message: error.reason)
    }
}

/// Whether `path` is an existing directory.
func isDirectory(_ path: String) -> Bool {
    PathKind(path) == .directory
}

/// Whether `path` is an existing regular file.
func isFile(_ path: String) -> Bool {
    PathKind(path) == .other
}

/// `a/b` joined without doubling the separator.
func joinPath(_ directory: String, _ name: String) -> String {
    PathText.appending(name, to: directory)
}

/// The directory part of a path (`.` when there is none).
func parentDirectory(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    if slash == path.startIndex { return "/" }
    return String(path[..<slash])
}

/// Whether `path` is a regular file, following symbolic links.
func isRegularFile(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
}
