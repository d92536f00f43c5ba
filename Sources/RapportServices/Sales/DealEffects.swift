import Foundation
import RapportCore
import RapportStore
import SQLKit

/// What a deal does beyond its fields: it sits in a stage of one pipeline, its status follows the
/// stage's kind, every change of stage is kept in the stage history, and it moves its contacts and
/// company along the customer cycle (a lead becomes an opportunity; winning makes a customer).
struct DealEffects: RecordEffects {
    /// Lifecycle stages a contact leaves for `opportunity` when a deal names it.
    static let beforeOpportunity: Set<String> = ["subscriber", "lead", "mql", "sql"]
    /// Lifecycle stages a contact or company leaves for `customer` when a deal is won.
    static let beforeCustomer: Set<String> = beforeOpportunity.union(["opportunity", "other"])

    func prepare(
        _ record: inout Record, before: Record?, viewer: Viewer, services: Services, now: Int64,
        on database: any SQLDatabase
    ) async throws {
        let pipelines = PipelineRepository(store: services.store)
        let workspaceID = record.workspaceID
        var pipeline: Pipeline?
        let stageChanged = record["stage_id"] != before?["stage_id"]
        let pipelineChanged = record["pipeline_id"] != before?["pipeline_id"]
        if stageChanged, let stageID = record.string("stage_id") {
            guard let owner = try await pipelines.pipeline(ofStage: stageID, workspaceID: workspaceID, on: database)
            else { throw RapportError.invalid([FieldIssue("stage_id", key: "no_such_stage", "No such stage.")]) }
            if pipelineChanged || before == nil, let named = record.string("pipeline_id"), named != owner.id {
                throw RapportError.invalid([
                    FieldIssue("stage_id", key: "stage_other_pipeline", "The stage belongs to another pipeline.")
                ])
            }
            if !pipelineChanged, before != nil, let current = record.string("pipeline_id"), current != owner.id {
                throw RapportError.invalid([
                    FieldIssue("stage_id", key: "stage_other_pipeline", "The stage belongs to another pipeline.")
                ])
            }
            pipeline = owner
        } else if let named = record.string("pipeline_id") {
            pipeline = try await pipelines.find(workspaceID: workspaceID, id: named, on: database)
        } else {
            pipeline = try await pipelines.first(workspaceID: workspaceID, on: database)
        }
        guard let pipeline else {
            throw RapportError.invalid([FieldIssue("pipeline_id", key: "no_such_pipeline", "No such pipeline.")])
        }
        record.values["pipeline_id"] = .string(pipeline.id)
        if record.string("stage_id") == nil || (pipelineChanged && !stageChanged) {
            guard let first = pipeline.firstOpenStage else {
                throw RapportError.invalid([FieldIssue("stage_id", key: "no_such_stage", "No such stage.")])
            }
            record.values["stage_id"] = .string(first.id)
        }
        guard let stage = record.string("stage_id").flatMap(pipeline.stage) else {
            throw RapportError.invalid([FieldIssue("stage_id", key: "no_such_stage", "No such stage.")])
        }
        try checkCurrency(&record, pipeline: pipeline)
        // The status follows the stage; closing (or reopening) sets (or clears) the time it closed.
        let status = stage.kind.status
        if status != before?.string("status") {
            record.values["closed_at"] = stage.kind == .open ? .null : .string(Timestamp.rfc3339(now))
        }
        record.values["status"] = .string(status)
        if stage.kind != .lost {
            record.values["lost_reason"] = .null
        } else if record.string("lost_reason") == nil {
            throw RapportError.invalid([
                FieldIssue("lost_reason", key: "lost_reason_required", "A lost deal needs a reason.")
            ])
        }
        try await Self.checkProducts(record, before: before, field: "line_items", services: services, on: database)
    }

