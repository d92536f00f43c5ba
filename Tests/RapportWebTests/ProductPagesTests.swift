import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportCore
import RapportTestSupport
import Testing

@Suite("Product pages")
struct ProductPagesTests {
    @Test(
        "the products pages list, show and create a product, with its price as a person reads it",
        arguments: Backend.allCases)
    func pages(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                _ = try await client.execute(
                    uri: "/api/v1/products", method: .post, headers: .bearer(seeded.token),
                    body: ByteBuffer(
                        string:
                            #"{"name": "Espresso machine", "sku": "EM-100", "unit_price": 249900, "currency": "DKK"}"#))
                let (jar, _) = try await WebShellTests.signIn(client, email: "owner@acme.test")
                let list = try await jar.get(client, "/products")
                #expect(list.status == .ok)
                #expect(list.text.contains("Espresso machine"))
                #expect(list.text.contains("2,499.00 DKK"))
                // in Danish and in Persian, as each writes numbers
                for (email, language, price) in [
                    ("da@acme.test", Language.da, "2.499,00 DKK"), ("fa@acme.test", .fa, "۲٬۴۹۹٫۰۰ DKK"),
                ] {
                    _ = try await Fixtures.user(app, in: seeded, email: email, role: .member, language: language)
                    let (other, _) = try await WebShellTests.signIn(client, email: email)
                    #expect(try await other.get(client, "/products").text.contains(price), "\(language)")
                }
                #expect(list.text.contains("href=\"/products\""))
                let form = try await jar.get(client, "/products/new")
                let token = try #require(form.csrfToken)
                let created = try await jar.post(
                    client, "/products",
                    form: [
                        "name": "Grinder", "sku": "GR-1", "unit_price": "89900", "currency": "eur", "active": "true",
                        "csrf_token": token,
                    ])
                #expect(created.status == .seeOther)
                let location = try #require(created.headers[.location])
                let page = try await jar.get(client, location)
                #expect(page.text.contains("Grinder"))
                #expect(page.text.contains("899.00 EUR"))
                #expect(!page.text.contains("class=\"timeline\""))
                let bad = try await jar.post(
                    client, "/products", form: ["name": "Plate", "unit_price": "100", "csrf_token": token])
                #expect(bad.status == .unprocessableContent)
                #expect(bad.text.contains("A price needs a currency"))
            }
        }
    }

}
