import RapportCore
import Testing

@Suite("Import mapping")
struct ImportMappingTests {
    static let shoe = CustomFieldDefinition(
        id: "01a20cf5-ccfa-7316-8528-d0afda1306be", workspaceID: "w", object: "contacts", key: "shoe_size",
        label: "Shoe size", type: .number, options: [], createdAt: 0)

    @Test("headers as HubSpot, Salesforce, Google Contacts and Outlook write them map automatically")
    func headers() throws {
        let headers = [
            "Record ID", "First Name", "last_name", "E-mail Address", "E-mail 2 - Value", "Given Name", "Company Name",
            "Job Title", "Lifecycle Stage", "Country/Region", "Shoe size", "Favourite colour", "id",
        ]
        let (targets, ignored) = try ImportMapping.automatic(
            headers: headers, schema: .contacts, customFields: [Self.shoe])
        #expect(targets[1] == .field("first_name"))
        #expect(targets[2] == .field("last_name"))
        #expect(targets[3] == .field("email"))
        #expect(targets[4] == .field("additional_emails"))
        #expect(targets[5] == nil)  // a second first name column is ignored
        #expect(targets[6] == .referenceName("company_id"))
        #expect(targets[7] == .field("job_title"))
        #expect(targets[8] == .field("lifecycle_stage"))
        #expect(targets[9] == .field("country"))
        #expect(targets[10] == .custom("shoe_size"))
        #expect(targets[12] == .id)
        #expect(ignored == ["Record ID", "Given Name", "Favourite colour"])
    }

