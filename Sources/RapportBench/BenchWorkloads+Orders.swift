package import Foundation
import RapportCore
import RapportDatabase
import RapportServer
import RapportServices
import RapportStore

extension BenchWorkloads {
    /// The customers and products an order workload's workspace starts with.
    struct OrderWorld {
        var workspaceID: String
        var ownerID: String
        var emails: [String]
        var customers: [String: Record]
        /// The products that exist before the import, by SKU.
        var products: [String: Record]
    }

    /// Every fiftieth SKU is new to the workspace: the import creates that product.
    static func orderSKU(_ index: Int) -> String { "SKU-\(index % 1000)" }

    /// A workspace with `customers` contacts (one company per twenty) and the products of the SKUs
    /// that are not new, written without a clock.
    func orderWorld(name: String, customers: Int, emails: [String]) async throws -> OrderWorld {
        let accounts = AccountService(runtime.services)
        let (workspace, owner) = try await accounts.createWorkspace(
            name: "\(name) \(RecordID.make().suffix(8))",
            owner: UserDraft(
                email:
                    "\(name.lowercased().replacingOccurrences(of: " ", with: "-"))-\(RecordID.make().suffix(6))@rapport.local",
                name: name, role: nil, password: RecordID.make()))
        let now = Timestamp.micros(Date())
        let actor = Actor(.import, id: nil)
        let contacts = RecordService(runtime.services, schema: .contacts)
        let products = RecordService(runtime.services, schema: .products)
        var customerRecords: [String: Record] = [:]
        var batch: [Record] = []
        for (index, email) in emails.prefix(customers).enumerated() {
            var fields = BenchData.contact(index + 20_000_000, seed: info.seed, companies: 1)
            fields["email"] = .string(email)
            fields["custom"] = nil
            var record = Record.empty(.contacts, workspaceID: workspace.id, now: now)
            _ = try RecordPatch.apply(fields, to: &record, schema: .contacts, customFields: [])
            record.values["owner_id"] = .string(owner.id)
            batch.append(record)
            customerRecords[email] = record
        }
        var productRecords: [String: Record] = [:]
        for index in 0..<1000 where index % 50 != 0 {
            var product = Record.empty(.products, workspaceID: workspace.id, now: now)
            product.values["name"] = .string("Product \(index)")
            product.values["sku"] = .string(Self.orderSKU(index))
            product.values["unit_price"] = .number(Double(1000 + index))
            product.values["currency"] = .string("DKK")
            productRecords[Self.orderSKU(index)] = product
        }
        let contactRows = stride(from: 0, to: batch.count, by: 5000).map {
            contacts.repository.newRows(
                Array(batch[$0..<min(batch.count, $0 + 5000)]), actor: actor, now: now, importID: nil,
                referenceTitles: [:])
        }
        let productRows = products.repository.newRows(
            Array(productRecords.values), actor: actor, now: now, importID: nil, referenceTitles: [:])
        try await runtime.store.writeRows { session in
            for rows in contactRows { try await contacts.repository.insert(rows, on: session) }
            try await products.repository.insert(productRows, on: session)
        }
        return OrderWorld(
            workspaceID: workspace.id, ownerID: owner.id, emails: Array(emails.prefix(customers)),
            customers: customerRecords, products: productRecords)
    }

    /// One order line of the generated file: the order it belongs to (orders of one to five lines),
    /// its customer, SKU, quantity and price in øre.
    static func orderLine(_ index: Int, customers: Int) -> (
        order: Int, customer: Int, sku: Int, quantity: Int, price: Int
    ) {
        // Orders of 1, 2, 3, 4, 5, 3, 2 lines in turn: 20 lines per 7 orders.
        let sizes = [1, 2, 3, 4, 5, 3, 2]
        let cycle = index / 20
        var offset = index % 20
        var order = cycle * 7
        for size in sizes {
            if offset < size { break }
            offset -= size
            order += 1
        }
        return (
            order, (order &* 7919) % customers, (index &* 31 + order) % 1000, 1 + index % 4, 1250 + (index % 97) * 25
        )
    }

