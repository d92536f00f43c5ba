import Foundation

/// Where the data lives: `sqlite://PATH` (relative, or absolute with a third slash) or `postgres://user:pass@host:port/db`.
package enum DatabaseURL: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(host: String, port: Int, user: String, password: String?, database: String)

    /// The default when neither `--database` nor `RAPPORT_DATABASE_URL` is given.
    package static let defaultText = "sqlite://rapport.sqlite"

    /// Parses the accepted forms.
    /// - Throws: `DatabaseLocationError` with one readable line.
    package init(parsing text: String) throws {
        if text.hasPrefix("sqlite://") {
            let path = String(text.dropFirst("sqlite://".count))
            guard !path.isEmpty else {
                throw DatabaseLocationError("sqlite:// needs a file path, e.g. sqlite://rapport.sqlite")
            }
            self = .sqlite(path: path)
            return
        }
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://"),
            let components = URLComponents(string: text), let host = components.host, !host.isEmpty
        else {
            throw DatabaseLocationError(
                "Unsupported database URL; use sqlite://PATH or postgres://user:pass@host:port/db")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else {
            throw DatabaseLocationError("The postgres:// URL needs a database name after the port.")
        }
        self = .postgres(
            host: host, port: components.port ?? 5432, user: components.user ?? "postgres",
            password: components.password?.removingPercentEncoding, database: database)
    }

    /// A description safe to log or print: never the password.
    package var redacted: String {
        switch self {
        case .sqlite(let path): "sqlite://\(path)"
        case .postgres(let host, let port, let user, _, let database): "postgres://\(user)@\(host):\(port)/\(database)"
        }
    }
}
