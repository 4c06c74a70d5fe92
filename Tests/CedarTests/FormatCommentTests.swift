import Foundation
import Testing
@testable import Cedar

/// Comment placement, literal spelling and options, each checked against output of the
/// reference formatter for the same input.
@Suite("Cedar formatter details")
struct FormatDetailTests {
    func format(_ s: String, width: Int = 80, indent: Int = 2) throws -> String {
        try CedarFormatter.format(source: s, file: "test.cedar", width: width, indent: indent)
    }

    @Test("leading, trailing and end-of-file comments stay where they were written")
    func commentsAroundPolicy() throws {
        let input = """
            // Deny writes to production.
            @id("no-prod-writes") // stable id
            @owner("platform-security")
            forbid (
              principal, // any agent
              action in [Action::"write", Action::"delete"],
              resource
            )
            when {
              // only production resources
              resource.environment == "prod" && // exact match
              !context.approved
            };
            // end of file

            """
        let expected = """
            // Deny writes to production.
            @id("no-prod-writes") // stable id
            @owner("platform-security")
            forbid (
              principal, // any agent
              action in [Action::"write", Action::"delete"],
              resource
            )
            when
            {
              // only production resources
              resource.environment == "prod" && // exact match
              !context.approved
            };
            // end of file

            """
        #expect(try format(input) == expected)
    }

    @Test("a trailing comment forces the enclosing group onto separate lines")
    func commentBreaksIf() throws {
        let input = "permit(principal, action, resource) when { if context.a // after if\n then 1 // after then\n else 2 };\n"
        let expected = """
            permit (principal, action, resource)
            when
            {
              if
                context.a // after if
              then
                1 // after then
              else
                2
            };

            """
        #expect(try format(input) == expected)
    }

    @Test("blank lines between comments go, comments after the last policy close the file")
    func blankLinesAndTail() throws {
        let input = "// a\n\n\n// b\npermit(principal, action, resource); // done\n\n\n// tail one\n\n// tail two   \n"
        let expected = "// a\n// b\npermit (principal, action, resource); // done\n// tail one\n// tail two\n"
        #expect(try format(input) == expected)
    }

    @Test("comments inside calls and sets")
    func commentsInCallsAndSets() throws {
        let input = "permit(principal, action, resource) when { context.items.contains( // the item\n principal.id) && [1, // first\n 2] == context.list };\n"
        let expected = """
            permit (principal, action, resource)
            when
            {
              context.items
                .contains
                ( // the item
                  principal.id
                ) &&
              [1, // first
               2] == context.list
            };

            """
        #expect(try format(input) == expected)
    }

    @Test("no comment is lost when one follows every token")
    func everyCommentKept() throws {
        for c in FormatCase.all {
            let tokens = try Lexer.tokenize(c.input, file: c.name).filter { $0.kind != .endOfInput }
            var bytes = Array(c.input.utf8)
            for (n, t) in tokens.enumerated().reversed() {
                bytes.insert(contentsOf: Array(" // note\(n)\n".utf8), at: t.span.end.offset)
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let out = try format(text)
            var seen = [Int](repeating: 0, count: tokens.count)
            for line in out.split(separator: "\n") {
                guard let r = line.range(of: "// note"), let n = Int(line[r.upperBound...]) else { continue }
                seen[n] += 1
            }
            #expect(seen.allSatisfy { $0 == 1 }, "\(c.name): comments printed \(seen.enumerated().filter { $0.1 != 1 }.map(\.0))")
            _ = try Parser.parse(out, file: c.name)
        }
    }

    @Test("empty and comment-only files")
    func emptyFiles() throws {
        #expect(try format("") == "\n")
        #expect(try format("   \n\n") == "\n")
        #expect(try format("// only a comment") == "\n// only a comment\n")
    }

    @Test("width and indent options")
    func options() throws {
        let input = "permit(principal == User::\"alice\", action in [Action::\"read\", Action::\"list\"], resource in Folder::\"shared\") when { resource.owner == principal || resource.public };\n"
        let expected = """
            permit (
                principal == User::"alice",
                action in
                    [Action::"read",
                     Action::"list"],
                resource in Folder::"shared"
            )
            when
            {
                resource.owner == principal ||
                resource.public
            };

            """
        #expect(try format(input, width: 40, indent: 4) == expected)
    }

    @Test("strings keep their escapes, numbers print in decimal")
    func literals() throws {
        let input = #"permit(principal, action, resource) when { context.name == "caf\u{e9}\n" && context.x like "a\*b*" && context.n == 0042 && -7 < context.m };"#
        let expected = """
            permit (principal, action, resource)
            when
            {
              context.name == "caf\\u{e9}\\n" &&
              context.x like "a\\*b*" &&
              context.n == 42 &&
              -7 < context.m
            };

            """
        #expect(try format(input) == expected)
    }

    @Test("CRLF input gives LF output")
    func crlf() throws {
        let input = "permit(principal, action, resource)\r\nwhen { context.a // c\r\n && context.b };\r\n// eof\r\n"
        let expected = "permit (principal, action, resource)\nwhen\n{\n  context.a // c\n   &&\n  context.b\n};\n// eof\n"
        #expect(try format(input) == expected)
    }

    @Test("text that does not parse is the parser's located error")
    func parseError() {
        #expect(throws: CedarError.self) { try format("permit(principal, action, resource) when { 1 + };") }
        do throws(CedarError) {
            _ = try CedarFormatter.format(source: "permit(principal, action, resource)\nwhen { context.a = 1 };", file: "test.cedar")
            Issue.record("expected a parse error")
        } catch {
            #expect(error.span?.start.line == 2)
            #expect(error.description.hasPrefix("test.cedar:2:"))
        }
    }

    @Test("bytes that are not UTF-8 are a located error; valid bytes format like text")
    func bytes() throws {
        var bad = Array("permit(principal, action, resource)\nwhen { context.a == \"".utf8)
        bad += [0xC3, 0x28]
        bad += Array("\" };".utf8)
        #expect(throws: CedarError.self) { try CedarFormatter.format(bytes: bad, file: "bad.cedar") }
        do throws(CedarError) {
            _ = try CedarFormatter.format(bytes: bad, file: "bad.cedar")
        } catch {
            #expect(error.span?.start.line == 2)
        }
        let text = "permit(principal,action,resource);"
        #expect(try CedarFormatter.format(bytes: Array(text.utf8), file: "ok.cedar") == "permit (principal, action, resource);\n")
    }

    @Test("deeply nested input formats without exhausting the stack")
    func deepInput() throws {
        let depth = 150
        let expr = String(repeating: "(", count: depth) + "context.a" + String(repeating: ")", count: depth)
        let out = try format("permit(principal, action, resource) when { \(expr) };")
        #expect(out.contains("context.a"))
        let chain = (0..<900).map { "context.a\($0)" }.joined(separator: " && ")
        let long = try format("permit(principal, action, resource) when { \(chain) };")
        #expect(long.components(separatedBy: "&&\n").count == 900)
    }
}
