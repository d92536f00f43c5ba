package import Foundation
package import Hummingbird
import MultipartKit
import NIOCore
import NIOFoundationCompat
import RapportCore

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
        guard let boundary = boundary(contentType) else {
            throw RapportError.invalid([FieldIssue("Content-Type", "A multipart body needs a boundary.")])
        }
        let parser = MultipartParser(boundary: boundary)
        let state = PartState()
        parser.onHeader = { name, value in
            if name.lowercased() == "content-disposition" {
                state.current = value.range(of: #"name="file""#) != nil ? "file" : "other"
                if state.current == "file" { state.found = true }
            }
        }
        parser.onBody = { buffer in
            guard state.current == "file" else { return }
            state.pending.append(Data(buffer: buffer))
        }
        parser.onPartComplete = { state.current = nil }
        for try await buffer in request.body {
            try count(buffer.readableBytes)
            do {
                try parser.execute(buffer)
            } catch {
                throw RapportError.invalid([FieldIssue("file", "The multipart body could not be read.")])
            }
            if !state.pending.isEmpty {
                try handle.write(contentsOf: state.pending)
                state.pending.removeAll(keepingCapacity: true)
            }
        }
        guard state.found else { throw RapportError.invalid([FieldIssue("file", "Choose a CSV file to upload.")]) }
    }

    final class PartState: @unchecked Sendable {
        var current: String?
        var found = false
        var pending = Data()
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
