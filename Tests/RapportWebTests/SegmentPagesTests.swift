import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportCore
import RapportTestSupport
import Testing

@Suite("Segment and consent pages")
struct SegmentPagesTests {
    static func contact(_ client: any TestClientProtocol, _ token: String, _ json: String) async throws -> String {
        let response = try await client.execute(
            uri: "/api/v1/contacts", method: .post, headers: .bearer(token), body: ByteBuffer(string: json))
        #expect(response.status == .created, "\(response.text)")
        return response.json["id"] as? String ?? ""
    }

    @Test(
        "segments are listed with counts, made in the editor (errors marked with line and column), previewed live and used as a list filter",
        arguments: Backend.allCases)
    func segments(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            _ = try await Fixtures.user(app, in: seeded, email: "sara@acme.test", role: .member, language: .fa)
            try await app.test { client in
                _ = try await Self.contact(client, seeded.token, #"{"first_name": "Ana", "country": "DK"}"#)
                _ = try await Self.contact(client, seeded.token, #"{"first_name": "Darius", "country": "IR"}"#)
                let (jar, _) = try await WebShellTests.signIn(client, email: "owner@acme.test")
                // the nav leads to Segments; the list is empty
                let empty = try await jar.get(client, "/segments")
                #expect(empty.status == .ok)
                #expect(empty.text.contains("href=\"/segments\""))
                #expect(empty.text.contains("No segments yet."))
                // the editor; a refused save marks the error with its line and column
                let editor = try await jar.get(client, "/segments/new")
                #expect(editor.text.contains("data-segment-editor"))
                #expect(editor.text.contains("/static/js/segment.js"))
                let token = try #require(editor.csrfToken)
                let refused = try await jar.post(
                    client, "/segments",
                    form: ["csrf_token": token, "name": "Danes", "query": "country = \"DK\"\nand amount ~ 3"])
                #expect(refused.status == .unprocessableContent)
                #expect(refused.text.contains("data-line=\"2\" data-column=\"5\""))
                #expect(refused.text.contains("Line 2, column 5"))
                #expect(refused.text.contains("Unknown field &quot;amount&quot;"))
                // the live preview answers a count or the errors
                let counted = try await jar.get(client, "/segments/preview?query=country%20%3D%20%22DK%22")
                #expect(counted.json["count"] as? Int == 1)
                #expect(counted.json["text"] as? String == "1 contact")
                #expect((counted.json["members"] as? [[String: Any]])?.first?["title"] as? String == "Ana")
                let wrong = try await jar.get(client, "/segments/preview?query=country%20~")
                #expect(wrong.json["count"] == nil)
                #expect((wrong.json["errors"] as? [[String: Any]])?.first?["column"] as? Int == 10)
                // saved: its page shows the count and the first members
                let saved = try await jar.post(
                    client, "/segments", form: ["csrf_token": token, "name": "Danes", "query": "country = \"DK\""])
                #expect(saved.status == .seeOther)
                let location = try #require(saved.headers[.location])
                let page = try await jar.get(client, location)
                #expect(page.text.contains("Segment saved."))
                #expect(page.text.contains("<strong>1 contact</strong>"))
                #expect(page.text.contains("Ana") && !page.text.contains("Darius"))
                let list = try await jar.get(client, "/segments")
                #expect(list.text.contains("Danes") && list.text.contains("1 contact"))
                // the contacts list filtered by it, with a chip naming it
                let id = String(location.split(separator: "/").last!)
                let contacts = try await jar.get(client, "/contacts?segment_id=\(id)")
                #expect(contacts.status == .ok)
                #expect(contacts.text.contains("Ana") && !contacts.text.contains("Darius"))
                #expect(contacts.text.contains("Danes"))
                // the filter panel offers the saved segments
                let all = try await jar.get(client, "/contacts")
                #expect(all.text.contains("<select name=\"segment_id\">"))
                #expect(all.text.contains("<option value=\"\(id)\" >Danes</option>"))
                let export = try await jar.get(client, "/contacts/export?format=csv&segment_id=\(id)")
                #expect(export.text.contains("Ana") && !export.text.contains("Darius"))
            }
            try await app.test { client in
                // in Persian: right to left, the messages translated, the editor's query left to right
                let (jar, _) = try await WebShellTests.signIn(client, email: "sara@acme.test")
                let page = try await jar.get(client, "/segments/new")
                #expect(page.text.contains("dir=\"rtl\""))
                #expect(page.text.contains("بخش تازه"))
                #expect(page.text.contains("<textarea id=\"segment-query\" name=\"query\" rows=\"6\" dir=\"ltr\""))
                let wrong = try await jar.get(client, "/segments/preview?query=country%20~")
                #expect((wrong.json["errors"] as? [[String: Any]])?.first?["at"] as? String == "سطر ۱، ستون ۱۰")
                #expect(
                    (wrong.json["errors"] as? [[String: Any]])?.first?["message"] as? String
                        == "پس از ~ یک مقدار لازم است.")
                let unknown = try await jar.get(client, "/segments/preview?query=titel%20~%20%22x%22")
                #expect(
                    (unknown.json["errors"] as? [[String: Any]])?.first?["message"] as? String
                        == "فیلد «titel» ناشناخته است؛ منظورتان title بود؟")
            }
        }
    }

    @Test(
        "a contact's page shows its email consent and history, and its form records a change",
        arguments: Backend.allCases)
    func consent(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let id = try await Self.contact(
                    client, seeded.token, #"{"first_name": "Ana", "email": "ana@example.com"}"#)
                let (jar, _) = try await WebShellTests.signIn(client, email: "owner@acme.test")
                let page = try await jar.get(client, "/contacts/\(id)")
                #expect(page.text.contains("consent-panel"))
                #expect(page.text.contains("consent-unknown"))
                let token = try #require(page.csrfToken)
                let changed = try await jar.post(
                    client, "/contacts/\(id)/consent",
                    form: ["csrf_token": token, "state": "granted", "source": "form", "note": "Signed up at the fair"])
                #expect(changed.status == .seeOther)
                let after = try await jar.get(client, "/contacts/\(id)")
                #expect(after.text.contains("Consent saved."))
                #expect(after.text.contains("consent-granted"))
                #expect(after.text.contains("Signed up at the fair"))
                #expect(after.text.contains("Consent changed"))
            }
        }
    }
}