    @Test("--map chooses a field, a custom field or nothing; a wrong target is refused")
    func overrides() throws {
        let (targets, ignored) = try ImportMapping.automatic(
            headers: ["Record ID", "Email", "Nickname"], schema: .contacts, customFields: [Self.shoe],
            overrides: ["Record ID": "custom.shoe_size", "Email": "-", "Nickname": "first_name"])
        #expect(targets[0] == .custom("shoe_size"))
        #expect(targets[1] == nil)
        #expect(targets[2] == .field("first_name"))
        #expect(ignored == ["Email"])
        #expect(throws: RapportError.self) {
            try ImportMapping.automatic(headers: ["X"], schema: .contacts, customFields: [], overrides: ["X": "colour"])
        }
    }

    @Test(
        "values as exports write them",
        arguments: [
            ("Denmark", FieldKind.country, "country", JSONValue.string("DK")),
            ("dk", .country, "country", .string("dk")),
            ("United States", .country, "country", .string("US")),
            ("Marketing Qualified Lead", .choice(LifecycleStage.all), "lifecycle_stage", .string("mql")),
            ("vip; fair 2026", .tags, "tags", .array([.string("vip"), .string("fair 2026")])),
            (#"["a,b","c"]"#, .tags, "tags", .array([.string("a,b"), .string("c")])),
            ("'=SUM(A1)", .text(maxLength: 200), "last_name", .string("=SUM(A1)")),
            ("1,200", .count, "size", .number(1200)),
        ])
    func values(_ cell: String, _ kind: FieldKind, _ field: String, _ expected: JSONValue) {
        #expect(ImportMapping.value(cell, for: kind, field: field) == expected)
    }

    @Test("Google Contacts' standard columns map by default")
    func google() throws {
        let headers = [
            "First Name", "Last Name", "Notes", "Group Membership", "E-mail 1 - Label", "E-mail 1 - Value",
            "Phone 1 - Label", "Phone 1 - Type", "Phone 1 - Value", "Organization 1 - Name", "Organization 1 - Title",
            "Address 1 - City", "Address 1 - Country",
        ]
        let (targets, ignored) = try ImportMapping.automatic(headers: headers, schema: .contacts, customFields: [])
        #expect(targets[2] == .note)
        #expect(targets[3] == .field("tags"))
        #expect(targets[5] == .field("email"))
        #expect(targets[7] == .phoneType)
        #expect(targets[8] == .field("phones"))
        #expect(targets[9] == .referenceName("company_id"))
        #expect(targets[10] == .field("job_title"))
        #expect(targets[11] == .field("city"))
        #expect(targets[12] == .field("country"))
        #expect(ignored == ["E-mail 1 - Label", "Phone 1 - Label"])
    }

    @Test(
        "a country is read from its name in English, Persian, Ukrainian or Danish",
        arguments: [
            ("Denmark", "DK"), ("Danmark", "DK"), ("دانمارک", "DK"), ("Данія", "DK"), ("Ukraine", "UA"),
            ("Україна", "UA"), ("اوکراین", "UA"), ("Tyskland", "DE"), ("Німеччина", "DE"), ("آلمان", "DE"),
            ("ايران", "IR"), ("Iran", "IR"), ("Sverige", "SE"), ("Швеція", "SE"), ("سوئد", "SE"),
        ])
    func countryNames(_ name: String, _ code: String) {
        #expect(ImportMapping.value(name, for: .country, field: "country") == .string(code))
    }

    @Test(
        "Google's group membership becomes tags, its system group dropped; its phone types are read",
        arguments: [
            ("* myContacts ::: Friends", [JSONValue.string("Friends")]),
            (
                "Friends ::: * starred ::: * myContacts ::: Fair 2026",
                [.string("Friends"), .string("starred"), .string("Fair 2026")]
            ),
            ("* myContacts", []),
        ])
    func groups(_ cell: String, _ tags: [JSONValue]) {
        #expect(ImportMapping.value(cell, for: .tags, field: "tags") == .array(tags))
    }

    @Test("Google's phone cells and types")
    func phones() {
        #expect(
            ImportMapping.value("+45 11 22 33 44 ::: +45 55 66", for: .phones, field: "phones")
                == .array([
                    .object(["type": .string("other"), "number": .string("+45 11 22 33 44")]),
                    .object(["type": .string("other"), "number": .string("+45 55 66")]),
                ]))
        #expect(ImportMapping.phoneType("Mobile") == "mobile")
        #expect(ImportMapping.phoneType("Work Fax") == "work")
        #expect(ImportMapping.phoneType("Home") == "home")
        #expect(ImportMapping.phoneType("Pager") == "other")
    }

    @Test("a mapping chosen column by column: an unknown target or a field chosen twice is refused, naming the columns")
    func explicit() throws {
        let headers = ["Mail", "Navn", "Firma", "Noter", "Skostørrelse"]
        let (targets, ignored) = try ImportMapping.explicit(
            headers: headers,
            choices: [0: "email", 1: "first_name", 2: "company_name", 3: "note", 4: "custom.shoe_size"],
            schema: .contacts, customFields: [Self.shoe])
        #expect(
            targets == [
                0: .field("email"), 1: .field("first_name"), 2: .referenceName("company_id"), 3: .note,
                4: .custom("shoe_size"),
            ])
        #expect(ignored.isEmpty)
        let partly = try ImportMapping.explicit(
            headers: headers, choices: [0: "email", 1: "-"], schema: .contacts, customFields: [])
        #expect(partly.targets == [0: .field("email")])
        #expect(partly.ignored == ["Navn", "Firma", "Noter", "Skostørrelse"])
        do {
            _ = try ImportMapping.explicit(
                headers: headers, choices: [0: "email", 1: "colour"], schema: .contacts, customFields: [])
            Issue.record("an unknown target was accepted")
        } catch let error as RapportError {
            #expect(error.fields.map(\.message) == [#"Column "Navn": there is no field colour."#])
        }
        do {
            _ = try ImportMapping.explicit(
                headers: headers, choices: [0: "email", 1: "first_name", 3: "first_name"], schema: .contacts,
                customFields: [])
            Issue.record("a field chosen twice was accepted")
        } catch let error as RapportError {
            #expect(
                error.fields.map(\.message) == [
                    #"Columns "Navn" and "Noter" both go to first_name; choose it for one column only."#
                ])
        }
        // the company by name and by id fill the same field
        #expect(throws: RapportError.self) {
            try ImportMapping.explicit(
                headers: headers, choices: [1: "company_id", 2: "company_name"], schema: .contacts, customFields: [])
        }
    }
}
