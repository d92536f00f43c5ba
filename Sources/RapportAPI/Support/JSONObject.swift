import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// A JSON object body read member by member, so that every wrongly typed member is reported at once.
struct JSONObject {
    let members: [String: JSONValue]
    private(set) var issues: [FieldIssue] = []

    /// Reads a body that must be a JSON object.
    static func read(_ request: Request, limit: Int) async throws -> JSONObject {
        JSONObject(members: try await JSONCoding.decode([String: JSONValue].self, from: request, limit: limit))
    }

    init(members: [String: JSONValue]) {
        self.members = members
    }

    /// A string member; absent gives nil, and any other type is recorded as an issue (null included).
    mutating func string(_ key: String) -> String? {
        switch members[key] {
        case .none: return nil
        case .string(let value) where value.unicodeScalars.contains("\u{0}"):
            issues.append(FieldIssue(key, "Text must not contain NUL characters."))
            return nil
        case .string(let value): return value
        case .some(let other):
            issues.append(FieldIssue(key, "Expected a string, not \(other.typeName)."))
            return nil
        }
    }

    /// An array-of-strings member; absent gives nil, and anything else is recorded as an issue.
    mutating func strings(_ key: String) -> [String]? {
        switch members[key] {
        case .none: return nil
        case .array(let items)?:
            var strings: [String] = []
            for item in items {
                guard case .string(let text) = item, !text.unicodeScalars.contains("\u{0}") else {
                    issues.append(FieldIssue(key, "Expected an array of strings."))
                    return nil
                }
                strings.append(text)
            }
            return strings
        case .some(let other):
            issues.append(FieldIssue(key, "Expected an array of strings, not \(other.typeName)."))
            return nil
        }
    }

    /// Records an issue found by the caller.
    mutating func append(_ issue: FieldIssue) {
        issues.append(issue)
    }
}
