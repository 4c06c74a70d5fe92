import Foundation
import Testing
import JSONValue
@testable import Cedar

@Suite struct ParserTests {
    @Test func conformancePoliciesParseAndRejectsAreRejected() throws {
        var parsed = 0
        for url in Fixtures.files("cedar-generated", prefix: "case-") {
            let text = try Fixtures.json(url)["policies"]?.stringValue ?? ""
            do {
                _ = try Parser.parse(text, file: url.lastPathComponent)
                parsed += 1
            } catch {
                Issue.record("\(url.lastPathComponent): \(error)")
            }
        }
        var rejected = 0
        let rejects = Fixtures.files("cedar-generated", prefix: "reject-")
        for url in rejects {
            let text = try Fixtures.json(url)["policies"]?.stringValue ?? ""
            do {
                _ = try Parser.parse(text, file: url.lastPathComponent)
                Issue.record("\(url.lastPathComponent) parsed but the reference rejects it")
            } catch {
                rejected += 1
            }
        }
        print("cedar-generated parse: \(parsed) case files parsed, \(rejected)/\(rejects.count) reject files rejected")
        #expect(rejected == rejects.count)
        #expect(parsed > 0)
    }

    @Test func scopeForms() throws {
        let f = try Parser.parse("""
            @id("t") @note
            permit(principal is A::User in ?principal, action in [Action::"a", NS::Action::"b"], resource == ?resource)
            when { context.x has y.z && resource["k"] like "a\\*b*" }
            unless { principal is User in Group::"g" };
            forbid(principal == User::"a\\"b", action == Action::"x", resource is Doc);
            """, file: "t.cedar")
        #expect(f.policies.count == 2)
        let p = f.policies[0]
        #expect(p.annotations.map(\.key) == ["id", "note"])
        #expect(p.annotations[1].hasValue == false)
        #expect(p.principal.kind == .isIn("A::User", .slot(.principal)))
        #expect(p.action.kind == .inList([EntityUID(type: "Action", id: "a"), EntityUID(type: "NS::Action", id: "b")]))
        #expect(p.resource.kind == .equals(.slot(.resource)))
        #expect(p.isTemplate)
        #expect(f.policies[1].principal.kind == .equals(.entity(EntityUID(type: "User", id: "a\"b"))))
        guard case .and(let l, let r) = p.conditions[0].body.kind else { Issue.record("not and"); return }
        #expect(l.kind == .has(Expr(.attribute(Expr(.variable(.context)), "x")), path: ["y", "z"], quoted: false)
            || { if case .has(_, let path, _) = l.kind { return path == ["y", "z"] } else { return false } }())
        guard case .like(_, let pattern) = r.kind else { Issue.record("not like"); return }
        #expect(pattern == [.literal("a*b"), .wildcard])
    }

    @Test func negativeLiterals() throws {
        let e = try Parser.parseExpression("-9223372036854775808")
        #expect(e.kind == .literal(.long(Int64.min)))
        let e2 = try Parser.parseExpression("--1")
        guard case .unary(.neg, let inner) = e2.kind else { Issue.record("expected neg"); return }
        #expect(inner.kind == .literal(.long(-1)))
        #expect(throws: CedarError.self) { try Parser.parseExpression("9223372036854775808") }
        #expect(throws: CedarError.self) { try Parser.parseExpression("-9223372036854775809") }
        #expect(throws: CedarError.self) { try Parser.parseExpression("-----1") }
        #expect(throws: CedarError.self) { try Parser.parseExpression("!-1") }
    }

    @Test(arguments: [
        "1 == 2 == 3", "a", "foo(1)", "isIpv4(ip(\"1.1.1.1\"))", "[1].contains(1, 2)", "[].isEmpty(1)",
        "principal.if", "{a: 1, a: 2}", "context[1]", "1 like 2", "x is in::T", "principal is A is B",
        "principal has a[\"b\"]", "(1)(2)", "1 / 2", "1 % 2", "context.a = 1", "\"\\q\"", "A::{}",
        "?principal", "principal.foo()", "if::\"x\"", "\"a\" like \"a\" == true", "!!!!!true",
    ])
    func rejectedExpressions(_ text: String) {
        #expect(throws: CedarError.self) {
            _ = try Parser.parse("permit(principal, action, resource) when { \(text) };", file: "x.cedar")
        }
    }

    @Test(arguments: [
        "permit(principal, action is Action, resource);",
        "permit(principal: User, action, resource);",
        "permit(principal == ?resource, action, resource);",
        "permit(principal, action, resource) when {};",
        "permit(principal, action, resource) foo { true };",
        "@id(\"a\") @id(\"b\") permit(principal, action, resource);",
        "permit(principal, action, resource, context);",
        "permit(principal, resource, action);",
        "permit(principal in [User::\"a\"], action, resource);",
        "permit(principal, action == [Action::\"b\"], resource);",
        "permit(principal, action == User::\"b\", resource);",
        "permit(principal, action, resource)",
        "permit(principal, action, resource) when { true }",
        "allow(principal, action, resource);",
        "permit(principal is __cedar::X, action, resource);",
    ])
    func rejectedPolicies(_ text: String) {
        #expect(throws: CedarError.self) { _ = try Parser.parse(text, file: "x.cedar") }
    }

    @Test func acceptedOddities() throws {
        _ = try Parser.parse("@in(\"a\") permit(principal in (User::\"a\"), action in [Action::\"b\",], resource);", file: "x")
        _ = try Parser.parse("permit(principal, action, resource) when { [1,].contains(1) && {a:1,}.a == 1 && context has permit };", file: "x")
        _ = try Parser.parse("", file: "x")
        _ = try Parser.parseExpression("\"\\u{1F600}\\x41\\0\" == \"x\"")
    }

    @Test func locatedErrors() {
        do {
            _ = try Parser.parse("permit(principal, action, resource)\nwhen { 1 +  };", file: "p.cedar")
            Issue.record("should fail")
        } catch {
            #expect(error.span?.start.line == 2)
            #expect(error.span?.start.column == 13)
            #expect(error.description.hasPrefix("p.cedar:2:13: "))
            let ex = SourceExcerpt.make(source: Array("permit(principal, action, resource)\nwhen { 1 +  };".utf8), span: error.span!)
            #expect(ex.rendered() == "2 | when { 1 +  };\n  |             ^")
        }
    }

    @Test func hostileInputErrorsCleanly() throws {
        let parens = String(repeating: "(", count: 1_000_000)
        #expect(throws: CedarError.self) { _ = try Parser.parse("permit(principal, action, resource) when { \(parens) };", file: "x") }
        let deep = String(repeating: "!(", count: 10_000) + "true" + String(repeating: ")", count: 10_000)
        #expect(throws: CedarError.self) { _ = try Parser.parse("permit(principal, action, resource) when { \(deep) };", file: "x") }
        let chain = Array(repeating: "1", count: 10_000).joined(separator: " + ")
        #expect(throws: CedarError.self) { _ = try Parser.parse("permit(principal, action, resource) when { \(chain) == 1 };", file: "x") }
        let nested200 = String(repeating: "(", count: 201) + "1" + String(repeating: ")", count: 201)
        do {
            _ = try Parser.parseExpression(nested200, file: "n.cedar")
            Issue.record("should fail")
        } catch {
            #expect(error.span?.start.line == 1)
            #expect(error.message.contains("nested too deeply"))
        }
        _ = try Parser.parseExpression(String(repeating: "(", count: 150) + "1" + String(repeating: ")", count: 150))
        var bytes = Array("permit(principal, action, resource)\nwhen { \"".utf8)
        bytes += [0xFF, 0xFE]
        bytes += Array("\" };".utf8)
        do {
            _ = try Parser.parse(bytes, file: "u.cedar")
            Issue.record("should fail")
        } catch {
            #expect(error.span?.start.line == 2)
            #expect(error.message.contains("UTF-8"))
        }
        #expect(throws: CedarError.self) { _ = try Parser.parse("permit(principal, action, resource) when { \"abc };", file: "x") }
    }

    @Test func commentsAreTrivia() throws {
        let f = try Parser.parse("// head\npermit(principal, action, resource) // tail\n;\n// end\n", file: "c")
        #expect(f.tokens.first?.leadingComments.map(\.text) == ["// head"])
        #expect(f.tokens.first(where: { $0.kind == .semicolon })?.leadingComments.map(\.text) == ["// tail"])
        #expect(f.tokens.last?.kind == .endOfInput)
        #expect(f.tokens.last?.leadingComments.map(\.text) == ["// end"])
    }
}
