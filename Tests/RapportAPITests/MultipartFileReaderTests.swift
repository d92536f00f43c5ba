import Foundation
import NIOCore
import RapportCore
import RapportHTTP
import RapportServices
import Testing

@Suite("Multipart file reader")
struct MultipartFileReaderTests {
    static let contentType = "multipart/form-data; boundary=\"b-0\""

    /// `body` fed to a reader in stretches cut at `cuts`; nil when the reader refuses it.
    static func read(_ body: [UInt8], cuts: [Int]) -> (file: [UInt8], found: Bool)? {
        guard var reader = try? MultipartFileReader(contentType: contentType) else { return nil }
        var file: [UInt8] = []
        var start = 0
        for end in cuts + [body.count] where end >= start {
            guard let bytes = try? reader.read(ByteBuffer(bytes: body[start..<end])) else { return nil }
            file += bytes
            start = end
        }
        guard (try? reader.finish()) != nil else { return nil }
        return (file, reader.found)
    }

    static func cuts(_ count: Int, _ random: inout SeededGenerator) -> [Int] {
        (0..<Int.random(in: 0...4, using: &random)).map { _ in Int.random(in: 0...count, using: &random) }.sorted()
    }

    @Test("the file part comes back byte for byte however the body is cut")
    func wellFormed() {
        var random = SeededGenerator(seed: 7)
        for _ in 0..<500 {
            let file = (0..<Int.random(in: 0...300, using: &random)).map { _ in
                [UInt8(ascii: "a"), 0x0D, 0x0A, UInt8(ascii: "-"), 0xC3, 0xB8, UInt8(ascii: ":"), 0x00].randomElement(
                    using: &random)!
            }
            let body =
                Array(
                    "preamble\r\n--b-0\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nx\r\n--b-0\r\nContent-Disposition: form-data; name=\"file\"; filename=\"å.csv\"\r\nContent-Type: text/csv\r\n\r\n"
                        .utf8) + file + Array("\r\n--b-0--\r\nepilogue".utf8)
            let read = Self.read(body, cuts: Self.cuts(body.count, &random))
            #expect(read?.file == file)
            #expect(read?.found == true)
        }
    }

    @Test("random bytes around the delimiters are read or refused, never a crash")
    func fuzz() {
        var random = SeededGenerator(seed: 11)
        let pieces: [[UInt8]] = [
            Array("--b-0".utf8), Array("\r\n--b-0".utf8), [0x0D, 0x0A], [0x0D], [0x0A], Array(":".utf8),
            Array("--".utf8),
            Array("Content-Disposition: form-data; name=\"file\"".utf8), Array("X".utf8), [0x80], [0xFF], [0xC3, 0xB8],
            [0x00], Array("-".utf8), Array("b".utf8),
        ]
        var refused = 0
        for _ in 0..<5000 {
            var body: [UInt8] = []
            for _ in 0..<Int.random(in: 1...24, using: &random) { body += pieces.randomElement(using: &random)! }
            let c = Self.cuts(body.count, &random)
            if Self.read(body, cuts: c) == nil { refused += 1 }
        }
        #expect(refused > 0)
    }

    @Test("a missing, empty or overlong boundary is refused")
    func boundaries() {
        for contentType in [
            "multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=\"\"",
            "multipart/form-data; boundary=\(String(repeating: "x", count: 71))",
        ] {
            #expect(throws: RapportError.self) { try MultipartFileReader(contentType: contentType) }
        }
    }
}
