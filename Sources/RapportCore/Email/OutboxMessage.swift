import Foundation

/// Where a message of the outbox is on its way.
package enum OutboxState: String, Sendable, CaseIterable, Codable {
    /// Waiting for its first attempt.
    case queued
    /// Claimed by a delivery worker, being handed to the SMTP server.
    case sending
    /// The SMTP server accepted it.
    case sent
    /// A temporary failure (a 4xx, a dropped connection): tried again at `nextAttemptAt`.
    case deferred
    /// The server refused it for good (a 5xx); the address is suppressed.
    case bounced
    /// Out of attempts, or stopped where sending again could deliver it twice.
    case failed
    /// Not sent: the address is suppressed.
    case skipped
}

/// What a recipient did with a message, as the campaign's figures count it (the first of each kind).
package enum OutboxEngagement: String, Sendable, CaseIterable {
    case opened
    case clicked
    case unsubscribed

    /// The outbox column holding the first one.
    package var column: String { "\(rawValue)_at" }
}

/// One message in a workspace's outbox: one rendered email to one address.
package struct OutboxMessage: Sendable, Equatable {
    package var workspaceID: String
    package var id: String
    /// Unique in the workspace: enqueuing again with the same key gives this row back.
    package var idempotencyKey: String
    package var kind: TemplateKind
    package var purpose: String?
    package var templateID: String?
    package var contactID: String?
    package var toAddress: String
    package var toName: String?
    package var subject: String
    package var html: String?
    package var text: String
    /// The one-click unsubscribe address (marketing mail), for the List-Unsubscribe header.
    package var unsubscribeURL: String?
    package var state: OutboxState
    package var attempts: Int
    /// Microseconds since 1970.
    package var nextAttemptAt: Int64
    package var claimedBy: String?
    package var claimedAt: Int64?
    package var lastError: String?
    /// What the SMTP server last said about it.
    package var smtpReply: String?
    /// Without angle brackets; chosen when enqueued, so every attempt carries the same one.
    package var messageID: String
    package var campaignID: String?
    package var variant: String?
    package var createdAt: Int64
    package var sentAt: Int64?
    /// Why a `deferred` row waits when it is not a delivery failure (a frequency cap, the minimum gap, quiet
    /// hours); nil otherwise.
    package var deferredReason: String?
    /// The first counted open, click and unsubscribe of the message (microseconds since 1970).
    package var openedAt: Int64?
    package var clickedAt: Int64?
    package var unsubscribedAt: Int64?

    package init(
        workspaceID: String, id: String, idempotencyKey: String, kind: TemplateKind, purpose: String?,
        templateID: String?, contactID: String?, toAddress: String, toName: String?, subject: String,
        html: String?, text: String, unsubscribeURL: String?, state: OutboxState, attempts: Int,
        nextAttemptAt: Int64, claimedBy: String? = nil, claimedAt: Int64? = nil, lastError: String? = nil,
        smtpReply: String? = nil, messageID: String, campaignID: String? = nil, variant: String? = nil,
        createdAt: Int64, sentAt: Int64? = nil, deferredReason: String? = nil, openedAt: Int64? = nil,
        clickedAt: Int64? = nil, unsubscribedAt: Int64? = nil
    ) {
        self.deferredReason = deferredReason
        self.openedAt = openedAt
        self.clickedAt = clickedAt
        self.unsubscribedAt = unsubscribedAt
        self.workspaceID = workspaceID
        self.id = id
        self.idempotencyKey = idempotencyKey
        self.kind = kind
        self.purpose = purpose
        self.templateID = templateID
        self.contactID = contactID
        self.toAddress = toAddress
        self.toName = toName
        self.subject = subject
        self.html = html
        self.text = text
        self.unsubscribeURL = unsubscribeURL
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.claimedBy = claimedBy
        self.claimedAt = claimedAt
        self.lastError = lastError
        self.smtpReply = smtpReply
        self.messageID = messageID
        self.campaignID = campaignID
        self.variant = variant
        self.createdAt = createdAt
        self.sentAt = sentAt
    }
}

/// A workspace's stored template.
package struct StoredTemplate: Sendable, Equatable {
    package var workspaceID: String
    package var id: String
    package var name: String
    package var kind: TemplateKind
    package var subject: String
    package var html: String?
    /// The text as written; nil when it is made from the HTML.
    package var text: String?
    package var version: Int64
    package var createdAt: Int64
    package var updatedAt: Int64
    /// The kind of mail it is (an `EmailTopic`), for a marketing template; contacts who dropped it do not get it.
    package var topicID: String?

    package init(
        workspaceID: String, id: String, name: String, kind: TemplateKind, subject: String, html: String?,
        text: String?, version: Int64, createdAt: Int64, updatedAt: Int64, topicID: String? = nil
    ) {
        self.topicID = topicID
        self.workspaceID = workspaceID
        self.id = id
        self.name = name
        self.kind = kind
        self.subject = subject
        self.html = html
        self.text = text
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A workspace's SMTP server and sender, as stored (the password sealed).
package struct StoredEmailSettings: Sendable, Equatable {
    package var workspaceID: String
    package var host: String
    package var port: Int
    /// `starttls`, `implicit`, `opportunistic` or `off`.
    package var tls: String
    package var username: String?
    /// The password sealed with the server's key; never shown.
    package var passwordSealed: String?
    package var fromAddress: String
    package var fromName: String?
    package var replyTo: String?
    package var updatedAt: Int64

    package init(
        workspaceID: String, host: String, port: Int, tls: String, username: String?, passwordSealed: String?,
        fromAddress: String, fromName: String?, replyTo: String?, updatedAt: Int64
    ) {
        self.workspaceID = workspaceID
        self.host = host
        self.port = port
        self.tls = tls
        self.username = username
        self.passwordSealed = passwordSealed
        self.fromAddress = fromAddress
        self.fromName = fromName
        self.replyTo = replyTo
        self.updatedAt = updatedAt
    }
}
