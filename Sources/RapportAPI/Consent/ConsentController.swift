import Foundation
import HTTPTypes
package import Hummingbird
import RapportCore
package import RapportHTTP
package import RapportServices

/// `/api/v1/contacts/{id}/consent`: a contact's consent per channel now and its history; a change is a
/// `POST` of `{"channel", "state", "source"?, "note"?}`.
package struct ConsentController: Sendable {
    let services: Services
    var consent: ConsentService { ConsentService(services) }

    package init(_ services: Services) {
        self.services = services
    }

    package func register(on api: RouterGroup<AppContext>, idempotent: RouterGroup<AppContext>) {
        api.get("contacts/:id/consent", use: get)
        idempotent.post("contacts/:id/consent", use: change)
    }

    func respond(_ viewer: Viewer, contactID: String, status: HTTPResponse.Status = .ok) async throws -> Response {
        let (states, history) = try await consent.get(viewer, contactID: contactID)
        return try JSONCoding.response(
            ConsentBody(contactID: contactID, states: states, history: history), status: status)
    }

    @Sendable func get(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try await respond(principal.viewer, contactID: try context.parameters.require("id"))
    }

    @Sendable func change(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let channel = body.string("channel")
        let state = body.string("state")
        let source = body.string("source")
        let note = body.members["note"] == .null ? nil : body.string("note")
        var issues = body.issues
        issues += body.members.keys.filter { !["channel", "state", "source", "note"].contains($0) }.sorted().map {
            FieldIssue($0, "Unknown field.")
        }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        _ = try await RecordService(services, schema: .contacts).get(principal.viewer, id: id)
        _ = try await consent.change(
            principal.viewer, contactID: id, channel: channel, state: state, source: source, note: note,
            actor: RecordsController.actor(principal))
        return try await respond(principal.viewer, contactID: id, status: .created)
    }
}

/// A contact's consent: the state of each channel now and every change, newest first.
struct ConsentBody: Encodable, Sendable {
    struct State: Encodable, Sendable {
        var channel: String
        var state: String
        @Nullable var source: String?
        @Nullable var changedAt: String?

        enum CodingKeys: String, CodingKey {
            case channel, state, source
            case changedAt = "changed_at"
        }
    }

    struct Change: Encodable, Sendable {
        var id: String
        var channel: String
        var state: String
        var source: String
        @Nullable var note: String?
        @Nullable var userID: String?
        var at: String

        enum CodingKeys: String, CodingKey {
            case id, channel, state, source, note, at
            case userID = "user_id"
        }
    }

    var contactID: String
    var states: [State]
    var history: [Change]

    init(contactID: String, states: [ConsentState], history: [ConsentChange]) {
        self.contactID = contactID
        self.states = states.map {
            State(
                channel: $0.channel, state: $0.state, source: $0.source, changedAt: $0.changedAt.map(Timestamp.rfc3339))
        }
        self.history = history.map {
            Change(
                id: $0.id, channel: $0.channel, state: $0.state, source: $0.source, note: $0.note, userID: $0.userID,
                at: Timestamp.rfc3339($0.at))
        }
    }

    enum CodingKeys: String, CodingKey {
        case contactID = "contact_id"
        case states, history
    }
}
