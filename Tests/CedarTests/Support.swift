import Foundation
import JSONValue
@testable import Cedar

enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func files(_ dir: String, prefix: String) -> [URL] {
        let d = root.appendingPathComponent(dir)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: d.path)) ?? []
        return names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }.sorted().map { d.appendingPathComponent($0) }
    }

    static func json(_ url: URL) throws -> JSONValue {
        let data = try Data(contentsOf: url)
        return try JSONParser.parse([UInt8](data), file: url.lastPathComponent)
    }
}
