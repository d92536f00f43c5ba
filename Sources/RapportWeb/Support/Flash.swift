import Foundation
import RapportCore

/// A message for the page after a redirect ("Tag added to 37 contacts"), carried by a cookie that the
/// next page reads and clears. The cookie holds a message key, a count and an object name, never text:
/// what is shown always comes from the message catalogue.
struct Flash: Equatable {
    /// The message's key in the catalogue, without its `flash_` prefix.
    let key: String
    var count: Int?
    /// The object the message is about (`contacts`), for `{object}`.
    var object: String?

    init(_ key: String, count: Int? = nil, object: String? = nil) {
        self.key = key
        self.count = count
        self.object = object
    }

    /// Reads a cookie's value; nil for anything this server would not have written.
    init?(cookie: String) {
        let parts = cookie.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, Self.isName(parts[0]), parts[2].isEmpty || Self.isName(parts[2]) else { return nil }
        key = parts[0]
        count = parts[1].isEmpty ? nil : Int(parts[1])
        if !parts[1].isEmpty && count == nil { return nil }
        object = parts[2].isEmpty ? nil : parts[2]
    }

    var cookie: String { "\(key).\(count.map(String.init) ?? "").\(object ?? "")" }

    static func isName(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 40 && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || $0 == "_" }
    }

    /// The message in the viewer's language, nil when the catalogue has no such message.
    func text(_ messages: [String: String], language: Language) -> String? {
        let singular = count == 1 ? messages["flash_\(key)_one"] : nil
        guard var text = singular ?? messages["flash_\(key)"] else { return nil }
        if let count { text = text.replacingOccurrences(of: "{count}", with: Numbers.format(count, language)) }
        if let object {
            let name = messages[object] ?? object
            text = text.replacingOccurrences(of: "{object}", with: language.isRightToLeft ? name : name.lowercased())
        }
        return text
    }
}
