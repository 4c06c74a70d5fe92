import Testing
@testable import Gate

struct GlobTests {
    @Test(arguments: [
        ("mcp__github__*", "mcp__github__create_issue", true),
        ("mcp__github__*", "mcp__gitlab__create_issue", false),
        ("*/.env", "/home/dev/app/.env", true),
        ("*/.env", "/home/dev/app/.env.local", false),
        ("*/.env*", "/home/dev/app/.env.local", true),
        ("*.pem", "/keys/server.pem", true),
        ("Read", "Read", true),
        ("Read", "ReadX", false),
        ("W?ite", "Write", true),
        ("[BE]dit", "Edit", true),
        ("[!BE]dit", "Edit", false),
        ("*.example.com", "paste.example.com", true),
        ("*.example.com", "example.com", false),
        ("a*b*c", "aXXbYYc", true),
        ("a*b*c", "aXXbYY", false),
        ("\\*", "*", true),
        ("\\*", "x", false),
    ])
    func matches(pattern: String, text: String, expected: Bool) {
        #expect(Glob(pattern).matches(text) == expected)
    }

    @Test func longSubjectsStayLinear() {
        let subject = String(repeating: "a", count: 20_000)
        #expect(!Glob("*a*a*a*a*a*b").matches(subject))
    }
}
