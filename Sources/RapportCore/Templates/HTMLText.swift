import Foundation

/// HTML escaping, and the plain text of an email's HTML for its text/plain part.
package enum HTMLText {
    /// `text` safe inside HTML elements and quoted attributes.
    package static func escape(_ text: String) -> String {
        // (byte by byte: every character escaped is ASCII, and most values have none)
        let special: (UInt8) -> Bool = { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }
        guard text.utf8.contains(where: special) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 32)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): out += "&amp;".utf8
            case UInt8(ascii: "<"): out += "&lt;".utf8
            case UInt8(ascii: ">"): out += "&gt;".utf8
            case UInt8(ascii: "\""): out += "&quot;".utf8
            case UInt8(ascii: "'"): out += "&#39;".utf8
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static let blocks: Set<String> = [
        "p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote", "hr",
        "section", "article", "header", "footer", "pre",
    ]
    static let skipped: Set<String> = ["style", "script", "head", "title"]

    /// The text of an HTML document: tags removed, a link as "text (url)" (the URL alone when it is the text),
    /// paragraphs and other blocks as blank lines, `<br>` as a line break, list items with "- ", entities
    /// decoded, runs of spaces folded.
    package static func plainText(fromHTML html: String) -> String {
        var out = ""
        var index = html.startIndex
        var skipping: String?
        var links: [(href: String?, start: Int)] = []
        func breakLine(_ count: Int) {
            // trailing spaces off, then at most `count` newlines in a row
            while out.last == " " { out.removeLast() }
            guard !out.isEmpty else { return }
            let have = out.reversed().prefix { $0 == "\n" }.count
            if have < count { out += String(repeating: "\n", count: count - have) }
        }
        while index < html.endIndex {
            let character = html[index]
            if character == "<" {
                guard let close = html[index...].firstIndex(of: ">") else {
                    if skipping == nil { out += decodeEntities(String(html[index...])) }
                    break
                }
                let inside = html[html.index(after: index)..<close]
                index = html.index(after: close)
                if inside.hasPrefix("!") { continue }  // comments and doctype
                let closing = inside.hasPrefix("/")
                let body = closing ? inside.dropFirst() : inside
                let name = body.prefix { $0.isLetter || $0.isNumber }.lowercased()
                if let skipped = skipping {
                    if closing && name == skipped { skipping = nil }
                    continue
                }
                if skipped.contains(name) && !closing {
                    skipping = name
                    continue
                }
                if name == "a" {
                    if closing {
                        if let link = links.popLast() {
                            let start = out.utf8.index(out.startIndex, offsetBy: min(link.start, out.utf8.count))
                            let text = out[start...].trimmingCharacters(in: .whitespacesAndNewlines)
                            if let href = link.href, !href.isEmpty, !href.hasPrefix("#") {
                                let url = href.hasPrefix("mailto:") ? String(href.dropFirst(7)) : href
                                if text.isEmpty || text == url || text == href {
                                    out.replaceSubrange(start..., with: url)
                                } else {
                                    out += " (\(url))"
                                }
                            }
                        }
                    } else {
                        links.append((attribute("href", in: String(body)).map(decodeEntities), out.utf8.count))
                    }
                    continue
                }
                if name == "br" {
                    while out.last == " " { out.removeLast() }
                    out += "\n"
                } else if name == "li" && !closing {
                    breakLine(1)
                    out += "- "
                } else if ["p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "ul", "ol", "hr"]
                    .contains(name)
                {
                    breakLine(2)
                } else if blocks.contains(name) {
                    breakLine(1)
                }
                continue
            }
            index = html.index(after: index)
            if skipping != nil { continue }
            if character.isWhitespace {
                if let last = out.last, last != " " && last != "\n" { out += " " }
            } else if character == "&" {
                // an entity: up to the next ";" within a few characters
                var end = index
                var length = 0
                while end < html.endIndex, html[end] != ";", length < 10 {
                    end = html.index(after: end)
                    length += 1
                }
                if end < html.endIndex, html[end] == ";" {
                    out += decodeEntities("&" + html[index...end])
                    index = html.index(after: end)
                } else {
                    out += "&"
                }
            } else {
                out.append(character)
            }
        }
        while out.last == " " || out.last == "\n" { out.removeLast() }
        return out.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\n")
    }

    /// The value of an attribute in a tag's text (`a href="…"`), quoted or not.
    static func attribute(_ name: String, in tag: String) -> String? {
        let lower = tag.lowercased()
        var search = lower.startIndex
        while let range = lower.range(of: name, range: search..<lower.endIndex) {
            search = range.upperBound
            // a whole attribute name: preceded by a space
            guard range.lowerBound > lower.startIndex, lower[lower.index(before: range.lowerBound)].isWhitespace
            else { continue }
            var rest = tag[range.upperBound...].drop { $0 == " " }
            guard rest.first == "=" else { continue }
            rest = rest.dropFirst().drop { $0 == " " }
            if let quote = rest.first, quote == "\"" || quote == "'" {
                return String(rest.dropFirst().prefix { $0 != quote })
            }
            return String(rest.prefix { !$0.isWhitespace && $0 != ">" })
        }
        return nil
    }

    static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}", "copy": "©", "reg": "®",
        "hellip": "…", "mdash": "—", "ndash": "–", "laquo": "«", "raquo": "»", "euro": "€", "zwnj": "\u{200C}",
        "rsquo": "’", "lsquo": "‘", "ldquo": "“", "rdquo": "”", "aring": "å", "aelig": "æ", "oslash": "ø",
        "Aring": "Å", "AElig": "Æ", "Oslash": "Ø",
    ]

    /// `text` with HTML character references (`&amp;`, `&#1578;`, `&#x44F;`) decoded; unknown ones kept.
    package static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            rest = rest[amp...]
            guard let semi = rest.firstIndex(of: ";"), rest.distance(from: amp, to: semi) <= 10 else {
                out += "&"
                rest = rest.dropFirst()
                continue
            }
            let name = rest[rest.index(after: amp)..<semi]
            var decoded: String?
            if name.hasPrefix("#x") || name.hasPrefix("#X") {
                decoded = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String($0) }
            } else if name.hasPrefix("#") {
                decoded = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String($0) }
            } else {
                decoded = named[String(name)]
            }
            if let decoded {
                out += decoded == "\u{00A0}" ? " " : decoded
                rest = rest[rest.index(after: semi)...]
            } else {
                out += "&"
                rest = rest.dropFirst()
            }
        }
        return out + rest
    }
}
