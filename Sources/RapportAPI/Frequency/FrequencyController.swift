import Foundation
package import Hummingbird
import RapportCore
package import RapportHTTP
package import RapportServices

/// `/api/v1/settings/frequency`: the workspace's frequency policy (everyone reads it; owners and admins write
/// it whole), and `/api/v1/contacts/{id}/frequency`: where one contact stands against it.
package struct FrequencyController: Sendable {
    let services: Services
    var frequency: FrequencyService { FrequencyService(services) }

    package init(_ services: Services) {
        self.services = services
    }

    package func register(on api: RouterGroup<AppContext>, idempotent: RouterGroup<AppContext>) {
        api.get("settings/frequency", use: get)
        idempotent.put("settings/frequency", use: put)
        api.get("contacts/:id/frequency", use: standing)
    }

    @Sendable func get(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try JSONCoding.response(Self.body(try await frequency.get(principal)))
    }

    /// `{"max_messages", "window_days", "min_gap_hours", "quiet_hours": {"start", "end"}}`, each null (or left
    /// out) for no such rule.
    @Sendable func put(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Access(principal).require(.manageEmail)
        var body = try await JSONObject.read(request, limit: services.settings.jsonBodyLimit)
        let allowed: Set<String> = ["max_messages", "window_days", "min_gap_hours", "quiet_hours"]
        for key in body.members.keys.sorted() where !allowed.contains(key) {
            body.append(FieldIssue(key, "Unknown field."))
        }
        func whole(_ key: String) -> Int? {
            switch body.members[key] {
            case .none, .null?: return nil
            case .number(let number)? where number.rounded() == number && abs(number) < 1e9: return Int(number)
            case .some(let other):
                body.append(FieldIssue(key, "Expected a whole number or null, not \(other.typeName)."))
                return nil
            }
        }
        var draft = FrequencyPolicy.Draft(
            maxMessages: whole("max_messages"), windowDays: whole("window_days"), minGapHours: whole("min_gap_hours"))
        switch body.members["quiet_hours"] {
        case .none, .null?: break
        case .object(let members)?:
            for key in members.keys.sorted() where key != "start" && key != "end" {
                body.append(FieldIssue("quiet_hours.\(key)", "Unknown field."))
            }
            for key in ["start", "end"] {
                switch members[key] {
                case .string(let text)?:
                    if key == "start" { draft.quietStart = text } else { draft.quietEnd = text }
                case .none, .null?: break
                case .some(let other):
                    body.append(FieldIssue("quiet_hours.\(key)", "Expected a time as HH:MM, not \(other.typeName)."))
                }
            }
        case .some(let other):
            body.append(
                FieldIssue("quiet_hours", "Expected an object {\"start\", \"end\"} or null, not \(other.typeName)."))
        }
        if !body.issues.isEmpty { throw RapportError.invalid(body.issues) }
        return try JSONCoding.response(Self.body(try await frequency.put(principal, draft)))
    }

    @Sendable func standing(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let standing = try await frequency.standing(principal, contactID: try context.parameters.require("id"))
        return try JSONCoding.response(
            JSONValue.object([
                "contact_id": .string(standing.contactID),
                "window_days": .number(Double(standing.windowDays)),
                "marketing_sent": .number(Double(standing.marketingSent)),
                "transactional_sent": .number(Double(standing.transactionalSent)),
                "marketing_waiting": .number(Double(standing.marketingWaiting)),
                "marketing_deferred": .number(Double(standing.marketingHeld)),
                "time_zone": .string(standing.timeZone),
                "next_slot_at": .string(Timestamp.rfc3339(standing.nextSlotAt)),
                "next_slot_reason": standing.nextSlotReason.map(JSONValue.string) ?? .null,
                "marketing_refused": standing.refusal.map(JSONValue.string) ?? .null,
            ]))
    }

    /// The policy as the API shows it (`openapi.yaml`: FrequencyPolicy); a rule not set is null.
    static func body(_ policy: FrequencyPolicy) -> JSONValue {
        func number(_ value: Int?) -> JSONValue { value.map { .number(Double($0)) } ?? .null }
        return .object([
            "max_messages": number(policy.cap?.maxMessages), "window_days": number(policy.cap?.windowDays),
            "min_gap_hours": number(policy.minGapHours),
            "quiet_hours": policy.quietHours.map {
                .object(["start": .string($0.startText), "end": .string($0.endText)])
            } ?? .null,
            "updated_at": policy.updatedAt.map { .string(Timestamp.rfc3339($0)) } ?? .null,
        ])
    }
}
