import Foundation
package import RapportCore
import RapportStore

/// Email templates: everyone in the workspace reads them (to send one); owners and admins write them.
package struct TemplateService: Sendable {
    let services: Services
    var repository: TemplateRepository { TemplateRepository(store: services.store) }

    package init(_ services: Services) {
        self.services = services
    }

    /// What a create or a patch says; nil members are left as they are.
    package struct Draft: Sendable {
        package var name: String?
        package var kind: TemplateKind?
        package var subject: String?
        package var html: String??
        package var text: String??
        /// The topic's id; `.some(nil)` names none.
        package var topicID: String??

        package init(
            name: String? = nil, kind: TemplateKind? = nil, subject: String? = nil, html: String?? = nil,
            text: String?? = nil, topicID: String?? = nil
        ) {
            self.topicID = topicID
            self.name = name
            self.kind = kind
            self.subject = subject
            self.html = html
            self.text = text
        }
    }

    package func all(_ viewer: Viewer) async throws -> [StoredTemplate] {
        try await repository.all(workspaceID: viewer.workspaceID)
    }

    /// - Throws: `notFound` (also for another workspace's id).
    package func get(_ viewer: Viewer, id: String) async throws -> StoredTemplate {
        guard let template = try await repository.find(workspaceID: viewer.workspaceID, id: id) else {
            throw RapportError.notFound("The template")
        }
        return template
    }

    /// The template parsed and checked against the workspace's contact custom fields.
    /// - Throws: `invalid` naming the part, line and column.
    package func source(_ template: StoredTemplate) async throws -> EmailTemplateSource {
        let custom = Set(
            try await RecordService(services, schema: .contacts).customFields(workspaceID: template.workspaceID).map(
                \.key))
        return try EmailTemplateSource(
            kind: template.kind, subject: template.subject, html: template.html, text: template.text,
            customFields: custom)
    }

    /// - Throws: `forbidden`; `invalid` naming each bad field.
    package func create(_ principal: Principal, _ draft: Draft) async throws -> StoredTemplate {
        try Access(principal).require(.manageEmail)
        var issues: [FieldIssue] = []
        if draft.name?.trimmed().isEmpty ?? true { issues.append(FieldIssue("name", "This field is required.")) }
        if draft.kind == nil { issues.append(FieldIssue("kind", "Must be marketing or transactional.")) }
        if draft.subject == nil { issues.append(FieldIssue("subject", "This field is required.")) }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        let now = Timestamp.micros(Date())
        let template = StoredTemplate(
            workspaceID: principal.workspace.id, id: RecordID.make(), name: draft.name!.trimmed(), kind: draft.kind!,
            subject: draft.subject!, html: draft.html ?? nil, text: draft.text ?? nil, version: 1, createdAt: now,
            updatedAt: now, topicID: (draft.topicID ?? nil)?.lowercased())
        try Self.checkName(template.name)
        try await checkTopic(template)
        _ = try await source(template)
        _ = try await repository.save(template, previousVersion: nil)
        return template
    }

    /// - Throws: `forbidden`; `notFound`; `invalid`; `stale` when `expectedVersion` is not the current one.
    package func update(_ principal: Principal, id: String, _ draft: Draft, expectedVersion: Int64?) async throws
        -> StoredTemplate
    {
        try Access(principal).require(.manageEmail)
        let current = try await get(principal.viewer, id: id)
        if let expectedVersion, expectedVersion != current.version {
            throw RapportError(.stale, "The template has changed since it was read (If-Match does not match its ETag).")
        }
        var template = current
        if let name = draft.name { template.name = name.trimmed() }
        if let kind = draft.kind { template.kind = kind }
        if let subject = draft.subject { template.subject = subject }
        if let html = draft.html { template.html = html }
        if let text = draft.text { template.text = text }
        if let topicID = draft.topicID { template.topicID = topicID?.lowercased() }
        try Self.checkName(template.name)
        try await checkTopic(template)
        _ = try await source(template)
        template.version = current.version + 1
        template.updatedAt = Timestamp.micros(Date())
        guard try await repository.save(template, previousVersion: current.version) else {
            throw RapportError(.stale, "The template changed while it was being saved; read it again.")
        }
        return template
    }

    package func delete(_ principal: Principal, id: String) async throws {
        try Access(principal).require(.manageEmail)
        guard try await repository.delete(workspaceID: principal.workspace.id, id: id) else {
            throw RapportError.notFound("The template")
        }
    }

    /// The template rendered for a contact the viewer may see.
    /// - Throws: `notFound` for a template or contact the viewer cannot reach; `invalid` naming the placeholder
    ///   that has no value for this contact.
    package func preview(_ principal: Principal, id: String, contactID: String) async throws -> RenderedTemplate {
        let template = try await get(principal.viewer, id: id)
        let contact = try await RecordService(services, schema: .contacts).get(principal.viewer, id: contactID)
        let values = try await EmailService(services).values(
            for: contact, viewer: principal.viewer, sender: principal.user.name,
            unsubscribeURL: template.kind == .marketing
                ? EmailService(services).unsubscribeURL(
                    workspaceID: template.workspaceID, address: contact.string("email") ?? "")
                : nil)
        return try EmailService.render(try await source(template), values: values)
    }

    /// A topic is a kind of marketing mail, and one of the workspace's.
    func checkTopic(_ template: StoredTemplate) async throws {
        guard let topicID = template.topicID else { return }
        if template.kind != .marketing {
            throw RapportError.invalid([
                FieldIssue("topic_id", key: "template_topic_marketing", "Only marketing templates have a topic.")
            ])
        }
        guard
            try await EmailTopicRepository(store: services.store).find(workspaceID: template.workspaceID, id: topicID)
                != nil
        else {
            throw RapportError.invalid([FieldIssue("topic_id", key: "template_topic_unknown", "No such topic.")])
        }
    }

    static func checkName(_ name: String) throws {
        if name.isEmpty || name.count > 200 {
            throw RapportError.invalid([FieldIssue("name", "A name of 1 to 200 characters.")])
        }
    }
}
