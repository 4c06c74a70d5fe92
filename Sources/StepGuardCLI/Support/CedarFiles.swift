// Which files the Cedar commands read: a policy file or directory, and fmt's targets.
import Basics
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Workflow

/// Listing and reading Cedar files.
enum CedarFiles {
    static func isDirectory(_ path: String) -> Bool {
        PathKind(path) == .directory
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
    /// directory, recursively, in name order. Each directory is listed as every command lists
    /// a policy directory (`PolicyDirectory`): a hidden policy file or an entry named like one
    /// that is not a regular file is refused by name; hidden directories are not entered, and
    /// a directory reached again through a link is not walked twice.
    static func formatTargets(_ paths: [String]) throws(CedarInputError) -> [String] {
        var out: [String] = []
        var walked = Set<String>()
        for path in paths {
            guard path != "-", isDirectory(path) else {
                out.append(path)
                continue
            }
            var found: [String] = []
            var pending = [path]
            while let directory = pending.popLast() {
                guard walked.insert(URL(fileURLWithPath: directory).resolvingSymlinksInPath().path).inserted else { continue }
                found += try self.directory(directory).policyFiles.map { directory == "." && $0.hasPrefix("./") ? String($0.dropFirst(2)) : $0 }
                let names: [String]
                do {
                    names = try FileManager.default.contentsOfDirectory(atPath: directory)
                } catch {
                    throw CedarInputError(file: directory, message: "cannot list the directory")
                }
                for name in names where !name.hasPrefix(".") && !name.hasSuffix(".cedar") {
                    let full = join(directory, name)
                    if isDirectory(full) { pending.append(full) }
                }
            }
            out += found.sorted()
        }
        return out
    }

    /// The schema file of a policy directory (`schema.cedarschema`, then `schema.cedarschema.json`).
    static func directorySchema(_ path: String) throws(CedarInputError) -> String? {
        guard isDirectory(path) else { return nil }
        return try directory(path).schemaFile
    }
}
