import Crypto
import Foundation
package import RapportCore
import RapportDatabase
import RapportStore

/// The way every email leaves Rapport: a row in the workspace's outbox, written with an idempotency key (so one
/// contact never gets the same message twice), and a delivery job that sends it (`EmailDelivery`).
package struct EmailService: Sendable {
    let services: Services
    var outbox: OutboxRepository { OutboxRepository(store: services.store) }

    package init(_ services: Services) {
        self.services = services
    }

    /// A rendered message to put in the outbox.
    package struct Outgoing: Sendable {
        package var workspaceID: String
        package var idempotencyKey: String
        package var kind: TemplateKind
        package var purpose: String?
        package var templateID: String?
        package var contactID: String?
        package var toAddress: String
        package var toName: String?
        package var rendered: RenderedTemplate
        package var unsubscribeURL: String?
        package var campaignID: String? = nil
        package var variant: String? = nil

        package init(
            workspaceID: String, idempotencyKey: String, kind: TemplateKind, purpose: String? = nil,
            templateID: String? = nil, contactID: String? = nil, toAddress: String, toName: String? = nil,
            rendered: RenderedTemplate, unsubscribeURL: String? = nil
        ) {
            self.workspaceID = workspaceID
            self.idempotencyKey = idempotencyKey
            self.kind = kind
            self.purpose = purpose
            self.templateID = templateID
            self.contactID = contactID
            self.toAddress = toAddress
            self.toName = toName
            self.rendered = rendered
            self.unsubscribeURL = unsubscribeURL
        }
    }

    /// Puts a message in the outbox and schedules its delivery, in one transaction. A second enqueue with the
    /// same idempotency key changes nothing and returns the first row. A message to a suppressed address is
    /// stored as `skipped`, with the reason.
    /// - Returns: the row, and whether it is new.
    @discardableResult
    package func enqueue(_ outgoing: Outgoing, now: Int64 = Timestamp.micros(Date())) async throws -> (
        OutboxMessage, created: Bool
    ) {
        let services = self.services
        let outbox = self.outbox
        let domain =
            try await EmailSettingsRepository(store: services.store).find(workspaceID: outgoing.workspaceID)
            .map { String($0.fromAddress.split(separator: "@").last ?? "rapport.invalid") } ?? "rapport.invalid"
        // (a row write of the store: on SQLite, enqueues that arrive together, such as a campaign's, share a commit)
        return try await services.store.writeRows { session in
            let suppressed = try await EmailSettingsRepository(store: services.store).suppression(
                workspaceID: outgoing.workspaceID, address: outgoing.toAddress, on: session)
            let message = OutboxMessage(
                workspaceID: outgoing.workspaceID, id: RecordID.make(), idempotencyKey: outgoing.idempotencyKey,
                kind: outgoing.kind, purpose: outgoing.purpose, templateID: outgoing.templateID,
                contactID: outgoing.contactID, toAddress: outgoing.toAddress.lowercased(), toName: outgoing.toName,
                subject: outgoing.rendered.subject, html: outgoing.rendered.html, text: outgoing.rendered.text,
                unsubscribeURL: outgoing.unsubscribeURL, state: suppressed == nil ? .queued : .skipped, attempts: 0,
                nextAttemptAt: now, lastError: suppressed.map { "The address is suppressed (\($0))." },
                messageID: "\(Self.randomHex(16))@\(domain)", campaignID: outgoing.campaignID,
                variant: outgoing.variant, createdAt: now)
            let (row, inserted) = try await outbox.insert(message, on: session)
            if inserted && row.state == .queued {
                try await JobQueue(store: services.store).enqueue(
                    EmailDelivery.job(workspaceID: outgoing.workspaceID, at: now), now: now, on: session.sql)
            }
            return (row, inserted)
        }
    }

    /// Sends a template to a contact the principal may see: `POST /api/v1/emails`. The idempotency key is the
    /// template, the purpose and the contact unless `key` is given.
    /// - Throws: `notFound` for a template or contact out of reach; `invalid` when the contact has no address or
    ///   a placeholder has no value for them.
    package func send(
        _ principal: Principal, templateID: String, contactID: String, purpose: String?, key: String?
    ) async throws -> (OutboxMessage, created: Bool) {
        let templates = TemplateService(services)
        let template = try await templates.get(principal.viewer, id: templateID)
        let contact = try await RecordService(services, schema: .contacts).get(principal.viewer, id: contactID)
        guard let address = contact.string("email"), EmailSettingsService.isAddress(address) else {
            throw RapportError.invalid([FieldIssue("contact_id", "The contact has no email address.")])
        }
        let unsubscribe =
            template.kind == .marketing ? unsubscribeURL(workspaceID: principal.workspace.id, address: address) : nil
        let values = try await values(
            for: contact, viewer: principal.viewer, sender: principal.user.name, unsubscribeURL: unsubscribe)
        let rendered = try Self.render(try await templates.source(template), values: values)
        let name = [contact.string("first_name"), contact.string("last_name")].compactMap { $0 }.joined(separator: " ")
        return try await enqueue(
            Outgoing(
                workspaceID: principal.workspace.id,
                idempotencyKey: key.map { "key:\($0)" } ?? "template:\(template.id):\(purpose ?? ""):\(contact.id)",
                kind: template.kind, purpose: purpose, templateID: template.id, contactID: contact.id,
                toAddress: address, toName: name.isEmpty ? nil : name, rendered: rendered, unsubscribeURL: unsubscribe))
    }

    /// The workspace's outbox rows (of one contact the viewer may see, when given), newest first.
    package func list(_ principal: Principal, contactID: String?, limit: Int, before: (Int64, String)?) async throws
        -> [OutboxMessage]
    {
        if let contactID {
            _ = try await RecordService(services, schema: .contacts).get(principal.viewer, id: contactID)
        } else {
            try Access(principal).require(.manageEmail)
        }
        return try await outbox.list(
            workspaceID: principal.workspace.id, contactID: contactID?.lowercased(), limit: limit, before: before)
    }

    /// The values a template's placeholders read for a contact.
    package func values(for contact: Record, viewer: Viewer, sender: String, unsubscribeURL: String?) async throws
        -> [String: String]
    {
        var values: [String: String] = ["sender.name": sender]
        for field in ["first_name", "last_name", "email"] { values[field] = contact.string(field) }
        values["full_name"] =
            [contact.string("first_name"), contact.string("last_name")].compactMap { $0 }.joined(separator: " ")
        for (key, value) in contact.custom {
            switch value {
            case .string(let text): values["custom.\(key)"] = text
            case .number(let number):
                values["custom.\(key)"] =
                    number.rounded() == number && abs(number) < 1e15 ? "\(Int64(number))" : "\(number)"
            case .bool(let flag): values["custom.\(key)"] = flag ? "yes" : "no"
            case .array(let items):
                values["custom.\(key)"] = items.compactMap { if case .string(let s) = $0 { s } else { nil } }.joined(
                    separator: ", ")
            default: break
            }
        }
        if let companyID = contact.string("company_id"),
            let company = try? await RecordService(services, schema: .companies).get(viewer, id: companyID)
        {
            values["company.name"] = company.string("name")
        }
        if let settings = try await EmailSettingsRepository(store: services.store).find(workspaceID: viewer.workspaceID)
        {
            values["sender.email"] = settings.fromAddress
            if let name = settings.fromName { values["sender.name"] = name }
        }
        values["unsubscribe_url"] = unsubscribeURL
        values["preferences_url"] = EmailTracking(services).preferencesURL(
            workspaceID: viewer.workspaceID, contactID: contact.id)
        return values
    }

    /// A template rendered with values, a missing value as `invalid` naming the placeholder.
    static func render(_ source: EmailTemplateSource, values: [String: String]) throws -> RenderedTemplate {
        do {
            return try source.render(values)
        } catch {
            throw RapportError.invalid([
                FieldIssue(
                    "contact_id",
                    "{{\(error.field)}} has no value for this contact and no default (line \(error.position.line), column \(error.position.column))."
                )
            ])
        }
    }

    // MARK: Unsubscribe links

    /// `PUBLIC_URL/u/TOKEN`: the token names the workspace and address and is signed with the server's secret.
    /// (At send time, `EmailTracking.prepare` puts the message's own link in its place.) Tokens made this way
    /// before messages had their own keep working.
    package func unsubscribeURL(workspaceID: String, address: String) -> String {
        EmailTracking(services).base + "/u/"
            + UnsubscribeToken.make(workspaceID: workspaceID, address: address, secret: services.settings.secretKey)
    }

    static func randomHex(_ bytes: Int) -> String {
        // (eight bytes per draw: each draw is a system call)
        var generator = SystemRandomNumberGenerator()
        var out: [UInt8] = []
        out.reserveCapacity(bytes + 7)
        while out.count < bytes { withUnsafeBytes(of: generator.next()) { out += $0 } }
        return Hex.encode(out.prefix(bytes))
    }
}

