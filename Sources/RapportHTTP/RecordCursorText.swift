import Foundation
package import RapportCore

/// Record cursors as opaque text: base64url of the sort, the last key and the last id.
package enum RecordCursorText {
    package static func encode(_ cursor: RecordCursor, sort: String) -> String {
        let object: JSONValue = .object(["s": .string(sort), "k": cursor.key, "i": .string(cursor.id)])
        let data = Data(JSONText.encode(object).utf8)
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Whether a cursor's key has the type the sort compares (a tampered one could not be compared).
    package static func fits(_ cursor: RecordCursor, _ target: ListQuery.Target) -> Bool {
        let numeric: Bool
        switch target {
        case .time: numeric = true
        case .custom(_, let type): numeric = type == .number || type == .boolean
        case .standard(_, let kind): numeric = kind.isInteger
        }
        switch cursor.key {
        case .number(let number): return numeric && number.isFinite && abs(number) < 9e15
        case .string(let text): return !numeric && !text.unicodeScalars.contains("\u{0}") && text.count <= 1000
        default: return false
        }
    }

    package static func decode(_ text: String, sort: String) -> RecordCursor? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let json = String(data: data, encoding: .utf8),
            case .object(let members)? = try? JSONText.decode(json),
            members["s"] == .string(sort), case .string(let id)? = members["i"], RecordID.isWellFormed(id),
            let key = members["k"]
        else { return nil }
        switch key {
        case .string, .number: return RecordCursor(key: key, id: id)
        default: return nil
        }
    }
}
