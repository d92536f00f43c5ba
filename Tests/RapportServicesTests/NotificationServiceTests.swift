import Foundation
import RapportCore
import RapportServices
import RapportStore
import RapportTestSupport
import Testing

@Suite("Who is notified of what")
struct NotificationServiceTests {
    /// A workspace with its owner and two named teammates, and the services over it.
    struct Team {
        let app: TestApp
        let seeded: Seeded
        let ana: User
        let mahsa: User
        var workspaceID: String { seeded.workspace.id }
        var contacts: RecordService { RecordService(app.services, schema: .contacts) }
        var notifications: NotificationService { NotificationService(app.services) }

        static func make(_ app: TestApp) async throws -> Team {
            let seeded = try await Fixtures.workspace(app)
            let accounts = AccountService(app.services)
            func user(_ email: String, _ name: String) async throws -> User {
                try await accounts.createUser(
                    workspaceID: seeded.workspace.id,
                    draft: UserDraft(email: email, name: name, role: "member", password: Fixtures.password),
                    actor: nil)
            }
            return Team(
                app: app, seeded: seeded, ana: try await user("ana@acme.test", "Ana Lopes"),
                mahsa: try await user("mahsa@acme.test", "مهسا احمدی"))
        }

        func principal(_ user: User) -> Principal { Principal(user: user, workspace: seeded.workspace) }

        /// The user's notifications, newest first.
        func inbox(_ user: User) async throws -> [UserNotification] {
            try await notifications.list(principal(user), limit: 200, after: nil).items
        }

        func follows(_ user: User, _ id: String) async throws -> Bool {
            try await FollowService(app.services, schema: .contacts).state(principal(user), recordID: id).following
        }

        func contact(_ fields: [String: JSONValue], by user: User) async throws -> Record {
            try await contacts.create(.system(workspaceID), fields: fields, actor: Actor(.user, id: user.id))
        }

        func note(_ body: String, on id: String, by user: User) async throws {
            _ = try await contacts.addActivity(
                .system(workspaceID), id: id,
                draft: ActivityDraft(type: "note", body: body, occurredAt: nil, durationMinutes: nil),
                actor: Actor(.user, id: user.id))
        }
    }