    /// `rapport import orders` of `lines` generated order lines (grouped into orders of one to five
    /// lines, for customers found by address; one SKU in fifty new) into a workspace of its own.
    /// Reference: the same orders' rows (the orders with their search documents and audit entries,
    /// their product links, their purchases on the timeline, the new products), built beforehand and
    /// written by multi-row inserts in one transaction, into a third workspace with the same customers
    /// and products.
    package func importOrders(_ lines: Int, directory: URL) async throws -> BenchResult {
        let customers = max(100, min(50_000, lines / 20))
        let emails = (0..<customers).map { "buyer\($0)@shop\($0 % 500).example" }
        let file = directory.appendingPathComponent("orders.csv")
        guard FileManager.default.createFile(atPath: file.path, contents: nil) else {
            throw RapportError(.badRequest, "Cannot write \(file.path).")
        }
        let handle = try FileHandle(forWritingTo: file)
        var csv = "order_reference,customer_email,time,sku,product_name,quantity,unit_price,currency\n"
        let day: Int64 = 86_400_000_000
        let start = Timestamp.micros(Date()) - 400 * day
        for index in 0..<lines {
            let line = Self.orderLine(index, customers: customers)
            let cents = line.price % 100
            let price = "\(line.price / 100).\(cents < 10 ? "0" : "")\(cents)"
            csv += CSVWriter.line([
                "ORD-\(line.order)", emails[line.customer], Timestamp.rfc3339(start + Int64(line.order) * 60_000_000),
                Self.orderSKU(line.sku), "Product \(line.sku)", String(line.quantity), price, "DKK",
            ])
            if csv.utf8.count > 1 << 20 {
                handle.write(Data(csv.utf8))
                csv = ""
            }
        }
        handle.write(Data(csv.utf8))
        try handle.close()
        csv = ""
        let world = try await orderWorld(name: "Bench orders", customers: customers, emails: emails)
        let clock = BenchClock.now()
        let report = try await OrderImporter(
            runtime.services, viewer: .system(world.workspaceID), actor: Actor(.user, id: world.ownerID),
            options: .init()
        ).run(file: file)
        let elapsed = BenchClock.now() - clock
        let peak = BenchClock.peakRSSMB()
        let orderCount = Self.orderLine(lines - 1, customers: customers).order + 1
        guard report.created == orderCount, report.rejected == 0 else {
            throw RapportError(
                .conflict,
                "The bench import created \(report.created) of \(orderCount) orders (\(report.rejected) rejected).")
        }
        // The reference: the same orders, their rows built before the clock starts.
        let reference = try await orderWorld(name: "Bench orders reference", customers: customers, emails: emails)
        let now = Timestamp.micros(Date())
        let actor = Actor(.import, id: nil)
        var products = reference.products
        var newProducts: [Record] = []
        var names: [String: String] = [:]
        for product in products.values { names[product.id] = product.string("name") }
        var orders: [Record] = []
        var current: Record?
        var currentLines: [JSONValue] = []
        func finish() {
            guard var order = current else { return }
            order.values["lines"] = .array(currentLines)
            ObjectType.orders.rules.prepare(&order, before: nil, now: now)
            orders.append(order)
        }
        for index in 0..<lines {
            let line = Self.orderLine(index, customers: customers)
            let sku = Self.orderSKU(line.sku)
            if products[sku] == nil {
                var product = Record.empty(.products, workspaceID: reference.workspaceID, now: now)
                product.values["name"] = .string("Product \(line.sku)")
                product.values["sku"] = .string(sku)
                product.values["unit_price"] = .number(Double(line.price))
                product.values["currency"] = .string("DKK")
                products[sku] = product
                newProducts.append(product)
                names[product.id] = product.string("name")
            }
            if current?.string("reference") != "ORD-\(line.order)" {
                finish()
                let customer = reference.customers[emails[line.customer]]!
                var order = Record.empty(.orders, workspaceID: reference.workspaceID, now: now)
                order.values["reference"] = .string("ORD-\(line.order)")
                order.values["contact_id"] = .string(customer.id)
                order.values["company_id"] = customer["company_id"]
                order.values["currency"] = .string("DKK")
                order.values["ordered_at"] = .string(Timestamp.rfc3339(start + Int64(line.order) * 60_000_000))
                order.values["owner_id"] = customer["owner_id"]
                order.values["team_id"] = customer["team_id"]
                current = order
                currentLines = []
            }
            currentLines.append(
                .object([
                    "product_id": .string(products[sku]!.id), "quantity": .number(Double(line.quantity)),
                    "unit_price": .number(Double(line.price)), "discount": .number(0),
                ]))
        }
        finish()
        let orderService = RecordService(runtime.services, schema: .orders)
        let productService = RecordService(runtime.services, schema: .products)
        let productRows = productService.repository.newRows(
            newProducts, actor: actor, now: now, importID: "reference", referenceTitles: [:])
        var batches: [(rows: NewRows, links: [[DBValue]], events: [[DBValue]])] = []
        for start in stride(from: 0, to: orders.count, by: 700) {
            let batch = Array(orders[start..<min(orders.count, start + 700)])
            var links: [[DBValue]] = []
            for order in batch {
                let ids = FieldKind.lineItems.listedReferences(in: order["lines"])?.ids ?? []
                for id in ids {
                    links.append([
                        .text(order.workspaceID), .text(id), .text("orders"), .text("lines"), .text(order.id),
                    ])
                }
            }
            let events = batch.compactMap { order -> TimelineEvent? in
                guard let contact = order.string("contact_id") else { return nil }
                let bought = LineItem.lines(of: order["lines"]).map { line -> JSONValue in
                    .object([
                        "product_id": .string(line.productID),
                        "name": names[line.productID].map(JSONValue.string) ?? .null,
                        "quantity": .number(Double(line.quantity)),
                    ])
                }
                return TimelineEvent(
                    workspaceID: order.workspaceID, type: "purchase",
                    occurredAt: Timestamp.parse(order.string("ordered_at")!).map(Timestamp.micros) ?? now,
                    actor: actor, contactID: contact, companyID: order.string("company_id"),
                    data: [
                        "order_id": .string(order.id), "reference": order["reference"], "total": order["total"],
                        "currency": order["currency"], "products": .array(bought),
                    ])
            }
            batches.append(
                (
                    orderService.repository.newRows(
                        batch, actor: actor, now: now, importID: "reference", referenceTitles: [:]), links,
                    TimelineRepository.rows(of: events)
                ))
        }
        orders = []
        let written = batches
        batches = []
        let referenceStart = BenchClock.now()
        try await runtime.store.writeRows { session in
            try await productService.repository.insert(productRows, on: session)
            for batch in written {
                try await orderService.repository.insert(batch.rows, on: session)
                try await session.insert(into: "record_links", columns: RecordLinkRepository.columns, rows: batch.links)
                try await session.insert(into: "events", columns: TimelineRepository.eventColumns, rows: batch.events)
            }
        }
        let referenceElapsed = BenchClock.now() - referenceStart
        var result = self.result("orders", operations: lines, seconds: elapsed)
        result.peakRSSMB = peak  // the import's own, before the reference's rows were built
        result.against(perSecond: Double(lines) / referenceElapsed)
        return result
    }
}
