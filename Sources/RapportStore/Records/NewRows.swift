import RapportCore
import RapportDatabase

/// The rows that new records write: their own, their addresses, search documents (and on PostgreSQL
/// their terms), their duplicate keys, one event each (`imported` carrying the import's id, else `created`) and an audit
/// entry each. Built apart from the writing, so that an import builds one batch while the database
/// writes the previous one, and a create builds its rows before the writer's turn.
package struct NewRows: Sendable {
    var records: [[DBValue]] = []
    var emails: [[DBValue]] = []
    var documents: [[DBValue]] = []
    var terms: [[DBValue]] = []
    var events: [[DBValue]] = []
    var audits: [[DBValue]] = []
    /// Their keys for suggested duplicates (`duplicate_keys`).
    var duplicateKeys: [[DBValue]] = []
    /// Records whose referenced record's title (a contact's company name) was not known: indexed when written.
    var unindexed: [Record] = []

    package init() {}
}
