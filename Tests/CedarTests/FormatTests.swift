import Foundation
import JSONValue
import Testing
@testable import Cedar

/// One `format-*` conformance case: input text and the reference formatter's output.
struct FormatCase: CustomTestStringConvertible, Sendable {
    let name: String
    let input: String
    let expected: String
    var testDescription: String { name }

    static let all: [FormatCase] = Fixtures.files("cedar-format", prefix: "format-").compactMap { url in
        guard let json = try? Fixtures.json(url),
              let input = json["input"]?.stringValue,
              let expected = json["formatted"]?.stringValue else { return nil }
        return FormatCase(name: url.deletingPathExtension().lastPathComponent, input: input, expected: expected)
    }
}

/// A further reference case with its own width and indent: comments in every position,
/// narrow and wide lines, Unicode text, unusual spacing.
struct FormatExtraCase: CustomTestStringConvertible, Sendable {
    let file: String
    let name: String
    let width: Int
    let indent: Int
    let input: String
    let expected: String
    var testDescription: String { "\(file) (\(name), width \(width), indent \(indent))" }

    static let all: [FormatExtraCase] = Fixtures.files("cedar-format/extra", prefix: "extra-").compactMap { url in
        guard let json = try? Fixtures.json(url),
              let input = json["input"]?.stringValue,
              let expected = json["formatted"]?.stringValue,
              let width = json["width"]?.int64Value,
              let indent = json["indent"]?.int64Value else { return nil }
        return FormatExtraCase(
            file: url.deletingPathExtension().lastPathComponent, name: json["name"]?.stringValue ?? "",
            width: Int(width), indent: Int(indent), input: input, expected: expected)
    }
}

/// The first line where two texts differ, for readable failures.
func firstDifference(_ a: String, _ b: String) -> String {
    let la = a.components(separatedBy: "\n"), lb = b.components(separatedBy: "\n")
    for i in 0..<max(la.count, lb.count) {
        let x = i < la.count ? la[i] : "<end>", y = i < lb.count ? lb[i] : "<end>"
        if x != y { return "line \(i + 1):\n  got:      \(x.debugDescription)\n  expected: \(y.debugDescription)" }
    }
    return "no difference"
}

@Suite("Cedar formatter conformance")
struct FormatConformanceTests {
    @Test("every format case is present")
    func casesLoaded() {
        #expect(FormatCase.all.count == 78)
    }

    @Test("byte-identical to the reference formatter", arguments: FormatCase.all)
    func matchesReference(_ c: FormatCase) throws {
        let got = try CedarFormatter.format(source: c.input, file: c.name)
        #expect(got == c.expected, "\(c.name): \(firstDifference(got, c.expected))")
    }

    @Test("formatting is idempotent", arguments: FormatCase.all)
    func idempotent(_ c: FormatCase) throws {
        let once = try CedarFormatter.format(source: c.input, file: c.name)
        let twice = try CedarFormatter.format(source: once, file: c.name)
        #expect(once == twice, "\(c.name): \(firstDifference(twice, once))")
    }

    @Test("further reference cases: comments, widths, indents", arguments: FormatExtraCase.all)
    func matchesReferenceExtra(_ c: FormatExtraCase) throws {
        let got = try CedarFormatter.format(source: c.input, file: c.file, width: c.width, indent: c.indent)
        #expect(got == c.expected, "\(c.testDescription): \(firstDifference(got, c.expected))")
    }

    @Test("the whole corpus agrees")
    func summary() throws {
        var agreed = 0
        var failing: [String] = []
        for c in FormatCase.all {
            if (try? CedarFormatter.format(source: c.input, file: c.name)) == c.expected {
                agreed += 1
            } else {
                failing.append(c.name)
            }
        }
        print("cedar fmt: \(agreed)/\(FormatCase.all.count) byte-identical")
        #expect(agreed == FormatCase.all.count, "differing: \(failing.joined(separator: ", "))")
        var extraAgreed = 0
        for c in FormatExtraCase.all
        where (try? CedarFormatter.format(source: c.input, file: c.file, width: c.width, indent: c.indent)) == c.expected {
            extraAgreed += 1
        }
        print("cedar fmt (comments, widths, indents): \(extraAgreed)/\(FormatExtraCase.all.count) byte-identical")
        #expect(FormatExtraCase.all.count > 200)
        #expect(extraAgreed == FormatExtraCase.all.count)
    }
}
