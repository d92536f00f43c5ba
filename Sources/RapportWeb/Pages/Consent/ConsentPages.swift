import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// A contact's email consent on its page: the state, its history and, for those who may change the
/// contact, a form that records a change (its source and how it was given).
struct ConsentPages: Sendable {
    let services: Services
    let pages: Pages
    var consent: ConsentService { ConsentService(services) }

    func register(on group: RouterGroup<AppContext>) {
        group.post(RouterPath(WebPath.consent(":id")), use: change)
    }

    /// The panel of a contact's page; nil when the viewer's role hides consent.
    func panel(
        _ record: Record, principal: Principal, canEdit: Bool, messages: [String: String], dates: Dates
    ) async throws -> RecordView.ConsentPanel? {
        let found: (states: [ConsentState], history: [ConsentChange])
        do {
            found = try await consent.get(principal.viewer, contactID: record.id)
        } catch let error as RapportError where error.code == .forbidden {
            return nil
        }
        let email = found.states.first { $0.channel == "email" }
        let state = email?.state ?? "unknown"
        func when(_ micros: Int64) -> RecordView.When {
            .init(relative: dates.relative(micros), exact: dates.exact(micros), datetime: Timestamp.rfc3339(micros))
        }
        func source(_ key: String) -> String { messages["consent_source_\(key)"] ?? key }
        let history = found.history.prefix(20).map {
            RecordView.ConsentPanel.Change(
                state: messages["consent_\($0.state)"] ?? $0.state, source: source($0.source), note: $0.note,
                when: when($0.at))
        }
        let topics = try await PreferenceService(services).topics(principal.viewer, contactID: record.id).map {
            Option(
                value: $0.topic.name, label: messages[$0.kept ? "topic_kept" : "topic_dropped"] ?? "", selected: $0.kept
            )
        }
        var panel = RecordView.ConsentPanel(
            state: messages["consent_\(state)"] ?? state, stateClass: "consent-\(state)",
            source: email?.source.map(source), changed: email?.changedAt.map(when), history: history,
            hasHistory: !history.isEmpty, action: canEdit ? WebPath.consent(record.id) : nil,
            states: Consent.states.map {
                Option(value: $0, label: messages["consent_\($0)"] ?? $0, selected: $0 == state)
            },
            sources: Consent.sources.map {
                Option(value: $0, label: source($0), selected: $0 == "admin")
            })
        panel.topics = topics
        panel.hasTopics = !topics.isEmpty
        return panel
    }

    @Sendable func change(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var request = request
        let form = try await Form.read(&request)
        let note = (form["note"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try await consent.change(
            principal.viewer, contactID: id, channel: "email", state: form["state"], source: form["source"],
            note: note.isEmpty ? nil : note, actor: Actor(.user, id: principal.user.id))
        return pages.redirect(WebPath.record(ObjectType.contacts.name, id), flash: Flash("consent_saved"))
    }
}
