import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportCore
import RapportTestSupport
import Testing

/// Products exist only as a description in the object catalogue (and a migration): everything below
/// comes from the generic code every object shares.
@Suite("Products through the object catalogue")
struct ProductsAPITests {
    @Test(
        "a product is created, read, listed, changed and deleted with the list conventions", arguments: Backend.allCases
    )
    func lifecycle(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                // given a product with a price in Danish kroner
                let created = try await client.json(
                    .post, "/api/v1/products", seeded.token,
                    #"{"name": "Espresso machine", "sku": "EM-100", "category": "Kitchen", "unit_price": 249900, "currency": "dkk"}"#
                )
                #expect(created.status == .created, "\(created.text)")
                let id = try #require(created.json["id"] as? String)
                #expect(created.headers[.location] == "/api/v1/products/\(id)")
                #expect(created.json["currency"] as? String == "DKK")
                #expect(created.json["unit_price"] as? Int == 249_900)
                #expect(created.json["active"] as? Bool == true)
                #expect(created.json["custom"] as? [String: Any] != nil)
                // when others are added, the list sorts and filters them
                for (name, sku, price, active) in [
                    ("Grinder", "GR-1", 89900, true), ("Old kettle", "KT-0", 19900, false),
                ] {
                    let response = try await client.json(
                        .post, "/api/v1/products", seeded.token,
                        #"{"name": "\#(name)", "sku": "\#(sku)", "unit_price": \#(price), "currency": "DKK", "active": \#(active)}"#
                    )
                    #expect(response.status == .created, "\(response.text)")
                }
                let byPrice = try await client.json(.get, "/api/v1/products?sort=-unit_price", seeded.token)
                let names = (byPrice.json["data"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                #expect(names == ["Espresso machine", "Grinder", "Old kettle"])
                let inactive = try await client.json(.get, "/api/v1/products?active=false", seeded.token)
                #expect((inactive.json["data"] as? [[String: Any]])?.compactMap { $0["sku"] as? String } == ["KT-0"])
                let cheap = try await client.json(.get, "/api/v1/products?unit_price%5Blte%5D=90000", seeded.token)
                #expect((cheap.json["data"] as? [[String: Any]])?.count == 2)
                let unknown = try await client.json(.get, "/api/v1/products?colour=red", seeded.token)
                #expect(unknown.status == .unprocessableContent)
                // then a patch changes it, with If-Match
                let read = try await client.json(.get, "/api/v1/products/\(id)", seeded.token)
                let etag = try #require(read.headers[.eTag])
                let patched = try await client.json(
                    .patch, "/api/v1/products/\(id)", seeded.token, #"{"active": false, "category": null}"#,
                    headers: [.ifMatch: etag])
                #expect(patched.status == .ok, "\(patched.text)")
                #expect(patched.json["active"] as? Bool == false)
                #expect(patched.json["category"] is NSNull)
                let stale = try await client.json(
                    .patch, "/api/v1/products/\(id)", seeded.token, #"{"name": "X"}"#, headers: [.ifMatch: etag])
                #expect(stale.status == .preconditionFailed)
                // and a delete removes it
                #expect(try await client.json(.delete, "/api/v1/products/\(id)", seeded.token).status == .noContent)
                #expect(try await client.json(.get, "/api/v1/products/\(id)", seeded.token).status == .notFound)
            }
        }
    }

    @Test(
        "a SKU is unique in its workspace, a price needs a currency, and bad values are named",
        arguments: Backend.allCases)
    func rules(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let other = try await Fixtures.workspace(app, name: "Other", email: "owner@other.test")
            try await app.test { client in
                let first = try await client.json(
                    .post, "/api/v1/products", seeded.token, #"{"name": "Mug", "sku": "MUG-1"}"#)
                let id = try #require(first.json["id"] as? String)
                let taken = try await client.json(
                    .post, "/api/v1/products", seeded.token, #"{"name": "Cup", "sku": "MUG-1"}"#)
                #expect(taken.status == .conflict)
                #expect(taken.json["existing_id"] as? String == id)
                // another workspace may use the same SKU
                #expect(
                    try await client.json(.post, "/api/v1/products", other.token, #"{"name": "Mug", "sku": "MUG-1"}"#)
                        .status == .created)
                let noCurrency = try await client.json(
                    .post, "/api/v1/products", seeded.token, #"{"name": "Plate", "unit_price": 100}"#)
                #expect(noCurrency.status == .unprocessableContent)
                #expect(Self.fields(noCurrency) == ["currency"])
                let bad = try await client.json(
                    .post, "/api/v1/products", seeded.token,
                    #"{"sku": "X", "currency": "KRONER", "unit_price": -5, "active": "yes"}"#)
                #expect(bad.status == .unprocessableContent)
                #expect(Set(Self.fields(bad)) == ["currency", "unit_price", "active"])
                let nameless = try await client.json(.post, "/api/v1/products", seeded.token, #"{"sku": "X"}"#)
                #expect(Self.fields(nameless) == ["name"])
                let list = try await client.json(.get, "/api/v1/products", seeded.token)
                #expect((list.json["data"] as? [[String: Any]])?.count == 1)
            }
        }
    }

    @Test("one workspace cannot read, change, merge or delete another's products", arguments: Backend.allCases)
    func isolation(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let other = try await Fixtures.workspace(app, name: "Other", email: "owner@other.test")
            try await app.test { client in
                let mine = try await client.json(
                    .post, "/api/v1/products", seeded.token, #"{"name": "Secret blend", "sku": "SB-1"}"#)
                let id = try #require(mine.json["id"] as? String)
                let theirs = try await client.json(
                    .post, "/api/v1/products", other.token, #"{"name": "Their blend"}"#)
                let theirID = try #require(theirs.json["id"] as? String)
                #expect(try await client.json(.get, "/api/v1/products/\(id)", other.token).status == .notFound)
                #expect(
                    try await client.json(.patch, "/api/v1/products/\(id)", other.token, #"{"name": "Mine now"}"#)
                        .status == .notFound)
                #expect(
                    try await client.json(
                        .post, "/api/v1/products/\(theirID)/merge", other.token, #"{"other_id": "\#(id)"}"#
                    ).status == .notFound)
                #expect(try await client.json(.delete, "/api/v1/products/\(id)", other.token).status == .notFound)
                let list = try await client.json(.get, "/api/v1/products", other.token)
                #expect(
                    (list.json["data"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Their blend"])
                let search = try await client.json(.get, "/api/v1/search?q=secret", other.token)
                #expect((search.json["data"] as? [[String: Any]])?.isEmpty == true)
                let still = try await client.json(.get, "/api/v1/products/\(id)", seeded.token)
                #expect(still.json["name"] as? String == "Secret blend")
            }
        }
    }

    @Test(
        "products are found by name, SKU and category, take custom fields, and import and export",
        arguments: Backend.allCases)
    func searchCustomFieldsImportExport(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                // given a custom field on products
                let field = try await client.json(
                    .post, "/api/v1/custom-fields", seeded.token,
                    #"{"object": "products", "key": "origin", "label": "Origin", "type": "text"}"#)
                #expect(field.status == .created, "\(field.text)")
                // when a file of products is imported (one row matches an existing SKU, one is bad)
                _ = try await client.json(
                    .post, "/api/v1/products", seeded.token, #"{"name": "Kaffe", "sku": "K-1"}"#)
                let csv = """
                    Product Name,SKU,Category,Price,Currency,Active,Origin
                    Kaffe Økologisk,K-1,Coffee,6500,DKK,yes,Etiopien
                    Чай,T-2,Tea,450,uah,true,Україна
                    Broken,B-3,,12,,no,
                    """
                let report = try await client.execute(
                    uri: "/api/v1/imports?object=products", method: .post,
                    headers: .bearer(seeded.token, [.contentType: "text/csv"]), body: ByteBuffer(string: csv))
                #expect(report.status == .ok, "\(report.text)")
                #expect(report.json["created"] as? Int == 1)
                #expect(report.json["updated"] as? Int == 1)
                #expect(report.json["rejected"] as? Int == 1)
                // then search finds them by any of their words, in any script
                for (query, name) in [
                    ("k-1", "Kaffe Økologisk"), ("okolog", "Kaffe Økologisk"), ("чай", "Чай"), ("tea", "Чай"),
                ] {
                    let found = try await client.json(
                        .get, "/api/v1/search?q=\(QueryText.encode(query))", seeded.token)
                    let hits = found.json["data"] as? [[String: Any]] ?? []
                    #expect(
                        hits.contains { $0["name"] as? String == name && $0["type"] as? String == "product" },
                        "\(query)")
                }
                let tea = try await client.json(.get, "/api/v1/products?sku=T-2", seeded.token)
                let row = try #require((tea.json["data"] as? [[String: Any]])?.first)
                #expect(row["currency"] as? String == "UAH")
                #expect((row["custom"] as? [String: Any])?["origin"] as? String == "Україна")
                // and the export writes them back in the columns the import reads
                let export = try await client.execute(
                    uri: "/api/v1/exports?object=products&format=csv", method: .get, headers: .bearer(seeded.token))
                #expect(export.status == .ok)
                let lines = export.text.split(separator: "\r\n").map(String.init)
                #expect(lines.first == "id,name,sku,category,unit_price,currency,active,custom.origin")
                #expect(lines.contains { $0.hasSuffix(",Чай,T-2,Tea,450,UAH,true,Україна") })
            }
        }
    }

    static func fields(_ response: TestResponse) -> [String] {
        (response.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
    }
}

/// Percent-encoding for a query value in a test's URI.
enum QueryText {
    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}
