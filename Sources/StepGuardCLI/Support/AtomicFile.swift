import Basics

/// Atomic, durable whole-file writes (`AtomicWrite`), failing with the CLI's errors.
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically; with `overwrite` false an existing file is an error.
    public static func write(
        _ bytes: some Collection<UInt8>, to path: String, permissions: UInt16 = 0o644, overwrite: Bool = true
    ) throws(CLIError) {
        do {
            try AtomicWrite.write(bytes, to: path, permissions: permissions, overwrite: overwrite)
        } catch {
            throw CLIError(error)
        }
    }

    /// Writes UTF-8 text to `path` atomically.
    public static func write(_ text: String, to path: String, permissions: UInt16 = 0o644, overwrite: Bool = true) throws(CLIError) {
        try write(Array(text.utf8), to: path, permissions: permissions, overwrite: overwrite)
    }
}
