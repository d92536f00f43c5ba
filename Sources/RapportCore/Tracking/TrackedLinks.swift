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
        // (over the UTF-8 bytes: tags, attribute names and the delimiters looked for are ASCII, and a byte below
        // 0x80 is never part of a longer character)
        let bytes = Array(html.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 256)
        var index = 0
        while let open = bytes[index...].firstIndex(of: Byte.lt) {
            out += bytes[index..<open]
            if Bytes.starts(bytes, at: open, with: "<!--") {
                let end = Bytes.find("-->", in: bytes, from: open + 4).map { $0 + 3 } ?? bytes.count
                out += bytes[open..<end]
                index = end
                continue
            }
            let name = tagName(bytes, at: open + 1)
            if name == "style" || name == "script" {
                // (copied through to its closing tag, whatever it holds)
                let close = Bytes.find("</" + name, in: bytes, from: open + 1, caseInsensitive: true) ?? bytes.count
                out += bytes[open..<close]
                if close == bytes.count {
                    index = close
                    break
                }
                out.append(Byte.lt)
                index = close + 1
                continue
            }
            guard name == "a" || name == "area", let end = tagEnd(bytes, at: open) else {
                out.append(Byte.lt)
                index = open + 1
                continue
            }
            out += rewriteTag(bytes[open..<end], link: link)
            index = end
        }
        out += bytes[index...]
        if let pixel {
            let image =
                "<img src=\"\(HTMLText.escape(pixel))\" width=\"1\" height=\"1\" alt=\"\" "
                + "style=\"display:block;width:1px;height:1px;border:0\">"
            let at = Bytes.findLast("</body", in: out, caseInsensitive: true) ?? out.count
            out.insert(contentsOf: image.utf8, at: at)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `text` with each `http:` or `https:` address replaced by `link(address)` (nil keeps it). An address runs
    /// to the next space or `<`, `>`, `"`; closing punctuation after it (`.`, `,`, a `)` that opens nowhere in
    /// it) is not part of it, so "Read it (https://x.test/a)." keeps its bracket and full stop.
    package static func rewriteText(_ text: String, link: (String) -> String?) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var index = 0
        while let start = nextAddress(bytes, from: index) {
            var end = start
            while end < bytes.count {
                let (scalar, length) = Bytes.scalar(bytes, at: end)
                if scalar.properties.isWhitespace || scalar == "<" || scalar == ">" || scalar == "\"" { break }
                end += length
            }
            while end > start {
                let last = bytes[end - 1]
                if Byte.closing.contains(last) {
                    end -= 1
                } else if last == Byte.closeParen,
                    bytes[start..<end].count(where: { $0 == Byte.openParen })
                        < bytes[start..<end].count(where: { $0 == Byte.closeParen })
                {
                    end -= 1
                } else {
                    break
                }
            }
            out += bytes[index..<start]
            let address = String(decoding: bytes[start..<end], as: UTF8.self)
            if let replaced = link(address) { out += replaced.utf8 } else { out += bytes[start..<end] }
            index = end
        }
        guard index > 0 || !out.isEmpty else { return text }
        out += bytes[index...]
        return String(decoding: out, as: UTF8.self)
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

    /// The lower-cased element name of a tag whose name starts at `at` (after its `<`); empty for a closing tag,
    /// a declaration or anything else.
    static func tagName(_ bytes: [UInt8], at: Int) -> String {
        var end = at
        while end < bytes.count, Byte.isAlphanumeric(bytes[end]) { end += 1 }
        return String(decoding: bytes[at..<end].map(Byte.lowercased), as: UTF8.self)
    }

    /// Where the tag starting at `at` (its `<`) ends (after its `>`), quotes respected; nil when it never closes.
    static func tagEnd(_ bytes: [UInt8], at: Int) -> Int? {
        var quote: UInt8?
        // (the last byte before this one that is not white space: a quote opens a value only after `=`)
        var previous: UInt8 = Byte.lt
        var index = at + 1
        while index < bytes.count {
            let byte = bytes[index]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == Byte.quote || byte == Byte.apostrophe {
                if previous == Byte.equals { quote = byte }
            } else if byte == Byte.gt {
                return index + 1
            }
            if !Byte.isSpace(byte) { previous = byte }
            index += 1
        }
        return nil
    }

    /// One `<a …>` or `<area …>` with its `href` rewritten (when it is a web address `link` answers for).
    static func rewriteTag(_ tag: ArraySlice<UInt8>, link: (String) -> String?) -> ArraySlice<UInt8> {
        let end = tag.endIndex
        var index = tag.startIndex + 1
        while index < end, Byte.isAlphanumeric(tag[index]) { index += 1 }
        func skipSpace(_ from: Int) -> Int {
            var at = from
            while at < end, Byte.isSpace(tag[at]) { at += 1 }
            return at
        }
        while index < end {
            // an attribute: its name, then maybe `=` and a value
            while index < end, Byte.isSpace(tag[index]) || tag[index] == Byte.slash { index += 1 }
            guard index < end, tag[index] != Byte.gt else { break }
            var nameEnd = index
            while nameEnd < end, !Byte.isSpace(tag[nameEnd]),
                ![Byte.equals, Byte.gt, Byte.slash].contains(tag[nameEnd])
            {
                nameEnd += 1
            }
            let isHref = tag[index..<nameEnd].map(Byte.lowercased).elementsEqual("href".utf8)
            var cursor = skipSpace(nameEnd)
            guard cursor < end, tag[cursor] == Byte.equals else {
                index = nameEnd
                continue
            }
            cursor = skipSpace(cursor + 1)
            let valueStart = cursor
            let valueEnd: Int
            let value: ArraySlice<UInt8>
            if cursor < end, tag[cursor] == Byte.quote || tag[cursor] == Byte.apostrophe {
                let quote = tag[cursor]
                let close = tag[(cursor + 1)...].firstIndex(of: quote) ?? end
                value = tag[(cursor + 1)..<close]
                valueEnd = close < end ? close + 1 : close
            } else {
                var close = cursor
                while close < end, !Byte.isSpace(tag[close]), tag[close] != Byte.gt { close += 1 }
                value = tag[cursor..<close]
                valueEnd = close
            }
            if isHref {
                let address = HTMLText.decodeEntities(String(decoding: value, as: UTF8.self)).trimmed()
                guard isWebAddress(address), let replaced = link(address) else { return tag }
                var out = ArraySlice(tag[..<valueStart])
                out.append(Byte.quote)
                out += HTMLText.escape(replaced).utf8
                out.append(Byte.quote)
                out += tag[valueEnd...]
                return out
            }
            index = valueEnd
        }
        return tag
    }

    /// The start of the next `http://` or `https://` at or after `from` that does not continue a word.
    static func nextAddress(_ bytes: [UInt8], from: Int) -> Int? {
        var search = from
        while let found = Bytes.find("http", in: bytes, from: search, caseInsensitive: true) {
            search = found + 4
            if found > 0 {
                var lead = found - 1
                while lead > 0, bytes[lead] & 0xC0 == 0x80 { lead -= 1 }
                let character = Character(Bytes.scalar(bytes, at: lead).scalar)
                if character.isLetter || character.isNumber { continue }
            }
            if Bytes.starts(bytes, at: search, with: "://", caseInsensitive: true)
                || Bytes.starts(bytes, at: search, with: "s://", caseInsensitive: true)
            {
                return found
            }
        }
        return nil
    }
}