    @Test(
        "a follower gets one notification naming the three fields someone else changed; the actor gets none",
        arguments: Backend.allCases)
    func oneNotificationPerChange(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let team = try await Team.make(app)
            // given a contact Mahsa follows
            let contact = try await team.contact(
                ["first_name": .string("Oksana"), "last_name": .string("Petrenko")], by: team.ana)
            try await FollowService(app.services, schema: .contacts).set(
                following: true, team.principal(team.mahsa), recordID: contact.id)
            // when Ana changes three of its fields at once
            _ = try await team.contacts.update(
                .system(team.workspaceID), id: contact.id,
                patch: ["email": .string("oksana@example.com"), "job_title": .string("CTO"), "city": .string("Kyiv")],
                expectedVersion: nil,
                actor: Actor(.user, id: team.ana.id))
            // then Mahsa has one notification about it, naming the fields, and Ana, who made the change, none
            let inbox = try await team.inbox(team.mahsa)
            #expect(inbox.count == 1)
            #expect(inbox.first?.kind == .recordChanged)
            #expect(inbox.first?.text == "Ana Lopes changed Email, Job title and City on Oksana Petrenko")
            #expect(inbox.first?.recordID == contact.id)
            #expect(inbox.first?.recordType == "contact")
            #expect(inbox.first?.actorID == team.ana.id)
            #expect(try await team.inbox(team.ana).isEmpty)
            // and when Mahsa changes it herself, nobody is told: she is the actor, and nobody else follows
            _ = try await team.contacts.update(
                .system(team.workspaceID), id: contact.id, patch: ["city": .string("Lviv")], expectedVersion: nil,
                actor: Actor(.user, id: team.mahsa.id))
            #expect(try await team.inbox(team.mahsa).count == 1)
            #expect(try await team.inbox(team.ana).isEmpty)
            #expect(try await team.notifications.unreadCount(team.principal(team.mahsa)) == 1)
        }
    }

    @Test(
        "a mention notifies the mentioned user, who follows the record from then on; an unknown name notifies nobody",
        arguments: Backend.allCases)
    func mentions(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let team = try await Team.make(app)
            let contact = try await team.contact(["first_name": .string("Oksana")], by: team.seeded.owner)
            // a note that names nobody known tells nobody
            try await team.note("Ask @Nobody Known and write to x@y.com", on: contact.id, by: team.ana)
            #expect(try await team.inbox(team.mahsa).isEmpty)
            #expect(try await team.inbox(team.seeded.owner).isEmpty)
            // when Ana mentions Mahsa by her Persian name, written with Arabic letter variants
            #expect(try await !team.follows(team.mahsa, contact.id))
            try await team.note("@مهسا احمدي لطفاً پیگیری کنید", on: contact.id, by: team.ana)
            // then Mahsa is told once, as a mention (not also as a follower), and follows the contact
            let inbox = try await team.inbox(team.mahsa)
            #expect(inbox.map(\.kind) == [.mention])
            #expect(inbox.first?.text == "Ana Lopes mentioned you on Oksana")
            #expect(try await team.follows(team.mahsa, contact.id))
            // and Ana, who commented, follows it too; a later change by the owner reaches both
            #expect(try await team.follows(team.ana, contact.id))
            _ = try await team.contacts.update(
                .system(team.workspaceID), id: contact.id, patch: ["last_name": .string("Petrenko")],
                expectedVersion: nil,
                actor: Actor(.user, id: team.seeded.owner.id))
            #expect(try await team.inbox(team.mahsa).map(\.kind) == [.recordChanged, .mention])
            #expect(
                try await team.inbox(team.ana).map(\.text) == ["Owner of Acme changed Last name on Oksana Petrenko"])
        }
    }

    @Test(
        "an activity by someone else tells the followers, and mentioning yourself tells nobody",
        arguments: Backend.allCases)
    func activities(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let team = try await Team.make(app)
            // the owner follows a contact they own
            let contact = try await team.contact(
                ["first_name": .string("Søren"), "owner_id": .string(team.seeded.owner.id)], by: team.seeded.owner)
            #expect(try await team.follows(team.seeded.owner, contact.id))
            try await team.note("Spoke to him; @Ana Lopes knows more", on: contact.id, by: team.ana)
            let owner = try await team.inbox(team.seeded.owner)
            #expect(owner.map(\.kind) == [.activityAdded])
            #expect(owner.first?.text == "Ana Lopes added a note on Søren")
            #expect(try await team.inbox(team.ana).isEmpty)
        }
    }

    @Test(
        "an owner change tells the new owner, who follows the record; the followers hear of it as an owner change",
        arguments: Backend.allCases)
    func ownerChange(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let team = try await Team.make(app)
            // given a contact the owner made and owns
            let contact = try await team.contact(
                ["first_name": .string("Ida"), "owner_id": .string(team.seeded.owner.id)], by: team.seeded.owner)
            #expect(try await team.inbox(team.seeded.owner).isEmpty)
            // when Ana gives it to Mahsa
            _ = try await team.contacts.update(
                .system(team.workspaceID), id: contact.id, patch: ["owner_id": .string(team.mahsa.id)],
                expectedVersion: nil, actor: Actor(.user, id: team.ana.id))
            // then Mahsa is told it is hers and follows it; the old owner hears of the change
            let mahsa = try await team.inbox(team.mahsa)
            #expect(mahsa.map(\.kind) == [.ownerChanged])
            #expect(mahsa.first?.text == "Ana Lopes made you the owner of Ida")
            #expect(try await team.follows(team.mahsa, contact.id))
            let owner = try await team.inbox(team.seeded.owner)
            #expect(owner.map(\.kind) == [.ownerChanged])
            #expect(owner.first?.text == "Ana Lopes changed Owner on Ida")
            // a record made for someone else tells them too
            let made = try await team.contact(
                ["first_name": .string("Lars"), "owner_id": .string(team.ana.id)], by: team.mahsa)
            #expect(try await team.inbox(team.ana).map(\.text) == ["مهسا احمدی made you the owner of Lars"])
            #expect(try await team.follows(team.ana, made.id))
        }
    }

    @Test(
        "nobody is told about a record they may not be told about: a deactivated user, another workspace, a missing record",
        arguments: Backend.allCases)
    func mayNotify(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let team = try await Team.make(app)
            let other = try await Fixtures.workspace(app, name: "Globex", email: "owner@globex.test")
            let contact = try await team.contact(["first_name": .string("Oksana")], by: team.ana)
            let service = team.notifications
            #expect(
                try await service.mayNotify(
                    recipient: team.mahsa, object: .contacts, recordID: contact.id, workspaceID: team.workspaceID))
            #expect(
                try await !service.mayNotify(
                    recipient: other.owner, object: .contacts, recordID: contact.id, workspaceID: team.workspaceID))
            #expect(
                try await !service.mayNotify(
                    recipient: team.mahsa, object: .contacts, recordID: RecordID.make(), workspaceID: team.workspaceID))
            #expect(
                try await !service.mayNotify(
                    recipient: team.mahsa, object: .companies, recordID: contact.id, workspaceID: team.workspaceID))
            // a deactivated teammate is neither mentioned nor told as a follower
            try await FollowService(app.services, schema: .contacts).set(
                following: true, team.principal(team.mahsa), recordID: contact.id)
            _ = try await AccountService(app.services).setActive(
                team.mahsa.id, false, by: team.principal(team.seeded.owner))
            try await team.note("@مهسا احمدی see this", on: contact.id, by: team.ana)
            _ = try await team.contacts.update(
                .system(team.workspaceID), id: contact.id, patch: ["city": .string("Kyiv")], expectedVersion: nil,
                actor: Actor(.user, id: team.ana.id))
            #expect(try await team.inbox(team.mahsa).isEmpty)
            // `send` never reaches another workspace's user, nor the actor
            let sent = try await service.send(
                .mention, to: [other.owner.id, team.ana.id, team.seeded.owner.id], about: (.contacts, contact.id),
                workspaceID: team.workspaceID, actor: Actor(.user, id: team.ana.id), text: "hello")
            #expect(sent == [team.seeded.owner.id])
        }
    }

    @Test("changes made by an import tell nobody", arguments: [Backend.sqlite])
    func imports(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let team = try await Team.make(app)
            let contact = try await team.contact(["first_name": .string("Oksana")], by: team.mahsa)
            _ = try await team.contacts.update(
                .system(team.workspaceID), id: contact.id, patch: ["owner_id": .string(team.ana.id)],
                expectedVersion: nil, actor: Actor(.import, id: team.seeded.owner.id))
            #expect(try await team.inbox(team.ana).isEmpty)
            #expect(try await team.inbox(team.mahsa).isEmpty)
        }
    }
}
