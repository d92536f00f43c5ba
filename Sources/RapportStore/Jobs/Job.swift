import Foundation
package import RapportCore

/// A stored job, as the queue last wrote it.
package struct Job: Sendable, Equatable {
    package let workspaceID: String?
    package let id: String
    package let kind: String
    package let payload: JSONValue
    /// When it may run (next), in microseconds.
    package let dueAt: Int64
    /// Attempts started so far, the current one included.
    package let attempts: Int
    package let maxAttempts: Int
    package let state: JobState
    /// The runner that holds (or last held) the lease.
    package let leaseOwner: String?
    package let leaseExpiresAt: Int64?
    /// Why the last attempt failed: one readable line.
    package let lastError: String?
    package let dedupKey: String?
    package let createdAt: Int64
    package let finishedAt: Int64?
}
