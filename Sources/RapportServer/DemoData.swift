import Foundation
import RapportCore
import RapportHTTP
import RapportServices
import RapportStore

/// Demo contacts and companies: English, Persian, Ukrainian and Danish names, plausible timelines,
/// the same every time (a seeded generator).
package enum DemoData {
    /// Names and places of one of the four languages the demo (and the benchmark) writes in.
    package struct Culture: Sendable {
        package let firstNames: [String]
        package let lastNames: [String]
        package let country: String
        package let cities: [String]
        package let timeZone: String
        package let language: String
        package let companyWords: [String]
        package let companySuffix: String
    }

    package static let cultures = [
        Culture(
            firstNames: [
                "Emma", "Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Sophie", "Thomas", "Grace",
                "James",
            ],
            lastNames: [
                "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Evans", "Walker",
                "Wright", "Hughes",
            ],
            country: "GB", cities: ["London", "Manchester", "Leeds", "Bristol", "Edinburgh"], timeZone: "Europe/London",
            language: "en",
            companyWords: [
                "Northwind", "Bluebell", "Harbour", "Summit", "Kestrel", "Oakridge", "Brightway", "Redstone",
            ],
            companySuffix: "Ltd"),
        Culture(
            firstNames: [
                "مریم", "علی", "زهرا", "محمد", "فاطمه", "رضا", "سارا", "حسین", "نرگس", "امیر", "لیلا", "مهدی",
            ],
            lastNames: [
                "رضایی", "محمدی", "حسینی", "احمدی", "کریمی", "موسوی", "جعفری", "صادقی", "رحیمی", "نوری", "کاظمی",
                "یزدانی",
            ],
            country: "IR", cities: ["تهران", "اصفهان", "شیراز", "تبریز", "مشهد"], timeZone: "Asia/Tehran",
            language: "fa",
            companyWords: ["پارس", "آریا", "سپهر", "نوین", "البرز", "ایده‌پرداز", "رایان", "کاوش"], companySuffix: "گروه"
        ),
        Culture(
            firstNames: [
                "Оксана", "Тарас", "Олена", "Андрій", "Ірина", "Дмитро", "Наталія", "Богдан", "Юлія", "Максим", "Софія",
                "Олег",
            ],
            lastNames: [
                "Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Кравченко", "Мельник", "Бойко", "Олійник",
                "Лисенко", "Петренко", "Савченко", "Руденко",
            ],
            country: "UA", cities: ["Київ", "Львів", "Харків", "Одеса", "Дніпро"], timeZone: "Europe/Kyiv",
            language: "uk",
            companyWords: ["Дніпро", "Карпати", "Світанок", "Полісся", "Зоря", "Верес", "Степ", "Сокіл"],
            companySuffix: "ТОВ"),
        Culture(
            firstNames: [
                "Søren", "Mette", "Lars", "Anne", "Jens", "Kirsten", "Mikkel", "Ida", "Rasmus", "Freja", "Niels",
                "Astrid",
            ],
            lastNames: [
                "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen",
                "Jørgensen", "Madsen", "Kristensen",
            ],
            country: "DK", cities: ["København", "Aarhus", "Odense", "Aalborg", "Esbjerg"],
            timeZone: "Europe/Copenhagen", language: "da",
            companyWords: ["Nordlys", "Havblik", "Skovly", "Fyrtårn", "Bølge", "Kløver", "Østerlund", "Vestkyst"],
            companySuffix: "ApS"),
    ]

    package static let industries = [
        "Software", "Retail", "Manufacturing", "Logistics", "Healthcare", "Finance", "Education", "Energy",
    ]
    package static let titles = [
        "CEO", "CTO", "Head of Sales", "Marketing Manager", "Buyer", "Engineer", "Office Manager", "VP Operations",
    ]
    package static let sources = ["Website", "Referral", "Trade fair", "LinkedIn", "Cold call", "Webinar"]
    package static let notes = [
        "Asked for a quote for 25 seats.", "Interested in the spring campaign.", "Follow up after the holidays.",
        "Prefers email over phone.", "Met at the Copenhagen trade fair.", "Wants a demo for the whole team.",
        "Budget approved for next quarter.", "Compared us with two competitors.",
    ]

    /// Fills a workspace with `companies` companies and `contacts` contacts, each with a short timeline.
    static func fill(_ runtime: Runtime, workspaceID: String, owner: String, companies: Int = 300, contacts: Int = 2000)
        async throws
    {
        var random = SeededGenerator(seed: 2026)
        let companyService = RecordService(runtime.services, schema: .companies)
        let contactService = RecordService(runtime.services, schema: .contacts)
        let timeline = TimelineRepository(store: runtime.store)
        let actor = Actor(.system, id: nil)
        var companyIDs: [(id: String, domain: String, culture: Int)] = []
        for index in 0..<companies {
            let cultureIndex = index % cultures.count
            let culture = cultures[cultureIndex]
            let word = culture.companyWords[index % culture.companyWords.count]
            let name =
                cultureIndex == 1 || cultureIndex == 2
                ? "\(culture.companySuffix) \(word) \(index + 1)" : "\(word) \(culture.companySuffix) \(index + 1)"
            let domain = "company\(index + 1).example"
            let company = try await companyService.create(
                Viewer.system(workspaceID),
                fields: [
                    "name": .string(name), "domain": .string(domain),
                    "industry": .string(industries.randomElement(using: &random)!),
                    "size": .number(Double(Int.random(in: 2...2000, using: &random))),
                    "country": .string(culture.country), "city": .string(culture.cities.randomElement(using: &random)!),
                    "tags": .array(index % 7 == 0 ? [.string("key account")] : []),
                ],
                actor: actor)
            companyIDs.append((company.id, domain, cultureIndex))
        }
        let stages = LifecycleStage.all
        var firstContacts: [Record] = []
        for index in 0..<contacts {
            let company = companyIDs[index % max(companyIDs.count, 1)]
            let culture = cultures[company.culture]
            let first = culture.firstNames.randomElement(using: &random)!
            let last = culture.lastNames.randomElement(using: &random)!
            var tags: [JSONValue] = []
            if Int.random(in: 0..<10, using: &random) == 0 { tags.append(.string("vip")) }
            if Int.random(in: 0..<6, using: &random) == 0 { tags.append(.string("newsletter")) }
            let contact = try await contactService.create(
                Viewer.system(workspaceID),
                fields: [
                    "first_name": .string(first), "last_name": .string(last),
                    "email": .string("person\(index + 1)@\(company.domain)"),
                    "job_title": .string(titles.randomElement(using: &random)!),
                    "lifecycle_stage": .string(stages[min(Int.random(in: 0..<12, using: &random), stages.count - 1)]),
                    "source": .string(sources.randomElement(using: &random)!), "tags": .array(tags),
                    "country": .string(culture.country), "city": .string(culture.cities.randomElement(using: &random)!),
                    "time_zone": .string(culture.timeZone), "language": .string(culture.language),
                    "owner_id": .string(owner),
                    "phones": .array([
                        .object(["type": .string("work"), "number": .string("+45 \(30_000_000 + index)")])
                    ]),
                ],
                actor: actor)
            if index < 4 { firstContacts.append(contact) }
            // Zipf-like activity: most people have one or two entries, a few have many.
            let count = min(40, Int(3.0 / Double.random(in: 0.08...1, using: &random)))
            var events: [TimelineEvent] = []
            let now = Timestamp.micros(Date())
            for _ in 0..<count {
                let type = TimelineEvent.activityTypes.randomElement(using: &random)!
                var data: [String: JSONValue] = ["body": .string(notes.randomElement(using: &random)!)]
                if type == "call" || type == "meeting" {
                    data["duration_minutes"] = .number(Double(Int.random(in: 5...60, using: &random)))
                }
                events.append(
                    TimelineEvent(
                        workspaceID: workspaceID, type: type,
                        occurredAt: now - Int64.random(in: 0...(180 * 86_400), using: &random) * 1_000_000,
                        actor: Actor(.user, id: owner), contactID: contact.id, companyID: nil, data: data))
            }
            let batch = events
            try await runtime.store.transaction { database in try await timeline.append(batch, on: database) }
        }
        try await addDuplicates(
            runtime, workspaceID: workspaceID, contacts: firstContacts, companies: companyIDs.prefix(2).map(\.id))
        try await addDeals(runtime, workspaceID: workspaceID, owner: owner, companies: companyIDs.map(\.id))
    }

    /// Deals across the first pipeline's stages, in Danish kroner, closing over the coming months, for a
    /// board, a funnel and a forecast with something in them.
    static func addDeals(_ runtime: Runtime, workspaceID: String, owner: String, companies: [String]) async throws {
        guard let pipeline = try await PipelineService(runtime.services).all(.system(workspaceID)).first else { return }
        let deals = RecordService(runtime.services, schema: .deals)
        let contacts = RecordService(runtime.services, schema: .contacts)
        var random = SeededGenerator(seed: 17)
        let actor = Actor(.user, id: owner)
        let names = ["Rollout", "Renewal", "Pilot", "Expansion", "Upgrade", "Support plan", "Training", "Licences"]
        let today = Date()
        for index in 0..<min(40, companies.count) {
            let company = companies[index]
            let people = try await contacts.list(
                .system(workspaceID),
                query: {
                    var query = ListQuery()
                    query.filters = [
                        .init(
                            target: .standard(name: "company_id", kind: .reference("companies")), op: .equals,
                            value: .string(company))
                    ]
                    return query
                }(), limit: 2, after: nil
            ).records
            let close = Calendar(identifier: .gregorian).date(
                byAdding: .day, value: Int.random(in: -20...150, using: &random), to: today)!
            let created = try await deals.create(
                .system(workspaceID),
                fields: [
                    "name": .string("\(names[index % names.count]) \(index + 1)"),
                    "amount": .number(Double(Int.random(in: 20...900, using: &random) * 10_000)),
                    "currency": .string("DKK"), "company_id": .string(company), "owner_id": .string(owner),
                    "contact_ids": .array(people.map { .string($0.id) }),
                    "expected_close_date": .string(String(Timestamp.rfc3339(Timestamp.micros(close)).prefix(10))),
                    "source": .string(["web", "referral", "event", "outbound"][index % 4]),
                ], actor: actor)
            // spread over the stages: most open, some won, a few lost
            let step = Int.random(in: 0..<pipeline.stages.count + 2, using: &random) % pipeline.stages.count
            for stage in pipeline.stages.prefix(step + 1).dropFirst()
            where stage.kind == .open || stage == pipeline.stages[step] {
                var patch: [String: JSONValue] = ["stage_id": .string(stage.id)]
                if stage.kind == .lost {
                    patch["lost_reason"] = .string(["Price", "Timing", "Chose a competitor"][index % 3])
                }
                _ = try await deals.update(
                    .system(workspaceID), id: created.id, patch: patch, expectedVersion: nil, actor: actor)
            }
        }
    }

    /// A few records entered twice, written differently, so that suggested duplicates have something to show:
    /// the same person with a `+tag` address, again without an address, again by phone only, and two companies
    /// again (by domain with `www.`, by name with a legal form).
    static func addDuplicates(_ runtime: Runtime, workspaceID: String, contacts: [Record], companies: [String])
        async throws
    {
        let contactService = RecordService(runtime.services, schema: .contacts)
        let companyService = RecordService(runtime.services, schema: .companies)
        let actor = Actor(.system, id: nil)
        for (index, contact) in contacts.enumerated() {
            var fields: [String: JSONValue] = ["company_id": contact["company_id"]]
            let first = contact.string("first_name") ?? ""
            let last = contact.string("last_name") ?? ""
            switch index {
            case 0:
                fields["first_name"] = .string(first.uppercased())
                fields["last_name"] = .string(last)
                fields["email"] = .string((contact.string("email") ?? "").replacingOccurrences(of: "@", with: "+news@"))
            case 1:
                fields["first_name"] = .string(last)
                fields["last_name"] = .string(first)
            default:
                fields["first_name"] = .string(first)
                if case .array(let phones) = contact["phones"], case .object(let phone)? = phones.first,
                    case .string(let text)? = phone["number"]
                {
                    let local = String(text.filter(\.isNumber).suffix(8))
                    fields["phones"] = .array([
                        .object(["type": .string("mobile"), "number": .string("\(local.prefix(4)) \(local.suffix(4))")])
                    ])
                }
            }
            _ = try await contactService.create(Viewer.system(workspaceID), fields: fields, actor: actor)
        }
        let found = try await companyService.repository.find(.all(workspaceID), ids: companies)
        for (index, id) in companies.enumerated() {
            guard let company = found[id], let name = company.string("name") else { continue }
            var fields: [String: JSONValue] = ["country": company["country"]]
            if index == 0 {
                fields["name"] = .string(name.uppercased())
                fields["domain"] = .string("www.\(company.string("domain") ?? "")")
            } else {
                fields["name"] = .string("\(name) Ltd")
            }
            _ = try await companyService.create(Viewer.system(workspaceID), fields: fields, actor: actor)
        }
    }
}
