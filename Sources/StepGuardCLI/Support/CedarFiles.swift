// Which files the Cedar commands read: a policy file or directory, and fmt's targets.
import Foundation
import Workflow

/// Listing and reading Cedar files.
enum CedarFiles {
    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    static func join(_ directory: String, _ name: String) -> String {
        if directory == "." { return name }
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// The policy files of `--policies PATH`: the file itself, or the `*.cedar` files of the
    /// policy directory in name order (the order positional ids follow), listed as every
    /// command lists a policy directory (`PolicyDirectory`).
    static func policyFiles(_ path: String) throws(CedarInputError) -> [String] {
        guard isDirectory(path) else { return [path] }
        let files = try directory(path).policyFiles
        if files.isEmpty {
            throw CedarInputError(file: path, message: "no .cedar files in this directory; pass a policy file or directory")
        }
        return files
    }

    /// The listing of a policy directory; an entry that is not a regular file is refused.
    static func directory(_ path: String) throws(CedarInputError) -> PolicyDirectory {
        do {
            return try PolicyDirectory(path: path)
        } catch {
            throw CedarInputError(file: path, message: error.message)
        }
    }

    /// The files `fmt` works on: each path given as a file, and the `*.cedar` files under each
    /// directory (recursively, to the depth `lint` walks), in name order. Directories are listed
    /// by the rule every command follows: a hidden policy file (`.zz-hotfix.cedar`) is refused
    /// by name, never passed over, and so is a `*.cedar` entry that is not a regular file;
    /// other hidden entries (`.git`) are not policy files and are not entered.
    static func formatTargets(_ paths: [String]) throws(CedarInputError) -> [String] {
        var out: [String] = []
        for path in paths {
            guard path != "-", isDirectory(path) else {
                out.append(path)
                continue
            }
            var found: [String] = []
            var pending = [(path, 0)]
            while let (directory, depth) = pending.popLast() {
                let names: [String]
                do {
                    names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
                } catch {
                    throw CedarInputError(file: directory, message: "cannot list the directory")
                }
                if let hidden = names.first(where: PolicyDirectory.isHiddenPolicyFile) {
                    throw CedarInputError(file: join(directory, hidden), message: PolicyDirectory.hiddenPolicyFileMessage(join(directory, hidden)))
                }
                for name in names where !name.hasPrefix(".") {
                    let full = join(directory, name)
                    if isDirectory(full) {
                        // A symbolic link that loops ends here, as in lint.
                        if depth + 1 < maxDepth { pending.append((full, depth + 1)) }
                    } else if name.hasSuffix(".cedar") {
                        guard isRegularFile(full) else {
                            throw CedarInputError(file: full, message: "\"\(full)\" is not a regular file; a policy directory holds only files")
                        }
                        found.append(full)
                    }
                }
            }
            out += found.sorted()
        }
        return out
    }

    /// How deep `fmt` walks into directories, as `lint` does.
    static let maxDepth = 64

    /// Whether `path` is a regular file, following symbolic links (as `PolicyDirectory` reads).
    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// The schema file of a policy directory (`schema.cedarschema`, then `schema.cedarschema.json`).
    static func directorySchema(_ path: String) throws(CedarInputError) -> String? {
        guard isDirectory(path) else { return nil }
        return try directory(path).schemaFile
    }
}
