import Foundation
package import RapportCore
import RapportStore
import SQLKit

/// Contacts' consent per channel: what it is now, how it came to be, and changes to it. Whoever sees a
/// contact reads its consent; whoever may change the contact changes it. Each change is appended to the
/// history with its source and note, lands on the contact's timeline as `consent_changed`, and (for
/// email) sets the contact's `email_consent` field.
package struct ConsentService: Sendable {
    let services: Services
    var consents: ConsentRepository { ConsentRepository(store: services.store) }
    var contacts: RecordService { RecordService(services, schema: .contacts) }

    package init(_ services: Services) {
        self.services = services
    }

    /// A contact's consent on every channel (`unknown` where never given) and its history, newest first.
    /// - Throws: `notFound` when the viewer cannot see the contact; `forbidden` when their role hides
    ///   its consent.
    package func get(_ viewer: Viewer, contactID: String) async throws -> (
        states: [ConsentState], history: [ConsentChange]
    ) {
        let contact = try await contacts.get(viewer, id: contactID)
        try requireReadable(viewer)
        let stored = try await consents.states(workspaceID: viewer.workspaceID, contactID: contact.id)
        let states = Consent.channels.map { channel in
            if channel == "email" {
                // (the contact's field is the email channel's state, whatever wrote it)
                let state = Consent.state(fieldValue: contact.string("email_consent"))
                let row = stored.first { $0.channel == channel && $0.state == state }
                return ConsentState(
                    channel: channel, state: state, source: row?.source ?? contact.string("email_consent_source"),
                    changedAt: row?.changedAt
                        ?? contact.string("email_consent_changed_at").flatMap(Timestamp.parse).map(Timestamp.micros))
            }
            return stored.first { $0.channel == channel }
                ?? ConsentState(channel: channel, state: "unknown", source: nil, changedAt: nil)
        }
        let history = try await consents.history(workspaceID: viewer.workspaceID, contactID: contact.id)
        return (states, history)
    }

    func requireReadable(_ viewer: Viewer) throws {
        if viewer.hiddenFields(.contacts).contains("email_consent") {
            throw RapportError(.forbidden, "Your role may not read email_consent.")
        }
    }

    /// Changes a contact's consent on a channel.
    /// - Throws: `invalid` naming bad members; `notFound` when the viewer cannot see the contact;
    ///   `forbidden` when they may not change it (or its consent).
    package func change(
        _ viewer: Viewer, contactID: String, channel: String?, state: String?, source: String?, note: String?,
        actor: Actor
    ) async throws -> ConsentChange {
        let note = note?.trimmed().nonEmptyText
        let issues = Consent.issues(channel: channel, state: state, source: source, note: note)
        guard issues.isEmpty, let channel, let state else { throw RapportError.invalid(issues) }
        let source = source ?? (actor.type == .user ? "admin" : "api")
        let now = Timestamp.micros(Date())
        return try await contacts.write { database in
            try await change(
                viewer, contactID: contactID, channel: channel, state: state, source: source, note: note, actor: actor,
                now: now, on: database)
        }
    }

    /// Changes a contact's consent inside the caller's transaction (checked values).
    func change(
        _ viewer: Viewer, contactID: String, channel: String, state: String, source: String, note: String?,
        actor: Actor, now: Int64, on database: any SQLDatabase
    ) async throws -> ConsentChange {
        let before = try await contacts.requireChangeable(viewer, id: contactID, action: .edit, on: database)
        try viewer.requireWritable(["email_consent"], on: .contacts)
        let change = ConsentChange(
            contactID: before.id, channel: channel, state: state, source: source, note: note, userID: actor.id,
            at: now)
        try await consents.record(change, workspaceID: viewer.workspaceID, on: database)
        let event = Self.event(change, workspaceID: viewer.workspaceID, actor: actor)
        var record = before
        if channel == "email" {
            record.values["email_consent"] = .string(Consent.fieldValue(state))
            record.values["email_consent_source"] = .string(String(source.prefix(200)))
            record.values["email_consent_changed_at"] = .string(Timestamp.rfc3339(now))
        }
        _ = try await contacts.save(
            record, before: before, now: now, actor: actor, action: "updated", extraEvents: [event],
            viewer: viewer, on: database)
        return change
    }

    /// A change as a `consent_changed` event on the contact's timeline.
    static func event(_ change: ConsentChange, workspaceID: String, actor: Actor) -> TimelineEvent {
        var data: [String: JSONValue] = [
            "channel": .string(change.channel), "state": .string(change.state), "source": .string(change.source),
        ]
        data["note"] = change.note.map(JSONValue.string) ?? .null
        return TimelineEvent(
            workspaceID: workspaceID, type: "consent_changed", occurredAt: change.at, actor: actor,
            contactID: change.contactID, companyID: nil, data: data)
    }
}

extension String {
    /// Nil for an empty string.
    fileprivate var nonEmptyText: String? { isEmpty ? nil : self }
}
