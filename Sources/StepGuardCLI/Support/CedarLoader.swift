// Loading the inputs of the Cedar commands: policies, schemas, entity files and uids given on
// the command line, with every problem located.
import Cedar
import JSONValue

/// Loads policies, schema and entities, keeping the texts for excerpts.
struct CedarLoader {
    var sources = CedarSources()

    /// Parses every policy file of `path` into one set (ids: `@id`, else positional `policyN`).
    mutating func policies(_ path: String) throws -> PolicySet {
        var files: [PolicyFile] = []
        for file in try CedarFiles.policyFiles(path) {
            files.append(try parse(file, bytes: try FileReader.read(file)))
        }
        do {
            return try PolicySet(files: files)
        } catch {
            throw sources.located(error, fallback: path)
        }
    }

    /// Parses one policy text.
    mutating func parse(_ file: String, bytes: [UInt8]) throws(CedarInputError) -> PolicyFile {
        sources.add(file, bytes)
        do {
            return try Parser.parse(bytes, file: file)
        } catch {
            throw sources.located(error, fallback: file)
        }
    }

    /// Parses a schema file (Cedar schema format, or JSON for names ending in `.json`).
    mutating func schema(_ path: String) throws -> Schema {
        let bytes = try FileReader.read(path)
        sources.add(path, bytes)
        do {
            return try Schema.load(source: bytes, file: path)
        } catch {
            throw sources.located(error, fallback: path)
        }
    }

    /// Reads Cedar entity JSON, by the schema when there is one.
    mutating func entities(_ path: String, schema: Schema?) throws -> Entities {
        let bytes = try FileReader.read(path)
        sources.add(path, bytes)
        // Most entity files are valid: read them without recording every value's position, and
        // read them again with positions only to locate an error.
        if let json = try? JSONParser.parse(bytes) {
            if let schema, let entities = try? schema.entities(json: json) { return entities }
            if schema == nil, let entities = try? Entities(json: json) { return entities }
        }
        do {
            if let schema { return try schema.entities(jsonBytes: bytes, file: path) }
            return try Entities(jsonBytes: bytes, file: path)
        } catch {
            throw sources.located(error, fallback: path)
        }
    }

    /// Parses a uid given on the command line: Cedar text or a JSON object.
    static func commandLineUID(_ text: String, option: String) throws(CedarInputError) -> EntityUID {
        let json: JSONValue
        if text.first == "{" {
            do {
                json = try JSONParser.parse(text)
            } catch {
                throw CedarInputError(file: "--\(option)", message: "not a uid object: \(error.message)")
            }
        } else {
            json = .string(text)
        }
        do {
            return try EntityUID(json: json)
        } catch {
            throw CedarInputError(file: "--\(option)", message: error.messageWithPath)
        }
    }
}
