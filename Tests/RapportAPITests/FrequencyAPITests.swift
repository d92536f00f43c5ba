import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportCore
import RapportMailTestSupport
import RapportServices
import RapportStore
import RapportTestSupport
import SQLKit
import Testing

/// `/api/v1/settings/frequency`, `/api/v1/settings/workspace` and `/api/v1/contacts/{id}/frequency` through the
/// real router: validation, rights, and one workspace never reading or changing another's.
@Suite("Frequency and workspace settings API", .timeLimit(.minutes(3)))
struct FrequencyAPITests {
    static func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    static func fields(_ response: TestResponse) -> Set<String> {
        Set(((response.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
    }

    @Test(
        "the policy: read by everyone, written whole by admins, refused field by field, kept per workspace",
        arguments: Backend.allCases)
    func policy(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let a = try await Fixtures.workspace(app)
            let b = try await Fixtures.workspace(app, name: "Beta", email: "owner@beta.test")
            let (_, memberToken) = try await Fixtures.user(app, in: a, email: "m@acme.test", role: .member)
            try await app.test { client in
                func call(_ method: HTTPRequest.Method, _ json: String? = nil, token: String) async throws
                    -> TestResponse
                {
                    try await client.execute(
                        uri: "/api/v1/settings/frequency", method: method, headers: .bearer(token),
                        body: json.map(Self.body))
                }
                // given none: every rule null
                let none = try await call(.get, token: a.token)
                #expect(none.status == .ok)
                for key in ["max_messages", "window_days", "min_gap_hours", "quiet_hours", "updated_at"] {
                    #expect(none.json[key] is NSNull, "\(key): \(none.text)")
                }
                // bad input names each field and changes nothing
                let bad = try await call(
                    .put,
                    #"{"max_messages": 0, "min_gap_hours": 1.5, "quiet_hours": {"start": "25:00", "end": "07:00", "tz": 1}, "colour": "red"}"#,
                    token: a.token)
                #expect(bad.status == .unprocessableContent)
                #expect(bad.headers[.contentType] == "application/problem+json")
                #expect(Self.fields(bad) == ["min_gap_hours", "quiet_hours.tz", "colour"], "\(bad.text)")
                let lonely = try await call(
                    .put, #"{"max_messages": 3, "quiet_hours": {"start": "22:00"}}"#, token: a.token)
                #expect(Self.fields(lonely) == ["window_days", "quiet_hours.end"], "\(lonely.text)")
                let same = try await call(.put, #"{"quiet_hours": {"start": "22:00", "end": "22:00"}}"#, token: a.token)
                #expect(Self.fields(same) == ["quiet_hours.end"])
                let range = try await call(.put, #"{"max_messages": 0, "window_days": 400}"#, token: a.token)
                #expect(Self.fields(range) == ["max_messages", "window_days"])
                #expect(try await call(.put, "[1]", token: a.token).status == .badRequest)
                #expect(try await call(.get, token: a.token).json["max_messages"] is NSNull)
                // a member reads it but may not write it
                let refused = try await call(.put, #"{"max_messages": 1, "window_days": 1}"#, token: memberToken)
                #expect(refused.status == .forbidden)
                #expect(refused.headers[.contentType] == "application/problem+json")
                // saved whole
                let saved = try await call(
                    .put,
                    #"{"max_messages": 3, "window_days": 7, "min_gap_hours": 12, "quiet_hours": {"start": "22:00", "end": "07:00"}}"#,
                    token: a.token)
                #expect(saved.status == .ok, "\(saved.text)")
                #expect(saved.json["max_messages"] as? Int == 3)
                #expect(saved.json["window_days"] as? Int == 7)
                #expect(saved.json["min_gap_hours"] as? Int == 12)
                #expect((saved.json["quiet_hours"] as? [String: String]) == ["start": "22:00", "end": "07:00"])
                #expect(saved.json["updated_at"] is String)
                let read = try await call(.get, token: memberToken)
                #expect(read.json["max_messages"] as? Int == 3)
                #expect((read.json["quiet_hours"] as? [String: String])?["end"] == "07:00")
                // another workspace neither sees it nor changes it
                #expect(try await call(.get, token: b.token).json["max_messages"] is NSNull)
                let theirs = try await call(.put, #"{"max_messages": 1, "window_days": 1}"#, token: b.token)
                #expect(theirs.status == .ok)
                #expect(try await call(.get, token: a.token).json["max_messages"] as? Int == 3)
                // rules left out are removed
                let cleared = try await call(.put, #"{"min_gap_hours": 0, "quiet_hours": null}"#, token: a.token)
                #expect(cleared.status == .ok)
                for key in ["max_messages", "window_days", "min_gap_hours", "quiet_hours"] {
                    #expect(cleared.json[key] is NSNull, "\(key): \(cleared.text)")
                }
                #expect(try await call(.get, token: b.token).json["max_messages"] as? Int == 1)
            }
        }
    }

    @Test(
        "the workspace's time zone: everyone reads it, admins set a known IANA name, per workspace",
        arguments: Backend.allCases)
    func workspaceTimeZone(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let a = try await Fixtures.workspace(app)
            let b = try await Fixtures.workspace(app, name: "Beta", email: "owner@beta.test")
            let (_, memberToken) = try await Fixtures.user(app, in: a, email: "m@acme.test", role: .member)
            try await app.test { client in
                func call(_ method: HTTPRequest.Method, _ json: String? = nil, token: String) async throws
                    -> TestResponse
                {
                    try await client.execute(
                        uri: "/api/v1/settings/workspace", method: method, headers: .bearer(token),
                        body: json.map(Self.body))
                }
                let got = try await call(.get, token: memberToken)
                #expect(got.status == .ok)
                #expect(got.json["time_zone"] as? String == "UTC")
                #expect(got.json["name"] as? String == "Acme")
                #expect(got.json["id"] as? String == a.workspace.id)
                for bad in [
                    #"{"time_zone": "Mars/Olympus"}"#, #"{"time_zone": 3}"#, #"{}"#,
                    #"{"time_zone": "UTC", "name": "X"}"#,
                ] {
                    let response = try await call(.put, bad, token: a.token)
                    #expect(response.status == .unprocessableContent, "\(bad)")
                    #expect(!Self.fields(response).isEmpty, "\(bad): \(response.text)")
                }
                #expect(try await call(.put, #"{"time_zone": "Asia/Tehran"}"#, token: memberToken).status == .forbidden)
                let saved = try await call(.put, #"{"time_zone": "Asia/Tehran"}"#, token: a.token)
                #expect(saved.status == .ok)
                #expect(saved.json["time_zone"] as? String == "Asia/Tehran")
                #expect(try await call(.get, token: a.token).json["time_zone"] as? String == "Asia/Tehran")
                // another workspace keeps its own
                #expect(try await call(.get, token: b.token).json["time_zone"] as? String == "UTC")
                #expect(try await call(.get, token: b.token).json["id"] as? String == b.workspace.id)
            }
        }
    }

    @Test(
        "segments count 'today' in the workspace's zone (one where the date is not UTC's now)",
        arguments: Backend.allCases)
    func segmentsUseTheZone(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let a = try await Fixtures.workspace(app)
            // a zone whose date differs from UTC's right now: behind UTC in the early hours, ahead later
            let hour = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date())
                .hour!
            let zoneName = hour < 10 ? "Pacific/Pago_Pago" : "Pacific/Kiritimati"
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: zoneName)!
            let local = calendar.dateComponents([.month, .day], from: Date())
            let birthday = String(format: "1990-%02d-%02d", local.month!, local.day!)
            try await app.test { client in
                let contact = try await client.execute(
                    uri: "/api/v1/contacts", method: .post, headers: .bearer(a.token),
                    body: Self.body(#"{"first_name": "Zone", "birthday": "\#(birthday)"}"#))
                #expect(contact.status == .created)
                func count() async throws -> Int? {
                    try await client.execute(
                        uri: "/api/v1/segments/preview", method: .post, headers: .bearer(a.token),
                        body: Self.body(#"{"query": "birthday within 0d"}"#)
                    ).json["count"] as? Int
                }
                #expect(try await count() == 0)
                let put = try await client.execute(
                    uri: "/api/v1/settings/workspace", method: .put, headers: .bearer(a.token),
                    body: Self.body(#"{"time_zone": "\#(zoneName)"}"#))
                #expect(put.status == .ok)
                #expect(try await count() == 1)
            }
        }
    }

    @Test(
        "a contact's standing and the outbox's deferral reasons; another workspace gets 404",
        arguments: Backend.allCases)
    func standing(_ backend: Backend) async throws {
        try await TestSMTPServer.with { server in
            try await TestApp.with(backend) { app in
                let a = try await Fixtures.workspace(app)
                let b = try await Fixtures.workspace(app, name: "Beta", email: "owner@beta.test")
                try await app.test { client in
                    func call(
                        _ method: HTTPRequest.Method, _ uri: String, _ json: String? = nil, token: String? = nil
                    ) async throws -> TestResponse {
                        try await client.execute(
                            uri: uri, method: method, headers: .bearer(token ?? a.token), body: json.map(Self.body))
                    }
                    _ = try await call(
                        .put, "/api/v1/settings/email",
                        #"{"smtp_host": "127.0.0.1", "smtp_port": \#(server.port), "tls": "off", "from": "news@acme.test"}"#
                    )
                    _ = try await call(.put, "/api/v1/settings/frequency", #"{"min_gap_hours": 12}"#)
                    let template = try await call(
                        .post, "/api/v1/templates",
                        #"{"name": "News", "kind": "marketing", "subject": "News {{first_name}}", "html": "<p>Hi</p><a href=\"{{unsubscribe_url}}\">Unsubscribe</a>"}"#
                    )
                    let receipt = try await call(
                        .post, "/api/v1/templates",
                        #"{"name": "Receipt", "kind": "transactional", "subject": "Receipt", "text": "Thanks"}"#)
                    let contact = try await call(
                        .post, "/api/v1/contacts",
                        #"{"first_name": "Mahsa", "email": "mahsa@mail.test", "email_consent": "subscribed"}"#)
                    let contactID = try #require(contact.json["id"] as? String)
                    let templateID = try #require(template.json["id"] as? String)
                    for purpose in ["one", "two"] {
                        let sent = try await call(
                            .post, "/api/v1/emails",
                            #"{"template_id": "\#(templateID)", "contact_id": "\#(contactID)", "purpose": "\#(purpose)"}"#
                        )
                        #expect(sent.status == .accepted)
                    }
                    _ = try await call(
                        .post, "/api/v1/emails",
                        #"{"template_id": "\#(receipt.json["id"] as! String)", "contact_id": "\#(contactID)"}"#)
                    _ = try await EmailDelivery(app.services).run(workspaceID: a.workspace.id, owner: RecordID.make())
                    // the outbox shows the deferral and its reason
                    let list = try await call(.get, "/api/v1/emails?contact_id=\(contactID)")
                    let rows = try #require(list.json["data"] as? [[String: Any]])
                    #expect(rows.count == 3)
                    let waiting = rows.filter { $0["state"] as? String == "deferred" }
                    #expect(waiting.count == 1)
                    #expect((waiting.first?["deferred_reason"] as? String)?.hasPrefix("Minimum gap: 12 hours") == true)
                    #expect(
                        rows.filter { $0["state"] as? String == "sent" }.allSatisfy { $0["deferred_reason"] is NSNull })
                    // the contact's standing
                    let standing = try await call(.get, "/api/v1/contacts/\(contactID)/frequency")
                    #expect(standing.status == .ok, "\(standing.text)")
                    #expect(standing.json["marketing_sent"] as? Int == 1)
                    #expect(standing.json["transactional_sent"] as? Int == 1)
                    #expect(standing.json["marketing_waiting"] as? Int == 1)
                    #expect(standing.json["marketing_deferred"] as? Int == 1)
                    #expect(standing.json["window_days"] as? Int == 7)
                    #expect(standing.json["time_zone"] as? String == "UTC")
                    #expect((standing.json["next_slot_reason"] as? String)?.hasPrefix("Minimum gap") == true)
                    #expect(standing.json["marketing_refused"] is NSNull)
                    // another workspace: the contact does not exist for it
                    let foreign = try await call(.get, "/api/v1/contacts/\(contactID)/frequency", token: b.token)
                    #expect(foreign.status == .notFound)
                    #expect(foreign.headers[.contentType] == "application/problem+json")
                    #expect(
                        try await call(.get, "/api/v1/contacts/0190a0a0-0000-7000-8000-000000000000/frequency")
                            .status == .notFound)
                }
            }
        }
    }
}
