package import Foundation
package import Hummingbird
import NIOCore
import NIOFoundationCompat
import RapportCore
import RapportServices

/// A request body saved to a file as it arrives: the raw body, or the part named `file` of a
/// `multipart/form-data` body, never held in memory whole.
package enum Upload {
    /// Saves the upload to `file`.
    /// - Throws: `tooLarge` past `limit`, `invalid` when a multipart body has no `file` part.
    package static func save(_ request: Request, to file: URL, limit: Int64) async throws {
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        let contentType = request.headers[.contentType] ?? ""
        var size: Int64 = 0
        func count(_ bytes: Int) throws {
            size += Int64(bytes)
            if size > limit { throw RapportError(.tooLarge, "The file is larger than \(limit >> 20) MiB.") }
        }
        guard contentType.lowercased().hasPrefix("multipart/form-data") else {
            for try await buffer in request.body {
                try count(buffer.readableBytes)
                try handle.write(contentsOf: Data(buffer: buffer))
            }
            return
        }
        var reader = try MultipartFileReader(contentType: contentType)
        for try await buffer in request.body {
            try count(buffer.readableBytes)
            let bytes = try reader.read(buffer)
            if !bytes.isEmpty { try handle.write(contentsOf: bytes) }
        }
        try reader.finish()
        guard reader.found else { throw RapportError.invalid([FieldIssue("file", "Choose a CSV file to upload.")]) }
    }

    /// The value of the small form field `name` of a `multipart/form-data` request, read from the start of
    /// the body (at most `limit` bytes), which `request` then gives again whole: the field has to come
    /// before any large part, as a form's hidden inputs do when they come before its file input.
    /// - Returns: nil when the body is not multipart, the field is missing or comes too late.
    package static func field(_ name: String, of request: inout Request, limit: Int = 65_536) async -> String? {
        let contentType = request.headers[.contentType] ?? ""
        guard contentType.lowercased().hasPrefix("multipart/form-data"),
            var reader = try? MultipartFileReader(contentType: contentType, part: name)
        else { return nil }
        let replay = BodyReplay(request.body.makeAsyncIterator())
        request.body = RequestBody(asyncSequence: replay)
        var value: [UInt8] = []
        var size = 0
        do {
            while !reader.partEnded, size < limit, let buffer = try await replay.peek() {
                size += buffer.readableBytes
                value += try reader.read(buffer)
            }
        } catch {
            return nil
        }
        guard reader.partEnded, value.count <= 1024 else { return nil }
        return String(decoding: value, as: UTF8.self)
    }

    static func boundary(_ contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let parts = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0].lowercased() == "boundary" {
                return parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }
}

/// A request body whose first buffers were read ahead (`peek`) and are given again when it is read:
/// one reader, one pass, never held whole.
final class BodyReplay: AsyncSequence, @unchecked Sendable {
    typealias Element = ByteBuffer
    // (used by one task at a time: the middleware that peeks, then the handler that reads)
    private var iterator: RequestBody.AsyncIterator
    private var head: [ByteBuffer] = []
    private var given = 0

    init(_ iterator: RequestBody.AsyncIterator) {
        self.iterator = iterator
    }

    /// Reads the next buffer from the wire, keeping it to be given again.
    func peek() async throws -> ByteBuffer? {
        guard let buffer = try await iterator.next() else { return nil }
        head.append(buffer)
        return buffer
    }

