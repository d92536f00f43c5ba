import RapportCore
import Testing

@Suite("CSV reader")
struct CSVReaderTests {
    static func read(_ text: String, chunk: Int = .max) throws -> [CSVReader.Record] {
        try read(Array(text.utf8), chunk: chunk)
    }

    static func read(_ bytes: [UInt8], chunk: Int = .max) throws -> [CSVReader.Record] {
        var reader = CSVReader()
        var records: [CSVReader.Record] = []
        var index = 0
        while index < bytes.count {
            let end = min(bytes.count, index + max(1, chunk))
            records += try reader.read(bytes[index..<end])
            index = end
        }
        return records + (try reader.finish())
    }

    @Test("quoted fields keep delimiters, quotes and line breaks; a multi-line record is one row")
    func quoting() throws {
        let records = try Self.read(
            "name,notes\r\n\"Smith, John\",\"said \"\"hi\"\"\"\r\nOle,\"two\nlines\"\r\nAnna,plain\r\n")
        #expect(
            records.map(\.fields) == [
                ["name", "notes"], ["Smith, John", #"said "hi""#], ["Ole", "two\nlines"], ["Anna", "plain"],
            ])
        #expect(records.map(\.row) == [1, 2, 3, 4])
    }

    @Test(
        "a byte order mark is dropped and the delimiter is detected",
        arguments: [
            ("\u{FEFF}a;b\n1;2\n", [["a", "b"], ["1", "2"]]),
            ("a\tb\n1\t2", [["a", "b"], ["1", "2"]]),
            ("\"x;y\",z\n1,2\n", [["x;y", "z"], ["1", "2"]]),
            ("only\nvalue\n", [["only"], ["value"]]),
        ])
    func delimiters(_ text: String, _ expected: [[String]]) throws {
        #expect(try Self.read(text).map(\.fields) == expected)
    }

    @Test("bad input names the row it is on")
    func failures() {
        var bytes = Array("a,b\n1,2\n".utf8)
        bytes += [0x33, 0xFF, 0x2C, 0x34, 0x0A]  // "3\xFF,4\n": not UTF-8 on row 3
        #expect(throws: CSVReader.Failure(row: 3, message: "The text is not UTF-8.")) { try Self.read(bytes) }
        #expect(throws: CSVReader.Failure.self) { try Self.read("a,b\n1,\"open\n") }
        #expect(throws: CSVReader.Failure(row: 2, message: "A quote appears inside an unquoted field.")) {
            try Self.read("a,b\n1,x\"y\n")
        }
    }

    @Test("any way of cutting the bytes into chunks reads the same records", arguments: 0..<40)
    func chunking(_ seed: Int) throws {
        var generator = SeededGenerator(seed: UInt64(seed) &+ 1)
        let alphabet = ["a", "Ø", "ی", "\u{200C}", ",", ";", "\"", "\n", "\r\n", " ", "7", "é", "—"]
        var rows: [[String]] = []
        let columns = Int.random(in: 1...4, using: &generator)
        for _ in 0..<Int.random(in: 1...8, using: &generator) {
            rows.append(
                (0..<columns).map { _ in
                    (0..<Int.random(in: 0...6, using: &generator)).map { _ in alphabet.randomElement(using: &generator)!
                    }.joined()
                })
        }
        if rows.count == 1, rows[0].allSatisfy(\.isEmpty) { rows[0][0] = "x" }
        // Quotes are doubled byte by byte: a quote followed by a joiner is one Character to String.
        func quoted(_ value: String) -> String {
            "\"" + String(decoding: value.utf8.flatMap { $0 == 34 ? [34, 34] : [$0] }, as: UTF8.self) + "\""
        }
        let text = rows.map { row in row.map(quoted).joined(separator: ",") }.joined(separator: "\r\n")
        let whole = try Self.read(text)
        #expect(whole.map(\.fields) == rows)
        for chunk in [1, 2, 3, 7, 64] {
            #expect(try Self.read(text, chunk: chunk) == whole)
        }
    }
}
