import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportCore
import RapportStore
import RapportTestSupport
import Testing

/// Tasks through the object catalogue: the generic list conventions, a task's own rules, its reminder job,
/// and visibility by assignee.
@Suite("Tasks API")
struct TasksAPITests {
    /// An RFC 3339 time `seconds` from now, in UTC with milliseconds, as the API writes it.
    static func time(_ seconds: Int64) -> String {
        Timestamp.rfc3339(Timestamp.micros(Date()) / 1000 * 1000 + seconds * 1_000_000)
    }

    static func ids(_ response: TestResponse) -> [String] {
        ((response.json["data"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
    }

    @Test(
        "a task is created, read, listed, filtered, changed with If-Match, done and deleted",
        arguments: Backend.allCases)
    func lifecycle(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let (rep, _) = try await Fixtures.user(app, in: seeded, email: "rep@acme.test", role: .member)
            try await app.test { client in
                // given a contact and a task about it, due tomorrow, with an offset time
                let contact = try await client.json(
                    .post, "/api/v1/contacts", seeded.token, #"{"first_name": "Oksana", "email": "oksana@kyiv.ua"}"#)
                let contactID = try #require(contact.json["id"] as? String)
                let created = try await client.json(
                    .post, "/api/v1/tasks", seeded.token,
                    #"{"title": "Call Oksana back", "notes": "About the renewal", "due_at": "2030-05-01T12:30:00+03:30", "contact_id": "\#(contactID)", "priority": "high"}"#
                )
                #expect(created.status == .created, "\(created.text)")
                let id = try #require(created.json["id"] as? String)
                #expect(created.headers[.location] == "/api/v1/tasks/\(id)")
                // then it is the creator's, in UTC, open, with every key present
                #expect(created.json["due_at"] as? String == "2030-05-01T09:00:00.000Z")
                #expect(created.json["assignee_id"] as? String == seeded.owner.id)
                #expect(created.json["done"] as? Bool == false)
                #expect(created.json["completed_at"] is NSNull)
                #expect(created.json["remind_at"] is NSNull)
                #expect(created.json["priority"] as? String == "high")
                for key in ["team_id", "company_id", "custom", "created_at", "updated_at"] {
                    #expect(created.json.keys.contains(key), "\(key)")
                }
                #expect(created.json["deal_id"] is NSNull)
                // when more tasks are added, for another user and later
                let later = try await client.json(
                    .post, "/api/v1/tasks", seeded.token,
                    #"{"title": "Send the quote", "due_at": "2030-06-01T08:00:00Z", "assignee_id": "\#(rep.id)"}"#)
                #expect(later.status == .created, "\(later.text)")
                let laterID = try #require(later.json["id"] as? String)
                let undated = try await client.json(.post, "/api/v1/tasks", seeded.token, #"{"title": "Tidy up"}"#)
                let undatedID = try #require(undated.json["id"] as? String)
                // then the list filters by assignee, done and due time, and sorts by due time
                let byDue = try await client.json(.get, "/api/v1/tasks?sort=due_at", seeded.token)
                #expect(Self.ids(byDue) == [undatedID, id, laterID])
                let reps = try await client.json(.get, "/api/v1/tasks?assignee_id=\(rep.id)", seeded.token)
                #expect(Self.ids(reps) == [laterID])
                let before = try await client.json(
                    .get, "/api/v1/tasks?due_at%5Blte%5D=2030-05-31&sort=-due_at", seeded.token)
                #expect(Self.ids(before) == [id])
                let after = try await client.json(
                    .get, "/api/v1/tasks?due_at%5Bgte%5D=2030-05-01T09:00:00Z", seeded.token)
                #expect(Set(Self.ids(after)) == [id, laterID])
                let aboutOksana = try await client.json(.get, "/api/v1/contacts/\(contactID)/tasks", seeded.token)
                #expect(Self.ids(aboutOksana) == [id])
                let paged = try await client.json(.get, "/api/v1/tasks?sort=due_at&limit=2", seeded.token)
                let cursor = try #require(paged.json["next_cursor"] as? String)
                let rest = try await client.json(
                    .get, "/api/v1/tasks?sort=due_at&limit=2&cursor=\(cursor)", seeded.token)
                #expect(Self.ids(paged) + Self.ids(rest) == [undatedID, id, laterID])
                // when it is done, with If-Match
                let read = try await client.json(.get, "/api/v1/tasks/\(id)", seeded.token)
                let etag = try #require(read.headers[.eTag])
                let done = try await client.json(
                    .patch, "/api/v1/tasks/\(id)", seeded.token, #"{"done": true}"#, headers: [.ifMatch: etag])
                #expect(done.status == .ok, "\(done.text)")
                #expect(done.json["done"] as? Bool == true)
                #expect(done.json["completed_at"] is String)
                let open = try await client.json(.get, "/api/v1/tasks?done=false", seeded.token)
                #expect(Set(Self.ids(open)) == [laterID, undatedID])
                let stale = try await client.json(
                    .patch, "/api/v1/tasks/\(id)", seeded.token, #"{"title": "X"}"#, headers: [.ifMatch: etag])
                #expect(stale.status == .preconditionFailed)
                // and opened again, it has no completion time
                let reopened = try await client.json(.patch, "/api/v1/tasks/\(id)", seeded.token, #"{"done": false}"#)
                #expect(reopened.json["completed_at"] is NSNull)
                // and a delete removes it
                #expect(try await client.json(.delete, "/api/v1/tasks/\(id)", seeded.token).status == .noContent)
                #expect(try await client.json(.get, "/api/v1/tasks/\(id)", seeded.token).status == .notFound)
            }
        }
    }

    @Test(
        "bad input answers 422 naming the field and changes nothing; another workspace's task is not found",
        arguments: Backend.allCases)
    func badInput(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let other = try await Fixtures.workspace(app, name: "Other", email: "owner@other.test")
            try await app.test { client in
                let cases: [(body: String, field: String)] = [
                    (
                        #"{"title": "Late", "due_at": "2030-05-01T09:00:00Z", "remind_at": "2030-05-01T10:00:00Z"}"#,
                        "remind_at"
                    ),
                    (#"{"title": "Nobody", "assignee_id": "\#(other.owner.id)"}"#, "assignee_id"),
                    (#"{"title": "Nobody", "assignee_id": "not-an-id"}"#, "assignee_id"),
                    (#"{"title": "Soon", "due_at": "tomorrow"}"#, "due_at"),
                    (#"{"title": "Soon", "due_at": "2030-05-01"}"#, "due_at"),
                    (#"{"title": "Soon", "due_at": "2030-05-01T09:00:00"}"#, "due_at"),
                    (#"{"title": "Soon", "due_at": 12}"#, "due_at"),
                    (#"{"title": "Odd", "priority": "urgent"}"#, "priority"),
                    (#"{"title": "Done", "completed_at": "2030-05-01T09:00:00Z"}"#, "completed_at"),
                    (#"{"notes": "no title"}"#, "title"),
                ]
                for (body, field) in cases {
                    let response = try await client.json(.post, "/api/v1/tasks", seeded.token, body)
                    #expect(response.status == .unprocessableContent, "\(body): \(response.text)")
                    #expect(response.headers[.contentType] == "application/problem+json")
                    let fields = ((response.json["errors"] as? [[String: Any]]) ?? []).compactMap {
                        $0["field"] as? String
                    }
                    #expect(fields.contains(field), "\(body): \(response.text)")
                }
                // nothing was written, and no reminder was queued
                #expect(Self.ids(try await client.json(.get, "/api/v1/tasks", seeded.token)).isEmpty)
                #expect(try await JobQueue(store: app.runtime.store).counts(kind: "task_reminder")[.queued] == 0)
                // a change that would put the reminder after the due time changes nothing either
                let task = try await client.json(
                    .post, "/api/v1/tasks", seeded.token, #"{"title": "Renewal", "due_at": "2030-05-01T09:00:00Z"}"#)
                let id = try #require(task.json["id"] as? String)
                let refused = try await client.json(
                    .patch, "/api/v1/tasks/\(id)", seeded.token, #"{"remind_at": "2030-05-02T09:00:00Z"}"#)
                #expect(refused.status == .unprocessableContent)
                let unchanged = try await client.json(.get, "/api/v1/tasks/\(id)", seeded.token)
                #expect(unchanged.json["remind_at"] is NSNull)
                #expect(unchanged.json["updated_at"] as? String == task.json["updated_at"] as? String)
                // another workspace neither sees nor changes it
                #expect(try await client.json(.get, "/api/v1/tasks/\(id)", other.token).status == .notFound)
                #expect(
                    try await client.json(.patch, "/api/v1/tasks/\(id)", other.token, #"{"done": true}"#).status
                        == .notFound)
                #expect(Self.ids(try await client.json(.get, "/api/v1/tasks", other.token)).isEmpty)
                // and tasks are not imported (an import writes no reminders)
                let imported = try await client.execute(
                    uri: "/api/v1/imports?object=tasks", method: .post, headers: .bearer(seeded.token),
                    body: ByteBuffer(string: "title\nA\n"))
                #expect(imported.status == .unprocessableContent, "\(imported.text)")
            }
        }
    }

    @Test(
        "creating, moving, completing and deleting a task schedules, moves and cancels its reminder job",
        arguments: Backend.allCases)
    func reminderJobs(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let queue = JobQueue(store: app.runtime.store)
            @Sendable func queued() async throws -> [Job] {
                try await queue.jobs(kind: "task_reminder").filter { $0.state == .queued }
            }
            try await app.test { client in
                // given a task due in an hour, reminded 15 minutes before
                let due = Self.time(3600)
                let remind = Self.time(2700)
                let task = try await client.json(
                    .post, "/api/v1/tasks", seeded.token,
                    #"{"title": "Demo", "due_at": "\#(due)", "remind_at": "\#(remind)"}"#)
                let id = try #require(task.json["id"] as? String)
                // then one reminder is queued at the reminder time, in the workspace
                var jobs = try await queued()
                #expect(jobs.count == 1)
                #expect(jobs.first.map { Timestamp.rfc3339($0.dueAt) } == remind)
                #expect(jobs.first?.workspaceID == seeded.workspace.id)
                // when the due time moves a day later, the reminder moves with it, keeping its lead
                func dayLater(_ text: String) -> String {
                    Timestamp.rfc3339(Timestamp.micros(Timestamp.parse(text)!) + 86_400_000_000)
                }
                let moved = try await client.json(
                    .patch, "/api/v1/tasks/\(id)", seeded.token, #"{"due_at": "\#(dayLater(due))"}"#)
                #expect(moved.status == .ok, "\(moved.text)")
                #expect(moved.json["remind_at"] as? String == dayLater(remind))
                jobs = try await queued()
                #expect(jobs.count == 1)
                #expect(jobs.first.map { Timestamp.rfc3339($0.dueAt) } == moved.json["remind_at"] as? String)
                // when it is done, its reminder is cancelled; opened again, it is back
                _ = try await client.json(.patch, "/api/v1/tasks/\(id)", seeded.token, #"{"done": true}"#)
                #expect(try await queued().isEmpty)
                _ = try await client.json(.patch, "/api/v1/tasks/\(id)", seeded.token, #"{"done": false}"#)
                #expect(try await queued().count == 1)
                // when it is deleted, its reminder is cancelled
                _ = try await client.json(.delete, "/api/v1/tasks/\(id)", seeded.token)
                #expect(try await queued().isEmpty)
                // a task already overdue when written queues no reminder
                _ = try await client.json(
                    .post, "/api/v1/tasks", seeded.token, #"{"title": "Old", "due_at": "\#(Self.time(-60))"}"#)
                #expect(try await queued().isEmpty)
            }
        }
    }

    @Test(
        "a rep who sees only their own records sees and changes the tasks assigned to them, and no others",
        arguments: Backend.allCases)
    func visibilityByAssignee(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let (rep, repToken) = try await Fixtures.user(app, in: seeded, email: "rep@acme.test", role: .member)
            try await app.test { client in
                // given a role that sees only its own tasks, held by the rep
                let role = try await client.json(
                    .post, "/api/v1/roles", seeded.token,
                    #"{"name": "Own tasks", "permissions": {"tasks": {"actions": ["read", "create", "edit"], "visibility": "own"}}}"#
                )
                let roleID = try #require(role.json["id"] as? String, "\(role.text)")
                _ = try await client.json(.patch, "/api/v1/users/\(rep.id)", seeded.token, #"{"role": "\#(roleID)"}"#)
                // and a task the owner assigned to the rep, and one the owner keeps
                let theirs = try await client.json(
                    .post, "/api/v1/tasks", seeded.token, #"{"title": "Zorblax call", "assignee_id": "\#(rep.id)"}"#)
                let theirsID = try #require(theirs.json["id"] as? String)
                let mine = try await client.json(.post, "/api/v1/tasks", seeded.token, #"{"title": "Zorblax secret"}"#)
                let mineID = try #require(mine.json["id"] as? String)
                // then the rep lists, reads and finishes only the one assigned to them
                #expect(Self.ids(try await client.json(.get, "/api/v1/tasks", repToken)) == [theirsID])
                #expect(try await client.json(.get, "/api/v1/tasks/\(mineID)", repToken).status == .notFound)
                let done = try await client.json(.patch, "/api/v1/tasks/\(theirsID)", repToken, #"{"done": true}"#)
                #expect(done.status == .ok, "\(done.text)")
                let search = try await client.json(.get, "/api/v1/search?q=zorblax", repToken)
                #expect(!search.text.contains("Zorblax secret"))
                // and a task the rep makes is theirs
                let made = try await client.json(.post, "/api/v1/tasks", repToken, #"{"title": "My own"}"#)
                #expect(made.json["assignee_id"] as? String == rep.id)
            }
        }
    }
}
