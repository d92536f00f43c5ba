import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// Settings → API tokens: the user's own tokens, a new one (its secret shown once) and revoking.
struct TokenPages: Sendable {
    let accounts: AccountService
    let pages: Pages

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.tokens), use: tokensPage)
        group.post(RouterPath(WebPath.tokens), use: createToken)
        group.post(RouterPath(WebPath.revokeToken(":id")), use: revokeToken)
    }

    @Sendable func tokensPage(_ request: Request, context: AppContext) async throws -> Response {
        try await tokens(request: request, context: context)
    }

    func tokens(
        created: TokensView.Created? = nil, errors: [FieldIssue] = [], request: Request, context: AppContext
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let messages = pages.catalog.table(principal.user.language)
        let dates = Dates(viewer: principal.user, messages: messages)
        let rows = try await accounts.tokens(of: principal).items.map { token in
            TokensView.Row(
                name: token.name, createdAt: Timestamp.rfc3339(token.createdAt),
                createdDisplay: dates.exact(token.createdAt),
                lastUsedAt: token.lastUsedAt.map(Timestamp.rfc3339),
                lastUsedDisplay: token.lastUsedAt.map(dates.exact), used: token.lastUsedAt != nil,
                revokePath: WebPath.revokeToken(token.id))
        }
        return pages.render(
            TokensView(tokens: rows, hasTokens: !rows.isEmpty, created: created, errors: Pages.errorMap(errors, messages)),
            request: request, context: context,
            status: errors.isEmpty ? (created == nil ? .ok : .created) : .unprocessableContent, title: "api_tokens")
    }

    @Sendable func createToken(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.read(&request)
        do {
            let (token, secret) = try await accounts.createToken(named: form["name"], for: principal)
            return try await tokens(
                created: .init(name: token.name, secret: secret), request: request, context: context)
        } catch let error as RapportError where error.code == .invalid {
            return try await tokens(errors: error.fields, request: request, context: context)
        }
    }

    @Sendable func revokeToken(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await accounts.revokeToken(try context.parameters.require("id"), of: principal)
        return Pages.redirect(WebPath.tokens)
    }
}
