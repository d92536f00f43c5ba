import Foundation
package import Hummingbird
package import RapportCore
package import RapportHTTP
package import RapportServices

/// `/api/v1/<object>/duplicates` and `/api/v1/<object>/{id}/duplicates` for every object with duplicate
/// rules: a record's possible duplicates, the workspace's pairs, and "not a duplicate".
package struct DuplicatesController: Sendable {
    let service: DuplicateService
    let path: String

    package init(_ services: Services, schema: ObjectType) {
        self.service = DuplicateService(services, schema: schema)
        self.path = schema.name
    }

    package func register(on api: RouterGroup<AppContext>, idempotent: RouterGroup<AppContext>) {
        guard service.applies else { return }
        api.get(RouterPath("\(path)/duplicates"), use: pairs)
        api.get(RouterPath("\(path)/:id/duplicates"), use: suggestions)
        idempotent.post(RouterPath("\(path)/:id/duplicates/:other_id/dismiss"), use: dismiss)
    }

    @Sendable func suggestions(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        let page = try PageRequest(request, cursor: false)
        var after: String?
        if let text = request.uri.queryParameters["cursor"].map(String.init), !text.isEmpty {
            guard let id = Self.decodeID(text) else {
                throw RapportError.invalid([FieldIssue("cursor", "The cursor is not one this server gave out.")])
            }
            after = id
        }
        let result = try await service.suggestions(principal, id: id, limit: page.limit, after: after)
        return try JSONCoding.response(
            ListBody(data: result.items.map(DuplicateBody.init), nextCursor: result.next.map(Self.encodeID)))
    }

    @Sendable func pairs(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let page = try PageRequest(request, cursor: false)
        var after: DuplicatePairCursor?
        if let text = request.uri.queryParameters["cursor"].map(String.init), !text.isEmpty {
            guard let cursor = DuplicatePairCursor(text: text) else {
                throw RapportError.invalid([FieldIssue("cursor", "The cursor is not one this server gave out.")])
            }
            after = cursor
        }
        let result = try await service.pairs(principal, limit: page.limit, after: after)
        return try JSONCoding.response(
            ListBody(data: result.items.map(DuplicatePairBody.init), nextCursor: result.next?.text))
    }

    @Sendable func dismiss(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await service.dismiss(
            principal, id: try context.parameters.require("id"), otherID: try context.parameters.require("other_id"))
        return Response(status: .noContent)
    }

    /// A suggestions cursor: base64url of the last record's id.
    static func encodeID(_ id: String) -> String {
        Data(id.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decodeID(_ text: String) -> String? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard text.count <= 100, let data = Data(base64Encoded: base64),
            let id = String(data: data, encoding: .utf8), RecordID.isWellFormed(id)
        else { return nil }
        return id.lowercased()
    }
}
