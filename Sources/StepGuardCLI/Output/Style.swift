import Basics

/// The `--color` setting.
public enum ColorMode: String, Sendable, CaseIterable {
    /// Colour when the stream is a terminal, `NO_COLOR` is unset or empty, and `TERM` is not `dumb`.
    case auto
    /// Always colour (overrides `NO_COLOR`: an explicit flag wins over the environment).
    case always
    /// Never colour.
    case never

    /// Whether to colour a stream.
    public func isEnabled(isTerminal: Bool, environment: Environment) -> Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto:
            if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
            if environment["TERM"] == "dumb" { return false }
            return isTerminal
        }
    }
}

/// ANSI styling that is a no-op when colour is off, so renderers call it unconditionally.
public struct Style: Sendable, Equatable {
    /// Whether escape sequences are emitted.
    public var isEnabled: Bool

    /// Creates a style.
    public init(isEnabled: Bool) {
        self.isEnabled = isEnabled
    }

    /// A style that never colours.
    public static let plain = Style(isEnabled: false)

    /// The SGR attributes stepguard uses.
    public enum Attribute: Int, Sendable {
        case bold = 1, dim = 2, underline = 4
        case red = 31, green = 32, yellow = 33, blue = 34, magenta = 35, cyan = 36
    }

    /// `text` wrapped in the attributes' escape sequences (unchanged when colour is off).
    public func apply(_ text: String, _ attributes: Attribute...) -> String {
        apply(text, attributes)
    }

    /// `text` wrapped in the attributes' escape sequences (unchanged when colour is off).
    public func apply(_ text: String, _ attributes: [Attribute]) -> String {
        guard isEnabled, !attributes.isEmpty, !text.isEmpty else { return text }
        let codes = attributes.map { String($0.rawValue) }.joined(separator: ";")
        // The marker becomes ESC on the way out (see TerminalText), so that only stepguard's
        // own sequences reach the terminal as escapes.
        let escape = String(TerminalText.marker)
        return "\(escape)[\(codes)m\(text)\(escape)[0m"
    }

    public func bold(_ text: String) -> String { apply(text, .bold) }
    public func dim(_ text: String) -> String { apply(text, .dim) }
    public func red(_ text: String) -> String { apply(text, .red) }
    public func green(_ text: String) -> String { apply(text, .green) }
    public func yellow(_ text: String) -> String { apply(text, .yellow) }
    public func blue(_ text: String) -> String { apply(text, .blue) }
    public func cyan(_ text: String) -> String { apply(text, .cyan) }
    public func magenta(_ text: String) -> String { apply(text, .magenta) }
}

/// Width of text on a terminal: escape sequences take no room, East Asian wide characters two
/// columns, combining marks none.
public enum DisplayWidth {
    /// The number of terminal columns `text` occupies.
    public static func of(_ text: String) -> Int {
        var width = 0
        var inEscape = false
        for scalar in text.unicodeScalars {
            if inEscape {
                if (0x40...0x7E).contains(scalar.value) && scalar != "[" { inEscape = false }
                continue
            }
            if scalar == "\u{1B}" || scalar == TerminalText.marker { inEscape = true; continue }
            width += columns(scalar)
        }
        return width
    }

    private static func columns(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x20 || (0x7F..<0xA0).contains(v) { return 0 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1FAFF).contains(v) || (0x20000...0x3FFFD).contains(v)
        {
            return 2
        }
        return 1
    }
}
