import Foundation

/// One standard field of an object.
package struct FieldSpec: Sendable {
    package var name: String
    package var kind: FieldKind
    /// A field that cannot be null (it has a default instead).
    package var defaultValue: JSONValue? = nil
    /// False for fields only the server sets.
    package var writable = true

    package init(_ name: String, _ kind: FieldKind, defaultValue: JSONValue? = nil, writable: Bool = true) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.writable = writable
    }
}