/// The ASCII bytes the link rewriting looks for.
private enum Byte {
    static let lt = UInt8(ascii: "<")
    static let gt = UInt8(ascii: ">")
    static let equals = UInt8(ascii: "=")
    static let slash = UInt8(ascii: "/")
    static let quote = UInt8(ascii: "\"")
    static let apostrophe = UInt8(ascii: "'")
    static let openParen = UInt8(ascii: "(")
    static let closeParen = UInt8(ascii: ")")
    /// What may follow an address in prose without being part of it.
    static let closing: Set<UInt8> = Set(".,;:!?'".utf8)

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    static func lowercased(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte + 0x20 : byte
    }
}

/// Searches over UTF-8 bytes (ASCII patterns; case folded for ASCII letters only).
private enum Bytes {
    static func starts(_ bytes: [UInt8], at: Int, with pattern: String, caseInsensitive: Bool = false) -> Bool {
        var index = at
        for expected in pattern.utf8 {
            guard index < bytes.count else { return false }
            let byte = caseInsensitive ? Byte.lowercased(bytes[index]) : bytes[index]
            if byte != (caseInsensitive ? Byte.lowercased(expected) : expected) { return false }
            index += 1
        }
        return true
    }

    /// The first occurrence of `pattern` at or after `from`.
    static func find(_ pattern: String, in bytes: [UInt8], from: Int, caseInsensitive: Bool = false) -> Int? {
        guard let first = pattern.utf8.first else { return nil }
        let lower = Byte.lowercased(first)
        var index = from
        while index < bytes.count {
            let byte = bytes[index]
            if (byte == first || (caseInsensitive && Byte.lowercased(byte) == lower))
                && starts(bytes, at: index, with: pattern, caseInsensitive: caseInsensitive)
            {
                return index
            }
            index += 1
        }
        return nil
    }

    /// The last occurrence of `pattern`.
    static func findLast(_ pattern: String, in bytes: [UInt8], caseInsensitive: Bool = false) -> Int? {
        var index = bytes.count - pattern.utf8.count
        while index >= 0 {
            if starts(bytes, at: index, with: pattern, caseInsensitive: caseInsensitive) { return index }
            index -= 1
        }
        return nil
    }

    /// The Unicode scalar whose UTF-8 starts at `at`, and its length in bytes (U+FFFD, one byte, for a byte that
    /// starts none).
    static func scalar(_ bytes: [UInt8], at: Int) -> (scalar: Unicode.Scalar, length: Int) {
        let lead = bytes[at]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        guard length > 1, at + length <= bytes.count else { return ("\u{FFFD}", 1) }
        var decoder = UTF8()
        var iterator = bytes[at..<(at + length)].makeIterator()
        if case .scalarValue(let scalar) = decoder.decode(&iterator) { return (scalar, length) }
        return ("\u{FFFD}", 1)
    }
}
