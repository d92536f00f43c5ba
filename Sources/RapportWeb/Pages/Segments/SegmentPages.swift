import Foundation
import Hummingbird
import RapportCore
import RapportHTTP
import RapportServices

/// Marketing → Segments: the list, the editor of a new or saved segment (a textarea whose query is
/// checked and counted as it is typed, through `segmentPreview`, with errors marked where they are), and
/// the first members. Without JavaScript the editor is a form: saving shows the count, the members and
/// the errors the same way.
struct SegmentPages: Sendable {
    let services: Services
    let pages: Pages
    var segments: SegmentService { SegmentService(services) }

    func register(on group: RouterGroup<AppContext>) {
        group.get(RouterPath(WebPath.segments), use: list)
        group.post(RouterPath(WebPath.segments), use: create)
        group.get(RouterPath(WebPath.newSegment), use: new)
        group.get(RouterPath(WebPath.segmentPreview), use: preview)
        group.get(RouterPath(WebPath.segment(":id")), use: edit)
        group.post(RouterPath(WebPath.segment(":id")), use: update)
        group.post(RouterPath(WebPath.deleteSegment(":id")), use: delete)
    }

    static let examples = [
        #"title ~ "VP" and country in ("DK", "IR", "UA")"#,
        #"events(page_view, 30d) >= 3 and not tag = "do-not-contact""#,
        "consent(email) = granted and email_status = ok",
        #"orders(365d) >= 2 or spent(365d) > 1000"#,
        "birthday within 7d",
    ]

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let language = principal.user.language
        let messages = pages.catalog.table(language)
        var rows: [SegmentsView.Row] = []
        for segment in try await segments.all(principal.viewer) {
            let count: String
            var broken = false
            do {
                count = Self.contacts(try await segments.count(principal.viewer, id: segment.id), messages, language)
            } catch let error as RapportError where error.code == .invalid {
                count = messages["segment_broken"] ?? "The query has errors."
                broken = true
            }
            rows.append(
                SegmentsView.Row(
                    name: segment.name, path: WebPath.segment(segment.id), query: segment.query, count: count,
                    broken: broken))
        }
        return pages.render(
            SegmentsView(rows: rows, hasRows: !rows.isEmpty, newPath: WebPath.newSegment), request: request,
            context: context, title: "segments")
    }

    /// "12 contacts" in the reader's language and digits.
    static func contacts(_ count: Int, _ messages: [String: String], _ language: Language) -> String {
        let key = count == 1 ? "segment_count_one" : "segment_count"
        return (messages[key] ?? messages["segment_count"] ?? "{count} contacts").replacingOccurrences(
            of: "{count}", with: Numbers.format(count, language))
    }

    @Sendable func new(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        _ = try principal.viewer.scope(.read, on: .contacts)
        let query = request.uri.queryParameters["query"].map(String.init) ?? ""
        return try await editor(
            request: request, context: context, segment: nil, name: "", query: query, check: !query.isEmpty)
    }

    @Sendable func edit(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let segment = try await segments.get(principal.viewer, id: try context.parameters.require("id"))
        return try await editor(
            request: request, context: context, segment: segment, name: segment.name, query: segment.query,
            check: true)
    }

    /// The editor, with the count and members of `query` (when checked) or the issues of a refused save.
    func editor(
        request: Request, context: AppContext, segment: Segment?, name: String, query: String, check: Bool,
        refused: [FieldIssue] = [], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let language = principal.user.language
        let messages = pages.catalog.table(language)
        var issues = refused.filter { $0.field == "query" }
        var count: String?
        var members: [SegmentEditView.Member] = []
        if check, issues.isEmpty, !query.trimmed().isEmpty {
            do {
                let preview = try await segments.preview(principal.viewer, query: query)
                count = Self.contacts(preview.count, messages, language)
                members = preview.sample.map {
                    SegmentEditView.Member(
                        title: ObjectType.contacts.title(of: $0), path: WebPath.record("contacts", $0.id),
                        subtitle: $0.string("job_title"))
                }
            } catch let error as RapportError where error.code == .invalid {
                issues = error.fields
            }
        }
        let nameError = refused.first { $0.field == "name" }.map { Pages.translate($0, messages) }
        let view = SegmentEditView(
            heading: segment?.name ?? (messages["segment_new"] ?? "New segment"),
            action: segment.map { WebPath.segment($0.id) } ?? WebPath.segments, name: name, query: query,
            nameError: nameError,
            issues: issues.map { Self.issue($0, messages, language) }, hasIssues: !issues.isEmpty, count: count,
            members: members, hasMembers: !members.isEmpty, previewPath: WebPath.segmentPreview,
            contactsPath: segment.map { "\(WebPath.list("contacts"))?segment_id=\($0.id)" },
            deletePath: segment.map { WebPath.deleteSegment($0.id) },
            canManage: segment.map { Self.mayManage(principal, $0) } ?? true, examples: Self.examples)
        return pages.render(view, request: request, context: context, status: status, title: "segments")
    }

    static func mayManage(_ principal: Principal, _ segment: Segment) -> Bool {
        principal.user.role == .owner || principal.user.role == .admin || segment.createdBy == principal.user.id
    }

    /// An issue with its place said in the reader's language ("Line 2, column 5").
    static func issue(_ issue: FieldIssue, _ messages: [String: String], _ language: Language)
        -> SegmentEditView.Issue
    {
        let line = issue.line ?? 1
        let column = issue.column ?? 1
        let at = (messages["segment_error_at"] ?? "Line {line}, column {column}")
            .replacingOccurrences(of: "{line}", with: Numbers.format(line, language))
            .replacingOccurrences(of: "{column}", with: Numbers.format(column, language))
        return SegmentEditView.Issue(line: line, column: column, at: at, message: Pages.translate(issue, messages))
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let form = try await Form.read(&request)
        let (name, query) = (form["name"] ?? "", form["query"] ?? "")
        do {
            let segment = try await segments.create(principal.viewer, name: name, query: query)
            return pages.redirect(WebPath.segment(segment.id), flash: Flash("segment_saved"))
        } catch let error as RapportError where [.invalid, .conflict].contains(error.code) {
            return try await editor(
                request: request, context: context, segment: nil, name: name, query: query, check: false,
                refused: error.fields, status: error.code == .conflict ? .conflict : .unprocessableContent)
        }
    }

    @Sendable func update(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        var request = request
        let form = try await Form.read(&request)
        let (name, query) = (form["name"] ?? "", form["query"] ?? "")
        let segment = try await segments.get(principal.viewer, id: id)
        do {
            _ = try await segments.update(principal, id: id, name: name, query: query)
            return pages.redirect(WebPath.segment(id), flash: Flash("segment_saved"))
        } catch let error as RapportError where [.invalid, .conflict, .stale].contains(error.code) {
            return try await editor(
                request: request, context: context, segment: segment, name: name, query: query, check: false,
                refused: error.fields.isEmpty ? [FieldIssue("name", error.detail)] : error.fields,
                status: error.code == .conflict ? .conflict : .unprocessableContent)
        }
    }

    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await segments.delete(principal, id: try context.parameters.require("id"))
        return pages.redirect(WebPath.segments, flash: Flash("segment_deleted"))
    }

    /// What the editor shows as the query is typed: `{"count", "text", "errors", "members"}`.
    struct PreviewAnswer: Encodable, Sendable {
        struct Issue: Encodable, Sendable {
            let line: Int
            let column: Int
            let at: String
            let message: String
        }
        struct Member: Encodable, Sendable {
            let title: String
            let path: String
        }
        let count: Int?
        let text: String?
        let errors: [Issue]
        let members: [Member]
    }

    @Sendable func preview(_ request: Request, context: AppContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let language = principal.user.language
        let messages = pages.catalog.table(language)
        let query = request.uri.queryParameters["query"].map(String.init) ?? ""
        do {
            let preview = try await segments.preview(principal.viewer, query: query)
            return try JSONCoding.response(
                PreviewAnswer(
                    count: preview.count, text: Self.contacts(preview.count, messages, language), errors: [],
                    members: preview.sample.map {
                        PreviewAnswer.Member(
                            title: ObjectType.contacts.title(of: $0), path: WebPath.record("contacts", $0.id))
                    }))
        } catch let error as RapportError where error.code == .invalid {
            return try JSONCoding.response(
                PreviewAnswer(
                    count: nil, text: nil,
                    errors: error.fields.map {
                        let issue = Self.issue($0, messages, language)
                        return PreviewAnswer.Issue(
                            line: issue.line, column: issue.column, at: issue.at, message: issue.message)
                    }, members: []))
        }
    }
}
