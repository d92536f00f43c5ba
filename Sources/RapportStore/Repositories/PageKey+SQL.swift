import RapportCore
import SQLKit

extension PageKey {
    /// `AND` the keyset condition for rows after `key` in `created_at DESC, id DESC` order; empty for the first page.
    static func condition(_ key: PageKey?) -> SQLQueryString {
        guard let key else { return "" }
        return
            "AND (created_at < \(bind: key.createdAt) OR (created_at = \(bind: key.createdAt) AND id < \(bind: key.id)))"
    }
}