/// The signed token of an unsubscribe link: `base64url(workspace:address).hmac`, HMAC-SHA256 with the server's
/// secret, so a link cannot be made for another address.
package enum UnsubscribeToken {
    package static func make(workspaceID: String, address: String, secret: String) -> String {
        let payload = Data("\(workspaceID):\(address.lowercased())".utf8).base64URL
        return payload + "." + signature(payload, secret: secret)
    }

    /// The workspace and address of a token whose signature holds; nil otherwise.
    package static func read(_ token: String, secret: String) -> (workspaceID: String, address: String)? {
        let parts = token.split(separator: ".")
        guard parts.count == 2, constantTimeEqual(signature(String(parts[0]), secret: secret), String(parts[1])),
            let data = Data(base64URL: String(parts[0])), let text = String(data: data, encoding: .utf8),
            let colon = text.firstIndex(of: ":")
        else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    static func signature(_ payload: String, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data(payload.utf8), using: SymmetricKey(data: Data(("rapport.unsubscribe:" + secret).utf8)))
        return Hex.encode(Array(mac)).prefix(32).description
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension Data {
    /// Base64url without padding (RFC 4648 §5), mapped byte by byte (a token is made for every link of every
    /// message sent).
    var base64URL: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity((count + 2) / 3 * 4)
        for byte in base64EncodedData() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: "-"))
            case UInt8(ascii: "/"): bytes.append(UInt8(ascii: "_"))
            case UInt8(ascii: "="): break
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    init?(base64URL text: String) {
        var bytes: [UInt8] = text.utf8.map { byte in
            switch byte {
            case UInt8(ascii: "-"): UInt8(ascii: "+")
            case UInt8(ascii: "_"): UInt8(ascii: "/")
            default: byte
            }
        }
        while bytes.count % 4 != 0 { bytes.append(UInt8(ascii: "=")) }
        self.init(base64Encoded: Data(bytes))
    }
}
