/// JSON text for `JSONValue` without Foundation's coders, which cost microseconds per small value: the
/// importer and the exporter write and read several per record. The text is compact, object keys are
/// sorted (so equal values give equal text), whole numbers below 2^53 are written without a fraction,
/// and `/` is not escaped.
package enum JSONText {
    package struct Malformed: Error, Sendable {
        package let offset: Int

        package init(offset: Int) {
            self.offset = offset
        }
    }

    /// The value as compact JSON text.
    package static func encode(_ value: JSONValue) -> String {
        var bytes: [UInt8] = []
        write(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses JSON text (RFC 8259; one value, surrounded by optional whitespace).
    /// - Throws: `Malformed` with the byte offset of the first error.
    package static func decode(_ text: String) throws -> JSONValue {
        var text = text
        return try text.withUTF8 { bytes in
            var parser = Parser(bytes: bytes)
            parser.skipSpace()
            let value = try parser.value(depth: 0)
            parser.skipSpace()
            guard parser.index == bytes.count else { throw Malformed(offset: parser.index) }
            return value
        }
    }

    // MARK: Writing

    /// Appends the value's JSON text as UTF-8 (the fast form: no String is grown piece by piece).
    package static func write(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number): out.append(contentsOf: numberText(number).utf8)
        case .string(let text): writeString(text, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                write(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                writeString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                write(members[key]!, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// A number as JSON: whole numbers without a fraction; non-finite numbers (which JSON lacks) as null.
    package static func numberText(_ number: Double) -> String {
        guard number.isFinite else { return "null" }
        if number.rounded() == number && abs(number) < 9_007_199_254_740_992 { return String(Int64(number)) }
        return "\(number)"
    }

    /// A string in quotes, escaped: quotes, backslashes and control characters (the rest of UTF-8,
    /// `/` included, as it is).
    package static func writeString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var needsEscape = false
        for byte in text.utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            needsEscape = true
            break
        }
        if !needsEscape {
            out.append(contentsOf: text.utf8)
        } else {
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    out.append(UInt8(ascii: "\\"))
                    out.append(byte)
                case UInt8(ascii: "\n"): out.append(contentsOf: "\\n".utf8)
                case UInt8(ascii: "\r"): out.append(contentsOf: "\\r".utf8)
                case UInt8(ascii: "\t"): out.append(contentsOf: "\\t".utf8)
                case 0..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: "\\u00".utf8)
                    out.append(hex[Int(byte >> 4)])
                    out.append(hex[Int(byte & 0xF)])
                default: out.append(byte)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    // MARK: Parsing

    struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        static let maximumDepth = 512

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
        }

        mutating func expect(_ literal: StaticString) throws {
            let count = literal.utf8CodeUnitCount
            guard index + count <= bytes.count else { throw Malformed(offset: index) }
            for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] {
                throw Malformed(offset: index + offset)
            }
            index += count
        }

        mutating func value(depth: Int) throws -> JSONValue {
            guard depth < Self.maximumDepth, let byte = current else { throw Malformed(offset: index) }
            switch byte {
            case UInt8(ascii: "n"):
                try expect("null")
                return .null
            case UInt8(ascii: "t"):
                try expect("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try expect("false")
                return .bool(false)
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "["):
                index += 1
                var items: [JSONValue] = []
                skipSpace()
                if current == UInt8(ascii: "]") {
                    index += 1
                    return .array(items)
                }
                while true {
                    skipSpace()
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard let next = current else { throw Malformed(offset: index) }
                    index += 1
                    if next == UInt8(ascii: "]") { return .array(items) }
                    guard next == UInt8(ascii: ",") else { throw Malformed(offset: index - 1) }
                }
            case UInt8(ascii: "{"):
                index += 1
                var members: [String: JSONValue] = [:]
                skipSpace()
                if current == UInt8(ascii: "}") {
                    index += 1
                    return .object(members)
                }
                while true {
                    skipSpace()
                    guard current == UInt8(ascii: "\"") else { throw Malformed(offset: index) }
                    let key = try string()
                    skipSpace()
                    guard current == UInt8(ascii: ":") else { throw Malformed(offset: index) }
                    index += 1
                    skipSpace()
                    members[key] = try value(depth: depth + 1)
                    skipSpace()
                    guard let next = current else { throw Malformed(offset: index) }
                    index += 1
                    if next == UInt8(ascii: "}") { return .object(members) }
                    guard next == UInt8(ascii: ",") else { throw Malformed(offset: index - 1) }
                }
            default:
                return .number(try number())
            }
        }

        mutating func number() throws -> Double {
            let start = index
            func digits() -> Int {
                let first = index
                while let byte = current, byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { index += 1 }
                return index - first
            }
            if current == UInt8(ascii: "-") { index += 1 }
            let integerStart = index
            let integerDigits = digits()
            guard integerDigits > 0 else { throw Malformed(offset: index) }
            if integerDigits > 1 && bytes[integerStart] == UInt8(ascii: "0") { throw Malformed(offset: integerStart) }
            if current == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { throw Malformed(offset: index) }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { throw Malformed(offset: index) }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            guard let number = Double(text), number.isFinite else { throw Malformed(offset: start) }
            return number
        }

        mutating func string() throws -> String {
            index += 1  // the opening quote
            let start = index
            // The common case: no escapes, so the bytes between the quotes are the string.
            while let byte = current, byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                guard byte >= 0x20 else { throw Malformed(offset: index) }
                index += 1
            }
            guard let stop = current else { throw Malformed(offset: index) }
            var bytesOut = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
            if stop == UInt8(ascii: "\"") {
                index += 1
                return try validated(bytesOut, at: start)
            }
            while true {
                guard let byte = current else { throw Malformed(offset: index) }
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return try validated(bytesOut, at: start)
                case UInt8(ascii: "\\"):
                    guard let escaped = current else { throw Malformed(offset: index) }
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytesOut.append(escaped)
                    case UInt8(ascii: "b"): bytesOut.append(0x08)
                    case UInt8(ascii: "f"): bytesOut.append(0x0C)
                    case UInt8(ascii: "n"): bytesOut.append(0x0A)
                    case UInt8(ascii: "r"): bytesOut.append(0x0D)
                    case UInt8(ascii: "t"): bytesOut.append(0x09)
                    case UInt8(ascii: "u"):
                        var code = try hex4()
                        if (0xD800..<0xDC00).contains(code) {
                            // A high surrogate must be followed by an escaped low one.
                            try expect("\\u")
                            let low = try hex4()
                            guard (0xDC00..<0xE000).contains(low) else { throw Malformed(offset: index - 4) }
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let scalar = Unicode.Scalar(code) else { throw Malformed(offset: index - 4) }
                        bytesOut.append(contentsOf: String(Character(scalar)).utf8)
                    default:
                        throw Malformed(offset: index - 1)
                    }
                default:
                    guard byte >= 0x20 else { throw Malformed(offset: index - 1) }
                    bytesOut.append(byte)
                }
            }
        }

        mutating func hex4() throws -> UInt32 {
            guard index + 4 <= bytes.count else { throw Malformed(offset: index) }
            var code: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw Malformed(offset: index)
                }
                code = code * 16 + digit
                index += 1
            }
            return code
        }

        /// Bytes as a string, refusing ill-formed UTF-8 (which `String(decoding:)` would repair silently).
        func validated(_ bytes: [UInt8], at offset: Int) throws -> String {
            guard let text = String(validating: bytes, as: UTF8.self) else { throw Malformed(offset: offset) }
            return text
        }
    }
}
