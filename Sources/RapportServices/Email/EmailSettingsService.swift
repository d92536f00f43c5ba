import Crypto
import Foundation
package import RapportCore
package import RapportMail
import RapportStore

/// A workspace's sender: the SMTP server mail goes through and the From address. Owners and admins change
/// it; the password is sealed (AES-GCM, with a key derived from the server's secret key) and never shown.
package struct EmailSettingsService: Sendable {
    let services: Services
    var repository: EmailSettingsRepository { EmailSettingsRepository(store: services.store) }

    package init(_ services: Services) {
        self.services = services
    }

    /// The settings as shown: everything but the password.
    package struct View: Sendable, Equatable {
        package var host: String
        package var port: Int
        package var tls: String
        package var username: String?
        package var passwordSet: Bool
        package var from: String
        package var fromName: String?
        package var replyTo: String?
        package var updatedAt: Int64
    }

    /// What a `PUT` says. `password` nil keeps the stored one; `.some(nil)` clears it.
    package struct Draft: Sendable {
        package var host: String?
        package var port: Int?
        package var tls: String?
        package var username: String?
        package var password: String??
        package var from: String?
        package var fromName: String?
        package var replyTo: String?

        package init(
            host: String?, port: Int?, tls: String?, username: String?, password: String??, from: String?,
            fromName: String?, replyTo: String?
        ) {
            self.host = host
            self.port = port
            self.tls = tls
            self.username = username
            self.password = password
            self.from = from
            self.fromName = fromName
            self.replyTo = replyTo
        }
    }

    static let tlsModes: [String: SMTPSettings.TLSMode] = [
        "starttls": .startTLS, "implicit": .implicit, "opportunistic": .opportunistic, "off": .off,
    ]

    /// The workspace's settings; nil while none are saved.
    /// - Throws: `forbidden` for members.
    package func get(_ principal: Principal) async throws -> View? {
        try Access(principal).require(.manageEmail)
        return try await repository.find(workspaceID: principal.workspace.id).map(Self.view)
    }

    /// Saves the workspace's settings whole (the password kept when the draft leaves it out).
    /// - Throws: `forbidden`; `invalid` naming each bad field.
    package func put(_ principal: Principal, _ draft: Draft) async throws -> View {
        try Access(principal).require(.manageEmail)
        var issues: [FieldIssue] = []
        let host = draft.host?.trimmed() ?? ""
        if host.isEmpty || host.count > 253 || host.contains(where: { $0.isWhitespace || $0 == "/" || $0 == "@" }) {
            issues.append(FieldIssue("smtp_host", "A host name or IP address is required."))
        }
        if !(1...65535).contains(draft.port ?? 0) {
            issues.append(FieldIssue("smtp_port", "The port is a whole number from 1 to 65535."))
        }
        if Self.tlsModes[draft.tls ?? ""] == nil {
            issues.append(FieldIssue("tls", "Must be starttls, implicit, opportunistic or off."))
        }
        let from = draft.from?.trimmed() ?? ""
        if !Self.isAddress(from) { issues.append(FieldIssue("from", "Must be an email address.")) }
        if let replyTo = draft.replyTo, !replyTo.isEmpty, !Self.isAddress(replyTo) {
            issues.append(FieldIssue("reply_to", "Must be an email address."))
        }
        if let fromName = draft.fromName, fromName.count > 200 || fromName.contains(where: \.isNewline) {
            issues.append(FieldIssue("from_name", "A name of up to 200 characters on one line."))
        }
        if case .some(.some(let password)) = draft.password, password.count > 1000 || password.isEmpty {
            issues.append(FieldIssue("password", "A password of 1 to 1000 characters, or null for none."))
        }
        if !issues.isEmpty { throw RapportError.invalid(issues) }
        let existing = try await repository.find(workspaceID: principal.workspace.id)
        let sealed: String? =
            switch draft.password {
            case .none: existing?.passwordSealed
            case .some(.none): nil
            case .some(.some(let password)): try seal(password)
            }
        let stored = StoredEmailSettings(
            workspaceID: principal.workspace.id, host: host, port: draft.port ?? 0, tls: draft.tls ?? "starttls",
            username: draft.username.flatMap { $0.isEmpty ? nil : $0 }, passwordSealed: sealed,
            fromAddress: from.lowercased(),
            fromName: draft.fromName.flatMap { $0.trimmed().isEmpty ? nil : $0.trimmed() },
            replyTo: draft.replyTo.flatMap { $0.isEmpty ? nil : $0.lowercased() }, updatedAt: Timestamp.micros(Date()))
        try await repository.save(stored)
        return Self.view(stored)
    }

    /// What a test message came to: what the server said, never a secret.
    package struct TestResult: Sendable, Equatable {
        /// `accepted`, `temporary_failure`, `permanent_failure` or the error's kind (`connectFailed`, …).
        package var outcome: String
        package var accepted: Bool
        package var reply: String?
        package var detail: String?
    }

    /// Sends a test message to `to` now, through the workspace's server.
    /// - Throws: `forbidden`; `invalid` for a bad address or no settings yet.
    package func sendTest(_ principal: Principal, to: String) async throws -> TestResult {
        try Access(principal).require(.manageEmail)
        guard Self.isAddress(to) else { throw RapportError.invalid([FieldIssue("to", "Must be an email address.")]) }
        guard let stored = try await repository.find(workspaceID: principal.workspace.id) else {
            throw RapportError.invalid([FieldIssue("smtp_host", "Save the email settings first.")])
        }
        let smtp = try smtpSettings(stored)
        var message = MailMessage(
            from: MailAddress(stored.fromAddress, name: stored.fromName), to: [MailAddress(to)],
            subject: "Rapport test message",
            text: "This is a test message from Rapport (\(principal.workspace.name)), sent by \(principal.user.email).")
        if let replyTo = stored.replyTo { message.replyTo = [MailAddress(replyTo)] }
        let pool = SMTPConnectionPool(settings: smtp, size: 1)
        defer { Task { await pool.close() } }
        do {
            switch try await pool.send(message) {
            case .accepted(let reply):
                return TestResult(outcome: "accepted", accepted: true, reply: "\(reply)", detail: nil)
            case .temporaryFailure(let code, let text):
                return TestResult(outcome: "temporary_failure", accepted: false, reply: "\(code) \(text)", detail: nil)
            case .permanentFailure(let code, let text):
                return TestResult(outcome: "permanent_failure", accepted: false, reply: "\(code) \(text)", detail: nil)
            }
        } catch {
            return TestResult(
                outcome: error.kind.rawValue, accepted: false, reply: error.reply.map { "\($0)" },
                detail: "\(error.stage): \(error.detail)")
        }
    }

    /// The SMTP settings of stored ones, the password unsealed.
    package func smtpSettings(_ stored: StoredEmailSettings) throws -> SMTPSettings {
        var settings = SMTPSettings(
            host: stored.host, port: stored.port, tls: Self.tlsModes[stored.tls] ?? .startTLS,
            username: stored.username, password: try stored.passwordSealed.map(unseal))
        settings.connectTimeout = .seconds(10)
        settings.commandTimeout = .seconds(60)
        return settings
    }

    // MARK: Sealing

    var key: SymmetricKey {
        SymmetricKey(data: SHA256.hash(data: Data(("rapport.email-password:" + services.settings.secretKey).utf8)))
    }

    func seal(_ password: String) throws -> String {
        guard let combined = try AES.GCM.seal(Data(password.utf8), using: key).combined else {
            throw RapportError(.invalid, "The password could not be stored.")
        }
        return "v1:" + combined.base64EncodedString()
    }

    func unseal(_ sealed: String) throws -> String {
        guard sealed.hasPrefix("v1:"), let data = Data(base64Encoded: String(sealed.dropFirst(3))),
            let box = try? AES.GCM.SealedBox(combined: data), let plain = try? AES.GCM.open(box, using: key)
        else {
            throw RapportError(
                .invalid, "The stored SMTP password cannot be read (the server's secret key changed): enter it again.")
        }
        return String(decoding: plain, as: UTF8.self)
    }

    static func view(_ stored: StoredEmailSettings) -> View {
        View(
            host: stored.host, port: stored.port, tls: stored.tls, username: stored.username,
            passwordSet: stored.passwordSealed != nil, from: stored.fromAddress, fromName: stored.fromName,
            replyTo: stored.replyTo, updatedAt: stored.updatedAt)
    }

    /// Whether `text` is an ASCII address the SMTP client can send to (`local@domain.tld`).
    package static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
            !parts[1].hasSuffix("."), text.count <= 254
        else { return false }
        return (try? MailAddress.validate(text)) != nil
            && text.allSatisfy { $0.isASCII && !$0.isWhitespace && $0 != "<" && $0 != ">" && $0 != "," }
    }
}
