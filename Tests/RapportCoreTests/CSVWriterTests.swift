import RapportCore
import Testing

@Suite("CSV writer")
struct CSVWriterTests {
    static func written(_ field: String) -> String {
        var bytes: [UInt8] = []
        CSVWriter.appendField(field, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("fields are quoted when a spreadsheet needs it, and formulas are guarded")
    func fields() {
        for (field, expected) in [
            ("", ""), ("Søren", "Søren"), ("a,b", "\"a,b\""), ("a;b", "\"a;b\""), ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("two\nlines", "\"two\nlines\""), (" lead", "\" lead\""), ("trail\t", "\"trail\t\""),
            ("=SUM(A1)", "'=SUM(A1)"), ("@handle", "'@handle"), ("-x, y", "\"'-x, y\""), ("+45 32 12", "+45 32 12"),
            ("-", "'-"), ("(+45) 3", "(+45) 3"), ("\u{00A0}x", "\"\u{00A0}x\""), ("مریم\u{3000}", "\"مریم\u{3000}\""),
            ("=\u{3000}", "\"'=\u{3000}\""), ("\u{3000}=", "\"\u{3000}=\""), ("'=x", "''=x"), ("'x", "''x"),
            ("'", "''"), ("''", "'''"),
        ] {
            #expect(Self.written(field) == expected, "\(field)")
            #expect(CSVWriter.escape(field) == expected, "\(field)")
        }
    }

    @Test("a written line reads back as the same fields, whatever they hold")
    func roundTrip() throws {
        var random = SeededGenerator(seed: 3)
        let pieces = [
            "a", "Ø", "ی", " ", ",", ";", "\"", "\n", "\r\n", "=", "+", "-", "@", "\t", "4", "(", "\u{00A0}", "'",
        ]
        for _ in 0..<2000 {
            let fields = (0..<Int.random(in: 1...5, using: &random)).map { _ in
                (0..<Int.random(in: 0...6, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            }
            // (a header line first: the reader's first record names the columns)
            let text = CSVWriter.line(fields.indices.map { "c\($0)" }) + CSVWriter.line(fields)
            var reader = CSVReader()
            let records = try reader.read(Array(text.utf8)[...]) + (try reader.finish())
            let read = records.last.map { $0.fields.map(CSVWriter.unguard) }
            #expect(read == fields, "\(fields)")
            for field in fields { #expect(Self.written(field) == CSVWriter.escape(field), "\(field)") }
        }
    }
}
