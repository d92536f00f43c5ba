import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// Merging another record of the same object into this one.
extension RecordPages {
    @Sendable func mergeForm(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let record = try await service.get(
            principal.viewer, id: try context.parameters.require("id"))
        let otherText = (request.uri.queryParameters["other"].map(String.init) ?? "").trimmingCharacters(
            in: .whitespaces)
        return try await mergePage(record, otherText: otherText, error: nil, request: request, context: context)
    }

    @Sendable func merge(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var request = request
        let form = try await Form.read(&request)
        let record = try await service.get(principal.viewer, id: id)
        guard let otherID = form["other_id"], RecordID.isWellFormed(otherID) else {
            return try await mergePage(
                record, otherText: "", error: "Choose the record to merge.", request: request, context: context)
        }
        var prefer: [String: String] = [:]
        for (name, value) in form where name.hasPrefix("prefer.") && (value == "this" || value == "other") {
            prefer[String(name.dropFirst("prefer.".count))] = value
        }
        _ = try await service.merge(
            principal.viewer, id: id, otherID: otherID, prefer: prefer, actor: Self.actor(principal))
        return pages.redirect(WebPath.record(object, id), flash: Flash("merged"))
    }

    func mergePage(_ record: Record, otherText: String, error: String?, request: Request, context: AppContext)
        async throws -> Response
    {
        let principal = try context.requirePrincipal()
        let messages = messages(context)
        var other: Record?
        var error = error
        if !otherText.isEmpty {
            other = try await service.find(key: otherText, viewer: principal.viewer)
            if other == nil { error = messages["merge_not_found"] ?? "No such record." }
            if other?.id == record.id { other = nil; error = messages["merge_itself"] ?? "Choose another record." }
        }
        var rows: [RecordMergeView.Row] = []
        if let other {
            let references = schema.fields.filter { if case .reference = $0.kind { true } else { false } }.map(\.name)
            let titles = try await service.referenceTitles(
                [record, other], fields: references, viewer: principal.viewer)
            let dates = Dates(viewer: principal.user, messages: messages)
            for field in schema.fields where field.writable {
                let mine = cell(field.name, of: record, titles: titles, messages: messages, dates: dates).value
                let theirs = cell(field.name, of: other, titles: titles, messages: messages, dates: dates).value
                if mine.isEmpty && theirs.isEmpty { continue }
                let united = [.tags, .emailList, .phones].contains(field.kind)
                rows.append(
                    .init(
                        field: field.name, label: label(field.name, messages), this: mine, other: theirs,
                        choice: !united && mine != theirs && !mine.isEmpty && !theirs.isEmpty, united: united))
            }
        }
        let view = RecordMergeView(
            recordTitle: title(of: record), path: WebPath.record(object, record.id), otherText: otherText,
            otherRecord: other.map { .init(id: $0.id, otherTitle: title(of: $0)) }, rows: rows, error: error)
        return pages.render(
            view, request: request, context: context, status: error == nil ? .ok : .unprocessableContent,
            title: "merge")
    }
}
