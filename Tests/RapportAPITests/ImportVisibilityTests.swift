import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportCore
import RapportServer
import RapportServices
import RapportTestSupport
import Testing

@Suite("Imports and visibility")
struct ImportVisibilityTests {
    @Test(
        "a member's import updates only their own records, rejects rows for the rest, and owns what it creates",
        arguments: Backend.allCases)
    func memberImport(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let (member, token) = try await Fixtures.user(app, in: seeded, email: "member@acme.test", role: .member)
            let (mate, _) = try await Fixtures.user(app, in: seeded, email: "mate@acme.test", role: .member)
            try await app.test { client in
                // given a team of the member and a teammate, the owner's contact and the member's own
                let team = try await client.json(
                    .post, "/api/v1/teams", seeded.token,
                    #"{"name": "Nord", "member_ids": ["\#(member.id)", "\#(mate.id)"]}"#)
                let teamID = try #require(team.json["id"] as? String)
                _ = try await client.json(
                    .post, "/api/v1/contacts", seeded.token,
                    #"{"first_name": "Owned", "last_name": "ByOwner", "email": "owners@x.dk"}"#)
                let mine = try await client.json(
                    .post, "/api/v1/contacts", token, #"{"first_name": "Mine", "email": "mine@x.dk"}"#)
                #expect(mine.json["owner_id"] as? String == member.id)
                #expect(mine.json["team_id"] as? String == teamID)
                // when the member imports a file touching both, a new contact, and one given to the teammate
                let csv = """
                    First Name,Last Name,Email,Owner,Team
                    Owned,Changed,owners@x.dk,,
                    Mine,Changed,mine@x.dk,,
                    New,Person,new@x.dk,,
                    Given,Away,given@x.dk,mate@acme.test,Nord
                    Nobody,Known,nobody@x.dk,ghost@acme.test,

                    """
                let response = try await ImportAPITests.upload(client, token, Array(csv.utf8))
                #expect(response.status == .ok, "\(response.text)")
                // then the owner's contact is a rejected row, not a silent update
                #expect(ImportAPITests.count(response, "updated") == 1)
                #expect(ImportAPITests.count(response, "created") == 2)
                #expect(ImportAPITests.count(response, "rejected") == 2)
                let errors = (response.json["errors"] as? [[String: Any]]) ?? []
                #expect(errors.contains { ($0["row"] as? Int) == 2 && ($0["message"] as? String)?.contains("may not change") == true })
                #expect(
                    errors.contains {
                        ($0["row"] as? Int) == 6 && $0["message"] as? String == "No such user in this workspace."
                    })
                let owners = try await client.json(.get, "/api/v1/contacts?email=owners@x.dk", seeded.token)
                #expect((owners.json["data"] as? [[String: Any]])?.first?["last_name"] as? String == "ByOwner")
                // new records are the importer's, in their team, unless the file names an owner (by address)
                // and a team (by name)
                let new = try await client.json(.get, "/api/v1/contacts?email=new@x.dk", seeded.token)
                let created = try #require((new.json["data"] as? [[String: Any]])?.first)
                #expect(created["owner_id"] as? String == member.id)
                #expect(created["team_id"] as? String == teamID)
                let given = try await client.json(.get, "/api/v1/contacts?email=given@x.dk", seeded.token)
                let away = try #require((given.json["data"] as? [[String: Any]])?.first)
                #expect(away["owner_id"] as? String == mate.id)
                #expect(away["team_id"] as? String == teamID)
            }
        }
    }

    @Test("a role without import, or a file writing a field the role keeps read-only, imports nothing of it", arguments: Backend.allCases)
    func refusedImports(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let (reader, readerToken) = try await Fixtures.user(app, in: seeded, email: "r@acme.test", role: .member)
            let (clerk, clerkToken) = try await Fixtures.user(app, in: seeded, email: "c@acme.test", role: .member)
            try await app.test { client in
                let readers = try await client.json(
                    .post, "/api/v1/roles", seeded.token,
                    #"{"name": "Readers", "permissions": {"contacts": {"actions": ["read"]}}}"#)
                let clerks = try await client.json(
                    .post, "/api/v1/roles", seeded.token,
                    #"{"name": "Clerks", "permissions": {"contacts": {"actions": ["read", "create", "edit", "import"], "fields": {"lifecycle_stage": "read_only"}}}}"#)
                _ = try await client.json(
                    .patch, "/api/v1/users/\(reader.id)", seeded.token,
                    #"{"role": "\#(readers.json["id"] as! String)"}"#)
                _ = try await client.json(
                    .patch, "/api/v1/users/\(clerk.id)", seeded.token, #"{"role": "\#(clerks.json["id"] as! String)"}"#)
                let csv = Array("First Name,Email,Lifecycle Stage\nAda,ada@x.dk,customer\nBo,bo@x.dk,\n".utf8)
                let refused = try await ImportAPITests.upload(client, readerToken, csv)
                #expect(refused.status == .forbidden)
                let partly = try await ImportAPITests.upload(client, clerkToken, csv)
                #expect(partly.status == .ok, "\(partly.text)")
                #expect(ImportAPITests.count(partly, "created") == 1)
                #expect(ImportAPITests.count(partly, "rejected") == 1)
                let list = try await client.json(.get, "/api/v1/contacts", seeded.token)
                #expect((list.json["data"] as? [[String: Any]])?.compactMap { $0["first_name"] as? String } == ["Bo"])
            }
        }
    }
}
