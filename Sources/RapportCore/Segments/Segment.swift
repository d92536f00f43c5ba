import Foundation

/// A saved segment: a named query over the workspace's contacts. Its members are whatever the query
/// gives now (it is evaluated live, never stored).
package struct Segment: Sendable, Equatable {
    package var id: String
    package var workspaceID: String
    package var name: String
    package var query: String
    /// Who made it (nil when the system did).
    package var createdBy: String?
    package var version: Int64
    package var createdAt: Int64
    package var updatedAt: Int64

    package init(
        id: String, workspaceID: String, name: String, query: String, createdBy: String?, version: Int64,
        createdAt: Int64, updatedAt: Int64
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.query = query
        self.createdBy = createdBy
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// What is wrong with a name.
    package static func nameIssues(_ name: String?) -> [FieldIssue] {
        guard let name = name?.trimmed(), !name.isEmpty else {
            return [FieldIssue("name", key: "segment_name_required", "A segment needs a name.")]
        }
        if name.count > 200 { return [FieldIssue("name", key: "segment_name_long", "At most 200 characters.")] }
        return []
    }
}

/// A segment as a list filter: its checked query, and what its subqueries may reach for the reader (their
/// companies and orders; nil where the role reads none).
package struct SegmentSelection: Sendable, Equatable {
    package var id: String
    package var filter: SegmentFilter
    package var companies: RecordScope?
    package var orders: RecordScope?

    package init(id: String, filter: SegmentFilter, companies: RecordScope?, orders: RecordScope?) {
        self.id = id
        self.filter = filter
        self.companies = companies
        self.orders = orders
    }
}
