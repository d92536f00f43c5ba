import Foundation
import RapportCore
import Testing

@Suite("JSON text")
struct JSONTextTests {
    /// A random value with strings drawn from awkward characters: quotes, backslashes, controls,
    /// Persian and Cyrillic letters, ZWNJ, emoji.
    static func randomValue(_ generator: inout SeededGenerator, depth: Int = 0) -> JSONValue {
        let alphabet: [String] = ["a", "\"", "\\", "/", "\n", "\u{1}", "\u{1F}", "ی", "ж", "\u{200C}", "😀", " ", "é"]
        func text() -> String {
            (0..<Int.random(in: 0..<6, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
                .joined()
        }
        switch Int.random(in: 0..<(depth > 3 ? 4 : 6), using: &generator) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2:
            return Bool.random(using: &generator)
                ? .number(Double(Int64.random(in: -1_000_000_000...1_000_000_000, using: &generator)))
                : .number(Double.random(in: -1e6...1e6, using: &generator))
        case 3: return .string(text())
        case 4:
            return .array(
                (0..<Int.random(in: 0..<4, using: &generator)).map { _ in randomValue(&generator, depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0..<4, using: &generator) {
                members[text()] = randomValue(&generator, depth: depth + 1)
            }
            return .object(members)
        }
    }

    @Test("random values survive a round trip, and Foundation reads the text as the same value")
    func roundTrip() throws {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<3000 {
            let value = Self.randomValue(&generator)
            let text = JSONText.encode(value)
            #expect(try JSONText.decode(text) == value, "\(text)")
            let foundation = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
            #expect(foundation == value, "\(text)")
            // and what Foundation writes, this reads
            let written = String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
            #expect(try JSONText.decode(written) == value, "\(written)")
        }
    }

    @Test("text is compact with sorted keys and whole numbers without a fraction")
    func canonical() {
        let value: JSONValue = .object([
            "b": .array([.number(3), .number(-0.5), .number(1e20)]), "a": .string("x/y\t\"z\""), "c": .null,
        ])
        #expect(JSONText.encode(value) == #"{"a":"x/y\t\"z\"","b":[3,-0.5,1e+20],"c":null}"#)
    }

    @Test(
        "malformed text is refused",
        arguments: [
            "", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "\"\\x\"", "\"a\nb\"", "tru", "[1] 2", "\"\\ud800\"",
            "{\"a\":1,}", "1e", "nan",
        ])
    func malformed(text: String) {
        #expect(throws: JSONText.Malformed.self) { try JSONText.decode(text) }
    }

    @Test("escapes and surrogate pairs decode; deep nesting is refused rather than crashing")
    func escapes() throws {
        #expect(try JSONText.decode(#""\u00e9\ud83d\ude00\/\b\f""#) == .string("é😀/\u{8}\u{C}"))
        #expect(try JSONText.decode(" [ 1 , { \"k\" : [ ] } ] ") == .array([.number(1), .object(["k": .array([])])]))
        #expect(throws: JSONText.Malformed.self) { try JSONText.decode(String(repeating: "[", count: 100_000)) }
    }
}
