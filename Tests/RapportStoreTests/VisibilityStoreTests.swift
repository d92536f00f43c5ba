import Foundation
import RapportCore
import RapportDatabase
import RapportStore
import RapportTestSupport
import Testing

@Suite("Record visibility in the store")
struct VisibilityStoreTests {
    @Test(
        "the SQL condition reaches exactly the records RecordScope.includes names, in lists, counts, reads and search, and in lists narrowed to mine or my team's",
        arguments: Backend.allCases)
    func sqlMatchesSwift(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            // given three users, two teams (me and mate in t1, stranger in t2) and records of every kind of
            // owner and team, in one workspace, and a record in another workspace
            let accounts = AccountRepository(store: store)
            let workspace = try await accounts.createWorkspace(name: "A")
            let elsewhere = try await accounts.createWorkspace(name: "B")
            func user(_ name: String, in home: String) async throws -> String {
                let draft = try UserDraft(email: "\(name)@a.test", name: name, role: "member", password: "password1")
                    .validate()
                let made = try await accounts.createUser(workspaceID: home, draft, passwordHash: "x")
                return made.id
            }
            let me = try await user("me", in: workspace.id)
            let mate = try await user("mate", in: workspace.id)
            let stranger = try await user("stranger", in: workspace.id)
            let outsider = try await user("outsider", in: elsewhere.id)
            let teams = TeamRepository(store: store)
            let t1 = try await teams.create(workspaceID: workspace.id, name: "T1", leadID: me, memberIDs: [me, mate])
            let t2 = try await teams.create(workspaceID: workspace.id, name: "T2", leadID: nil, memberIDs: [stranger])
            let repository = RecordRepository(store: store, schema: .contacts)
            var records: [Record] = []
            var index = 0
            for owner in [me, mate, stranger, nil] as [String?] {
                for team in [t1.id, t2.id, nil] as [String?] {
                    var record = Record.empty(.contacts, workspaceID: workspace.id, now: Timestamp.micros(Date()))
                    record.values["first_name"] = .string("Visible\(index)")
                    record.values["owner_id"] = owner.map(JSONValue.string) ?? .null
                    record.values["team_id"] = team.map(JSONValue.string) ?? .null
                    records.append(record)
                    index += 1
                }
            }
            var foreign = Record.empty(.contacts, workspaceID: elsewhere.id, now: Timestamp.micros(Date()))
            foreign.values["first_name"] = .string("Visible foreign")
            foreign.values["owner_id"] = .string(outsider)
            let rows = repository.newRows(
                records, actor: Actor(.system, id: nil), now: 1, importID: nil, referenceTitles: [:])
            let foreignRows = repository.newRows(
                [foreign], actor: Actor(.system, id: nil), now: 1, importID: nil, referenceTitles: [:])
            try await store.writeRows { session in
                try await repository.insert(rows, on: session)
                try await repository.insert(foreignRows, on: session)
            }
            let search = SearchRepository(store: store)
            for visibility in Visibility.allCases {
                for (viewer, viewerTeams, mates) in [
                    (me, Set([t1.id]), Set([me, mate])), (stranger, Set([t2.id]), Set([stranger])),
                ] {
                    // when the viewer reads with that visibility, their teams looked up by the store or named
                    for known in [false, true] {
                        let facts =
                            known
                            ? try await AccountRepository(store: store).teamFacts(
                                workspaceID: workspace.id, userID: viewer)
                            : nil
                        if let facts {
                            #expect(Set(facts.teams) == viewerTeams && Set(facts.teammates) == mates)
                        }
                        let scope = RecordScope(
                            workspaceID: workspace.id, visibility: visibility, userID: viewer, team: facts)
                        let expected = Set(
                            records.filter {
                                scope.includes(
                                    owner: $0.string("owner_id"), team: $0.string("team_id"), teams: viewerTeams,
                                    teammates: mates)
                            }.map(\.id))
                        // then every read path gives exactly those
                        let listed = try await repository.list(scope, query: ListQuery(), limit: 100, after: nil)
                        #expect(Set(listed.records.map(\.id)) == expected, "\(visibility) list for \(viewer)")
                        #expect(try await repository.count(scope, query: ListQuery()) == expected.count)
                        let found = try await repository.find(scope, ids: records.map(\.id) + [foreign.id])
                        #expect(Set(found.keys) == expected)
                        for record in records {
                            let read = try await repository.find(scope, id: record.id)
                            #expect((read != nil) == expected.contains(record.id))
                        }
                        let hits = try await search.search(
                            SearchRepository.Reach(workspaceID: workspace.id, scopes: ["contact": scope]),
                            query: "visible", limit: 100)
                        #expect(Set(hits.map(\.recordID)) == expected, "\(visibility) search for \(viewer)")
                        #expect(!hits.contains { $0.recordID == foreign.id })
                        let titles = try await repository.names(scope, ids: records.map(\.id))
                        #expect(Set(titles.keys) == expected)
                        // and a list narrowed to "my records" or "my team's" (the pages' quick filters) gives those of
                        // them that the narrower visibility would
                        for narrow in [Visibility.own, .team] {
                            var query = ListQuery()
                            query.scope = narrow
                            let narrower = RecordScope(workspaceID: workspace.id, visibility: narrow, userID: viewer)
                            let both = Set(
                                records.filter {
                                    expected.contains($0.id)
                                        && narrower.includes(
                                            owner: $0.string("owner_id"), team: $0.string("team_id"),
                                            teams: viewerTeams,
                                            teammates: mates)
                                }.map(\.id))
                            let narrowed = try await repository.list(scope, query: query, limit: 100, after: nil)
                            #expect(
                                Set(narrowed.records.map(\.id)) == both, "\(visibility) list as \(narrow) for \(viewer)"
                            )
                            #expect(try await repository.count(scope, query: query) == both.count)
                        }
                    }
                }
            }
            // a type the viewer may not read is never found
            let none = try await search.search(
                SearchRepository.Reach(workspaceID: workspace.id, scopes: [:]), query: "visible", limit: 100)
            #expect(none.isEmpty)
        }
    }
}
