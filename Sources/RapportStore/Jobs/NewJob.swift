import Foundation
package import RapportCore

/// A job to put on the queue.
package struct NewJob: Sendable, Equatable {
    /// The workspace the job works in; nil only for installation-wide work such as housekeeping.
    package var workspaceID: String?
    /// Names the handler that runs it.
    package var kind: String
    /// What the handler needs, stored as JSON text.
    package var payload: JSONValue
    /// When it may run first (microseconds since the epoch); nil for as soon as possible.
    package var dueAt: Int64?
    /// Attempts before it stops as `failed`.
    package var maxAttempts: Int
    /// Unique among the workspace's unfinished jobs: enqueuing another with the same key does nothing.
    package var dedupKey: String?

    /// A job for `workspaceID` (nil: installation-wide).
    package init(
        workspaceID: String?, kind: String, payload: JSONValue = .object([:]), dueAt: Int64? = nil,
        maxAttempts: Int = 5, dedupKey: String? = nil
    ) {
        self.workspaceID = workspaceID
        self.kind = kind
        self.payload = payload
        self.dueAt = dueAt
        self.maxAttempts = maxAttempts
        self.dedupKey = dedupKey
    }
}
