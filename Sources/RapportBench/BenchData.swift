package import Foundation
package import RapportCore
import RapportDatabase
import RapportHTTP
package import RapportServer
import RapportServices
import RapportStore

/// What a generated bench workspace holds, saved next to the database for the workers and the load
/// generator: ids to fetch, a busy contact, the query mix.
package struct BenchInfo: Codable, Sendable {
    package var workspaceID: String
    package var ownerID: String
    package var token: String
    package var contacts: Int
    package var events: Int
    package var seed: UInt64
    /// Contacts to fetch by id (up to 1,000, spread over the workspace).
    package var contactIDs: [String]
    /// The contact with 10,000 timeline events (or as many as there are).
    package var busyContactID: String
    /// Typed prefixes of three or more letters, full names and addresses, in four scripts.
    package var queries: [String]
    /// Tokens of two of the ten reps who own the records in equal shares: one whose role sees only their
    /// own records, one whose role sees their team's (two reps a team). Nil in files of older versions.
    package var ownToken: String?
    package var teamToken: String?

    package static func load(from url: URL) throws -> BenchInfo {
        try JSONDecoder().decode(BenchInfo.self, from: Data(contentsOf: url))
    }

    package func save(to url: URL) throws {
        try JSONEncoder().encode(self).write(to: url)
    }
}

