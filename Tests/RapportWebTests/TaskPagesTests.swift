import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportCore
import RapportTestSupport
import Testing

@Suite("Task pages")
struct TaskPagesTests {
    /// The HTML of one group of My tasks (`overdue`, `today`, `upcoming`, `someday`, `done`).
    static func group(_ html: String, _ key: String) -> String {
        guard let start = html.range(of: "task-group-\(key)\"") else { return "" }
        let rest = html[start.upperBound...]
        return String(rest[..<(rest.range(of: "</section>")?.lowerBound ?? rest.endIndex)])
    }

    static func post(_ client: any TestClientProtocol, _ token: String, _ uri: String, _ json: String) async throws
        -> [String: Any]
    {
        let response = try await client.execute(
            uri: uri, method: .post, headers: .bearer(token), body: ByteBuffer(string: json))
        #expect(response.status == .created, "\(response.text)")
        return response.json
    }

    @Test(
        "My tasks groups open tasks by the viewer's day: 23:30 UTC is tomorrow in Tehran", arguments: Backend.allCases)
    func grouping(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let (_, rezaToken) = try await Fixtures.user(app, in: seeded, email: "reza@acme.test", role: .member)
            try await app.test { client in
                // given Reza works in Tehran (UTC+3:30) and the owner in UTC
                let zone = try await client.execute(
                    uri: "/api/v1/me", method: .patch, headers: .bearer(rezaToken),
                    body: ByteBuffer(string: #"{"time_zone": "Asia/Tehran"}"#))
                #expect(zone.status == .ok, "\(zone.text)")
                // and each has a task due at the next 23:30 UTC at least four hours away, an overdue one and
                // one without a due time
                let now = Date()
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = TimeZone(identifier: "UTC")!
                var due = calendar.date(bySettingHour: 23, minute: 30, second: 0, of: now)!
                if due.timeIntervalSince(now) < 4 * 3600 { due = calendar.date(byAdding: .day, value: 1, to: due)! }
                let dueText = Timestamp.rfc3339(Timestamp.micros(due))
                let past = Timestamp.rfc3339(Timestamp.micros(now) - 3_600_000_000)
                for (token, who) in [(rezaToken, "Reza"), (seeded.token, "Owner")] {
                    _ = try await Self.post(
                        client, token, "/api/v1/tasks", #"{"title": "Night call \#(who)", "due_at": "\#(dueText)"}"#)
                    _ = try await Self.post(
                        client, token, "/api/v1/tasks", #"{"title": "Late report \#(who)", "due_at": "\#(past)"}"#)
                    _ = try await Self.post(client, token, "/api/v1/tasks", #"{"title": "Someday \#(who)"}"#)
                }
                // when each opens My tasks
                let (rezaJar, _) = try await WebShellTests.signIn(client, email: "reza@acme.test")
                let rezaPage = try await rezaJar.get(client, "/my-tasks")
                #expect(rezaPage.status == .ok)
                let (ownerJar, _) = try await WebShellTests.signIn(client, email: "owner@acme.test")
                let ownerPage = try await ownerJar.get(client, "/my-tasks")
                // then in Tehran the night call is tomorrow, at 03:00 there
                #expect(Self.group(rezaPage.text, "upcoming").contains("Night call Reza"))
                #expect(!Self.group(rezaPage.text, "today").contains("Night call"))
                #expect(Self.group(rezaPage.text, "upcoming").contains("3:00"))
                #expect(Self.group(rezaPage.text, "overdue").contains("Late report Reza"))
                #expect(Self.group(rezaPage.text, "someday").contains("Someday Reza"))
                // and only their own tasks are on each page
                #expect(!rezaPage.text.contains("Night call Owner"))
                #expect(!ownerPage.text.contains("Night call Reza"))
                // and in UTC it is today, while today lasts there
                let utcGroup = calendar.isDate(due, inSameDayAs: now) ? "today" : "upcoming"
                #expect(Self.group(ownerPage.text, utcGroup).contains("Night call Owner"), "\(utcGroup)")
                #expect(rezaPage.text.contains("Asia/Tehran"))
                #expect(rezaPage.text.contains(#"href="/my-tasks" aria-current="page""#))
            }
        }
    }

    @Test(
        "the done box and the quick-add form work as plain form posts; a refused task shows why and is not added",
        arguments: Backend.allCases)
    func forms(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let (_, rezaToken) = try await Fixtures.user(app, in: seeded, email: "reza@acme.test", role: .member)
            try await app.test { client in
                _ = try await client.execute(
                    uri: "/api/v1/me", method: .patch, headers: .bearer(rezaToken),
                    body: ByteBuffer(string: #"{"time_zone": "Asia/Tehran"}"#))
                let (jar, _) = try await WebShellTests.signIn(client, email: "reza@acme.test")
                let page = try await jar.get(client, "/my-tasks")
                let token = try #require(page.csrfToken)
                // when a task is added with a due time typed in Tehran time, reminded an hour before
                let added = try await jar.post(
                    client, "/my-tasks",
                    form: ["title": "Prepare demo", "due_at": "2030-05-01T09:00", "remind": "1h", "csrf_token": token])
                #expect(added.status == .seeOther)
                let list = try await client.execute(uri: "/api/v1/tasks", method: .get, headers: .bearer(rezaToken))
                let task = try #require((list.json["data"] as? [[String: Any]])?.first)
                // then it is due at 09:00 Tehran time, reminded at 08:00 there
                #expect(task["due_at"] as? String == "2030-05-01T05:30:00.000Z")
                #expect(task["remind_at"] as? String == "2030-05-01T04:30:00.000Z")
                let id = try #require(task["id"] as? String)
                // when a task without a title is sent, the page says why and nothing is added
                let refused = try await jar.post(
                    client, "/my-tasks", form: ["title": " ", "due_at": "2030-05-01T09:00", "csrf_token": token])
                #expect(refused.status == .unprocessableContent)
                #expect(refused.text.contains("A task needs a title."))
                #expect(refused.text.contains(#"aria-invalid="true""#))
                let after = try await client.execute(uri: "/api/v1/tasks", method: .get, headers: .bearer(rezaToken))
                #expect((after.json["data"] as? [[String: Any]])?.count == 1)
                // when its done box is pressed (a form post, no script needed)
                let shown = try await jar.get(client, "/my-tasks")
                #expect(shown.text.contains(#"action="/my-tasks/\#(id)/done""#))
                #expect(shown.text.contains(#"role="checkbox" aria-checked="false""#))
                let done = try await jar.post(
                    client, "/my-tasks/\(id)/done",
                    form: ["done": "true", "back": "/my-tasks", "csrf_token": try #require(shown.csrfToken)])
                #expect(done.status == .seeOther)
                #expect(done.headers[.location] == "/my-tasks")
                // then it is done, and listed under recently done
                let read = try await client.execute(
                    uri: "/api/v1/tasks/\(id)", method: .get, headers: .bearer(rezaToken))
                #expect(read.json["done"] as? Bool == true)
                let again = try await jar.get(client, "/my-tasks")
                #expect(Self.group(again.text, "done").contains("Prepare demo"))
                #expect(!Self.group(again.text, "upcoming").contains("Prepare demo"))
                #expect(again.text.contains("Task done."))
            }
        }
    }

    @Test(
        "a contact's page lists its open tasks and adds one about it; the home page shows my open tasks",
        arguments: Backend.allCases)
    func recordPanel(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                // given a contact with an open and a done task
                let contact = try await Self.post(
                    client, seeded.token, "/api/v1/contacts", #"{"first_name": "Oksana", "last_name": "Petrenko"}"#)
                let contactID = try #require(contact["id"] as? String)
                _ = try await Self.post(
                    client, seeded.token, "/api/v1/tasks",
                    #"{"title": "Send contract", "contact_id": "\#(contactID)", "due_at": "2030-01-01T10:00:00Z"}"#)
                _ = try await Self.post(
                    client, seeded.token, "/api/v1/tasks",
                    #"{"title": "First call", "contact_id": "\#(contactID)", "done": true}"#)
                let (jar, _) = try await WebShellTests.signIn(client, email: "owner@acme.test")
                // then its page shows the open one only, with a form to add one
                let page = try await jar.get(client, "/contacts/\(contactID)")
                #expect(page.text.contains("Send contract"))
                #expect(!page.text.contains("First call"))
                #expect(page.text.contains(#"action="/contacts/\#(contactID)/tasks""#))
                // when a task is added there
                let added = try await jar.post(
                    client, "/contacts/\(contactID)/tasks",
                    form: ["title": "Follow up", "due_at": "", "csrf_token": try #require(page.csrfToken)])
                #expect(added.status == .seeOther)
                #expect(added.headers[.location] == "/contacts/\(contactID)")
                // then it is about the contact, and on its page
                let tasks = try await client.execute(
                    uri: "/api/v1/contacts/\(contactID)/tasks?done=false", method: .get, headers: .bearer(seeded.token))
                let titles = Set(((tasks.json["data"] as? [[String: Any]]) ?? []).compactMap { $0["title"] as? String })
                #expect(titles == ["Send contract", "Follow up"])
                #expect(try await jar.get(client, "/contacts/\(contactID)").text.contains("Follow up"))
                // a refused one says why on the contact's page
                let refused = try await jar.post(
                    client, "/contacts/\(contactID)/tasks",
                    form: ["title": "", "csrf_token": try #require(page.csrfToken)])
                #expect(refused.status == .unprocessableContent)
                #expect(refused.text.contains("A task needs a title."))
                // and the home page lists my open tasks, due first
                let home = try await jar.get(client, "/")
                #expect(home.text.contains("My open tasks"))
                #expect(home.text.contains("Send contract"))
            }
        }
    }
}
