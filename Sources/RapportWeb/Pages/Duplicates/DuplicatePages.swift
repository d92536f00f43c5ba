import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// Suggested duplicates of every object with duplicate rules: the workspace's list of pairs, "Not a
/// duplicate" (from that list or a record's page), and the panel on a record's page. "Merge" leads to the
/// record's merge comparison with the other record chosen.
struct DuplicatePages: Sendable {
    let services: Services
    let pages: Pages
    let service: DuplicateService
    var object: String { service.schema.name }

    static let pageSize = 50
    /// Suggestions a record's page shows at most.
    static let panelSize = 10

    init(services: Services, pages: Pages, schema: ObjectType) {
        self.services = services
        self.pages = pages
        self.service = DuplicateService(services, schema: schema)
    }

    func register(on group: RouterGroup<AppContext>) {
        guard service.applies else { return }
        group.get(RouterPath(WebPath.duplicates(object)), use: list)
        group.post(RouterPath(WebPath.dismissDuplicate(object, ":id", ":other")), use: dismiss)
    }

    func messages(_ context: AppContext) -> [String: String] {
        pages.catalog.table(context.principal?.user.language ?? .en)
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let messages = messages(context)
        let cursorText = request.uri.queryParameters["after"].map(String.init)
        var after: DuplicatePairCursor?
        if let cursorText, !cursorText.isEmpty {
            guard let cursor = DuplicatePairCursor(text: cursorText) else {
                throw RapportError(.badRequest, "This page of duplicates does not exist.")
            }
            after = cursor
        }
        let page = try await service.pairs(principal, limit: Self.pageSize, after: after)
        let path = WebPath.duplicates(object)
        let back = after.map { "\(path)?after=\($0.text)" } ?? path
        let pairs = page.items.map { pair in
            DuplicateItemView(
                first: side(pair.first), second: side(pair.second),
                reasons: pair.reasons.map { Self.reason($0, messages) },
                mergePath: WebPath.merge(object, pair.first.id, with: pair.second.id),
                dismissPath: WebPath.dismissDuplicate(object, pair.first.id, pair.second.id))
        }
        let view = DuplicatesView(
            heading: messages["duplicates_\(object)"] ?? messages["duplicates"] ?? "Possible duplicates",
            listPath: WebPath.list(object), listLabel: messages[object] ?? object, pairs: pairs,
            hasPairs: !pairs.isEmpty, back: back,
            firstPage: after == nil ? nil : path, nextPage: page.next.map { "\(path)?after=\($0.text)" })
        return pages.render(view, request: request, context: context, title: "duplicates")
    }

    @Sendable func dismiss(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var request = request
        let form = try await Form.read(&request)
        try await service.dismiss(principal, id: id, otherID: try context.parameters.require("other"))
        let back = WebPath.returnPath(form["back"]) ?? WebPath.record(object, id)
        return pages.redirect(back, flash: Flash("duplicate_dismissed"))
    }

    /// The panel of a record's page: its possible duplicates; nil for an object without duplicate rules.
    func panel(_ principal: Principal, record: Record, messages: [String: String]) async throws
        -> [DuplicateItemView]?
    {
        guard service.applies else { return nil }
        let found = try await service.suggestions(principal, id: record.id, limit: Self.panelSize)
        return found.items.map { suggestion in
            DuplicateItemView(
                first: nil, second: side(suggestion.record),
                reasons: suggestion.reasons.map { Self.reason($0, messages) },
                mergePath: WebPath.merge(object, record.id, with: suggestion.record.id),
                dismissPath: WebPath.dismissDuplicate(object, record.id, suggestion.record.id))
        }
    }

    func side(_ side: DuplicateService.Side) -> DuplicateSideView {
        DuplicateSideView(
            title: side.title.isEmpty ? "—" : side.title, sideNote: side.subtitle,
            recordPath: WebPath.record(object, side.id))
    }

    /// A reason in the viewer's language, its value set apart.
    static func reason(_ reason: DuplicateService.Reason, _ messages: [String: String]) -> DuplicateReasonView {
        let text = messages[reason.key] ?? "{value}"
        let parts = text.components(separatedBy: "{value}")
        return DuplicateReasonView(
            before: parts.first ?? "", value: reason.value, after: parts.count > 1 ? parts[1...].joined() : "",
            ltr: ["email", "phone", "domain"].contains(reason.rule))
    }
}
