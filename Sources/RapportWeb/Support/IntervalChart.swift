import Foundation

/// Rates with their 95% intervals, drawn on the server as SVG: a row per variant with its label, a bar to its
/// rate, a whisker from the interval's low to its high end, and the figures written after it. On right-to-left
/// pages it is mirrored (labels on the right, bars growing to the left); positions are worked out left to right
/// (`direction="ltr"` on the chart) as the other charts do. Readable without colour: every bar has its text.
enum IntervalChart {
    struct Row {
        let label: String
        /// 0…1; nil before anything is sent (no bar).
        let rate: Double?
        let low: Double?
        let high: Double?
        /// What is written beside it: the rate and its interval as the page writes numbers.
        let text: String
        /// The leading (or winning) variant, drawn in the stronger colour.
        let highlight: Bool
    }

    static let width = 640.0
    static let row = 36.0
    static let labelWidth = 110.0
    static let textWidth = 210.0

    static func svg(_ rows: [Row], title: String, rtl: Bool) -> String {
        let plot = width - labelWidth - textWidth - 24
        let height = Double(rows.count) * row + 26
        // the scale: up to the highest interval's end, a little beyond, at least 5%
        let top = max(rows.compactMap { $0.high ?? $0.rate }.max() ?? 0, 0.05) * 1.1
        func x(_ value: Double) -> Double {
            let length = min(max(value, 0), top) / top * plot
            return rtl ? width - labelWidth - 12 - length : labelWidth + 12 + length
        }
        var svg =
            "<svg class=\"chart interval-chart\" role=\"img\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" direction=\"ltr\" aria-label=\"\(Charts.escape(title))\"><title>\(Charts.escape(title))</title>"
        let zero = x(0)
        svg +=
            "<line x1=\"\(f(zero))\" y1=\"2\" x2=\"\(f(zero))\" y2=\"\(f(height - 22))\" stroke=\"currentColor\" stroke-opacity=\"0.4\"/>"
        // on right-to-left pages each text is isolated right to left (RLI … PDI), so that a rate and its
        // interval read from the right in an otherwise left-to-right chart
        func text(_ value: String) -> String { Charts.escape(rtl ? "\u{2067}\(value)\u{2069}" : value) }
        for (index, item) in rows.enumerated() {
            let y = Double(index) * row + 4
            let middle = y + 15
            let labelX = rtl ? width - 4 : labelWidth
            svg +=
                "<g><title>\(Charts.escape(item.label)): \(Charts.escape(item.text))</title>"
                + "<text x=\"\(f(labelX))\" y=\"\(f(middle + 5))\" text-anchor=\"end\" class=\"chart-label\">\(text(item.label))</text>"
            if let rate = item.rate {
                let end = x(rate)
                let length = max(abs(end - zero), rate > 0 ? 2 : 0)
                let left = rtl ? zero - length : zero
                svg +=
                    "<rect x=\"\(f(left))\" y=\"\(f(y + 6))\" width=\"\(f(length))\" height=\"18\" rx=\"3\" class=\"chart-bar\" fill-opacity=\"\(item.highlight ? "1" : "0.55")\"/>"
            }
            var textX = rtl ? zero - 6 : zero + 6
            if let low = item.low, let high = item.high {
                let (a, b) = (x(low), x(high))
                svg +=
                    "<line x1=\"\(f(a))\" y1=\"\(f(middle))\" x2=\"\(f(b))\" y2=\"\(f(middle))\" stroke=\"currentColor\" stroke-width=\"1.5\" class=\"chart-whisker\"/>"
                for end in [a, b] {
                    svg +=
                        "<line x1=\"\(f(end))\" y1=\"\(f(middle - 7))\" x2=\"\(f(end))\" y2=\"\(f(middle + 7))\" stroke=\"currentColor\" stroke-width=\"1.5\"/>"
                }
                textX = rtl ? min(a, b) - 8 : max(a, b) + 8
            } else if let rate = item.rate {
                textX = rtl ? x(rate) - 6 : x(rate) + 6
            }
            svg +=
                "<text x=\"\(f(textX))\" y=\"\(f(middle + 5))\" text-anchor=\"\(rtl ? "end" : "start")\" class=\"chart-value\">\(text(item.text))</text></g>"
        }
        return svg + "</svg>"
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
