import Foundation

/// A horizontal bar chart drawn on the server as SVG, read from the right on right-to-left pages:
/// labels at the reading start, bars growing in the reading direction, each bar's number after it.
struct BarChart {
    struct Bar {
        let label: String
        let value: Int
        /// The value as the page writes numbers.
        let text: String
        var link: String?
    }

    let title: String
    let bars: [Bar]
    let rightToLeft: Bool

    static let width = 440
    static let row = 30

    /// Room for the longest label at the chart's 14 px (about 7.6 px a character), so that
    /// "Marketing qualified lead" is not cut off at the edge; the bars take what is left.
    var labelWidth: Int {
        let longest = bars.map(\.label.count).max() ?? 0
        return min(240, max(120, Int(Double(longest) * 7.6) + 14))
    }

    var svg: String {
        let height = max(1, bars.count) * Self.row + 8
        let largest = max(1, bars.map(\.value).max() ?? 1)
        let room = Self.width - labelWidth - 56
        var out =
            #"<svg class="chart" role="img" direction="ltr" viewBox="0 0 \#(Self.width) \#(height)" width="100%" "#
            + #"preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg"><title>\#(Self.escape(title))</title>"#
        for (index, bar) in bars.enumerated() {
            let y = index * Self.row + 4
            let length = max(2, bar.value * room / largest)
            let barX = rightToLeft ? Self.width - labelWidth - length : labelWidth
            let labelX = rightToLeft ? Self.width - 6 : labelWidth - 8
            let valueX = rightToLeft ? barX - 6 : barX + length + 6
            let valueAnchor = rightToLeft ? "end" : "start"
            var item =
                #"<g><title>\#(Self.escape(bar.label)): \#(Self.escape(bar.text))</title>"#
                + #"<text x="\#(labelX)" y="\#(y + 19)" text-anchor="end" class="chart-label">\#(Self.escape(bar.label))</text>"#
                + #"<rect x="\#(barX)" y="\#(y + 5)" width="\#(length)" height="18" rx="3" class="chart-bar"/>"#
                + #"<text x="\#(valueX)" y="\#(y + 19)" text-anchor="\#(valueAnchor)" class="chart-value">\#(Self.escape(bar.text))</text></g>"#
            if let link = bar.link { item = #"<a href="\#(Self.escape(link))">\#(item)</a>"# }
            out += item
        }
        return out + "</svg>"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
