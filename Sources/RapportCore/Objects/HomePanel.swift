/// A panel of the user's own records of an object on the home page ("My contacts", and later "My tasks"
/// due first, "My deals", "My tickets"): the records whose `owner` field is the user, in `sort` order.
package struct HomePanel: Sendable {
    /// The field naming the user a record belongs to.
    package var owner: String
    /// The order the panel lists them in.
    package var sort: ListQuery.Sort
    /// Which of them it shows (open tasks only, for one); all by default.
    package var filters: [ListQuery.Filter]

    package init(owner: String = "owner_id", sort: ListQuery.Sort, filters: [ListQuery.Filter] = []) {
        self.owner = owner
        self.sort = sort
        self.filters = filters
    }

    /// The records a user owns, most recently changed first.
    package static let recentlyChanged = HomePanel(sort: .init(target: .time("updated_at"), descending: true))

    /// What the panel lists for one user.
    package func query(for userID: String, in type: ObjectType) -> ListQuery? {
        guard let field = type.field(owner) else { return nil }
        var query = ListQuery()
        query.filters =
            filters + [
                .init(target: .standard(name: owner, kind: field.kind), op: .equals, value: .string(userID))
            ]
        query.sort = sort
        return query
    }
}
