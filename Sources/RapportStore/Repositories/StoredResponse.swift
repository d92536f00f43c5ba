/// A stored first response to a write sent with `Idempotency-Key`.
package struct StoredResponse: Sendable, Equatable {
    package var requestHash: String
    package var status: Int
    /// Header lines `name: value`, one per line.
    package var headers: String
    package var body: String

    package init(requestHash: String, status: Int, headers: String, body: String) {
        self.requestHash = requestHash
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Responses to writes keyed by (workspace, token, key), kept for 24 hours. A key is reserved before
/// the request runs (status 0 while in progress), so a concurrent repeat cannot run it a second time.
