import Foundation
import HTTPTypes
import HummingbirdTesting
import RapportCore
import RapportServices
import RapportStore
import RapportTestSupport
import Testing

@Suite("Notification pages")
struct NotificationPagesTests {
    /// A teammate with a name, who can sign in.
    static func teammate(_ app: TestApp, _ seeded: Seeded, _ email: String, _ name: String, language: Language = .en)
        async throws -> User
    {
        try await AccountService(app.services).createUser(
            workspaceID: seeded.workspace.id,
            draft: UserDraft(
                email: email, name: name, role: "member", password: Fixtures.password, language: language.rawValue),
            actor: nil)
    }

    static func note(_ app: TestApp, _ body: String, on id: String, by user: User) async throws {
        _ = try await RecordService(app.services, schema: .contacts).addActivity(
            .system(user.workspaceID), id: id,
            draft: ActivityDraft(type: "note", body: body, occurredAt: nil, durationMinutes: nil),
            actor: Actor(.user, id: user.id))
    }

    @Test("the bell in the top bar says how many notifications are unread", arguments: Backend.allCases)
    func bell(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let ana = try await Self.teammate(app, seeded, "ana@acme.test", "Ana Lopes")
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                // nothing yet: a bell with no number
                let quiet = try await jar.get(client, "/")
                #expect(quiet.text.contains(#"<a class="bell" href="/notifications" aria-label="Notifications""#))
                #expect(!quiet.text.contains(#"class="badge""#))
                // given three mentions of the owner by Ana
                let contact = try await RecordPagesTests.create(app, seeded, contact: ["first_name": .string("Oksana")])
                for _ in 0..<3 {
                    try await Self.note(app, "@Owner of Acme please look", on: contact.id, by: ana)
                }
                // the home page's bell counts them, for eyes and for screen readers, and so does every page
                let home = try await jar.get(client, "/")
                #expect(home.text.contains(#"aria-label="Notifications, 3 unread""#))
                #expect(home.text.contains(#"<span class="badge" aria-hidden="true">3</span>"#))
                let record = try await jar.get(client, "/contacts/\(contact.id)")
                #expect(record.text.contains(#"aria-label="Notifications, 3 unread""#))
            }
        }
    }

    @Test(
        "the notifications page lists them newest first in words, opening one leads to its record, and all can be marked read",
        arguments: Backend.allCases)
    func listOpenMarkAll(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let ana = try await Self.teammate(app, seeded, "ana@acme.test", "Ana Lopes")
            let service = RecordService(app.services, schema: .contacts)
            // given a contact the owner owns, changed by Ana, then a note by her mentioning the owner
            let contact = try await RecordPagesTests.create(
                app, seeded, contact: ["first_name": .string("Oksana"), "owner_id": .string(seeded.owner.id)])
            _ = try await service.update(
                .system(seeded.workspace.id), id: contact.id,
                patch: ["job_title": .string("CTO"), "email": .string("oksana@example.com")], expectedVersion: nil,
                actor: Actor(.user, id: ana.id))
            try await Self.note(app, "Called her. @owner@acme.test, your turn", on: contact.id, by: ana)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                let page = try await jar.get(client, "/notifications")
                #expect(page.status == .ok)
                #expect(page.text.contains("<title>Notifications · Rapport</title>"))
                let text = page.text
                // newest first, each a sentence with the names isolated, unread ones marked
                let mention = try #require(text.range(of: "<bdi>Ana Lopes</bdi> mentioned you on <bdi>Oksana</bdi>"))
                let change = try #require(
                    text.range(of: "<bdi>Ana Lopes</bdi> changed Email and Job title on <bdi>Oksana</bdi>"))
                #expect(mention.lowerBound < change.lowerBound)
                #expect(text.components(separatedBy: #"class="notification unread""#).count == 3)
                #expect(text.contains("Mark all as read"))
                // opening one marks it read and leads to the record
                let ids = text.matches(of: #/href="/notifications/([0-9a-f-]{36})"/#).map { String($0.1) }
                #expect(ids.count == 2)
                let opened = try await jar.get(client, "/notifications/\(ids[0])")
                #expect(opened.status == .seeOther)
                #expect(opened.headers[.location] == "/contacts/\(contact.id)")
                let after = try await jar.get(client, "/notifications")
                #expect(after.text.components(separatedBy: #"class="notification unread""#).count == 2)
                #expect(after.text.contains(#"aria-label="Notifications, 1 unread""#))
                // the unread tab shows only the one left
                let unread = try await jar.get(client, "/notifications?unread=true")
                #expect(unread.text.contains("changed Email and Job title"))
                #expect(!unread.text.contains("mentioned you"))
                // "Mark all as read" (a form with its CSRF token) leaves none unread
                let marked = try await jar.post(
                    client, "/notifications/read",
                    form: ["all": "true", "back": "/notifications", "csrf_token": after.csrfToken ?? ""])
                #expect(marked.status == .seeOther)
                #expect(marked.headers[.location] == "/notifications")
                let done = try await jar.get(client, "/notifications")
                #expect(done.text.contains("1 notification marked as read."))
                #expect(!done.text.contains(#"class="notification unread""#))
                #expect(!done.text.contains("Mark all as read"))
                #expect(done.text.contains(#"aria-label="Notifications""#))
                #expect(try await jar.get(client, "/notifications?unread=true").text.contains("Nothing unread."))
                // without the CSRF token nothing is marked, and another user's notification does not open
                let forged = try await jar.post(client, "/notifications/read", form: ["all": "true"])
                #expect(forged.status == .forbidden)
                let member = try await jar.get(client, "/notifications/\(RecordID.make())")
                #expect(member.status == .notFound)
            }
        }
    }

    @Test("one notification is marked read on its own, and a long list pages", arguments: [Backend.sqlite])
    func markOneAndPage(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let now = Timestamp.micros(Date())
            let given = (0..<55).map { index in
                UserNotification(
                    workspaceID: seeded.workspace.id, recipientID: seeded.owner.id,
                    kind: NotificationKind(rawValue: "reminder"),
                    recordType: nil, recordID: nil, actorID: nil, text: "Reminder \(index)",
                    createdAt: now + Int64(index))
            }
            try await NotificationRepository(store: app.services.store).insert(given)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                let first = try await jar.get(client, "/notifications")
                // a kind this page has no words for shows its text; one about no record links nowhere
                #expect(first.text.contains("Reminder 54"))
                #expect(!first.text.contains("Reminder 4<"))
                #expect(!first.text.contains(#"href="/notifications/"#))
                let older = try #require(first.link(rel: "next"))
                let second = try await jar.get(client, older)
                #expect(second.text.contains("Reminder 4<"))
                #expect(second.text.contains("Reminder 0<"))
                #expect(!second.text.contains("Reminder 5<"))
                #expect(second.link(rel: "first") == "/notifications")
                // marking the newest read, with the form beside it
                let marked = try await jar.post(
                    client, "/notifications/read",
                    form: ["id": given[54].id, "back": older, "csrf_token": first.csrfToken ?? ""])
                #expect(marked.headers[.location] == older)
                let again = try await jar.get(client, "/notifications")
                #expect(again.text.contains(#"aria-label="Notifications, 54 unread""#))
            }
        }
    }

    @Test(
        "a Persian user reads their notifications right to left, in Persian, with Persian digits",
        arguments: Backend.allCases)
    func persian(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let mahsa = try await Self.teammate(app, seeded, "mahsa@acme.test", "مهسا احمدی", language: .fa)
            let ana = try await Self.teammate(app, seeded, "ana@acme.test", "Ana Lopes")
            let contact = try await RecordPagesTests.create(
                app, seeded, contact: ["first_name": .string("علی"), "owner_id": .string(mahsa.id)])
            _ = try await RecordService(app.services, schema: .contacts).update(
                .system(seeded.workspace.id), id: contact.id, patch: ["job_title": .string("مدیر")],
                expectedVersion: nil, actor: Actor(.user, id: ana.id))
            try await Self.note(app, "@مهسا احمدی لطفاً تماس بگیرید", on: contact.id, by: ana)
            try await app.test { client in
                let (jar, _) = try await WebShellTests.signIn(client, email: "mahsa@acme.test")
                let page = try await jar.get(client, "/notifications")
                #expect(page.status == .ok)
                #expect(page.text.contains(#"<html lang="fa" dir="rtl">"#))
                #expect(page.text.contains("<h1>اعلان‌ها</h1>"))
                // made hers by the owner, changed by Ana, then a mention by Ana: three unread, newest first
                #expect(page.text.contains(#"aria-label="اعلان‌ها، ۳ خوانده‌نشده""#))
                let mention = try #require(page.text.range(of: "<bdi>Ana Lopes</bdi> در <bdi>علی</bdi> از شما نام برد"))
                let change = try #require(
                    page.text.range(of: "<bdi>Ana Lopes</bdi> سمت را در <bdi>علی</bdi> تغییر داد"))
                let owner = try #require(
                    page.text.range(of: "<bdi>Owner of Acme</bdi> شما را مسئول <bdi>علی</bdi> کرد"))
                #expect(mention.lowerBound < change.lowerBound && change.lowerBound < owner.lowerBound)
                #expect(page.text.contains("همه را خوانده‌شده علامت بزن"))
            }
        }
    }

    @Test(
        "the composer offers the workspace's people to mention, and a note sent without JavaScript mentions them",
        arguments: [Backend.sqlite])
    func composer(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let ana = try await Self.teammate(app, seeded, "ana@acme.test", "Ana Lopes")
            let contact = try await RecordPagesTests.create(app, seeded, contact: ["first_name": .string("Oksana")])
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                let page = try await jar.get(client, "/contacts/\(contact.id)")
                #expect(page.text.contains(#"data-mention="/contacts/pick?field=owner_id""#))
                #expect(page.text.contains("/static/js/mention.js"))
                #expect(page.text.contains("Type @ and a name to mention someone"))
                // what the composer's script asks for as one types "@an"
                let choices = try await jar.get(client, "/contacts/pick?field=owner_id&q=an")
                #expect(choices.text.contains(#""name":"Ana Lopes""#))
                // the form posted as a browser without scripts would
                let posted = try await jar.post(
                    client, "/contacts/\(contact.id)/activities",
                    form: ["type": "note", "body": "@Ana Lopes can you call?", "csrf_token": page.csrfToken ?? ""])
                #expect(posted.status == .seeOther)
                let inbox = try await NotificationService(app.services).list(
                    Principal(user: ana, workspace: seeded.workspace), limit: 10, after: nil)
                #expect(inbox.items.map(\.text) == ["Owner of Acme mentioned you on Oksana"])
            }
        }
    }
}
