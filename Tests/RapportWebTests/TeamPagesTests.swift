import Foundation
import HTTPTypes
import HummingbirdTesting
import RapportCore
import RapportServices
import RapportTestSupport
import Testing

@Suite("Teams page")
struct TeamPagesTests {
    @Test(
        "an owner makes, renames, fills and deletes a team; a taken name and a lead who is not a member are said in place",
        arguments: Backend.allCases)
    func teamsCRUD(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            // given a workspace with two members
            let seeded = try await Fixtures.workspace(app)
            let ana = try await Fixtures.user(app, in: seeded, email: "ana@acme.test", role: .member).user
            let bo = try await Fixtures.user(app, in: seeded, email: "bo@acme.test", role: .member).user
            let principal = Principal(user: seeded.owner, workspace: seeded.workspace)
            let teams = TeamService(app.services)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                let page = try await jar.get(client, "/settings/teams")
                #expect(page.status == .ok)
                #expect(page.text.contains("No teams yet."))
                #expect(page.text.contains(#"name="member_ids" value="\#(ana.id)""#))
                let token = try #require(page.csrfToken)
                // when a team is made with a lead and two members
                let made = try await jar.post(
                    client, "/settings/teams",
                    pairs: [
                        ("csrf_token", token), ("name", "Nord"), ("lead_id", ana.id), ("member_ids", ana.id),
                        ("member_ids", bo.id),
                    ])
                #expect(made.status == .seeOther)
                var all = try await teams.all(principal)
                #expect(all.map(\.name) == ["Nord"])
                #expect(all[0].leadID == ana.id)
                #expect(Set(all[0].memberIDs) == [ana.id, bo.id])
                let listed = try await jar.get(client, "/settings/teams")
                #expect(listed.text.contains("Team created."))
                #expect(listed.text.contains("<bdi>Nord</bdi>"))
                #expect(listed.text.contains("2 members"))
                #expect(listed.text.contains("<bdi>ana@acme.test</bdi> <span class=\"muted\">(Lead)</span>"))
                // then a second team of that name, and one whose lead is not a member, are refused in place
                let taken = try await jar.post(
                    client, "/settings/teams", pairs: [("csrf_token", token), ("name", "Nord")])
                #expect(taken.status == .conflict)
                #expect(taken.text.contains("Another team has this name."))
                #expect(taken.text.contains(#"value="Nord""#))
                let leadless = try await jar.post(
                    client, "/settings/teams",
                    pairs: [("csrf_token", token), ("name", "Syd"), ("lead_id", ana.id), ("member_ids", bo.id)])
                #expect(leadless.status == .unprocessableContent)
                #expect(leadless.text.contains("The lead must be a member of the team."))
                // the boxes keep what was ticked
                #expect(leadless.text.contains(#"value="\#(bo.id)" checked"#))
                #expect(try await teams.all(principal).count == 1)
                // when it is renamed and left with one member and no lead
                let team = all[0]
                let form = try await jar.get(client, "/settings/teams/\(team.id)")
                #expect(form.status == .ok)
                #expect(form.text.contains(#"value="\#(ana.id)" checked"#))
                let renamed = try await jar.post(
                    client, "/settings/teams/\(team.id)",
                    pairs: [
                        ("csrf_token", token), ("version", String(team.version)), ("name", "Nordic"), ("lead_id", ""),
                        ("member_ids", ana.id),
                    ])
                #expect(renamed.status == .seeOther)
                all = try await teams.all(principal)
                #expect(all[0].name == "Nordic")
                #expect(all[0].leadID == nil)
                #expect(all[0].memberIDs == [ana.id])
                // an edit from a form read before that change is not saved over it
                let stale = try await jar.post(
                    client, "/settings/teams/\(team.id)",
                    pairs: [("csrf_token", token), ("version", String(team.version)), ("name", "Old")])
                #expect(stale.status == .unprocessableContent)
                #expect(try await teams.all(principal)[0].name == "Nordic")
                // then a member is added and another taken out from the list
                let added = try await jar.post(
                    client, "/settings/teams/\(team.id)/members", form: ["csrf_token": token, "user_id": bo.id])
                #expect(added.status == .seeOther)
                #expect(Set(try await teams.all(principal)[0].memberIDs) == [ana.id, bo.id])
                let removed = try await jar.post(
                    client, "/settings/teams/\(team.id)/members/\(ana.id)/remove", form: ["csrf_token": token])
                #expect(removed.status == .seeOther)
                #expect(try await teams.all(principal)[0].memberIDs == [bo.id])
                #expect(try await jar.get(client, "/settings/teams").text.contains("Member removed from the team."))
                // and it is deleted after the question
                let question = try await jar.get(client, "/settings/teams/\(team.id)/delete")
                #expect(question.text.contains("Delete this team:"))
                #expect(question.text.contains("<bdi>Nordic</bdi>"))
                let deleted = try await jar.post(
                    client, "/settings/teams/\(team.id)/delete", form: ["csrf_token": token])
                #expect(deleted.status == .seeOther)
                #expect(try await teams.all(principal).isEmpty)
            }
        }
    }

    @Test("a member reads the teams but has no form to change them, and cannot post one", arguments: Backend.allCases)
    func memberReadsOnly(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let ana = try await Fixtures.user(app, in: seeded, email: "ana@acme.test", role: .member).user
            let team = try await TeamService(app.services).create(
                Principal(user: seeded.owner, workspace: seeded.workspace), name: "Nord", leadID: nil,
                memberIDs: [ana.id])
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client, email: "ana@acme.test")
                let page = try await jar.get(client, "/settings/teams")
                #expect(page.status == .ok)
                #expect(page.text.contains("<bdi>Nord</bdi>"))
                #expect(!page.text.contains("New team"))
                #expect(!page.text.contains("/members/"))
                #expect(!page.text.contains("/settings/teams/\(team.id)/delete"))
                let refused = try await jar.post(
                    client, "/settings/teams", form: ["csrf_token": page.csrfToken ?? "", "name": "Mine"])
                #expect(refused.status == .forbidden)
                #expect(try await jar.get(client, "/settings/teams/\(team.id)").status == .forbidden)
            }
        }
    }

    @Test("in Persian the teams page and its errors read in Persian, right to left")
    func persian() async throws {
        try await TestApp.with(.sqlite) { app in
            let seeded = try await Fixtures.workspace(app)
            _ = try await Fixtures.user(app, in: seeded, email: "sara@acme.test", role: .admin, language: .fa)
            let bo = try await Fixtures.user(app, in: seeded, email: "bo@acme.test", role: .member).user
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client, email: "sara@acme.test")
                let page = try await jar.get(client, "/settings/teams")
                #expect(page.text.contains(#"dir="rtl""#))
                #expect(page.text.contains("تیم تازه"))
                let refused = try await jar.post(
                    client, "/settings/teams",
                    pairs: [
                        ("csrf_token", page.csrfToken ?? ""), ("name", "شمال"), ("lead_id", bo.id),
                    ])
                #expect(refused.status == .unprocessableContent)
                #expect(refused.text.contains("سرپرست باید عضو تیم باشد."))
                let empty = try await jar.post(
                    client, "/settings/teams", pairs: [("csrf_token", page.csrfToken ?? ""), ("name", " ")])
                #expect(empty.text.contains("نام تیم باید ۱ تا ۱۰۰ نویسه باشد."))
            }
        }
    }
}
