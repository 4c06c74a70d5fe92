import Basics
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a console stream's bytes go.
public protocol OutputSink: AnyObject, Sendable {
    /// Appends text.
    func write(_ text: String)
    /// Pushes buffered bytes out.
    func flush()
    /// Whether the stream is a terminal (colour and width depend on it).
    var isTerminal: Bool { get }
}

/// A file descriptor (stdout, stderr). Buffers when asked to, so that a batch of many short
/// lines costs few system calls.
public final class FileDescriptorSink: OutputSink, @unchecked Sendable {
    private let descriptor: Int32
    private let buffered: Bool
    private let lock = ThreadLock()
    private var buffer: [UInt8] = []
    /// Whether the descriptor is a terminal.
    public let isTerminal: Bool

    /// Creates a sink over an open descriptor.
    public init(descriptor: Int32, buffered: Bool) {
        self.descriptor = descriptor
        self.buffered = buffered
        self.isTerminal = isatty(descriptor) == 1
    }

    public func write(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        buffer.append(contentsOf: text.utf8)
        if !buffered || buffer.count >= 1 << 16 { drain() }
    }

    public func flush() {
        lock.lock()
        defer { lock.unlock() }
        drain()
    }

    private func drain() {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { raw in
                System.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                break  // A closed pipe: nobody is reading; dropping the rest is all we can do.
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// An in-memory stream, for tests and for commands that render before deciding what to print.
public final class MemorySink: OutputSink, @unchecked Sendable {
    private let lock = ThreadLock()
    private var bytes: [UInt8] = []
    /// Whether the stream pretends to be a terminal.
    public let isTerminal: Bool

    /// Creates an empty sink.
    public init(isTerminal: Bool = false) {
        self.isTerminal = isTerminal
    }

    public func write(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        bytes.append(contentsOf: text.utf8)
    }

    public func flush() {}

    /// Everything written so far.
    public var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The process's streams and environment, injected so that commands run in-process in tests.
///
/// stdout (`output`) carries only the payload; everything else (progress, warnings, errors)
/// goes to stderr (`diagnostics`).
public struct Console: Sendable {
    /// stdout.
    public let output: any OutputSink
    /// stderr.
    public let diagnostics: any OutputSink
    /// Environment variables (`NO_COLOR`, `TERM`, `COLUMNS`, ...).
    public let environment: Environment
    /// Width of the terminal stdout is on, nil when it is not a terminal.
    public let terminalWidth: Int?
    /// Whether stdin is a terminal (then nothing is piped in, and reading it would wait on a person).
    public let inputIsTerminal: Bool
    private let readInput: @Sendable () throws -> [UInt8]

    /// Creates a console from its parts.
    public init(
        output: any OutputSink, diagnostics: any OutputSink, environment: Environment,
        terminalWidth: Int? = nil, inputIsTerminal: Bool = false, input: @escaping @Sendable () throws -> [UInt8]
    ) {
        self.output = output
        self.diagnostics = diagnostics
        self.environment = environment
        self.terminalWidth = terminalWidth
        self.inputIsTerminal = inputIsTerminal
        self.readInput = input
    }

    /// The process's own stdin, stdout and stderr and environment.
    public static func standard() -> Console {
        let output = FileDescriptorSink(descriptor: 1, buffered: true)
        let environment = Environment.process
        return Console(
            output: output, diagnostics: FileDescriptorSink(descriptor: 2, buffered: false), environment: environment,
            terminalWidth: output.isTerminal ? Console.measureWidth(environment: environment) : nil,
            inputIsTerminal: isatty(0) == 1, input: { try Console.readStandardInput() })
    }

    /// A console that records what is written, for tests.
    public static func capturing(
        environment: [String: String] = [:], input: [UInt8] = [], outputIsTerminal: Bool = false,
        diagnosticsIsTerminal: Bool = false, inputIsTerminal: Bool = false, terminalWidth: Int? = nil
    ) -> CapturedConsole {
        let out = MemorySink(isTerminal: outputIsTerminal)
        let err = MemorySink(isTerminal: diagnosticsIsTerminal)
        let console = Console(
            output: out, diagnostics: err, environment: Environment(environment), terminalWidth: terminalWidth,
            inputIsTerminal: inputIsTerminal, input: { input })
        return CapturedConsole(console: console, out: out, err: err)
    }

    /// Writes payload text to stdout as is.
    public func write(_ text: String) { output.write(TerminalText.sanitize(text)) }

    /// Writes one payload line to stdout.
    public func print(_ line: String) { output.write(TerminalText.sanitize(line) + "\n") }

    /// Writes diagnostic text to stderr as is (after escaping, see `TerminalText`), after pushing
    /// out pending stdout.
    public func writeDiagnostics(_ text: String) {
        output.flush()
        diagnostics.write(TerminalText.sanitize(text))
    }

    /// Writes one line to stderr, after pushing out pending stdout so a terminal shows both in order.
    public func diagnostic(_ line: String) {
        output.flush()
        diagnostics.write(TerminalText.sanitize(line) + "\n")
    }

    /// Pushes out buffered output.
    public func flush() {
        output.flush()
        diagnostics.flush()
    }

    /// All of stdin.
    public func readStandardInput() throws -> [UInt8] { try readInput() }

    private static func readStandardInput() throws -> [UInt8] {
        var result: [UInt8] = []
        return try FileReader.readAll(0, into: &result, path: "-", limit: FileReader.maxStreamBytes)
    }

    private static func measureWidth(environment: Environment) -> Int? {
        if let columns = environment["COLUMNS"].flatMap({ Int($0) }), columns > 0 { return columns }
        var size = winsize()
        #if canImport(Darwin)
        // Darwin defines TIOCGWINSZ with a function-like macro Swift cannot import.
        let request: UInt = 0x4008_7468
        #else
        let request = UInt(TIOCGWINSZ)
        #endif
        if ioctl(1, request, &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return nil
    }
}

/// A console whose streams are recorded.
public struct CapturedConsole: Sendable {
    /// The console to pass to `CLI.run`.
    public let console: Console
    let out: MemorySink
    let err: MemorySink

    /// Everything written to stdout.
    public var stdout: String { out.text }
    /// Everything written to stderr.
    public var stderr: String { err.text }
}
