import Foundation

/// The rewriting of an outgoing marketing message for tracking: each web link through a click redirect, and an
/// open pixel at the end of the HTML. Pure functions over the rendered text; the caller decides which links
/// are left alone (the unsubscribe and preference links) and makes the redirect addresses.
package enum TrackedLinks {
    /// `html` with the `href` of every `<a>` and `<area>` whose address is `http:` or `https:` replaced by
    /// `link(address)` (the address with its character references decoded; a nil answer keeps the link as it
    /// is), and `pixel` as an image before the last `</body>` (at the end when there is none). Comments, `<style>`
    /// and `<script>` are left as they are; `mailto:`, `tel:` and fragment links too.
    package static func rewriteHTML(_ html: String, link: (String) -> String?, pixel: String?) -> String {
        var out = ""
        out.reserveCapacity(html.utf8.count + 256)
        var index = html.startIndex
        while let open = html[index...].firstIndex(of: "<") {
            out += html[index..<open]
            let rest = html[open...]
            if rest.hasPrefix("<!--") {
                let end = rest.range(of: "-->")?.upperBound ?? html.endIndex
                out += html[open..<end]
                index = end
                continue
            }
            let name = tagName(rest.dropFirst())
            if name == "style" || name == "script" {
                // (copied through to its closing tag, whatever it holds)
                let close = rest.range(of: "</\(name)", options: .caseInsensitive)?.lowerBound ?? html.endIndex
                out += html[open..<close]
                index = close
                if close == html.endIndex { break }
                out += "<"
                index = html.index(after: close)
                continue
            }
            guard name == "a" || name == "area", let end = tagEnd(rest) else {
                out += "<"
                index = html.index(after: open)
                continue
            }
            out += rewriteTag(html[open..<end], link: link)
            index = end
        }
        out += html[index...]
        guard let pixel else { return out }
        let image =
            "<img src=\"\(HTMLText.escape(pixel))\" width=\"1\" height=\"1\" alt=\"\" "
            + "style=\"display:block;width:1px;height:1px;border:0\">"
        if let body = out.range(of: "</body", options: [.caseInsensitive, .backwards]) {
            out.insert(contentsOf: image, at: body.lowerBound)
        } else {
            out += image
        }
        return out
    }

    /// `text` with each `http:` or `https:` address replaced by `link(address)` (nil keeps it). An address runs
    /// to the next space or `<`, `>`, `"`; closing punctuation after it (`.`, `,`, a `)` that opens nowhere in
    /// it) is not part of it, so "Read it (https://x.test/a)." keeps its bracket and full stop.
    package static func rewriteText(_ text: String, link: (String) -> String?) -> String {
        var out = ""
        var index = text.startIndex
        while let start = nextAddress(in: text, from: index) {
            var end =
                text[start...].firstIndex { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "\"" }
                ?? text.endIndex
            while end > start {
                let last = text[text.index(before: end)]
                if ".,;:!?'".contains(last) {
                    end = text.index(before: end)
                } else if last == ")",
                    text[start..<end].filter({ $0 == "(" }).count < text[start..<end].filter({ $0 == ")" }).count
                {
                    end = text.index(before: end)
                } else {
                    break
                }
            }
            out += text[index..<start]
            let address = String(text[start..<end])
            out += link(address) ?? address
            index = end
        }
        return out + text[index...]
    }

    /// Whether an address is one a click redirect may lead to: absolute `http:` or `https:` with a host, and no
    /// space or control character.
    package static func isWebAddress(_ address: String) -> Bool {
        let lower = address.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"),
            !address.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }),
            let components = URLComponents(string: address), let host = components.host, !host.isEmpty
        else { return false }
        return true
    }

    // MARK: Reading tags

    /// The lower-cased element name at the start of a tag's text (after its `<`); empty for a closing tag,
    /// a declaration or anything else.
    static func tagName(_ text: Substring) -> String {
        String(text.prefix { $0.isASCII && ($0.isLetter || $0.isNumber) }).lowercased()
    }

    /// Where a tag starting at `text` ends (after its `>`), quotes respected; nil when it never closes.
    static func tagEnd(_ text: Substring) -> String.Index? {
        var quote: Character?
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            let character = text[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                // (a quote opens a value only after `=`)
                let before = text[..<index].last { !$0.isWhitespace }
                if before == "=" { quote = character }
            } else if character == ">" {
                return text.index(after: index)
            }
            index = text.index(after: index)
        }
        return nil
    }

    /// One `<a …>` or `<area …>` with its `href` rewritten (when it is a web address `link` answers for).
    static func rewriteTag(_ tag: Substring, link: (String) -> String?) -> String {
        var index = tag.index(after: tag.startIndex)
        index = tag[index...].firstIndex { !($0.isASCII && ($0.isLetter || $0.isNumber)) } ?? tag.endIndex
        while index < tag.endIndex {
            // an attribute: its name, then maybe `=` and a value
            index = tag[index...].firstIndex { !$0.isWhitespace && $0 != "/" } ?? tag.endIndex
            guard index < tag.endIndex, tag[index] != ">" else { break }
            let nameEnd =
                tag[index...].firstIndex { $0.isWhitespace || $0 == "=" || $0 == ">" || $0 == "/" }
                ?? tag.endIndex
            let name = tag[index..<nameEnd].lowercased()
            var cursor = tag[nameEnd...].firstIndex { !$0.isWhitespace } ?? tag.endIndex
            guard cursor < tag.endIndex, tag[cursor] == "=" else {
                index = nameEnd
                continue
            }
            cursor = tag[tag.index(after: cursor)...].firstIndex { !$0.isWhitespace } ?? tag.endIndex
            let valueStart = cursor
            let valueEnd: String.Index
            let value: Substring
            if cursor < tag.endIndex, tag[cursor] == "\"" || tag[cursor] == "'" {
                let quote = tag[cursor]
                let inner = tag.index(after: cursor)
                let close = tag[inner...].firstIndex(of: quote) ?? tag.endIndex
                value = tag[inner..<close]
                valueEnd = close < tag.endIndex ? tag.index(after: close) : close
            } else {
                let close = tag[cursor...].firstIndex { $0.isWhitespace || $0 == ">" } ?? tag.endIndex
                value = tag[cursor..<close]
                valueEnd = close
            }
            if name == "href" {
                let address = HTMLText.decodeEntities(String(value)).trimmingCharacters(in: .whitespacesAndNewlines)
                guard isWebAddress(address), let replaced = link(address) else { return String(tag) }
                return String(tag[..<valueStart]) + "\"" + HTMLText.escape(replaced) + "\"" + String(tag[valueEnd...])
            }
            index = valueEnd
        }
        return String(tag)
    }

    /// The start of the next `http://` or `https://` in `text` at or after `from` that does not continue a word.
    static func nextAddress(in text: String, from: String.Index) -> String.Index? {
        var search = from
        while let found = text.range(of: "http", options: .caseInsensitive, range: search..<text.endIndex) {
            search = found.upperBound
            if found.lowerBound > text.startIndex {
                let before = text[text.index(before: found.lowerBound)]
                if before.isLetter || before.isNumber { continue }
            }
            let next = text[found.upperBound...].prefix(4).lowercased()
            if next.hasPrefix("://") || next.hasPrefix("s://") { return found.lowerBound }
        }
        return nil
    }
}
