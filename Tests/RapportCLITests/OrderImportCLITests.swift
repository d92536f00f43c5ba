import Foundation
import RapportCore
import RapportDatabase
import RapportStore
import RapportTestSupport
import Testing

/// `rapport import orders`: one row per order line, the rows of one reference one order.
@Suite("Order import from the command line")
struct OrderImportCLITests {
    /// A database with a user, and two contacts (one with an external id) imported.
    static func world() async throws -> (database: String, directory: URL) {
        let (database, directory) = CLITests.sqliteURL()
        #expect(
            try await RapportProcess.run([
                "user", "create", "--database", database, "--email", "o@x.dk", "--password", "long enough",
            ]).code == 0)
        let people = directory.appendingPathComponent("people.csv")
        try "First Name,E-mail Address,External ID\nAnna,anna@shop.example,\nBo,bo@shop.example,C-77\n".write(
            to: people, atomically: true, encoding: .utf8)
        let contacts = try await RapportProcess.run(["import", "contacts", people.path, "--database", database])
        #expect(contacts.code == 0, "\(contacts.err)")
        return (database, directory)
    }

    static func count(_ store: Store, _ sql: String) async throws -> Int {
        try await store.database.raw("\(unsafeRaw: sql)").first()?.decode(column: "n", as: Int.self) ?? -1
    }

    static func report(_ run: (code: Int32, out: String, err: String)) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any] ?? [:]
    }

    @Test(
        "rows of one reference are one order; counting, unknown customers and products, bad rows, a dry run and a re-run"
    )
    func counting() async throws {
        let (database, directory) = try await Self.world()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("orders.csv")
        // given a file of eight orders on eleven rows and a blank one
        try """
        order_reference,customer_email,external_id,time,sku,product_name,quantity,unit_price,currency
        A-1,anna@shop.example,,2026-01-05T10:00:00+01:00,K-1,Kaffe,2,50.00,DKK
        A-1,,,,T-1,Te,1,30,DKK
        A-2,BO@shop.example,,2026-01-06,K-1,,1,12.5,dkk
        A-3,nobody@shop.example,,2026-01-06,K-1,,1,10,DKK
        A-4,anna@shop.example,,2026-01-07,K-1,,-1,10,DKK
        A-4,anna@shop.example,,2026-01-07,K-1,,1,10,EUR
        A-5,,C-77,2026-01-08,,Gadget,3,9.95,DKK

        A-6,anna@shop.example,,2026-01-09,K-1,,1,10.999,DKK
        A-7,anna@shop.example,,yesterday,K-1,,1,10,XYZ
        A-1,anna@shop.example,,2026-01-05,K-1,,9,1,DKK
        A-8,,,2026-01-09,K-1,,1,10,DKK
        """.write(to: file, atomically: true, encoding: .utf8)
        let url = try DatabaseURL(parsing: database)
        // when it is checked with a dry run
        let dry = try await RapportProcess.run([
            "import", "orders", file.path, "--database", database, "--json", "--dry-run",
        ])
        #expect(dry.code == 0, "\(dry.err)")
        let checked = try Self.report(dry)
        // then it counts orders: three created, five rejected, one duplicate, the blank row skipped
        #expect(checked["created"] as? Int == 3, "\(dry.out)")
        #expect(checked["rejected"] as? Int == 5)
        #expect(checked["duplicates"] as? Int == 1)
        #expect(checked["skipped"] as? Int == 1)
        #expect(checked["lines"] as? Int == 11)
        #expect(checked["products_created"] as? Int == 3)
        let errors = checked["errors"] as? [[String: Any]] ?? []
        let messages = errors.map { "\($0["row"] ?? "") \($0["column"] ?? ""): \($0["message"] ?? "")" }
        #expect(messages.contains("5 customer_email: No contact has the address nobody@shop.example."), "\(messages)")
        #expect(messages.contains("6 quantity: The quantity must be a whole number of at least 1."), "\(messages)")
        #expect(
            messages.contains("7 currency: The lines of one order are in one currency: row 6 is in DKK."), "\(messages)"
        )
        #expect(messages.contains("10 unit_price: 10.999 is not an amount in DKK (such as 12.50)."), "\(messages)")
        #expect(messages.contains { $0.hasPrefix("11 time:") }, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("11 currency:") }, "\(messages)")
        #expect(messages.contains("12 order_reference: Duplicate of row 2."), "\(messages)")
        #expect(messages.contains { $0.hasPrefix("13 customer_email:") }, "\(messages)")
        // and nothing was written
        var store = try await Store.open(url, logger: .init(label: "test"))
        #expect(try await Self.count(store, "SELECT COUNT(*) AS n FROM orders") == 0)
        #expect(try await Self.count(store, "SELECT COUNT(*) AS n FROM products") == 0)
        await store.close()
        // when it is imported
        let run = try await RapportProcess.run(["import", "orders", file.path, "--database", database, "--json"])
        #expect(run.code == 0, "\(run.err)")
        let imported = try Self.report(run)
        #expect(imported["created"] as? Int == 3)
        #expect(imported["rejected"] as? Int == 5)
        // then the orders are there with their lines, totals and customers, and the products were made
        store = try await Store.open(url, logger: .init(label: "test"))
        #expect(try await Self.count(store, "SELECT COUNT(*) AS n FROM products") == 3)
        #expect(try await Self.count(store, "SELECT total AS n FROM orders WHERE reference = 'A-1'") == 13_000)
        #expect(try await Self.count(store, "SELECT total AS n FROM orders WHERE reference = 'A-2'") == 1250)
        #expect(try await Self.count(store, "SELECT total AS n FROM orders WHERE reference = 'A-5'") == 2985)
        #expect(
            try await Self.count(
                store,
                "SELECT COUNT(*) AS n FROM orders o JOIN contacts c ON c.id = o.contact_id WHERE o.reference = 'A-5' AND c.external_id = 'C-77'"
            ) == 1)
        #expect(
            try await Self.count(store, "SELECT COUNT(*) AS n FROM record_links WHERE object = 'orders'") == 4)
        #expect(try await Self.count(store, "SELECT COUNT(*) AS n FROM events WHERE type = 'purchase'") == 3)
        // (the time of A-1 is kept in UTC)
        #expect(
            try await Self.count(store, "SELECT ordered_at AS n FROM orders WHERE reference = 'A-1'")
                == Int(Timestamp.micros(Timestamp.parse("2026-01-05T09:00:00Z")!)))
        await store.close()
        // when the same file is imported again, the orders are unchanged and nothing is added
        let again = try Self.report(
            try await RapportProcess.run(["import", "orders", file.path, "--database", database, "--json"]))
        #expect(again["unchanged"] as? Int == 3, "\(again)")
        #expect(again["created"] as? Int == 0)
        #expect(again["products_created"] as? Int == 0)
        store = try await Store.open(url, logger: .init(label: "test"))
        #expect(try await Self.count(store, "SELECT COUNT(*) AS n FROM orders") == 3)
        #expect(try await Self.count(store, "SELECT COUNT(*) AS n FROM events WHERE type = 'purchase'") == 3)
        await store.close()
        // and a changed line updates its order
        try """
        order_reference,customer_email,sku,quantity,unit_price,currency
        A-2,bo@shop.example,K-1,4,12.50,DKK
        """.write(to: file, atomically: true, encoding: .utf8)
        let changed = try Self.report(
            try await RapportProcess.run(["import", "orders", file.path, "--database", database, "--json"]))
        #expect(changed["updated"] as? Int == 1, "\(changed)")
        store = try await Store.open(url, logger: .init(label: "test"))
        #expect(try await Self.count(store, "SELECT total AS n FROM orders WHERE reference = 'A-2'") == 5000)
        await store.close()
    }

    @Test("other headers are mapped with --map, and a file without what an order needs is refused whole")
    func mapping() async throws {
        let (database, directory) = try await Self.world()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("invoices.csv")
        // given a shop's own headers
        try """
        Invoice No,E-mail,Item,Qty,Amount,Cur,Notes
        INV-1,anna@shop.example,Kaffe,2,50,DKK,first
        INV-1,anna@shop.example,Te,1,30,DKK,
        """.write(to: file, atomically: true, encoding: .utf8)
        // when it is imported without a map, it is refused naming what is missing
        let refused = try await RapportProcess.run(["import", "orders", file.path, "--database", database])
        #expect(refused.code == 1)
        #expect(refused.err.contains("unit_price") && refused.err.contains("currency"), "\(refused.err)")
        // when the price and currency columns are mapped
        let run = try await RapportProcess.run([
            "import", "orders", file.path, "--database", database, "--json", "--map", "Amount=unit_price",
            "--map", "Cur=currency", "--map", "Notes=-",
        ])
        #expect(run.code == 0, "\(run.err)")
        let report = try Self.report(run)
        // then the two rows are one order, and the notes are ignored
        #expect(report["created"] as? Int == 1, "\(run.out)")
        #expect(report["ignored_columns"] as? [String] == ["Notes"])
        let store = try await Store.open(try DatabaseURL(parsing: database), logger: .init(label: "test"))
        #expect(try await Self.count(store, "SELECT total AS n FROM orders WHERE reference = 'INV-1'") == 13_000)
        await store.close()
        // and a map to no column is a readable refusal
        let bad = try await RapportProcess.run([
            "import", "orders", file.path, "--database", database, "--map", "Amount=price_each",
        ])
        #expect(bad.code == 1)
        #expect(bad.err.contains("price_each"), "\(bad.err)")
    }

    @Test(
        "an order import killed midway leaves whole orders only, and running it again gives exactly the file's orders")
    func killAndRerun() async throws {
        let (database, directory) = try await Self.world()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("orders.csv")
        // enough orders that the import is still running when it is killed, even on a busy machine
        let orders = 4000
        var csv = "order_reference,customer_email,time,sku,product_name,quantity,unit_price,currency\n"
        for index in 0..<orders {
            let email = index % 2 == 0 ? "anna@shop.example" : "bo@shop.example"
            csv += "O-\(index),\(email),2026-02-01,K-\(index % 30),Product \(index % 30),2,10.00,DKK\n"
            csv += "O-\(index),\(email),2026-02-01,T-\(index % 7),Other \(index % 7),1,5.50,DKK\n"
        }
        try csv.write(to: file, atomically: true, encoding: .utf8)
        let first = try RapportProcess([
            "import", "orders", file.path, "--database", database, "--batch-size", "20",
        ])
        // wait until some batches are in, then kill it without warning
        let url = try DatabaseURL(parsing: database)
        let store = try await Store.open(url, logger: .init(label: "test"))
        for _ in 0..<600 {
            if try await Self.count(store, "SELECT COUNT(*) AS n FROM orders") >= 100 { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        first.signal(SIGKILL)
        _ = try await first.wait()
        let partial = try await Self.count(store, "SELECT COUNT(*) AS n FROM orders")
        #expect(partial > 0 && partial < orders, "killed with \(partial) orders written")
        // every written order is whole: both lines, both links, its purchase, its search document
        let broken = try await Self.count(
            store,
            """
            SELECT COUNT(*) AS n FROM orders o WHERE o.total <> 2550
               OR (SELECT COUNT(*) FROM record_links l WHERE l.record_id = o.id) <> 2
               OR NOT EXISTS (SELECT 1 FROM events v WHERE v.contact_id = o.contact_id AND v.type = 'purchase' AND v.data LIKE '%' || o.id || '%')
               OR NOT EXISTS (SELECT 1 FROM search_docs d WHERE d.record_id = o.id)
            """)
        #expect(broken == 0)
        await store.close()
        // when it runs again
        let again = try await RapportProcess.run(["import", "orders", file.path, "--database", database, "--json"])
        #expect(again.code == 0, "\(again.err)")
        let report = try Self.report(again)
        #expect(report["unchanged"] as? Int == partial)
        #expect(report["created"] as? Int == orders - partial)
        #expect(report["rejected"] as? Int == 0)
        // then the database has exactly the file's orders, one purchase each, and each product once
        let after = try await Store.open(url, logger: .init(label: "test"))
        #expect(try await Self.count(after, "SELECT COUNT(*) AS n FROM orders") == orders)
        #expect(try await Self.count(after, "SELECT COUNT(DISTINCT reference) AS n FROM orders") == orders)
        #expect(try await Self.count(after, "SELECT COUNT(*) AS n FROM events WHERE type = 'purchase'") == orders)
        #expect(try await Self.count(after, "SELECT COUNT(*) AS n FROM products") == 37)
        #expect(try await Self.count(after, "SELECT SUM(total) AS n FROM orders") == orders * 2550)
        await after.close()
    }
}
