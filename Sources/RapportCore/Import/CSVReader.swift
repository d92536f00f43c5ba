/// A streaming CSV reader: bytes go in as they arrive, records come out with the spreadsheet row they
/// start on (the header is row 1; a record with line breaks inside quotes is one row). It accepts what
/// real exports look like: a UTF-8 byte order mark, CRLF or LF, quoted fields with delimiters, quotes
/// (`""`) and line breaks, and `,`, `;` or tab as the delimiter (detected from the header line).
/// Memory stays bounded by the longest record, not the file.
package struct CSVReader: Sendable {
    /// Why a file is not CSV we can read.
    package struct Failure: Error, Equatable, Sendable {
        package var row: Int
        package var message: String

        package init(row: Int, message: String) {
            self.row = row
            self.message = message
        }
    }

    /// One record and the row it is on.
    package struct Record: Equatable, Sendable {
        package var row: Int
        package var fields: [String]
    }

    package private(set) var delimiter: UInt8?
    /// Records longer than this are refused, so a file without line ends cannot exhaust memory.
    package var maximumRecordBytes = 1 << 20

    private var pending: [UInt8] = []
    private var started = false
    private var row = 0
    private var field: [UInt8] = []
    private var fields: [String] = []
    private var inQuotes = false
    private var quoteSeen = false
    private var recordBytes = 0
    private var recordRow = 1
    private var atRecordStart = true

    package init(delimiter: UInt8? = nil) {
        self.delimiter = delimiter
    }

    /// Feeds bytes; returns the records they complete.
    /// - Throws: `Failure` for text that is not UTF-8, a quote in the middle of an unquoted field, or a
    ///   record over the size limit.
    package mutating func read(_ bytes: some Sequence<UInt8>) throws(Failure) -> [Record] {
        var output: [Record] = []
        var input = Array(bytes)
        if !started {
            pending += input
            input = []
            // Wait for the whole header line (or enough bytes) to strip a BOM and detect the delimiter.
            guard
                let headerEnd = pending.firstIndex(of: 10) ?? (pending.count > maximumRecordBytes ? pending.count : nil)
            else { return [] }
            if pending.starts(with: [0xEF, 0xBB, 0xBF]) { pending.removeFirst(3) }
            if delimiter == nil { delimiter = Self.detect(pending[..<min(headerEnd, pending.count)]) }
            started = true
            input = pending
            pending = []
        }
        for byte in input {
            if let record = try consume(byte) { output.append(record) }
        }
        return output
    }

    /// Ends the input; returns the last record if the file did not end with a line break.
    package mutating func finish() throws(Failure) -> [Record] {
        var output: [Record] = []
        if !started {
            started = true
            if pending.starts(with: [0xEF, 0xBB, 0xBF]) { pending.removeFirst(3) }
            if delimiter == nil { delimiter = Self.detect(pending[...]) }
            let bytes = pending
            pending = []
            for byte in bytes { if let record = try consume(byte) { output.append(record) } }
        }
        if inQuotes {
            throw Failure(row: recordRow, message: "A quoted field is not closed before the end of the file.")
        }
        if !atRecordStart || !field.isEmpty || !fields.isEmpty {
            if let record = try endRecord() { output.append(record) }
        }
        return output
    }

    /// The most frequent of `,`, `;` and tab outside quotes in the header line; `,` when none appears.
    static func detect(_ line: ArraySlice<UInt8>) -> UInt8 {
        var counts: [UInt8: Int] = [44: 0, 59: 0, 9: 0]
        var quoted = false
        for byte in line {
            if byte == 34 { quoted.toggle() }
            if !quoted, counts[byte] != nil { counts[byte]! += 1 }
        }
        let best = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }!
        return best.value == 0 ? 44 : best.key
    }

    private mutating func consume(_ byte: UInt8) throws(Failure) -> Record? {
        if atRecordStart {
            atRecordStart = false
            recordRow = row + 1
        }
        recordBytes += 1
        if recordBytes > maximumRecordBytes {
            throw Failure(row: recordRow, message: "A record is longer than \(maximumRecordBytes) bytes.")
        }
        let delimiter = self.delimiter ?? 44
        if inQuotes {
            if byte == 34 {
                inQuotes = false
                quoteSeen = true
            } else {
                field.append(byte)
            }
            return nil
        }
        switch byte {
        case 34:
            if quoteSeen {
                // "" inside a quoted field is one quote.
                field.append(34)
                inQuotes = true
                quoteSeen = false
            } else if field.isEmpty {
                inQuotes = true
            } else {
                throw Failure(row: recordRow, message: "A quote appears inside an unquoted field.")
            }
        case delimiter:
            try endField()
        case 10:
            return try endRecord()
        case 13:
            break  // CR of CRLF (a lone CR inside a quoted field is kept above)
        default:
            if quoteSeen { throw Failure(row: recordRow, message: "Text follows the closing quote of a field.") }
            field.append(byte)
        }
        return nil
    }

    private mutating func endField() throws(Failure) {
        guard let text = String(validating: field, as: UTF8.self) else {
            throw Failure(row: recordRow, message: "The text is not UTF-8.")
        }
        fields.append(text)
        field.removeAll(keepingCapacity: true)
        quoteSeen = false
    }

    private mutating func endRecord() throws(Failure) -> Record? {
        try endField()
        // A record's rows are counted as a spreadsheet shows them: one per record.
        row += 1
        let record = Record(row: row, fields: fields)
        fields = []
        recordBytes = 0
        atRecordStart = true
        return record
    }
}
