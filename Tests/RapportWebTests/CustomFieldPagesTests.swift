import Foundation
import HTTPTypes
import HummingbirdTesting
import RapportCore
import RapportServices
import RapportTestSupport
import Testing

@Suite("Custom field settings")
struct CustomFieldPagesTests {
    @Test(
        "a custom field's key comes from its label; its label and options can be changed and its place moved",
        arguments: Backend.allCases)
    func editAndMove(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                var page = try await jar.get(client, "/settings/custom-fields")
                for (label, type, options) in [
                    ("Contract tier", "select", "Gold, Silver"), ("Renewal date", "date", ""),
                ] {
                    let added = try await jar.post(
                        client, "/settings/custom-fields",
                        form: [
                            "object": "contacts", "label": label, "key": "", "type": type, "options": options,
                            "csrf_token": page.csrfToken ?? "",
                        ])
                    #expect(added.status == .seeOther)
                }
                let fields = CustomFieldService(app.services)
                let principal = Principal(user: seeded.owner, workspace: seeded.workspace)
                var all = try await fields.list(principal, object: "contacts")
                #expect(all.map(\.key) == ["contract_tier", "renewal_date"])
                page = try await jar.get(client, "/settings/custom-fields")
                #expect(page.text.contains("Custom field added."))
                // when its label and options are changed
                let tier = all[0]
                let form = try await jar.get(client, "/settings/custom-fields/\(tier.id)")
                #expect(form.text.contains(#"value="Gold, Silver""#))
                let bad = try await jar.post(
                    client, "/settings/custom-fields/\(tier.id)",
                    form: ["label": "", "options": "Gold", "csrf_token": form.csrfToken ?? ""])
                #expect(bad.status == .unprocessableContent)
                let saved = try await jar.post(
                    client, "/settings/custom-fields/\(tier.id)",
                    form: ["label": "Tier", "options": "Gold, Silver, Bronze", "csrf_token": form.csrfToken ?? ""])
                #expect(saved.status == .seeOther)
                all = try await fields.list(principal, object: "contacts")
                #expect(all[0].label == "Tier")
                #expect(all[0].options == ["Gold", "Silver", "Bronze"])
                #expect(all[0].key == "contract_tier")
                // and the second is moved up, the contact form follows the new order
                let moved = try await jar.post(
                    client, "/settings/custom-fields/\(all[1].id)/move",
                    form: ["direction": "up", "csrf_token": form.csrfToken ?? ""])
                #expect(moved.status == .seeOther)
                #expect(
                    try await fields.list(principal, object: "contacts").map(\.key) == [
                        "renewal_date", "contract_tier",
                    ])
                let contactForm = try await jar.get(client, "/contacts/new").text
                let renewal = try #require(contactForm.range(of: "custom.renewal_date"))
                let tierField = try #require(contactForm.range(of: "custom.contract_tier"))
                #expect(renewal.lowerBound < tierField.lowerBound)
            }
        }
    }
}
