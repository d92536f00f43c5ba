import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportCore
import RapportServer
import RapportServices
import RapportTestSupport
import Testing

@Suite("Teams and roles API")
struct TeamsRolesAPITests {
    static func issues(_ response: TestResponse) -> [String] {
        ((response.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
    }

    @Test("a team is made, read, changed, joined, left and deleted; its lead must be a member", arguments: Backend.allCases)
    func teams(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let (ana, anaToken) = try await Fixtures.user(app, in: seeded, email: "ana@acme.test", role: .member)
            let (bo, _) = try await Fixtures.user(app, in: seeded, email: "bo@acme.test", role: .member)
            try await app.test { client in
                // given a team of Ana, led by her
                let made = try await client.json(
                    .post, "/api/v1/teams", seeded.token,
                    #"{"name": " Nord ", "lead_id": "\#(ana.id)", "member_ids": ["\#(ana.id)"]}"#)
                #expect(made.status == .created)
                let id = try #require(made.json["id"] as? String)
                #expect(made.headers[.location] == "/api/v1/teams/\(id)")
                #expect(made.json["name"] as? String == "Nord")
                #expect(made.json["member_ids"] as? [String] == [ana.id])
                // then Bo joins, the lead moves to him, and the team is renamed
                let joined = try await client.json(
                    .post, "/api/v1/teams/\(id)/members", seeded.token, #"{"user_id": "\#(bo.id)"}"#)
                #expect(Set(joined.json["member_ids"] as? [String] ?? []) == [ana.id, bo.id])
                let etag = try #require(joined.headers[.eTag])
                let renamed = try await client.json(
                    .patch, "/api/v1/teams/\(id)", seeded.token, #"{"name": "Nord-Vest", "lead_id": "\#(bo.id)"}"#,
                    headers: [.ifMatch: etag])
                #expect(renamed.status == .ok)
                #expect(renamed.json["lead_id"] as? String == bo.id)
                let stale = try await client.json(
                    .patch, "/api/v1/teams/\(id)", seeded.token, #"{"name": "Again"}"#, headers: [.ifMatch: etag])
                #expect(stale.status == .preconditionFailed)
                // a lead who leaves stops leading
                let left = try await client.json(.delete, "/api/v1/teams/\(id)/members/\(bo.id)", seeded.token)
                #expect(left.json["member_ids"] as? [String] == [ana.id])
                #expect(left.json["lead_id"] is NSNull)
                // every user reads teams; only owners and admins change them
                let read = try await client.json(.get, "/api/v1/teams", anaToken)
                #expect((read.json["data"] as? [[String: Any]])?.count == 1)
                let refused = try await client.json(.post, "/api/v1/teams", anaToken, #"{"name": "Mine"}"#)
                #expect(refused.status == .forbidden)
                // bad input: a lead who is not a member, a taken name (any case), no name, unknown members
                let notMember = try await client.json(
                    .post, "/api/v1/teams", seeded.token, #"{"name": "Syd", "lead_id": "\#(bo.id)"}"#)
                #expect(notMember.status == .unprocessableContent)
                #expect(Self.issues(notMember) == ["lead_id"])
                let taken = try await client.json(.post, "/api/v1/teams", seeded.token, #"{"name": "NORD-VEST"}"#)
                #expect(taken.status == .conflict)
                let nameless = try await client.json(.post, "/api/v1/teams", seeded.token, #"{"member_ids": []}"#)
                #expect(Self.issues(nameless) == ["name"])
                let ghost = try await client.json(
                    .post, "/api/v1/teams", seeded.token, #"{"name": "Ghosts", "member_ids": ["nobody"]}"#)
                #expect(Self.issues(ghost) == ["member_ids"])
                let teams = try await client.json(.get, "/api/v1/teams", seeded.token)
                #expect((teams.json["data"] as? [[String: Any]])?.count == 1)
                // deleting leaves the team's records with no team
                let contact = try await client.json(
                    .post, "/api/v1/contacts", seeded.token, #"{"first_name": "Tea", "team_id": "\#(id)"}"#)
                #expect(contact.json["team_id"] as? String == id)
                #expect(try await client.json(.delete, "/api/v1/teams/\(id)", seeded.token).status == .noContent)
                let after = try await client.json(
                    .get, "/api/v1/contacts/\(contact.json["id"] as! String)", seeded.token)
                #expect(after.json["team_id"] is NSNull)
                #expect(try await client.json(.get, "/api/v1/teams/\(id)", seeded.token).status == .notFound)
            }
        }
    }

    @Test(
        "a custom role is made, given to a user, changed and deleted once nobody holds it; built-in roles stay",
        arguments: Backend.allCases)
    func roles(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let other = try await Fixtures.workspace(app, name: "Other", email: "owner@other.test")
            let (ana, anaToken) = try await Fixtures.user(app, in: seeded, email: "ana@acme.test", role: .member)
            try await app.test { client in
                let list = try await client.json(.get, "/api/v1/roles", anaToken)
                #expect(
                    (list.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [
                        "owner", "admin", "member",
                    ])
                let member = try await client.json(.get, "/api/v1/roles/member", anaToken)
                #expect(member.json["built_in"] as? Bool == true)
                let contacts = (member.json["permissions"] as? [String: Any])?["contacts"] as? [String: Any]
                #expect(contacts?["visibility"] as? String == "all")
                #expect(contacts?["edit_visibility"] as? String == "own")
                #expect(try await client.json(.patch, "/api/v1/roles/member", seeded.token, #"{"name": "x"}"#).status == .forbidden)
                #expect(try await client.json(.delete, "/api/v1/roles/owner", seeded.token).status == .forbidden)
                // a role of the workspace's own
                let made = try await client.json(
                    .post, "/api/v1/roles", seeded.token,
                    #"{"name": "Readers", "permissions": {"contacts": {"actions": ["read"], "visibility": "own"}}}"#)
                #expect(made.status == .created)
                let id = try #require(made.json["id"] as? String)
                #expect(made.json["built_in"] as? Bool == false)
                // given to Ana, who then reads only her own contacts and cannot create any
                let given = try await client.json(.patch, "/api/v1/users/\(ana.id)", seeded.token, #"{"role": "\#(id)"}"#)
                #expect(given.status == .ok, "\(given.text)")
                #expect(given.json["role"] as? String == id)
                #expect(given.json["role_name"] as? String == "Readers")
                let me = try await client.json(.get, "/api/v1/me", anaToken)
                #expect(((me.json["permissions"] as? [String: Any])?["companies"] as? [String: Any])?["actions"] as? [String] == [])
                #expect(try await client.json(.post, "/api/v1/contacts", anaToken, #"{"first_name": "X"}"#).status == .forbidden)
                // a role users hold cannot be deleted: 409 says how many
                let held = try await client.json(.delete, "/api/v1/roles/\(id)", seeded.token)
                #expect(held.status == .conflict)
                #expect(held.json["holders"] as? String == "1")
                // changed: Ana may now create contacts
                let changed = try await client.json(
                    .patch, "/api/v1/roles/\(id)", seeded.token,
                    #"{"permissions": {"contacts": {"actions": ["read", "create"], "visibility": "own"}}}"#)
                #expect(changed.status == .ok)
                #expect(try await client.json(.post, "/api/v1/contacts", anaToken, #"{"first_name": "X"}"#).status == .created)
                // bad rules: nothing granted, unknown things; a taken or built-in name
                let nothing = try await client.json(
                    .post, "/api/v1/roles", seeded.token, #"{"name": "Empty", "permissions": {}}"#)
                #expect(Self.issues(nothing) == ["permissions"])
                let unknown = try await client.json(
                    .post, "/api/v1/roles", seeded.token,
                    #"{"name": "Odd", "permissions": {"contacts": {"actions": ["read"], "fields": {"shoe_size": "hidden"}}}}"#)
                #expect(Self.issues(unknown) == ["permissions.contacts.fields.shoe_size"])
                let taken = try await client.json(
                    .post, "/api/v1/roles", seeded.token,
                    #"{"name": "readers", "permissions": {"contacts": {"actions": ["read"]}}}"#)
                #expect(taken.status == .conflict)
                let builtIn = try await client.json(
                    .post, "/api/v1/roles", seeded.token, #"{"name": "Admin", "permissions": {"contacts": {"actions": ["read"]}}}"#)
                #expect(Self.issues(builtIn) == ["name"])
                #expect(try await client.json(.post, "/api/v1/roles", anaToken, #"{"name": "Mine"}"#).status == .forbidden)
                // another workspace neither reads nor gives nor deletes it
                #expect(try await client.json(.get, "/api/v1/roles/\(id)", other.token).status == .notFound)
                let foreign = try await client.json(.post, "/api/v1/users", other.token,
                    #"{"email": "x@other.test", "password": "password1", "role": "\#(id)"}"#)
                #expect(Self.issues(foreign) == ["role"])
                #expect(try await client.json(.delete, "/api/v1/roles/\(id)", other.token).status == .notFound)
                // once nobody holds it, it goes
                _ = try await client.json(.patch, "/api/v1/users/\(ana.id)", seeded.token, #"{"role": "member"}"#)
                #expect(try await client.json(.delete, "/api/v1/roles/\(id)", seeded.token).status == .noContent)
                // the workspace keeps an active owner
                let lastOwner = try await client.json(
                    .patch, "/api/v1/users/\(seeded.owner.id)", seeded.token, #"{"role": "member"}"#)
                #expect(lastOwner.status == .unprocessableContent)
            }
        }
    }
}
