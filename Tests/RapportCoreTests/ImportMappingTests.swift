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
}
