package import RapportCore

/// A record list's query string read once for the API and the pages: filters and sort checked against
/// the object's fields, the search words, and the cursor checked against the sort it was given for.
package struct RecordListRequest: Sendable {
    package var query = ListQuery()
    /// The sort as given (`-created_at` by default): a cursor is only good for the sort it came with.
    package var sort: String
    package var after: RecordCursor?
    package var search: [String] = []
    /// Everything wrong with the request, by parameter; empty when it can be served.
    package var issues: [FieldIssue] = []

    /// Reads `parameters` (`limit` and `cursor` are not filters).
    package init(
        _ parameters: [(name: String, value: String)], schema: ObjectType, customFields: [CustomFieldDefinition]
    ) {
        sort = parameters.last { $0.name == "sort" }?.value ?? "-created_at"
        do {
            query = try ListQuery.parse(
                parameters.filter { $0.name != "cursor" }, schema: schema, customFields: customFields)
        } catch let error as RapportError {
            issues += error.fields
        } catch {
            issues.append(FieldIssue("query", "The query cannot be read."))
        }
        if let text = parameters.last(where: { $0.name == "cursor" })?.value, !text.isEmpty {
            after = RecordCursorText.decode(text, sort: sort)
            if let after, issues.isEmpty, !RecordCursorText.fits(after, query.sort.target) { self.after = nil }
            if self.after == nil {
                issues.append(FieldIssue("cursor", "The cursor is not one this server gave out for this sort."))
            }
        }
        search = SearchKey.queryWords(parameters.last { $0.name == "q" }?.value ?? "")
    }

    /// The cursor text of the page after `cursor`, for the same sort.
    package func cursorText(_ cursor: RecordCursor) -> String { RecordCursorText.encode(cursor, sort: sort) }
}
