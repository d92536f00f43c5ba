package import Foundation
package import RapportCore
import RapportDatabase
import RapportStore

/// Imports a CSV file of order lines (`rapport import orders`): one row per line, the rows of one order
/// (one `order_reference`) next to each other.
///
/// The counting rules are the contact import's, counted in orders: each order of the file is exactly one
/// of `created`, `updated`, `unchanged`, `rejected` or `duplicates`; a blank row is `skipped`; `lines`
/// counts the rows read. An order with any bad row is rejected whole, with one error per bad cell. An
/// order matches an existing one by its reference: the same lines, customer and currency are
/// `unchanged`, others are `updated` (its lines replaced). A reference whose rows were already read
/// further up the file is a duplicate ("Duplicate of row N."). The customer is found by
/// `customer_email` (a contact's address) or `external_id` (a contact's, else a company's); an unknown
/// customer rejects the order (nothing is created for it). A product is found by SKU, else by name, and
/// created when neither matches. New orders belong to their customer's owner and team.
///
/// Batches of whole orders are written one transaction each, so a kill leaves whole orders only, and
/// running the file again finds them unchanged by their references. While a batch is written the next
/// is read, looked up and decided (it depends on the batch being written only through the products
/// this file created, which are kept in memory).
package struct OrderImporter: Sendable {
    let services: Services
    let viewer: Viewer
    let actor: Actor
    let options: Importer.Options
    var workspaceID: String { viewer.workspaceID }
    package let importID = RecordID.make()
    var orders: RecordService { RecordService(services, schema: .orders) }

    package init(_ services: Services, viewer: Viewer, actor: Actor, options: Importer.Options) {
        self.services = services
        self.viewer = viewer
        self.actor = actor
        self.options = options
    }

    /// Runs the import of a file.
    /// - Parameter progress: called with the bytes of the file written so far.
    /// - Throws: `invalid` for a file that is not CSV (naming the row), a header without the columns an
    ///   order needs, a bad `--map`, or (strict) any rejected order, with the report under `report`.
    package func run(file: URL, progress: @Sendable (Int64) -> Void = { _ in }) async throws -> ImportReport {
        guard viewer.allows(.import, on: .orders) else { throw Viewer.refusal(.import, on: .orders) }
        var csv = try Importer.CSVFile(file)
        var sawHeader = false
        while let (records, _) = try csv.next() {
            if !records.isEmpty { sawHeader = true }
        }
        if !sawHeader { throw RapportError.invalid([FieldIssue("file", "The file is empty.")]) }
        if options.dryRun || options.strict {
            let checked = try await pass(file: file, writing: false, progress: { _ in })
            if options.dryRun { return checked }
            if checked.rejected > 0 {
                var error = RapportError(
                    .invalid, "\(checked.rejected) orders were rejected; nothing was imported (strict).")
                error.report = checked.json
                throw error
            }
        }
        return try await pass(file: file, writing: true, progress: progress)
    }

    /// One row of the file, read.
    struct Line {
        var number: Int
        var cells: [String: String] = [:]
        func cell(_ column: OrderColumn) -> String? { cells[column.rawValue] }
    }

    /// The rows of one order, in file order.
    struct Group {
        var reference: String?
        var lines: [Line] = []
    }

    /// What a pass remembers across batches.
    final class State: @unchecked Sendable {
        var report = ImportReport()
        var columns: [(index: Int, column: OrderColumn)] = []
        var headers: [OrderColumn: String] = [:]
        let writing: Bool
        /// The first row of each order reference read so far (a later group with it is a duplicate).
        var firstRows: [String: Int] = [:]
        /// Products found or created by this file: `sku:SKU` and `name:NAME` → id, and their names.
        var productIDs: [String: String] = [:]
        var productNames: [String: String] = [:]
        /// The batches' writes still running, oldest first; each starts after the one before commits.
        var writes: [Task<Void, any Error>] = []
        /// Whether the workspace had an order with a reference when the pass began.
        var referencesExisted = true
        var current = Group()
        var batch: [Group] = []
        var batchLines = 0

        init(writing: Bool) {
            self.writing = writing
            report.lines = 0
            report.productsCreated = 0
        }
    }

    func pass(file: URL, writing: Bool, progress: @Sendable (Int64) -> Void) async throws -> ImportReport {
        let state = State(writing: writing)
        state.referencesExisted = try await orders.repository.hasAny("reference", workspaceID: workspaceID)
        var sawHeader = false
        var csv = try Importer.CSVFile(file)
        do {
            while let (records, bytesRead) = try csv.next() {
                for record in records {
                    if !sawHeader {
                        sawHeader = true
                        try readHeader(record.fields, state: state)
                        continue
                    }
                    if record.fields.allSatisfy({ $0.allSatisfy(\.isWhitespace) }) {
                        state.report.skipped += 1
                        continue
                    }
                    var line = Line(number: record.row)
                    for (index, column) in state.columns where index < record.fields.count {
                        let text = record.fields[index].trimmed()
                        if !text.isEmpty { line.cells[column.rawValue] = CSVWriter.unguard(text) }
                    }
                    state.report.lines? += 1
                    let reference = line.cell(.orderReference)
                    // (the rows of one order are next to each other; a row without a reference is an order alone)
                    if reference == nil || reference != state.current.reference || state.current.lines.isEmpty {
                        if !state.current.lines.isEmpty {
                            state.batch.append(state.current)
                            if state.batchLines >= options.batchSize {
                                try await runBatch(state: state)
                                if writing { progress(bytesRead) }
                            }
                        }
                        state.current = Group(reference: reference)
                    }
                    state.current.lines.append(line)
                    state.batchLines += 1
                }
            }
            if !state.current.lines.isEmpty { state.batch.append(state.current) }
            try await runBatch(state: state)
            while !state.writes.isEmpty { try await state.writes.removeFirst().value }
        } catch {
            // Never leave a write running behind a failure: each finishes (or fails) first.
            for write in state.writes { _ = try? await write.value }
            throw error
        }
        if writing { progress(csv.bytesRead) }
        return state.report
    }

    func readHeader(_ headers: [String], state: State) throws {
        let mapping = try OrderColumn.mapping(headers: headers, overrides: options.map)
        state.columns = mapping.columns.sorted { $0.key < $1.key }.map { (index: $0.key, column: $0.value) }
        for (index, column) in state.columns { state.headers[column] = headers[index] }
        state.report.ignoredColumns = mapping.ignored
    }

    /// What the database says about a batch's keys.
    struct Known {
        var contactsByEmail: [String: String] = [:]
        var contactsByExternalID: [String: String] = [:]
        var companiesByExternalID: [String: String] = [:]
        /// The customers the importer may see, with their company (a contact's), owner and team.
        var customers: [String: Record] = [:]
        /// Which of `customers` are contacts (the others are companies).
        var contacts: Set<String> = []
        var productsBySKU: [String: String] = [:]
        var productsByName: [String: String] = [:]
        var ordersByReference: [String: Record] = [:]
        var changeable: Set<String> = []
    }

    /// Looks up, decides and (when writing) starts writing the batch of whole orders read so far.
    func runBatch(state: State) async throws {
        let groups = state.batch
        state.batch = []
        state.batchLines = 0
        guard !groups.isEmpty else { return }
        let now = Timestamp.micros(Date())
        let known = try await lookUp(groups, state: state)
        var writes = Writes()
        for group in groups { decide(group, known: known, state: state, writes: &writes, now: now) }
        guard state.writing else { return }
        // (at most one batch written while this one is built and queued)
        while state.writes.count > 1 { try await state.writes.removeFirst().value }
        let rows = built(writes, productNames: state.productNames, now: now)
        let before = state.writes.last
        state.writes.append(
            Task {
                try await before?.value
                try await write(rows, now: now)
            })
    }

    func lookUp(_ groups: [Group], state: State) async throws -> Known {
        var emails = Set<String>()
        var externalIDs = Set<String>()
        var skus = Set<String>()
        var names = Set<String>()
        var references = Set<String>()
        for group in groups {
            if let reference = group.reference, state.firstRows[reference] == nil { references.insert(reference) }
            for line in group.lines {
                if let email = line.cell(.customerEmail) { emails.insert(Email.normalize(email)) }
                if let id = line.cell(.externalID) { externalIDs.insert(id) }
                if let sku = line.cell(.sku), state.productIDs["sku:\(sku)"] == nil { skus.insert(sku) }
                if let name = line.cell(.productName), state.productIDs["name:\(name)"] == nil { names.insert(name) }
            }
        }
        let contacts = RecordRepository(store: services.store, schema: .contacts)
        let companies = RecordRepository(store: services.store, schema: .companies)
        let products = RecordRepository(store: services.store, schema: .products)
        let orderRepository = orders.repository
        var known = Known()
        known.contactsByEmail = try await contacts.emailOwners(workspaceID: workspaceID, emails: emails)
        known.contactsByExternalID = try await contacts.ids(
            where: "external_id", in: externalIDs, workspaceID: workspaceID)
        known.companiesByExternalID = try await companies.ids(
            where: "external_id", in: externalIDs, workspaceID: workspaceID)
        known.productsBySKU = try await products.ids(where: "sku", in: skus, workspaceID: workspaceID)
        known.productsByName = try await products.ids(where: "name", in: names, workspaceID: workspaceID)
        // The customers, as far as the importer may see them (one it may not see is unknown to it).
        let contactIDs = Set(known.contactsByEmail.values).union(known.contactsByExternalID.values)
        let companyIDs = Set(known.companiesByExternalID.values)
        for (repository, ids) in [(contacts, contactIDs), (companies, companyIDs)] where !ids.isEmpty {
            var visible = Set<String>()
            if let reach = viewer.scopeIfAllowed(.read, on: repository.schema) {
                visible = try await repository.reachable(reach, ids: ids)
            }
            // (of a customer, an order needs its company, owner and team)
            let fields =
                repository.schema.field("company_id") == nil
                ? ["owner_id", "team_id"] : ["company_id", "owner_id", "team_id"]
            for chunk in Array(visible).chunks(of: 5000) {
                known.customers.merge(
                    try await repository.find(.all(workspaceID), ids: Array(chunk), fields: fields)
                ) { _, new in new }
            }
            if repository.schema.name == ObjectType.contacts.name { known.contacts = visible }
        }
        // (in a workspace that had no order with a reference when the pass began, a reference this file has
        // not yet had can only be new)
        let found =
            state.referencesExisted
            ? try await orderRepository.ids(where: "reference", in: references, workspaceID: workspaceID) : [:]
        for chunk in Array(Set(found.values)).chunks(of: 5000) {
            for (_, order) in try await orderRepository.find(.all(workspaceID), ids: Array(chunk)) {
                if let reference = order.string("reference") { known.ordersByReference[reference] = order }
            }
        }
        known.changeable = try await orderRepository.reachable(
            try viewer.scope(.import, on: .orders), ids: Set(known.ordersByReference.values.map(\.id)))
        // The names of the products found, for the purchases' events.
        let unnamed = Set(known.productsBySKU.values).union(known.productsByName.values).filter {
            state.productNames[$0] == nil
        }
        if !unnamed.isEmpty {
            for (id, name) in try await products.names(.all(workspaceID), ids: Array(unnamed)) {
                state.productNames[id] = name
            }
        }
        return known
    }

    /// What a batch writes, decided.
    struct Writes {
        var products: [Record] = []
        var created: [Record] = []
        var updated: [(before: Record, after: Record)] = []
    }

    /// Counts one order and queues its writes.
    func decide(_ group: Group, known: Known, state: State, writes: inout Writes, now: Int64) {
        var issues: [ImportReport.RowError] = []
        func issue(_ line: Line, _ column: OrderColumn?, _ message: String) {
            issues.append(
                ImportReport.RowError(
                    row: line.number, column: column.flatMap { state.headers[$0] } ?? "", message: message))
        }
        let first = group.lines[0]
        guard let reference = group.reference else {
            state.report.rejected += 1
            for line in group.lines {
                state.report.errors.append(
                    ImportReport.RowError(
                        row: line.number, column: state.headers[.orderReference] ?? "",
                        message: "An order line needs its order reference."))
            }
            return
        }
        if let earlier = state.firstRows[reference] {
            state.report.duplicates += 1
            state.report.errors.append(
                ImportReport.RowError(
                    row: first.number, column: state.headers[.orderReference] ?? "",
                    message: "Duplicate of row \(earlier).", duplicateOf: earlier))
            return
        }
        state.firstRows[reference] = first.number
        if reference.count > 100 { issue(first, .orderReference, "An order reference is at most 100 characters.") }
        // The customer: named on the first row, and on any later row only as the same customer.
        var customer: Record?
        var currency: (code: String, row: Int)?
        var time: Int64?
        var lines: [JSONValue] = []
        var newProducts: [Record] = []
        var productIDs = state.productIDs
        for line in group.lines {
            var named: Record?
            var namedBy: OrderColumn?
            if let email = line.cell(.customerEmail) {
                namedBy = .customerEmail
                named = known.contactsByEmail[Email.normalize(email)].flatMap { known.customers[$0] }
                if named == nil { issue(line, .customerEmail, "No contact has the address \(email).") }
            } else if let id = line.cell(.externalID) {
                namedBy = .externalID
                named = (known.contactsByExternalID[id] ?? known.companiesByExternalID[id]).flatMap {
                    known.customers[$0]
                }
                if named == nil { issue(line, .externalID, "No contact or company has the external id \(id).") }
            } else if line.number == first.number {
                issue(line, .customerEmail, "The order names no customer (customer_email or external_id).")
            }
            if let named, let namedBy {
                if let customer, customer.id != named.id {
                    issue(line, namedBy, "The rows of one order name one customer; row \(first.number) names another.")
                } else {
                    customer = named
                }
            }
            if let text = line.cell(.currency) {
                if let code = Currencies.code(text) {
                    if let currency, currency.code != code {
                        issue(
                            line, .currency,
                            "The lines of one order are in one currency: row \(currency.row) is in \(currency.code).")
                    } else if currency == nil {
                        currency = (code, line.number)
                    }
                } else {
                    issue(line, .currency, "\(text) is not a currency code (ISO 4217, such as DKK).")
                }
            } else if line.number == first.number {
                issue(line, .currency, "The order needs a currency.")
            }
            if time == nil, let text = line.cell(.time) {
                time = OrderColumn.moment(text)
                if time == nil { issue(line, .time, "\(text) is not a time (RFC 3339, or a date as YYYY-MM-DD).") }
            }
            var quantity: Int64 = 1
            if let text = line.cell(.quantity) {
                if let value = Int64(text), value >= 1, value <= 1_000_000_000 {
                    quantity = value
                } else {
                    issue(line, .quantity, "The quantity must be a whole number of at least 1.")
                }
            }
            var price: Int64?
            if let text = line.cell(.unitPrice) {
                if let code = currency?.code ?? line.cell(.currency).flatMap(Currencies.code) {
                    price = OrderColumn.minorUnits(text, currency: code)
                    if price == nil {
                        issue(line, .unitPrice, "\(text) is not an amount in \(code) (such as 12.50).")
                    } else if price! < 0 {
                        issue(line, .unitPrice, "The unit price cannot be negative.")
                        price = nil
                    }
                }
            } else {
                issue(line, .unitPrice, "The line needs a unit price.")
            }
            if let price,
                quantity.multipliedReportingOverflow(by: price).overflow || quantity * price > 1_000_000_000_000
            {
                issue(line, .quantity, "The line's total is too large.")
            }
            // The product: by SKU, else by name; created when neither matches.
            let sku = line.cell(.sku)
            let name = line.cell(.productName)
            var productID = sku.flatMap { productIDs["sku:\($0)"] ?? known.productsBySKU[$0] }
            if productID == nil, let name { productID = productIDs["name:\(name)"] ?? known.productsByName[name] }
            if productID == nil, sku != nil || name != nil {
                var product = Record.empty(.products, workspaceID: workspaceID, now: now)
                product.values["name"] = .string(String((name ?? sku!).prefix(300)))
                if let sku {
                    if sku.count > 100 { issue(line, .sku, "A SKU is at most 100 characters.") }
                    product.values["sku"] = .string(String(sku.prefix(100)))
                }
                if let price, let code = currency?.code {
                    product.values["unit_price"] = .number(Double(price))
                    product.values["currency"] = .string(code)
                }
                newProducts.append(product)
                productID = product.id
                if let sku { productIDs["sku:\(sku)"] = product.id }
                if let name { productIDs["name:\(name)"] = product.id }
            } else if productID == nil {
                issue(line, .productName, "The line names no product (sku or product_name).")
            }
            if let productID, let price {
                lines.append(
                    .object([
                        "product_id": .string(productID), "quantity": .number(Double(quantity)),
                        "unit_price": .number(Double(price)), "discount": .number(0),
                    ]))
            }
        }
        if group.lines.count > LineItem.maxLines {
            issue(first, .orderReference, "An order has at most \(LineItem.maxLines) lines.")
        }
        let existing = known.ordersByReference[reference]
        if let existing, issues.isEmpty, !known.changeable.contains(existing.id) {
            issue(first, .orderReference, "This row matches an order you may not change.")
        }
        guard issues.isEmpty, let buyer = customer, let money = currency else {
            state.report.rejected += 1
            state.report.errors += issues
            return
        }
        // Only an order that is kept creates its products.
        state.productIDs = productIDs
        for product in newProducts { state.productNames[product.id] = product.string("name") }
        state.report.productsCreated? += newProducts.count
        writes.products += newProducts
        let isContact = known.contacts.contains(buyer.id)
        var after = existing ?? Record.empty(.orders, workspaceID: workspaceID, now: now)
        after.values["reference"] = .string(reference)
        after.values["contact_id"] = isContact ? .string(buyer.id) : .null
        after.values["company_id"] = isContact ? buyer["company_id"] : .string(buyer.id)
        after.values["currency"] = .string(money.code)
        after.values["lines"] = .array(lines)
        if let time { after.values["ordered_at"] = .string(Timestamp.rfc3339(time)) }
        if let before = existing {
            ObjectType.orders.rules.prepare(&after, before: before, now: now)
            if FieldChange.between(before, after, schema: .orders).isEmpty {
                state.report.unchanged += 1
            } else {
                state.report.updated += 1
                writes.updated.append((before, after))
            }
            return
        }
        after.values["owner_id"] = buyer["owner_id"]
        after.values["team_id"] = buyer["team_id"]
        ObjectType.orders.rules.prepare(&after, before: nil, now: now)
        state.report.created += 1
        writes.created.append(after)
        if state.report.createdRecords.count < ImportReport.createdSample {
            state.report.createdRecords.append(.init(id: after.id, title: ObjectType.orders.title(of: after)))
        }
        let range = state.report.createdBetween
        state.report.createdBetween = min(range?.lowerBound ?? now, now)...max(range?.upperBound ?? now, now)
    }

    /// A batch's rows, built before its write waits for the one before it.
    struct Built: Sendable {
        var products: NewRows
        var orders: NewRows
        var created: [Record]
        var events: [TimelineEvent]
        var updated: [(before: Record, after: Record)]
    }

    func built(_ writes: Writes, productNames: [String: String], now: Int64) -> Built {
        let actor = Actor(.import, id: self.actor.id)
        let events = writes.created.compactMap {
            OrderEffects.purchase($0, productNames: productNames, actor: actor, now: now)
        }
        return Built(
            products: RecordRepository(store: services.store, schema: .products).newRows(
                writes.products, actor: actor, now: now, importID: importID, referenceTitles: [:]),
            orders: orders.repository.newRows(
                writes.created, actor: actor, now: now, importID: importID, referenceTitles: [:]),
            created: writes.created, events: events, updated: writes.updated)
    }

    /// Writes a batch in one transaction: new products, new orders with their links and purchases, and
    /// changed orders saved one by one.
    func write(_ built: Built, now: Int64) async throws {
        let orders = self.orders
        let store = services.store
        let viewer = self.viewer
        let actor = Actor(.import, id: self.actor.id)
        try await orders.writeRows { session in
            try await RecordRepository(store: store, schema: .products).insert(built.products, on: session)
            try await orders.repository.insert(built.orders, on: session)
            try await RecordLinkRepository(store: store).insert(built.created, type: .orders, on: session)
            try await TimelineRepository(store: store).append(built.events, on: session)
            for (before, after) in built.updated {
                let current =
                    try await orders.repository.find(.all(before.workspaceID), id: before.id, on: session.sql) ?? before
                var target = after
                target.version = current.version
                _ = try await orders.save(
                    target, before: current, now: now, actor: actor, action: "updated", viewer: viewer, on: session.sql)
            }
        }
    }
}
