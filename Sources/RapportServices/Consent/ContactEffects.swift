import Foundation
import RapportCore
import RapportStore
import SQLKit

/// What a contact does beyond its fields: its `email_consent` field and the email channel's consent
/// (`ConsentRepository`) say the same, so a change of the field made by an edit, an import or a merge is
/// a change of consent too, in the history and on the timeline. (`ConsentService` records its changes
/// before it writes the field, so they are not counted twice.) A deleted contact's consent and choices of email
/// topics go with it; a merge keeps both contacts' histories.
struct ContactEffects: RecordEffects {
    func written(
        _ record: Record, before: Record?, actor: Actor, services: Services, now: Int64,
        on database: any SQLDatabase
    ) async throws -> [TimelineEvent] {
        let value = record.string("email_consent")
        guard value != before?.string("email_consent") else { return [] }
        let state = Consent.state(fieldValue: value)
        // (a new contact without consent has nothing to record: the common case of creates and imports)
        if before == nil, state == "unknown" { return [] }
        let consents = ConsentRepository(store: services.store)
        let current =
            try await consents.states(workspaceID: record.workspaceID, contactID: record.id, on: database)
            .first { $0.channel == "email" }?.state ?? "unknown"
        guard current != state else { return [] }
        let source: String =
            switch actor.type {
            case .import: "import"
            case .api: "api"
            case .user, .system: "admin"
            }
        let change = ConsentChange(
            contactID: record.id, channel: "email", state: state, source: source,
            note: record.string("email_consent_source"),
            userID: actor.type == .user || actor.type == .api ? actor.id : nil,
            at: now)
        try await consents.record(change, workspaceID: record.workspaceID, on: database)
        return [ConsentService.event(change, workspaceID: record.workspaceID, actor: actor)]
    }

    func removing(_ record: Record, services: Services, on database: any SQLDatabase) async throws {
        try await ConsentRepository(store: services.store).remove(
            workspaceID: record.workspaceID, contactID: record.id, on: database)
        try await TopicPreferenceRepository(store: services.store).remove(
            workspaceID: record.workspaceID, contactID: record.id, on: database)
    }

    /// How each consent of the other contact was given stays on record; the merged field decides the
    /// state now.
    func merging(_ other: Record, into keep: Record, services: Services, on database: any SQLDatabase) async throws {
        try await ConsentRepository(store: services.store).moveHistory(
            workspaceID: keep.workspaceID, from: other.id, to: keep.id, on: database)
        try await TopicPreferenceRepository(store: services.store).move(
            workspaceID: keep.workspaceID, from: other.id, to: keep.id, on: database)
    }
}
