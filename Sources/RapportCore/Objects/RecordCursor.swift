/// Where the next page starts: the last record's sort key and id.
package struct RecordCursor: Sendable, Equatable, Codable {
    package var key: JSONValue
    package var id: String

    package init(key: JSONValue, id: String) {
        self.key = key
        self.id = id
    }
}
