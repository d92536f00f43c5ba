/// Every web page's address, used both to register routes and to redirect.
enum WebPath {
    static let home = "/"
    static let login = "/login"
    static let logout = "/logout"
    static let profile = "/settings/profile"
    static let tokens = "/settings/tokens"
    static let users = "/users"

    static func revokeToken(_ id: String) -> String { "\(tokens)/\(id)/revoke" }
}