    /// A deal's money is in its pipeline's currency, when the pipeline has one; line items need a currency.
    func checkCurrency(_ record: inout Record, pipeline: Pipeline) throws {
        if let currency = pipeline.currency {
            if record.string("currency") == nil,
                record["amount"] != .null || !LineItem.lines(of: record["line_items"]).isEmpty
            {
                record.values["currency"] = .string(currency)
            }
            if let given = record.string("currency"), given != currency {
                throw RapportError.invalid([
                    FieldIssue(
                        "currency", key: "pipeline_currency", "The deals of this pipeline are in {currency}.",
                        ["currency": currency])
                ])
            }
        }
        if !LineItem.lines(of: record["line_items"]).isEmpty, record.string("currency") == nil {
            throw RapportError.invalid([
                FieldIssue(
                    "currency", key: "amount_currency", "An amount needs a currency (an ISO 4217 code such as DKK).")
            ])
        }
    }

    /// A product added to the lines must be active (lines already there may keep a retired product).
    /// Deals and orders both check their lines here; `field` names the lines (`line_items`, `lines`).
    static func checkProducts(
        _ record: Record, before: Record?, field: String, services: Services, on database: any SQLDatabase
    ) async throws {
        let old = Set(LineItem.lines(of: before?[field] ?? .null).map(\.productID))
        let products = RecordRepository(store: services.store, schema: .products)
        for (index, line) in LineItem.lines(of: record[field]).enumerated() where !old.contains(line.productID) {
            let product = try await products.find(.all(record.workspaceID), id: line.productID, on: database)
            if product?["active"] == .bool(false) {
                throw RapportError.invalid([
                    FieldIssue(
                        "\(field)[\(index)].product_id", key: "product_inactive",
                        "{name} is not sold any more (the product is inactive).",
                        ["name": product?.string("name") ?? "The product"])
                ])
            }
        }
    }

    func written(
        _ record: Record, before: Record?, actor: Actor, services: Services, now: Int64,
        on database: any SQLDatabase
    ) async throws -> [TimelineEvent] {
        guard let stageID = record.string("stage_id"), let pipelineID = record.string("pipeline_id") else { return [] }
        var events: [TimelineEvent] = []
        func event(_ type: String, _ data: [String: JSONValue]) {
            events.append(
                TimelineEvent(
                    workspaceID: record.workspaceID, type: type, occurredAt: now, actor: actor, contactID: nil,
                    companyID: nil, dealID: record.id, data: data))
        }
        let moved = before?.string("stage_id") != stageID
        if moved {
            let samePipeline = before?.string("pipeline_id") == pipelineID
            try await StageHistoryRepository(store: services.store).append(
                [
                    StageTransition(
                        workspaceID: record.workspaceID, dealID: record.id, pipelineID: pipelineID,
                        fromStageID: samePipeline ? before?.string("stage_id") : nil, stageID: stageID,
                        enteredAt: now, actor: actor)
                ], on: database)
        }
        let status = record.string("status")
        if let before {
            if moved {
                event("deal_moved", ["from_stage_id": before["stage_id"], "to_stage_id": .string(stageID)])
            }
            if status != before.string("status") {
                if status == "won" { event("deal_won", ["amount": record["amount"], "currency": record["currency"]]) }
                if status == "lost" { event("deal_lost", ["lost_reason": record["lost_reason"]]) }
            }
            if record["amount"] != before["amount"] {
                event(
                    "deal_amount_changed",
                    ["from": before["amount"], "to": record["amount"], "currency": record["currency"]])
            }
        } else {
            if status == "won" { event("deal_won", ["amount": record["amount"], "currency": record["currency"]]) }
            if status == "lost" { event("deal_lost", ["lost_reason": record["lost_reason"]]) }
        }
        try await moveCustomerCycle(record, before: before, actor: actor, services: services, now: now, on: database)
        if status == "won", before?.string("status") != "won" {
            try await recordOrder(record, actor: actor, services: services, now: now, on: database)
        }
        return events
    }

