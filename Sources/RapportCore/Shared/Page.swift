/// The position of a record in a newest-first list: ties on `createdAt` are broken by id.
package struct PageKey: Sendable, Equatable {
    package var createdAt: Int64
    package var id: String

    package init(createdAt: Int64, id: String) {
        self.createdAt = createdAt
        self.id = id
    }
}

/// One page of a list and the key after which the next page starts, if there is one.
package struct Page<Item: Sendable>: Sendable {
    package var items: [Item]
    package var next: PageKey?

    /// Trims a fetch of `limit + 1` rows to `limit` and remembers where the next page begins.
    package init(fetched: [Item], limit: Int, key: (Item) -> PageKey) {
        if fetched.count > limit {
            items = Array(fetched.prefix(limit))
            next = items.last.map(key)
        } else {
            items = fetched
            next = nil
        }
    }
}
