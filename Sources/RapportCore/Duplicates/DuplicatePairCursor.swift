import Foundation

/// Where a page of a workspace's duplicate pairs ends: the key the pair shares and its two records.
/// Opaque to clients: base64url of a JSON array.
package struct DuplicatePairCursor: Sendable, Equatable {
    package var rule: String
    package var scope: String
    package var key: String
    package var first: String
    package var second: String

    package init(rule: String, scope: String, key: String, first: String, second: String) {
        self.rule = rule
        self.scope = scope
        self.key = key
        self.first = first
        self.second = second
    }

    package var text: String {
        let array: JSONValue = .array([rule, scope, key, first, second].map(JSONValue.string))
        return Data(JSONText.encode(array).utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A cursor this server gave out; nil for anything else.
    package init?(text: String) {
        guard text.count <= 2000 else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let json = String(data: data, encoding: .utf8),
            case .array(let items)? = try? JSONText.decode(json), items.count == 5
        else { return nil }
        let parts = items.compactMap { if case .string(let text) = $0 { text } else { nil } }
        guard parts.count == 5, RecordID.isWellFormed(parts[3]), RecordID.isWellFormed(parts[4]),
            !parts.contains(where: { $0.unicodeScalars.contains("\u{0}") })
        else { return nil }
        self.init(rule: parts[0], scope: parts[1], key: parts[2], first: parts[3], second: parts[4])
    }
}
