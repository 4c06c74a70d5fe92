#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The files generated from the command table: a man page per command and the completion
/// scripts. They are committed; a test fails when they differ from what the table generates.
public enum DocsGenerator {
    /// Every generated file: its path relative to the repository root, and its contents.
    public static func files(root: CommandSpec) -> [(path: String, contents: String)] {
        var files: [(path: String, contents: String)] = []
        for path in [[]] + root.visibleDescendants().map(\.path) {
            let document = HelpDocument(root: root, path: path)
            files.append(("man/\(document.manPageName).1", ManPageRenderer.render(document, version: CLI.version)))
        }
        for shell in Shell.allCases {
            files.append(("completions/\(shell.fileName)", CompletionScripts.script(for: shell, root: root)))
        }
        return files
    }

    /// Writes every generated file under `directory` (creating man/ and completions/), removes
    /// man pages named `stepguard*.1` that the table no longer generates, and returns the paths
    /// written.
    public static func write(root: CommandSpec, to directory: String) throws(CLIError) -> [String] {
        let generated = files(root: root)
        for folder in ["man", "completions"] {
            let path = directory + "/" + folder
            if mkdir(path, 0o755) != 0 && errno != EEXIST {
                throw CLIError.unwritableFile(path: path, reason: System.lastError())
            }
        }
        var written: [String] = []
        for file in generated {
            let path = directory + "/" + file.path
            try AtomicFile.write(file.contents, to: path)
            written.append(path)
        }
        let expected = Set(generated.map(\.path))
        for name in listDirectory(directory + "/man") where name.hasPrefix("stepguard") && name.hasSuffix(".1") {
            if !expected.contains("man/" + name) { _ = unlink(directory + "/man/" + name) }
        }
        return written
    }

    /// The names in a directory, sorted; empty when it cannot be read.
    static func listDirectory(_ path: String) -> [String] {
        guard let handle = opendir(path) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}