/// The deterministic synthetic workspace `rapport bench` measures: companies and contacts with names
/// in English, Persian, Ukrainian and Danish, tags, custom fields, and Zipf-like activity per contact
/// (most people have a few events, a few have many; one has 10,000). Written with row statements (`Store.writeRows`).
package enum BenchData {
    static let busyEvents = 10_000

    /// The contact number `index` of the generated set: the same for a seed wherever it is made.
    package static func contact(_ index: Int, seed: UInt64, companies: Int) -> [String: JSONValue] {
        var random = SeededGenerator(seed: seed &+ UInt64(index) &* 0x9E37_79B9)
        let culture = DemoData.cultures[index % DemoData.cultures.count]
        let first = culture.firstNames.randomElement(using: &random)!
        let last = culture.lastNames.randomElement(using: &random)!
        var tags: [JSONValue] = []
        if Int.random(in: 0..<10, using: &random) == 0 { tags.append(.string("vip")) }
        if Int.random(in: 0..<6, using: &random) == 0 { tags.append(.string("newsletter")) }
        let stages = LifecycleStage.all
        return [
            "first_name": .string(first), "last_name": .string(last),
            "email": .string("person\(index + 1)@company\(index % max(1, companies) + 1).example"),
            // (every bench contact may get marketing mail: the delivery workload sends to them)
            "email_consent": .string("subscribed"),
            "job_title": .string(DemoData.titles.randomElement(using: &random)!),
            "lifecycle_stage": .string(stages[Int.random(in: 0..<stages.count, using: &random)]),
            "source": .string(DemoData.sources.randomElement(using: &random)!), "tags": .array(tags),
            "country": .string(culture.country), "city": .string(culture.cities.randomElement(using: &random)!),
            "phones": .array([.object(["type": .string("work"), "number": .string("+45 \(30_000_000 + index)")])]),
            "custom": .object([
                "plan": .string(["free", "team", "enterprise"].randomElement(using: &random)!),
                "seats": .number(Double(Int.random(in: 1...500, using: &random))),
            ]),
        ]
    }

    /// Fills a new workspace named `Bench` and returns what the workloads need.
    package static func populate(_ runtime: Runtime, contacts: Int, events: Int, seed: UInt64) async throws
        -> BenchInfo
    {
        let services = runtime.services
        let password = RecordID.make()
        let (workspace, owner) = try await AccountService(services).createWorkspace(
            name: "Bench", owner: UserDraft(email: "bench@rapport.local", name: "Bench", role: nil, password: password))
        let token = try await services.tokens.create(workspaceID: workspace.id, userID: owner.id, name: "bench")
        let now = Timestamp.micros(Date())
        let definitions = [
            CustomFieldDefinition(
                id: RecordID.make(), workspaceID: workspace.id, object: "contacts", key: "plan", label: "Plan",
                type: .select, options: ["free", "team", "enterprise"], createdAt: now),
            CustomFieldDefinition(
                id: RecordID.make(), workspaceID: workspace.id, object: "contacts", key: "seats", label: "Seats",
                type: .number, options: [], createdAt: now),
        ]
        for definition in definitions { try await CustomFieldRepository(store: runtime.store).create(definition) }
        let actor = Actor(.system, id: nil)
        // Ten reps own the records in equal shares, two to a team; one holds a role that sees only their
        // own records, another one that sees their team's (the visibility workload).
        var reps: [String] = []
        for index in 0..<10 {
            let rep = try UserDraft(
                email: "rep\(index + 1)@rapport.local", name: "Rep \(index + 1)", role: "member", password: password
            ).validate()
            reps.append(
                try await services.accounts.createUser(workspaceID: workspace.id, rep, passwordHash: "bench").id)
        }
        var teams: [String] = []
        for index in 0..<5 {
            teams.append(
                try await TeamRepository(store: runtime.store).create(
                    workspaceID: workspace.id, name: "Team \(index + 1)", leadID: reps[2 * index],
                    memberIDs: [reps[2 * index], reps[2 * index + 1]]
                ).id)
        }
        var roleTokens: [String] = []
        for (offset, visibility) in ["own", "team"].enumerated() {
            let rules = try JSONText.decode(
                #"{"contacts": {"actions": ["read", "create", "edit", "export"], "visibility": "\#(visibility)"}, "companies": {"actions": ["read"], "visibility": "\#(visibility)"}}"#
            )
            let role = try await RoleRepository(store: runtime.store).create(
                workspaceID: workspace.id, name: "Reps (\(visibility))",
                permissions: try Permissions.parse(rules, customFields: [:]))
            _ = try await services.accounts.updateStatus(
                workspaceID: workspace.id, id: reps[offset], role: (.member, role.id), deactivatedAt: nil)
            roleTokens.append(
                try await services.tokens.create(workspaceID: workspace.id, userID: reps[offset], name: "bench").secret)
        }
        func own(_ record: inout Record, _ index: Int) {
            record.values["owner_id"] = .string(reps[index % reps.count])
            record.values["team_id"] = .string(teams[(index % reps.count) / 2])
        }
        // Companies: one per twenty contacts.
        let companyCount = max(1, contacts / 20)
        let companyService = RecordService(services, schema: .companies)
        var companyIDs: [String] = []
        var companyNames: [String: String] = [:]
        for start in stride(from: 0, to: companyCount, by: 5000) {
            var batch: [Record] = []
            for index in start..<min(companyCount, start + 5000) {
                let culture = DemoData.cultures[index % DemoData.cultures.count]
                var company = Record.empty(.companies, workspaceID: workspace.id, now: now)
                let name =
                    "\(culture.companyWords[index % culture.companyWords.count]) \(culture.companySuffix) \(index + 1)"
                company.values["name"] = JSONValue.string(name)
                company.values["domain"] = JSONValue.string("company\(index + 1).example")
                company.values["country"] = JSONValue.string(culture.country)
                own(&company, index)
                batch.append(company)
                companyIDs.append(company.id)
                companyNames[company.id] = name
            }
            let rows = companyService.repository.newRows(
                batch, actor: actor, now: now, importID: nil, referenceTitles: [:])
            try await runtime.store.writeRows { session in
                try await companyService.repository.insert(rows, on: session)
            }
        }
        // Contacts, in batches of 5,000, each through the same checks as any write.
        let contactService = RecordService(services, schema: .contacts)
        var contactIDs: [String] = []
        var sample: [String] = []
        var queries = Set<String>()
        for start in stride(from: 0, to: contacts, by: 5000) {
            var batch: [Record] = []
            for index in start..<min(contacts, start + 5000) {
                var fields = contact(index, seed: seed, companies: companyCount)
                fields["company_id"] = .string(companyIDs[index % companyCount])
                var record = Record.empty(.contacts, workspaceID: workspace.id, now: now + Int64(index))
                _ = try RecordPatch.apply(fields, to: &record, schema: .contacts, customFields: definitions)
                own(&record, index)
                batch.append(record)
                contactIDs.append(record.id)
                if index % max(1, contacts / 1000) == 0 { sample.append(record.id) }
                if index % max(1, contacts / 50) == 0, let first = record.string("first_name"),
                    let last = record.string("last_name"), let email = record.string("email")
                {
                    queries.formUnion([String(first.prefix(3)), String(last.prefix(4)), "\(first) \(last)", email])
                }
            }
            let rows = contactService.repository.newRows(
                batch, actor: actor, now: now, importID: nil, referenceTitles: companyNames)
            try await runtime.store.writeRows { session in
                try await contactService.repository.insert(rows, on: session)
            }
        }
        // Activity: the first contact is busy; the others' share falls off like a power law.
        let types = TimelineEvent.activityTypes
        var random = SeededGenerator(seed: seed ^ 0xE7E7)
        let bodies = DemoData.notes.map { DBValue.text(JSONText.encode(.object(["body": .string($0)]))) }
        let typeValues = types.map(DBValue.text)
        let (workspaceValue, actorType, actorID) = (
            DBValue.text(workspace.id), DBValue.text("user"), DBValue.text(owner.id)
        )
        let contactValues = contactIDs.map(DBValue.text)
        var written = 0
        while written < events, !contactIDs.isEmpty {
            var rows: [[DBValue]] = []
            let count = min(100_000, events - written)
            rows.reserveCapacity(count)
            for offset in 0..<count {
                let position = written + offset
                let contactIndex =
                    position < busyEvents
                    ? 0
                    : min(
                        contactIDs.count - 1,
                        Int(Double(contactIDs.count) * pow(Double.random(in: 0..<1, using: &random), 3)))
                rows.append([
                    workspaceValue, .text(RecordID.make()), typeValues[position % typeValues.count],
                    .int(now - Int64.random(in: 0...(365 * 86_400), using: &random) * 1_000_000), actorType, actorID,
                    contactValues[contactIndex], .null, .null, bodies[position % bodies.count],
                ])
            }
            written += rows.count
            // In contact order, so that the timeline index is written a page at a time.
            let batch = rows.sorted { ($0[6].text ?? "") < ($1[6].text ?? "") }
            try await BenchReferences(store: runtime.store).insertEvents(batch)
        }
        // Fresh tables have no statistics until autovacuum gets to them; plans should not depend on when.
        try await BenchReferences(store: runtime.store).analyze()
        return BenchInfo(
            workspaceID: workspace.id, ownerID: owner.id, token: token.secret, contacts: contacts, events: events,
            seed: seed, contactIDs: sample, busyContactID: contactIDs.first ?? "",
            queries: queries.filter { $0.count >= 3 }.sorted(), ownToken: roleTokens[0], teamToken: roleTokens[1])
    }
}
