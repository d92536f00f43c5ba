import Foundation
package import Logging
package import RapportDatabase

/// Everything a Rapport process is configured with: built by the CLI from flags and `RAPPORT_*`
/// variables, or by tests. No globals.
package struct AppConfig: Sendable {
    package var database: DatabaseURL
    package var host = "127.0.0.1"
    package var port = 8080
    /// Signs CSRF tokens; generated and stored in the database when nil.
    package var secretKey: String?
    package var secureCookies = false
    package var jsonBodyLimit = 1 << 20
    package var bcryptCost: UInt8 = 12
    package var loginFailuresPerEmail = 5
    package var loginFailuresPerAddress = 50
    package var loginThrottleWindow: Duration = .seconds(15 * 60)
    package var tokenRateLimit: Int?
    /// Opens and clicks recorded per minute per client address; nil means no limit.
    package var trackingRateLimit: Int? = 600
    /// The address people reach the server at, for invitation links; nil uses each request's own.
    package var publicURL: String?
    /// How long an invitation link works.
    package var inviteLifetime: Duration = .seconds(7 * 86_400)
    /// A message left in `sending` this long (its process died) is sent again by another worker.
    package var emailSendingTimeout: Duration = .seconds(600)
    /// Attempts at one message before it stops as `failed`.
    package var emailMaxAttempts = 8
    /// The wait after a message's first deferral, doubling with each attempt up to an hour.
    package var emailRetryBase: Duration = .seconds(60)
    /// SMTP sessions a workspace's delivery keeps open to its server.
    package var emailConnections = 4
    /// How long a claimed job is its runner's before another runner may take it over.
    package var jobLease: Duration = .seconds(300)
    package var logger: Logger

    package init(database: DatabaseURL, logger: Logger = Logger(label: "rapport.server")) {
        self.database = database
        self.logger = logger
    }

    /// Reads the `RAPPORT_*` variables over the defaults; flags are applied on top by the caller.
    /// - Throws: `badRequest` naming the variable whose value cannot be used.
    package mutating func apply(environment: [String: String]) throws {
        func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Int(text), range.contains(value) else {
                throw ConfigError("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound).")
            }
            return value
        }
        if let value = environment["RAPPORT_HOST"], !value.isEmpty { host = value }
        if let value = try integer("RAPPORT_PORT", in: 0...65535) { port = value }
        if let value = environment["RAPPORT_SECRET_KEY"], !value.isEmpty { secretKey = value }
        if let value = environment["RAPPORT_SECURE_COOKIES"], !value.isEmpty {
            guard let flag = Self.bool(value) else {
                throw ConfigError("RAPPORT_SECURE_COOKIES must be true or false.")
            }
            secureCookies = flag
        }
        if let value = try integer("RAPPORT_JSON_BODY_LIMIT", in: 1024...(64 << 20)) { jsonBodyLimit = value }
        if let value = try integer("RAPPORT_BCRYPT_COST", in: 4...31) { bcryptCost = UInt8(value) }
        if let value = try integer("RAPPORT_LOGIN_MAX_FAILURES_PER_EMAIL", in: 1...1_000_000) {
            loginFailuresPerEmail = value
        }
        if let value = try integer("RAPPORT_LOGIN_MAX_FAILURES_PER_ADDRESS", in: 1...1_000_000) {
            loginFailuresPerAddress = value
        }
        if let value = try integer("RAPPORT_LOGIN_THROTTLE_MINUTES", in: 1...10_000) {
            loginThrottleWindow = .seconds(value * 60)
        }
        if let value = try integer("RAPPORT_TOKEN_RATE_LIMIT", in: 0...10_000_000) {
            tokenRateLimit = value == 0 ? nil : value
        }
        if let value = try integer("RAPPORT_TRACKING_RATE_LIMIT", in: 0...10_000_000) {
            trackingRateLimit = value == 0 ? nil : value
        }
        if let value = environment["RAPPORT_PUBLIC_URL"], !value.isEmpty {
            publicURL = try Self.publicURL(value, name: "RAPPORT_PUBLIC_URL")
        }
        if let value = try integer("RAPPORT_INVITE_DAYS", in: 1...365) { inviteLifetime = .seconds(value * 86_400) }
        if let value = try integer("RAPPORT_EMAIL_SENDING_TIMEOUT", in: 1...86_400) {
            emailSendingTimeout = .seconds(value)
        }
        if let value = try integer("RAPPORT_EMAIL_CONNECTIONS", in: 1...64) { emailConnections = value }
        if let value = try integer("RAPPORT_JOB_LEASE_SECONDS", in: 1...86_400) { jobLease = .seconds(value) }
    }

    /// A public URL as links are built on: `http` or `https`, a host, an optional port and path, no
    /// query, fragment or credentials; without a trailing slash.
    /// - Throws: `ConfigError` naming `name` (the flag or variable) when the value cannot be used.
    package static func publicURL(_ text: String, name: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
            components.query == nil, components.fragment == nil, components.user == nil, components.password == nil
        else {
            throw ConfigError("\(name) must be an http or https address such as https://crm.example.com.")
        }
        var result = trimmed
        while result.hasSuffix("/") { result.removeLast() }
        return result
    }

    static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "true", "yes", "on": true
        case "0", "false", "no", "off": false
        default: nil
        }
    }
}

/// A configuration value that cannot be used; its message is one readable line.
package struct ConfigError: Error, CustomStringConvertible {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }
}
