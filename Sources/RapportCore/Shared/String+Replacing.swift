extension String {
    /// The text with every occurrence of `target` replaced by `replacement`, matched byte for byte in UTF-8 (no
    /// locale, no Unicode equivalence), left to right without overlaps. Foundation's `replacingOccurrences` goes
    /// through CFString and UTF-16 on Linux, which made it a tenth of the time of sending a tracked message.
    package func replacingEvery(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, utf8.count >= target.utf8.count else { return self }
        var source = self
        var pattern = target
        let changed: String? = source.withUTF8 { text in
            pattern.withUTF8 { needle in
                let first = needle[0]
                let length = needle.count
                var out: [UInt8] = []
                var index = 0
                var copied = 0
                while index + length <= text.count {
                    if text[index] == first,
                        UnsafeBufferPointer(rebasing: text[index..<(index + length)]).elementsEqual(needle)
                    {
                        if out.isEmpty { out.reserveCapacity(text.count + replacement.utf8.count) }
                        out.append(contentsOf: text[copied..<index])
                        out.append(contentsOf: replacement.utf8)
                        index += length
                        copied = index
                    } else {
                        index += 1
                    }
                }
                guard copied > 0 else { return nil }
                out.append(contentsOf: text[copied...])
                return String(decoding: out, as: UTF8.self)
            }
        }
        return changed ?? self
    }
}
