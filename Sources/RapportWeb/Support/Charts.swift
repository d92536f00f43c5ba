import Foundation

/// Charts drawn on the server as SVG: no script, readable without colour (every bar is labelled with
/// its value), and mirrored on right-to-left pages (labels on the right, bars growing to the left,
/// the first group rightmost). Positions are worked out left to right (`direction="ltr"` on the chart,
/// whatever the page's direction); each label's own text is shaped right to left by the browser.
enum Charts {
    /// One labelled bar of a horizontal chart.
    struct Bar {
        let label: String
        let value: Double
        /// What is written beside the bar (the value as a person reads it, with any note).
        let text: String
    }

    /// A horizontal bar chart: a row per bar, its label, the bar and its text.
    static func horizontal(_ bars: [Bar], title: String, rtl: Bool) -> String {
        let width = 640.0
        let row = 34.0
        let labelWidth = 170.0
        let textWidth = 150.0
        let plot = width - labelWidth - textWidth - 16
        let height = Double(bars.count) * row + 8
        let top = max(bars.map(\.value).max() ?? 0, 1)
        var svg =
            "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" direction=\"ltr\" aria-label=\"\(escape(title))\"><title>\(escape(title))</title>"
        for (index, bar) in bars.enumerated() {
            let y = Double(index) * row + 4
            let length = max(bar.value / top * plot, bar.value > 0 ? 2 : 0)
            let barX = rtl ? width - labelWidth - 8 - length : labelWidth + 8
            let labelX = rtl ? width - 4 : labelWidth
            let textX = rtl ? barX - 6 : barX + length + 6
            svg +=
                "<text x=\"\(f(labelX))\" y=\"\(f(y + 21))\" text-anchor=\"end\" class=\"chart-label\">\(escape(bar.label))</text>"
            svg +=
                "<rect x=\"\(f(barX))\" y=\"\(f(y + 6))\" width=\"\(f(length))\" height=\"20\" rx=\"3\" class=\"chart-bar\"/>"
            svg +=
                "<text x=\"\(f(textX))\" y=\"\(f(y + 21))\" text-anchor=\"\(rtl ? "end" : "start")\" class=\"chart-value\">\(escape(bar.text))</text>"
        }
        return svg + "</svg>"
    }

    /// One series of a grouped column chart (won, weighted, best case), with the class that colours it.
    struct Series {
        let name: String
        let cssClass: String
    }

    /// A group of columns: a label under it and a value (and its text, for the title) per series.
    struct Group {
        let label: String
        let values: [Double]
        let texts: [String]
    }

    /// A grouped column chart with a legend; groups run left to right (right to left on RTL pages).
    static func columns(_ groups: [Group], series: [Series], title: String, rtl: Bool) -> String {
        let groupWidth = 26.0 * Double(series.count) + 24
        let width = max(Double(groups.count) * groupWidth + 16, 320)
        let plot = 180.0
        let height = plot + 70
        let top = max(groups.flatMap(\.values).max() ?? 0, 1)
        var svg =
            "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" direction=\"ltr\" aria-label=\"\(escape(title))\"><title>\(escape(title))</title>"
        svg +=
            "<line x1=\"8\" y1=\"\(f(plot + 10))\" x2=\"\(f(width - 8))\" y2=\"\(f(plot + 10))\" class=\"chart-axis\"/>"
        for (index, group) in groups.enumerated() {
            let slot = rtl ? Double(groups.count - 1 - index) : Double(index)
            let left = 8 + slot * groupWidth + 12
            for (number, value) in group.values.enumerated() {
                let position = rtl ? Double(series.count - 1 - number) : Double(number)
                let x = left + position * 26
                let tall = max(value / top * plot, value > 0 ? 2 : 0)
                let text = number < group.texts.count ? group.texts[number] : ""
                svg +=
                    "<rect x=\"\(f(x))\" y=\"\(f(plot + 10 - tall))\" width=\"22\" height=\"\(f(tall))\" rx=\"2\" class=\"\(series[number].cssClass)\"><title>\(escape(series[number].name)): \(escape(text))</title></rect>"
            }
            svg +=
                "<text x=\"\(f(left + Double(series.count) * 13 - 2))\" y=\"\(f(plot + 28))\" text-anchor=\"middle\" class=\"chart-label\">\(escape(group.label))</text>"
        }
        // the legend, in reading order
        var x = rtl ? width - 12 : 12.0
        for item in series {
            let box = rtl ? x - 12 : x
            svg += "<rect x=\"\(f(box))\" y=\"\(f(plot + 44))\" width=\"12\" height=\"12\" class=\"\(item.cssClass)\"/>"
            let textX = rtl ? box - 6 : box + 18
            svg +=
                "<text x=\"\(f(textX))\" y=\"\(f(plot + 54))\" text-anchor=\"\(rtl ? "end" : "start")\" class=\"chart-legend\">\(escape(item.name))</text>"
            let step = Double(item.name.count) * 7.5 + 40
            x += rtl ? -step : step
        }
        return svg + "</svg>"
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    /// Text safe inside SVG elements and attributes.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
