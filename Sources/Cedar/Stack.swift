// Deeply nested input is parsed on a thread with a large stack: unoptimised builds use tens of
// kilobytes of stack per nesting level, more than a default secondary thread has.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Basics

private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

/// Runs `body` on a thread whose stack is `stackSize` bytes and waits for it.
func runOnLargeStack<T>(stackSize: Int = 256 << 20, _ body: @escaping () -> T) -> T {
    let box = ResultBox<T>()
    nonisolated(unsafe) let work = body
    // Without the thread the deep input would overflow this one's stack. Exit status 2 is every
    // command's "could not decide", which blocks a gated call, where a trap would not.
    guard runOnThread(stackSize: stackSize, { box.value = work() }) else {
        var message = "stepguard: cannot start a thread with a \(stackSize >> 20) MB stack for a deeply nested input\n"
        message.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
        exit(2)
    }
    return box.value!
}

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
    let result: Result<T, CedarError> = runOnLargeStack {
        do throws(CedarError) { return .success(try body()) } catch { return .failure(error) }
    }
    return try result.get()
}
