import RapportCore
import RapportServices

/// The API's JSON for email settings, templates and outbox rows (`openapi.yaml`: EmailSettings, Template,
/// OutboxMessage). An absent value is null.
enum EmailBodies {
    static func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
    static func time(_ micros: Int64?) -> JSONValue { micros.map { .string(Timestamp.rfc3339($0)) } ?? .null }

    /// The settings, or (nil) what a workspace that has saved none answers: `configured` false, every value null.
    static func settings(_ view: EmailSettingsService.View?) -> JSONValue {
        guard let view else {
            return .object([
                "configured": .bool(false), "smtp_host": .null, "smtp_port": .null, "tls": .null, "username": .null,
                "password_set": .bool(false), "from": .null, "from_name": .null, "reply_to": .null,
                "updated_at": .null,
            ])
        }
        return .object([
            "configured": .bool(true), "smtp_host": .string(view.host), "smtp_port": .number(Double(view.port)),
            "tls": .string(view.tls), "username": text(view.username), "password_set": .bool(view.passwordSet),
            "from": .string(view.from), "from_name": text(view.fromName), "reply_to": text(view.replyTo),
            "updated_at": time(view.updatedAt),
        ])
    }

    static func template(_ template: StoredTemplate) -> JSONValue {
        .object([
            "id": .string(template.id), "name": .string(template.name), "kind": .string(template.kind.rawValue),
            "subject": .string(template.subject), "html": text(template.html), "text": text(template.text),
            "created_at": time(template.createdAt), "updated_at": time(template.updatedAt),
            "topic_id": text(template.topicID),
        ])
    }

    static func rendered(_ rendered: RenderedTemplate) -> JSONValue {
        .object(["subject": .string(rendered.subject), "html": text(rendered.html), "text": .string(rendered.text)])
    }

    /// An outbox row; `hideAddress` for a viewer whose role hides contacts' addresses.
    static func message(_ message: OutboxMessage, hideAddress: Bool = false) -> JSONValue {
        .object([
            "id": .string(message.id), "kind": .string(message.kind.rawValue), "purpose": text(message.purpose),
            "template_id": text(message.templateID), "contact_id": text(message.contactID),
            "to": hideAddress ? .null : .string(message.toAddress), "subject": .string(message.subject),
            "state": .string(message.state.rawValue), "attempts": .number(Double(message.attempts)),
            "next_attempt_at": time(message.nextAttemptAt), "last_error": text(message.lastError),
            "smtp_reply": text(message.smtpReply), "message_id": .string(message.messageID),
            "created_at": time(message.createdAt), "sent_at": time(message.sentAt),
            "deferred_reason": text(message.deferredReason),
            // (the first counted open, click and unsubscribe: tracking)
            "opened_at": time(message.openedAt), "clicked_at": time(message.clickedAt),
            "unsubscribed_at": time(message.unsubscribedAt),
        ])
    }
}
