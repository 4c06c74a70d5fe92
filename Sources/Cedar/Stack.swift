// Deeply nested input is parsed on a thread with a large stack: unoptimised builds use tens of
// kilobytes of stack per nesting level, more than a default secondary thread has.
import Basics

private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

/// Runs `body` on a thread whose stack is `stackSize` bytes and waits for it; nil, without
/// running it, when the thread cannot be started (each caller turns that into its own error: on
/// this thread's stack the deep input could overflow it).
func runOnLargeStack<T>(stackSize: Int = largeStackSize, _ body: @escaping () -> T) -> T? {
    let box = ResultBox<T>()
    nonisolated(unsafe) let work = body
    guard runOnThread(stackSize: stackSize, { box.value = work() }) else { return nil }
    return box.value
}

/// The stack of the thread deeply nested input is read on.
let largeStackSize = 256 << 20

/// Why deeply nested input was not read: the words of each caller's error.
let largeStackRefusal = "cannot start a thread with a \(largeStackSize >> 20) MB stack for this deeply nested input; free memory or flatten the nesting, then try again"

/// An upper bound on the parser's recursion depth for these tokens: bracket nesting plus `if`s.
func recursionEstimate(_ tokens: [Token]) -> Int {
    var depth = 0
    var maxDepth = 0
    var ifs = 0
    for t in tokens {
        switch t.kind {
        case .leftParen, .leftBracket, .leftBrace:
            depth += 1
            if depth > maxDepth { maxDepth = depth }
        case .rightParen, .rightBracket, .rightBrace:
            depth -= 1
        case .identifier where t.text == "if":
            ifs += 1
        default:
            break
        }
    }
    return maxDepth + ifs
}

/// Runs a parse over `tokens` directly when shallow, else on a large-stack thread.
func withStackFor<T>(_ tokens: [Token], _ body: @escaping () throws(CedarError) -> T) throws(CedarError) -> T {
    if recursionEstimate(tokens) <= 24 { return try body() }
    let result: Result<T, CedarError>? = runOnLargeStack {
        do throws(CedarError) { return .success(try body()) } catch { return .failure(error) }
    }
    guard let result else { throw .parse(message: largeStackRefusal, span: tokens[0].span, expected: []) }
    return try result.get()
}
