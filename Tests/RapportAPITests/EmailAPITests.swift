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

/// `/api/v1/settings/email`, `/api/v1/templates` and `/api/v1/emails` through the real router, with a real
/// SMTP server for the test message.
@Suite("Email API", .timeLimit(.minutes(3)))
struct EmailAPITests {
    static func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    @Test("settings: validated, the password never answered, a test message arrives", arguments: Backend.allCases)
    func settings(_ backend: Backend) async throws {
        try await TestSMTPServer.with { server in
            try await TestApp.with(backend) { app in
                let a = try await Fixtures.workspace(app)
                let b = try await Fixtures.workspace(app, name: "Beta", email: "owner@beta.test")
                let (_, memberToken) = try await Fixtures.user(app, in: a, email: "m@acme.test", role: .member)
                try await app.test { client in
                    // given no settings yet: not configured, every value null
                    let none = try await client.execute(
                        uri: "/api/v1/settings/email", method: .get, headers: .bearer(a.token))
                    #expect(none.status == .ok)
                    #expect(none.json["configured"] as? Bool == false)
                    #expect(none.json["password_set"] as? Bool == false)
                    #expect(none.json["smtp_host"] is NSNull && none.json["from"] is NSNull)
                    // bad input names each field
                    let bad = try await client.execute(
                        uri: "/api/v1/settings/email", method: .put, headers: .bearer(a.token),
                        body: Self.body(#"{"smtp_host": "", "smtp_port": 70000, "tls": "ssl", "from": "nobody"}"#))
                    #expect(bad.status == .unprocessableContent)
                    let fields = Set(
                        ((bad.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
                    #expect(fields == ["smtp_host", "smtp_port", "tls", "from"])
                    // a member may not
                    let member = try await client.execute(
                        uri: "/api/v1/settings/email", method: .get, headers: .bearer(memberToken))
                    #expect(member.status == .forbidden)
                    // saved with a password that is never answered
                    let secret = "s3cr3t-Pässword"
                    let put = try await client.execute(
                        uri: "/api/v1/settings/email", method: .put, headers: .bearer(a.token),
                        body: Self.body(
                            #"{"smtp_host": "127.0.0.1", "smtp_port": \#(server.port), "tls": "off", "username": "acme", "password": "\#(secret)", "from": "news@acme.test", "reply_to": null}"#
                        ))
                    #expect(put.status == .ok, "\(put.text)")
                    #expect(put.json["password_set"] as? Bool == true)
                    #expect(put.json["configured"] as? Bool == true)
                    #expect(put.json.keys.contains("password") == false)
                    let got = try await client.execute(
                        uri: "/api/v1/settings/email", method: .get, headers: .bearer(a.token))
                    #expect(got.json["smtp_port"] as? Int == server.port)
                    #expect(got.json["username"] as? String == "acme")
                    for response in [put, got] { #expect(!response.text.contains(secret)) }
                    let stored = try await app.runtime.store.database.raw(
                        "SELECT password_sealed FROM email_settings"
                    ).first()?.decode(column: "password_sealed", as: String.self)
                    #expect(stored?.contains(secret) == false)
                    // leaving the password out keeps it
                    let again = try await client.execute(
                        uri: "/api/v1/settings/email", method: .put, headers: .bearer(a.token),
                        body: Self.body(
                            #"{"smtp_host": "127.0.0.1", "smtp_port": \#(server.port), "tls": "off", "from": "news@acme.test"}"#
                        ))
                    #expect(again.json["password_set"] as? Bool == true)
                    let cleared = try await client.execute(
                        uri: "/api/v1/settings/email", method: .put, headers: .bearer(a.token),
                        body: Self.body(
                            #"{"smtp_host": "127.0.0.1", "smtp_port": \#(server.port), "tls": "off", "from": "news@acme.test", "password": null}"#
                        ))
                    #expect(cleared.json["password_set"] as? Bool == false)
                    // the test message reaches the server
                    let test = try await client.execute(
                        uri: "/api/v1/settings/email/test", method: .post, headers: .bearer(a.token),
                        body: Self.body(#"{"to": "oksana@mail.test"}"#))
                    #expect(test.status == .ok, "\(test.text)")
                    #expect(test.json["accepted"] as? Bool == true)
                    #expect((test.json["reply"] as? String)?.hasPrefix("250") == true)
                    let received = try server.received()
                    #expect(received.count == 1)
                    #expect(received.first?.rcptTos == ["oksana@mail.test"])
                    #expect(received.first?.message.value("From") == "news@acme.test")
                    // another workspace sees none of it: its own settings are not configured
                    let other = try await client.execute(
                        uri: "/api/v1/settings/email", method: .get, headers: .bearer(b.token))
                    #expect(other.status == .ok)
                    #expect(other.json["configured"] as? Bool == false)
                    #expect(!other.text.contains("127.0.0.1"))
                    #expect(!app.logs.entries.contains { "\($0)".contains(secret) })
                }
            }
        }
    }

    @Test(
        "templates: written, checked, previewed for a visible contact, isolated by workspace",
        arguments: Backend.allCases)
    func templates(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let a = try await Fixtures.workspace(app)
            let b = try await Fixtures.workspace(app, name: "Beta", email: "owner@beta.test")
            try await app.test { client in
                func call(_ method: HTTPRequest.Method, _ uri: String, _ json: String? = nil, token: String? = nil)
                    async throws -> TestResponse
                {
                    try await client.execute(
                        uri: uri, method: method, headers: .bearer(token ?? a.token), body: json.map(Self.body))
                }
                let unclosed = try await call(
                    .post, "/api/v1/templates",
                    #"{"name": "Bad", "kind": "transactional", "subject": "Hi", "html": "<p>\n{{first_name</p>"}"#)
                #expect(unclosed.status == .unprocessableContent)
                #expect(unclosed.text.contains("Line 2, column 1"), "\(unclosed.text)")
                let noUnsubscribe = try await call(
                    .post, "/api/v1/templates",
                    #"{"name": "News", "kind": "marketing", "subject": "Hi", "html": "<p>Hi</p>"}"#)
                #expect(noUnsubscribe.status == .unprocessableContent)
                #expect(noUnsubscribe.text.contains("unsubscribe_url"))
                let created = try await call(
                    .post, "/api/v1/templates",
                    #"{"name": "Welcome", "kind": "marketing", "subject": "Hej {{first_name | default: \"there\"}}", "html": "<p>Hello {{first_name}} from {{company.name | default: \"us\"}}</p><a href=\"{{unsubscribe_url}}\">Unsubscribe</a>"}"#
                )
                #expect(created.status == .created, "\(created.text)")
                let id = try #require(created.json["id"] as? String)
                #expect(created.json["text"] is NSNull)
                let contact = try await call(
                    .post, "/api/v1/contacts", #"{"first_name": "Оксана <b>", "email": "oksana@mail.test"}"#)
                let contactID = try #require(contact.json["id"] as? String)
                let preview = try await call(
                    .post, "/api/v1/templates/\(id)/preview", #"{"contact_id": "\#(contactID)"}"#)
                #expect(preview.status == .ok, "\(preview.text)")
                #expect(preview.json["subject"] as? String == "Hej Оксана <b>")
                #expect((preview.json["html"] as? String)?.contains("Hello Оксана &lt;b&gt; from us") == true)
                #expect((preview.json["text"] as? String)?.contains("Unsubscribe (http") == true)
                let nameless = try await call(.post, "/api/v1/contacts", #"{"last_name": "Nielsen"}"#)
                let missing = try await call(
                    .post, "/api/v1/templates/\(id)/preview", #"{"contact_id": "\#(nameless.json["id"] as! String)"}"#)
                #expect(missing.status == .unprocessableContent)
                #expect(missing.text.contains("first_name"))
                let patched = try await call(.patch, "/api/v1/templates/\(id)", #"{"name": "Welcome 2"}"#)
                #expect(patched.json["name"] as? String == "Welcome 2")
                // another workspace: 404 for the template, and for a preview of it
                #expect(try await call(.get, "/api/v1/templates/\(id)", token: b.token).status == .notFound)
                #expect(
                    try await call(
                        .post, "/api/v1/templates/\(id)/preview", #"{"contact_id": "\#(contactID)"}"#, token: b.token
                    )
                    .status == .notFound)
                #expect(try await call(.delete, "/api/v1/templates/\(id)", token: b.token).status == .notFound)
                #expect(try await call(.delete, "/api/v1/templates/\(id)").status == .noContent)
            }
        }
    }

    @Test(
        "a transactional send answers 202 with one outbox row, however often it is asked", arguments: Backend.allCases)
    func send(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let a = try await Fixtures.workspace(app)
            let b = try await Fixtures.workspace(app, name: "Beta", email: "owner@beta.test")
            try await app.test { client in
                func call(_ method: HTTPRequest.Method, _ uri: String, _ json: String? = nil, token: String? = nil)
                    async throws -> TestResponse
                {
                    try await client.execute(
                        uri: uri, method: method, headers: .bearer(token ?? a.token), body: json.map(Self.body))
                }
                let template = try await call(
                    .post, "/api/v1/templates",
                    #"{"name": "Receipt", "kind": "transactional", "subject": "Your receipt, {{first_name}}", "text": "Thanks, {{first_name}}."}"#
                )
                let templateID = try #require(template.json["id"] as? String)
                let contact = try await call(
                    .post, "/api/v1/contacts", #"{"first_name": "Mahsa", "email": "mahsa@mail.test"}"#)
                let contactID = try #require(contact.json["id"] as? String)
                let send = #"{"template_id": "\#(templateID)", "contact_id": "\#(contactID)", "purpose": "order-1"}"#
                let first = try await call(.post, "/api/v1/emails", send)
                #expect(first.status == .accepted, "\(first.text)")
                #expect(first.json["state"] as? String == "queued")
                #expect(first.json["subject"] as? String == "Your receipt, Mahsa")
                let second = try await call(.post, "/api/v1/emails", send)
                #expect(second.json["id"] as? String == first.json["id"] as? String)
                let list = try await call(.get, "/api/v1/emails?contact_id=\(contactID)")
                #expect((list.json["data"] as? [[String: Any]])?.count == 1)
                #expect(
                    try await call(.get, "/api/v1/emails?contact_id=\(contactID)", token: b.token).status == .notFound)
                #expect(try await call(.post, "/api/v1/emails", send, token: b.token).status == .notFound)
                #expect(try await call(.post, "/api/v1/emails", #"{"contact_id": 3}"#).status == .unprocessableContent)
            }
        }
    }
}