    /// Winning a deal with line items records what was sold: an order for the deal's first contact and
    /// its company, with the deal's lines as they are (each line's discount kept, so the order's total is
    /// the deal's amount), in the deal's currency, owner and team, at the time it was won. Once per deal:
    /// a deal reopened and won again keeps the order it has. A deal with no contact and no company, or
    /// no lines, records none.
    func recordOrder(_ deal: Record, actor: Actor, services: Services, now: Int64, on database: any SQLDatabase)
        async throws
    {
        let lines = deal["line_items"]
        guard !LineItem.lines(of: lines).isEmpty, let currency = deal.string("currency") else { return }
        let contact = deal.strings("contact_ids").first
        let company = deal.string("company_id")
        guard contact != nil || company != nil else { return }
        let orders = RecordService(services, schema: .orders)
        guard
            try await orders.repository.records(
                where: "deal_id", is: deal.id, workspaceID: deal.workspaceID, on: database
            ).isEmpty
        else { return }
        var order = Record.empty(.orders, workspaceID: deal.workspaceID, now: now)
        order.values["contact_id"] = contact.map(JSONValue.string) ?? .null
        order.values["company_id"] = company.map(JSONValue.string) ?? .null
        order.values["deal_id"] = .string(deal.id)
        order.values["currency"] = .string(currency)
        order.values["lines"] = lines
        order.values["ordered_at"] = .string(Timestamp.rfc3339(now))
        order.values["owner_id"] = deal["owner_id"]
        order.values["team_id"] = deal["team_id"]
        ObjectType.orders.rules.prepare(&order, before: nil, now: now)
        try await orders.insert(order, actor: actor, now: now, on: database)
    }

    /// A contact newly on an open deal becomes an opportunity; a won deal's contacts and company become
    /// customers.
    func moveCustomerCycle(
        _ record: Record, before: Record?, actor: Actor, services: Services, now: Int64, on database: any SQLDatabase
    ) async throws {
        let won = record.string("status") == "won" && before?.string("status") != "won"
        let added = Set(record.strings("contact_ids")).subtracting(before?.strings("contact_ids") ?? [])
        let contacts = RecordService(services, schema: .contacts)
        for id in record.strings("contact_ids") {
            let target: String
            let from: Set<String>
            if won {
                (target, from) = ("customer", Self.beforeCustomer)
            } else if added.contains(id), record.string("status") == "open" {
                (target, from) = ("opportunity", Self.beforeOpportunity)
            } else {
                continue
            }
            try await contacts.setLifecycle(
                id, workspaceID: record.workspaceID, to: target, from: from, actor: actor, now: now, on: database)
        }
        if won, let company = record.string("company_id") {
            try await RecordService(services, schema: .companies).setLifecycle(
                company, workspaceID: record.workspaceID, to: "customer", from: Self.beforeCustomer, actor: actor,
                now: now, on: database)
        }
    }

    func removing(_ record: Record, services: Services, on database: any SQLDatabase) async throws {
        try await StageHistoryRepository(store: services.store).remove(
            workspaceID: record.workspaceID, dealID: record.id, on: database)
    }

    /// The merged deal keeps both deals' stage histories.
    func merging(_ other: Record, into keep: Record, services: Services, on database: any SQLDatabase) async throws {
        let history = StageHistoryRepository(store: services.store)
        try await history.move(workspaceID: keep.workspaceID, from: other.id, to: keep.id, on: database)
        try await history.refresh(workspaceID: keep.workspaceID, dealIDs: [keep.id], on: database)
    }
}

extension RecordService {
    /// Moves a record's lifecycle stage to `target` when it is in one of `from` (or has none), with its
    /// event and audit entry, inside the caller's transaction.
    func setLifecycle(
        _ id: String, workspaceID: String, to target: String, from: Set<String>, actor: Actor, now: Int64,
        on database: any SQLDatabase
    ) async throws {
        guard schema.field("lifecycle_stage") != nil,
            let before = try await repository.find(.all(workspaceID), id: id, on: database)
        else { return }
        let current = before.string("lifecycle_stage")
        guard current.map(from.contains) ?? true, current != target else { return }
        var record = before
        record.values["lifecycle_stage"] = .string(target)
        schema.rules.prepare(&record, before: before, now: now)
        _ = try await save(
            record, before: before, now: now, actor: actor, action: "updated", viewer: .system(workspaceID),
            on: database)
    }
}
