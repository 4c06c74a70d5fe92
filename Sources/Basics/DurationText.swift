/// Durations as people write them in arguments and annotations: one or more `NUMBER UNIT`
/// groups, units in decreasing order and each at most once: `250ms`, `90s`, `5m`, `1h30m`, `2d`.
/// A bare number is not a duration: its unit would be a guess.
public enum DurationText {
    private static let units: [(name: String, milliseconds: Int64)] = [
        ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1),
    ]

    /// The number of milliseconds `text` denotes, or nil.
    public static func milliseconds(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        var index = 0
        var total: Int64 = 0
        var lastUnit = -1
        while index < bytes.count {
            var number: Int64 = 0
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                let (times, o1) = number.multipliedReportingOverflow(by: 10)
                let (plus, o2) = times.addingReportingOverflow(Int64(bytes[index] - 0x30))
                if o1 || o2 { return nil }
                number = plus
                index += 1
            }
            guard index > start else { return nil }
            let unitStart = index
            while index < bytes.count, bytes[index] >= 0x61, bytes[index] <= 0x7A { index += 1 }
            let unit = String(decoding: bytes[unitStart..<index], as: UTF8.self)
            guard let position = units.firstIndex(where: { $0.name == unit }), position > lastUnit else { return nil }
            lastUnit = position
            let (scaled, o3) = number.multipliedReportingOverflow(by: units[position].milliseconds)
            let (sum, o4) = total.addingReportingOverflow(scaled)
            if o3 || o4 { return nil }
            total = sum
        }
        return total
    }

    /// The shortest spelling of a number of milliseconds in the same notation: `90000` → `1m30s`.
    public static func format(milliseconds: Int64) -> String {
        if milliseconds == 0 { return "0s" }
        var rest = milliseconds
        var text = milliseconds < 0 ? "-" : ""
        if rest < 0 { rest = rest == Int64.min ? Int64.max : -rest }
        for unit in units where rest >= unit.milliseconds {
            text += "\(rest / unit.milliseconds)\(unit.name)"
            rest %= unit.milliseconds
        }
        return text
    }
}
