import RapportCore
import Testing

@Suite("Permissions")
struct PermissionsTests {
    static let member = Viewer(workspaceID: "w", userID: "me", permissions: .builtIn(.member))

    /// (role, object, action, the records it reaches; nil for refused)
    static let builtIns: [(Role, String, RecordAction, Visibility?)] = [
        (.owner, "contacts", .read, .all), (.owner, "contacts", .delete, .all), (.owner, "companies", .merge, .all),
        (.admin, "contacts", .edit, .all), (.admin, "products", .import, .all),
        (.member, "contacts", .read, .all), (.member, "contacts", .export, .all),
        (.member, "contacts", .create, .all), (.member, "contacts", .edit, .own), (.member, "contacts", .delete, .own),
        (.member, "companies", .merge, .own), (.member, "contacts", .import, .own),
        // products have no owner: a member's "own" is every product
        (.member, "products", .edit, .all),
    ]

    @Test("built-in roles: owners and admins reach everything, members read all and change their own", arguments: builtIns)
    func builtIn(_ role: Role, _ object: String, _ action: RecordAction, _ expected: Visibility?) throws {
        let viewer = Viewer(workspaceID: "w", userID: "u", permissions: .builtIn(role))
        let type = try #require(ObjectCatalog.named(object))
        #expect(viewer.scopeIfAllowed(action, on: type)?.visibility == expected)
    }

    /// (owner, team, the viewer's teams, teammates, visibility, visible)
    static let scopes: [(String?, String?, Set<String>, Set<String>, Visibility, Bool)] = [
        ("me", nil, [], ["me"], .own, true),
        ("other", nil, [], ["me"], .own, false),
        (nil, "t1", ["t1"], ["me"], .own, false),
        (nil, nil, [], ["me"], .own, false),
        ("mate", nil, ["t1"], ["me", "mate"], .team, true),
        ("stranger", nil, ["t1"], ["me", "mate"], .team, false),
        ("stranger", "t1", ["t1"], ["me", "mate"], .team, true),
        ("stranger", "t2", ["t1"], ["me", "mate"], .team, false),
        (nil, "t1", ["t1"], ["me"], .team, true),
        (nil, nil, ["t1"], ["me"], .team, false),
        ("me", nil, [], ["me"], .team, true),
        ("anyone", "t9", [], [], .all, true),
        (nil, nil, [], [], .all, true),
    ]

    @Test("a scope reaches a record by its owner and team", arguments: scopes)
    func includes(
        _ owner: String?, _ team: String?, _ teams: Set<String>, _ mates: Set<String>, _ visibility: Visibility,
        _ expected: Bool
    ) {
        let scope = RecordScope(workspaceID: "w", visibility: visibility, userID: "me")
        #expect(scope.includes(owner: owner, team: team, teams: teams, teammates: mates) == expected)
    }

    @Test("the system reaches every record, whatever its role would say")
    func system() {
        let scope = Viewer.system("w").scopeIfAllowed(.delete, on: .contacts)
        #expect(scope?.isAll == true)
        #expect(scope?.userID == nil)
    }

    @Test("a custom role allows what it names, and nothing on objects it leaves out")
    func customRole() throws {
        let permissions = try Permissions.parse(
            .object([
                "contacts": .object([
                    "actions": .array([.string("read"), .string("edit"), .string("export")]),
                    "visibility": .string("team"), "edit_visibility": .string("own"),
                    "fields": .object(["email": .string("hidden"), "custom.budget": .string("read_only")]),
                ])
            ]), customFields: ["contacts": ["budget"]])
        let viewer = Viewer(workspaceID: "w", userID: "me", permissions: permissions)
        #expect(viewer.scopeIfAllowed(.read, on: .contacts)?.visibility == .team)
        #expect(viewer.scopeIfAllowed(.edit, on: .contacts)?.visibility == .own)
        #expect(viewer.scopeIfAllowed(.delete, on: .contacts) == nil)
        #expect(viewer.scopeIfAllowed(.read, on: .companies) == nil)
        #expect(viewer.hiddenFields(.contacts) == ["email"])
        #expect(throws: RapportError.self) { try viewer.requireWritable(["first_name", "custom.budget"], on: .contacts) }
        #expect(throws: RapportError.self) { try viewer.requireWritable(["email"], on: .contacts) }
        try viewer.requireWritable(["first_name", "custom.other"], on: .contacts)
        // the stored form reads back the same
        let stored = Permissions.stored(JSONText.encode(permissions.json))
        #expect(stored.on(.contacts) == permissions.on(.contacts))
        #expect(stored.on(.companies).actions.isEmpty)
    }

    /// (rules, the member a refusal names)
    static let refusals: [(JSONValue, String)] = [
        (.object(["invoices": .object(["actions": .array([.string("read")])])]), "permissions.invoices"),
        (.object(["contacts": .object(["actions": .array([.string("fly")])])]), "permissions.contacts.actions"),
        (.object(["contacts": .object(["actions": .array([.string("edit")])])]), "permissions.contacts.actions"),
        (
            .object(["contacts": .object(["actions": .array([.string("read")]), "visibility": .string("mine")])]),
            "permissions.contacts.visibility"
        ),
        (
            .object([
                "contacts": .object([
                    "actions": .array([.string("read")]), "visibility": .string("own"),
                    "edit_visibility": .string("all"),
                ])
            ]), "permissions.contacts.edit_visibility"
        ),
        (
            .object([
                "contacts": .object([
                    "actions": .array([.string("read")]), "fields": .object(["shoe_size": .string("hidden")]),
                ])
            ]), "permissions.contacts.fields.shoe_size"
        ),
        (
            .object([
                "contacts": .object([
                    "actions": .array([.string("read")]), "fields": .object(["email": .string("secret")]),
                ])
            ]), "permissions.contacts.fields.email"
        ),
        (
            .object(["products": .object(["actions": .array([.string("read")]), "visibility": .string("own")])]),
            "permissions.products.visibility"
        ),
        (.object(["contacts": .object(["actions": .array([])])]), "permissions"),
        (.object([:]), "permissions"),
        (.array([]), "permissions"),
    ]

    @Test("rules that name nothing real, or grant nothing, are refused naming the member", arguments: refusals)
    func refused(_ rules: JSONValue, _ field: String) {
        do {
            _ = try Permissions.parse(rules, customFields: [:])
            Issue.record("accepted \(rules)")
        } catch let error as RapportError {
            #expect(error.code == .invalid)
            #expect(error.fields.map(\.field).contains(field), "\(error.fields)")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test("a member's refusal says what their role does not allow; a record not theirs says whose they change")
    func messages() {
        #expect(Viewer.refusal(.export, on: .contacts).detail == "Your role does not allow exporting contacts.")
        #expect(Viewer.refusal(.export, on: .contacts).code == .forbidden)
        #expect(Viewer.notYours(.contacts, .own).detail == "Your role changes only the contacts you own.")
    }

    @Test("a team needs a name and a lead among its members")
    func teams() throws {
        #expect(try Team.validName("  Sales Nord ") == "Sales Nord")
        #expect(throws: RapportError.self) { try Team.validName("   ") }
        try Team.checkLead("a", members: ["a", "b"])
        try Team.checkLead(nil, members: [])
        #expect(throws: RapportError.self) { try Team.checkLead("c", members: ["a", "b"]) }
        #expect(throws: RapportError.self) { try CustomRole.validName("Admin") }
    }
}
