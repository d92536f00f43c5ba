/// A user's named list filters ("Danish leads", "VIP customers"), kept as the list's query string.
package struct SavedView: Sendable, Equatable {
    package var id: String
    package var name: String
    package var query: String

    package init(id: String, name: String, query: String) {
        self.id = id
        self.name = name
        self.query = query
    }
}