    func next() async throws -> ByteBuffer? {
        if given < head.count {
            given += 1
            return head[given - 1]
        }
        head = []
        given = 0
        return try await iterator.next()
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let replay: BodyReplay
        func next() async throws -> ByteBuffer? { try await replay.next() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(replay: self) }
}

/// The part named `file` (or another name) of a `multipart/form-data` body (RFC 7578, RFC 2046 section 5.1.1),
/// read as the body arrives. Written here because MultipartKit 4.7.1 traps on a header name
/// that is not ASCII; anything malformed is refused with `invalid`, whatever it holds.
package struct MultipartFileReader {
    private enum Phase {
        case preamble, delimiterLine, headers, body, epilogue
    }

    /// `CRLF--boundary`; the first delimiter may come without its CRLF.
    private let delimiter: [UInt8]
    /// For each prefix of `delimiter`, the length of its longest proper prefix that is also its suffix.
    private let fallback: [Int]
    private var matched = 2
    private var phase = Phase.preamble
    /// The bytes since the last delimiter, in `delimiterLine` and `headers`.
    private var line: [UInt8] = []
    private var inFile = false
    /// Whether a part named `file` has begun.
    package private(set) var found = false
    /// Whether that part has ended.
    package private(set) var partEnded = false
    private let part: String

    static let headerLimit = 16_384
    static let unreadable = RapportError.invalid([FieldIssue("file", "The multipart body could not be read.")])

    /// - Throws: `invalid` when `contentType` has no boundary of 1 to 70 characters.
    package init(contentType: String, part: String = "file") throws {
        self.part = part
        guard let boundary = Upload.boundary(contentType), (1...70).contains(boundary.utf8.count) else {
            throw RapportError.invalid([
                FieldIssue("Content-Type", "A multipart body needs a boundary of 1 to 70 characters.")
            ])
        }
        delimiter = Array("\r\n--\(boundary)".utf8)
        var fallback = [0]
        var length = 0
        for byte in delimiter.dropFirst() {
            while length > 0, delimiter[length] != byte { length = fallback[length - 1] }
            if delimiter[length] == byte { length += 1 }
            fallback.append(length)
        }
        self.fallback = fallback
    }

    /// The file part's bytes in `buffer`, the next stretch of the body.
    /// - Throws: `invalid` when the body is not well-formed multipart.
    package mutating func read(_ buffer: ByteBuffer) throws -> [UInt8] {
        var file: [UInt8] = []
        try buffer.withUnsafeReadableBytes { bytes in
            var index = 0
            while index < bytes.count {
                switch phase {
                case .preamble, .body:
                    if matched == 0 {
                        // Nothing can start a delimiter before the next CR.
                        let end = bytes[index...].firstIndex(of: delimiter[0]) ?? bytes.count
                        if inFile { file += bytes[index..<end] }
                        index = end
                        if index == bytes.count { break }
                    }
                    step(bytes[index], into: &file)
                case .delimiterLine:
                    try delimiterLine(bytes[index])
                case .headers:
                    try header(bytes[index])
                case .epilogue:
                    return
                }
                index += 1
            }
        }
        return file
    }

    /// - Throws: `invalid` unless the body ended with its closing delimiter.
    package func finish() throws {
        guard case .epilogue = phase else { throw Self.unreadable }
    }

    /// One byte of a part's content (or the preamble): held while it may begin a delimiter.
    private mutating func step(_ byte: UInt8, into file: inout [UInt8]) {
        let held = matched
        while matched > 0, delimiter[matched] != byte { matched = fallback[matched - 1] }
        if delimiter[matched] == byte { matched += 1 }
        if matched == delimiter.count {
            if inFile { partEnded = true }
            (matched, phase, inFile, line) = (0, .delimiterLine, false, [])
        } else if inFile, held + 1 > matched {
            // The bytes that can no longer begin a delimiter are content.
            let released = held + 1 - matched
            file += delimiter[0..<min(released, held)]
            if released > held { file.append(byte) }
        }
    }

    /// After a delimiter: `--` closes the body; otherwise optional spaces or tabs, then CRLF.
    private mutating func delimiterLine(_ byte: UInt8) throws {
        line.append(byte)
        let hyphen = UInt8(ascii: "-")
        if line == [hyphen] { return }
        if line == [hyphen, hyphen] {
            phase = .epilogue
            return
        }
        func isPadding(_ bytes: ArraySlice<UInt8>) -> Bool { bytes.allSatisfy { $0 == 32 || $0 == 9 } }
        let before = line.dropLast()
        switch byte {
        case _ where [32, 9, 13].contains(byte) && before.count < 80 && isPadding(before):
            break
        case 10 where before.last == 13 && isPadding(before.dropLast()):
            (phase, line) = (.headers, [])
        default:
            throw Self.unreadable
        }
    }

    /// A byte of a part's header block, which ends with an empty line.
    private mutating func header(_ byte: UInt8) throws {
        line.append(byte)
        guard line.count <= Self.headerLimit else { throw Self.unreadable }
        guard byte == 10, line.count == 2 || line.suffix(4).elementsEqual([13, 10, 13, 10]) else { return }
        guard line[line.count - 2] == 13 else { throw Self.unreadable }
        var isFile = false
        for field in String(decoding: line, as: UTF8.self).split(separator: "\r\n") {
            guard let colon = field.firstIndex(of: ":") else { throw Self.unreadable }
            guard field[..<colon].trimmingCharacters(in: .whitespaces).lowercased() == "content-disposition" else {
                continue
            }
            let parameters = field[field.index(after: colon)...].split(separator: ";").map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            isFile = parameters.contains("name=\"\(part)\"") || parameters.contains("name=\(part)")
        }
        (phase, line, inFile) = (.body, [], isFile)
        if isFile { found = true }
    }
}
