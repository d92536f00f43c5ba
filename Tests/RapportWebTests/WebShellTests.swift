import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportCore
import RapportHTTP
import RapportServer
import RapportServices
import RapportStore
import RapportTestSupport
import Testing

@Suite("Web shell")
struct WebShellTests {
    /// Signs in through the real form and returns the jar holding the session.
    static func signIn(_ client: any TestClientProtocol, email: String, password: String = Fixtures.password)
        async throws -> (CookieJar, TestResponse)
    {
        let jar = CookieJar()
        let page = try await jar.get(client, "/login")
        let token = try #require(page.csrfToken)
        let response = try await jar.post(
            client, "/login", form: ["email": email, "password": password, "csrf_token": token])
        return (jar, response)
    }

    @Test("a page opened before signing in is where signing in leads, never another site", arguments: Backend.allCases)
    func signInReturns(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            _ = try await Fixtures.workspace(app)
            try await app.test { client in
                let jar = CookieJar()
                let asked = try await jar.get(client, "/contacts?country=DK&sort=last_name")
                #expect(asked.status == .seeOther)
                let login = try #require(asked.headers[.location])
                #expect(login == "/login?next=/contacts%3Fcountry%3DDK%26sort%3Dlast_name")
                let page = try await jar.get(client, login)
                #expect(page.text.contains(#"name="next" value="/contacts?country=DK&amp;sort=last_name""#))
                let signedIn = try await jar.post(
                    client, "/login",
                    form: [
                        "email": "owner@acme.test", "password": Fixtures.password,
                        "next": "/contacts?country=DK&sort=last_name", "csrf_token": page.csrfToken ?? "",
                    ])
                #expect(signedIn.headers[.location] == "/contacts?country=DK&sort=last_name")
                // another site's address leads home instead
                let other = CookieJar()
                let form = try await other.get(client, "/login?next=//evil.example/steal")
                #expect(!form.text.contains("evil.example"))
                let elsewhere = try await other.post(
                    client, "/login",
                    form: [
                        "email": "owner@acme.test", "password": Fixtures.password, "next": "//evil.example/steal",
                        "csrf_token": form.csrfToken ?? "",
                    ])
                #expect(elsewhere.headers[.location] == "/")
            }
        }
    }

    @Test(
        "signing in with the right password opens the home page with the user and workspace",
        arguments: Backend.allCases)
    func signInSucceeds(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let (jar, response) = try await Self.signIn(client, email: "OWNER@acme.test")
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/")
                let cookie = try #require(
                    response.headers[values: .setCookie].first { $0.hasPrefix("rapport_session=") })
                #expect(cookie.contains("HttpOnly"))
                #expect(cookie.contains("SameSite=Lax"))
                #expect(!cookie.contains("Secure"))
                let home = try await jar.get(client, "/")
                #expect(home.status == .ok)
                #expect(home.text.contains(seeded.owner.name))
                #expect(home.text.contains("Acme"))
                #expect(home.text.contains(#"<html lang="en" dir="ltr">"#))
                #expect(home.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
                #expect(home.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
                #expect(!home.text.contains("<script>"))
                #expect(home.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                #expect(home.headers[HTTPField.Name("Referrer-Policy")!] != nil)
            }
        }
    }

    @Test("secure cookies are marked Secure when configured")
    func secureCookies() async throws {
        try await TestApp.with(.sqlite, configure: { $0.secureCookies = true }) { app in
            _ = try await Fixtures.workspace(app)
            try await app.test { client in
                let jar = CookieJar()
                let page = try await jar.get(client, "/login")
                let csrfCookie = try #require(
                    page.headers[values: .setCookie].first { $0.hasPrefix("__Host-rapport_csrf=") })
                #expect(csrfCookie.contains("Secure"))
                #expect(csrfCookie.contains("Path=/"))
                let response = try await jar.post(
                    client, "/login",
                    form: [
                        "email": "owner@acme.test", "password": Fixtures.password, "csrf_token": page.csrfToken ?? "",
                    ])
                #expect(response.status == .seeOther)
                let session = try #require(
                    response.headers[values: .setCookie].first { $0.hasPrefix("__Host-rapport_session=") })
                #expect(session.contains("Secure"))
                #expect(session.contains("HttpOnly"))
            }
        }
    }

    @Test("a wrong password shows the form again with a message and no session", arguments: Backend.allCases)
    func wrongPassword(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            _ = try await Fixtures.workspace(app)
            try await app.test { client in
                let (jar, response) = try await Self.signIn(
                    client, email: "owner@acme.test", password: "wrong password")
                #expect(response.status == .unauthorized)
                #expect(response.text.contains("Wrong email or password."))
                #expect(jar["rapport_session"] == nil)
                let home = try await jar.get(client, "/")
                #expect(home.status == .seeOther)
                #expect(home.headers[.location] == "/login")
            }
        }
    }

    @Test("after too many failures sign-in answers 429, even with the right password", arguments: Backend.allCases)
    func throttling(_ backend: Backend) async throws {
        try await TestApp.with(backend, configure: { $0.loginFailuresPerEmail = 3 }) { app in
            _ = try await Fixtures.workspace(app)
            _ = try await Fixtures.workspace(app, name: "Other", email: "other@other.test")
            try await app.test { client in
                for _ in 0..<3 {
                    let (_, response) = try await Self.signIn(client, email: "owner@acme.test", password: "guess")
                    #expect(response.status == .unauthorized)
                }
                let (jar, blocked) = try await Self.signIn(client, email: "owner@acme.test")
                #expect(blocked.status == .tooManyRequests)
                #expect(blocked.headers[.retryAfter] == "900")
                #expect(jar["rapport_session"] == nil)
                // another email is not affected
                let (_, other) = try await Self.signIn(client, email: "other@other.test")
                #expect(other.status == .seeOther)
            }
        }
    }

    @Test("parallel guesses all count: no more than the threshold get a password check", arguments: Backend.allCases)
    func parallelGuesses(_ backend: Backend) async throws {
        try await TestApp.with(backend, configure: { $0.loginFailuresPerEmail = 3 }) { app in
            _ = try await Fixtures.workspace(app)
            try await app.test { client in
                let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for index in 0..<12 {
                        group.addTask {
                            try await Self.signIn(client, email: "owner@acme.test", password: "guess \(index)").1.status
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.filter { $0 == .unauthorized }.count <= 3)
                #expect(statuses.filter { $0 == .tooManyRequests }.count >= 9)
                // refused attempts checked no password and are not counted; checked ones are, up to the threshold
                var checked = statuses.filter { $0 == .unauthorized }.count
                for _ in 0..<5 {
                    let (_, response) = try await Self.signIn(client, email: "owner@acme.test", password: "again")
                    if response.status == .unauthorized { checked += 1 }
                }
                #expect(checked == 3)
                let (_, right) = try await Self.signIn(client, email: "owner@acme.test")
                #expect(right.status == .tooManyRequests)
            }
        }
    }

    @Test("form text with NUL is refused without touching the database", arguments: Backend.allCases)
    func nulInForms(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            _ = try await Fixtures.workspace(app)
            try await app.test { client in
                let jar = CookieJar()
                let page = try await jar.get(client, "/login")
                let response = try await jar.post(
                    client, "/login",
                    form: ["email": "owner@acme.test\u{0}", "password": "x", "csrf_token": page.csrfToken ?? ""])
                #expect(response.status.code < 500)
                #expect(jar["rapport_session"] == nil)
            }
        }
    }

    @Test("a request the framework refuses keeps its 4xx status")
    func malformedRange() async throws {
        try await TestApp.with(.sqlite) { app in
            try await app.test { client in
                let css = try await client.execute(uri: "/static/css/app.css", method: .get)
                #expect(css.status == .ok)
                #expect(css.text.contains("margin-inline"))
                let response = try await client.execute(
                    uri: "/static/css/app.css", method: .get, headers: [.range: "bytes=abc"])
                #expect(response.status.code < 500)
            }
        }
    }

    @Test("per-address throttling counts failures across emails")
    func addressThrottling() async throws {
        try await TestApp.with(.sqlite, configure: { $0.loginFailuresPerAddress = 2 }) { app in
            _ = try await Fixtures.workspace(app)
            try await app.test { client in
                _ = try await Self.signIn(client, email: "a@x.test", password: "guess")
                _ = try await Self.signIn(client, email: "b@x.test", password: "guess")
                let (_, blocked) = try await Self.signIn(client, email: "owner@acme.test")
                #expect(blocked.status == .tooManyRequests)
            }
        }
    }

    @Test("a POST without a valid CSRF token answers 403 and changes nothing", arguments: Backend.allCases)
    func csrf(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                // the login form itself: no token, no session
                let fresh = CookieJar()
                _ = try await fresh.get(client, "/login")
                let noToken = try await fresh.post(
                    client, "/login", form: ["email": "owner@acme.test", "password": Fixtures.password])
                #expect(noToken.status == .forbidden)
                #expect(fresh["rapport_session"] == nil)
                // a valid token sent without its cookie, or with another browser's cookie
                let other = CookieJar()
                let otherPage = try await other.get(client, "/login")
                let otherToken = try #require(otherPage.csrfToken)
                let bare = try await CookieJar().post(
                    client, "/login",
                    form: ["email": "owner@acme.test", "password": Fixtures.password, "csrf_token": otherToken])
                #expect(bare.status == .forbidden)
                let mixed = try await fresh.post(
                    client, "/login",
                    form: ["email": "owner@acme.test", "password": Fixtures.password, "csrf_token": otherToken])
                #expect(mixed.status == .forbidden)
                #expect(fresh["rapport_session"] == nil)
                // the token of the page before signing in no longer works once signed in
                _ = try await other.post(
                    client, "/login",
                    form: ["email": "owner@acme.test", "password": Fixtures.password, "csrf_token": otherToken])
                #expect(other["rapport_session"] != nil)
                let stale = try await other.post(
                    client, "/settings/profile", form: ["name": "Stale", "language": "en", "csrf_token": otherToken])
                #expect(stale.status == .forbidden)
                // signed in, a forged profile change is refused
                let (jar, _) = try await Self.signIn(client, email: "owner@acme.test")
                let forged = try await jar.post(
                    client, "/settings/profile",
                    form: ["name": "Hacked", "language": "en", "csrf_token": String(repeating: "0", count: 64)])
                #expect(forged.status == .forbidden)
                let user = try await app.services.accounts.user(workspaceID: seeded.workspace.id, id: seeded.owner.id)
                #expect(user?.name == "Owner of Acme")
            }
        }
    }

    @Test("signing out ends the session in the database, not only in the browser", arguments: Backend.allCases)
    func logout(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            _ = try await Fixtures.workspace(app)
            try await app.test { client in
                let (jar, _) = try await Self.signIn(client, email: "owner@acme.test")
                let stolen = jar.copy()
                let home = try await jar.get(client, "/")
                let token = try #require(home.csrfToken)
                let out = try await jar.post(client, "/logout", form: ["csrf_token": token])
                #expect(out.status == .seeOther)
                #expect(out.headers[.location] == "/login")
                #expect(jar["rapport_session"] == nil)
                let replay = try await stolen.get(client, "/")
                #expect(replay.status == .seeOther)
                #expect(replay.headers[.location] == "/login")
            }
        }
    }

    @Test("a session survives a restart of the server", arguments: Backend.allCases)
    func sessionSurvivesRestart(_ backend: Backend) async throws {
        let (url, drop) = try await TestDB.create(backend)
        let logs = InMemoryLogs.handler()
        let first = try await Runtime.start(TestApp.config(url, logs: logs))
        let app1 = TestApp(runtime: first, logs: logs)
        _ = try await Fixtures.workspace(app1)
        let jar = try await app1.test { client in try await Self.signIn(client, email: "owner@acme.test").0 }
        await first.close()
        // a new process: new runtime on the same database
        let second = try await Runtime.start(TestApp.config(url, logs: logs))
        let app2 = TestApp(runtime: second, logs: logs)
        let home = try await app2.test { client in try await jar.get(client, "/") }
        #expect(home.status == .ok)
        #expect(home.text.contains("Owner of Acme"))
        await second.close()
        await drop()
    }

    @Test("pages follow the user's language: Persian is right to left", arguments: Backend.allCases)
    func persian(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            _ = try await Fixtures.user(app, in: seeded, email: "fa@acme.test", role: .member, language: .fa)
            try await app.test { client in
                let (jar, _) = try await Self.signIn(client, email: "fa@acme.test")
                let home = try await jar.get(client, "/")
                #expect(home.text.contains(#"<html lang="fa" dir="rtl">"#))
                #expect(home.text.contains("خوش آمدید"))
                // members see no users link, and the users page is refused
                #expect(!home.text.contains(#"href="/users""#))
                let users = try await jar.get(client, "/users", headers: [.accept: "text/html"])
                #expect(users.status == .forbidden)
                #expect(users.text.contains(#"dir="rtl""#))
            }
        }
    }

    @Test("the login page follows Accept-Language")
    func loginLanguage() async throws {
        try await TestApp.with(.sqlite) { app in
            try await app.test { client in
                let persian = try await CookieJar().get(
                    client, "/login", headers: [.acceptLanguage: "fa-IR,fa;q=0.9,en;q=0.5"])
                #expect(persian.text.contains(#"<html lang="fa" dir="rtl">"#))
                #expect(persian.text.contains("ورود"))
                let english = try await CookieJar().get(client, "/login", headers: [.acceptLanguage: "de-DE"])
                #expect(english.text.contains(#"<html lang="en" dir="ltr">"#))
            }
        }
    }

    @Test("profile and token pages change the user's own data", arguments: Backend.allCases)
    func settingsPages(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let (jar, _) = try await Self.signIn(client, email: "owner@acme.test")
                // profile: a bad language shows an inline error and changes nothing
                var page = try await jar.get(client, "/settings/profile")
                var bad = try await jar.post(
                    client, "/settings/profile",
                    form: ["name": "", "language": "xx", "csrf_token": page.csrfToken ?? ""])
                #expect(bad.status == .unprocessableContent)
                #expect(bad.text.contains("field-error"))
                page = try await jar.get(client, "/settings/profile")
                let saved = try await jar.post(
                    client, "/settings/profile",
                    form: ["name": "Søren Kierkegaard", "language": "da", "csrf_token": page.csrfToken ?? ""])
                #expect(saved.status == .ok)
                #expect(saved.text.contains(#"lang="da""#))
                #expect(try await app.services.accounts.user(email: "owner@acme.test")?.name == "Søren Kierkegaard")
                // tokens: the secret is shown once, then only the name
                page = try await jar.get(client, "/settings/tokens")
                let created = try await jar.post(
                    client, "/settings/tokens", form: ["name": "zapier", "csrf_token": page.csrfToken ?? ""])
                #expect(created.status == .created)
                let secret = try #require(
                    created.text.range(of: #"rap_[0-9a-f]{64}"#, options: .regularExpression).map {
                        String(created.text[$0])
                    })
                let listed = try await jar.get(client, "/settings/tokens")
                #expect(listed.text.contains("zapier"))
                #expect(listed.text.contains("Aldrig"))  // (the profile is in Danish now)
                #expect(!listed.text.contains(secret))
                let tokens = try await app.services.tokens.list(
                    workspaceID: seeded.workspace.id, userID: seeded.owner.id, limit: 10, after: nil)
                let zapier = try #require(tokens.items.first { $0.name == "zapier" })
                bad = try await jar.post(
                    client, "/settings/tokens/\(zapier.id)/revoke", form: ["csrf_token": listed.csrfToken ?? ""])
                #expect(bad.status == .seeOther)
                #expect(try await app.services.tokens.authenticate(secret: secret) == nil)
            }
        }
    }

    @Test("owners add users from the users page; a taken email is shown inline", arguments: Backend.allCases)
    func usersPage(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let (jar, _) = try await Self.signIn(client, email: "owner@acme.test")
                var page = try await jar.get(client, "/users")
                #expect(page.status == .ok)
                let added = try await jar.post(
                    client, "/users",
                    form: [
                        "email": "ivan@acme.test", "name": "Іван", "role": "admin", "password": "long enough",
                        "csrf_token": page.csrfToken ?? "",
                    ])
                #expect(added.status == .created)
                #expect(added.text.contains("Іван"))
                page = try await jar.get(client, "/users")
                let taken = try await jar.post(
                    client, "/users",
                    form: [
                        "email": "ivan@acme.test", "name": "Again", "role": "member", "password": "long enough",
                        "csrf_token": page.csrfToken ?? "",
                    ])
                #expect(taken.status == .unprocessableContent)
                #expect(taken.text.contains("already in use"))
                let users = try await app.services.accounts.users(
                    workspaceID: seeded.workspace.id, limit: 50, after: nil)
                #expect(users.items.count == 2)
            }
        }
    }
}

@Suite("Users")
struct UserPagesTests {
    @Test(
        "an owner changes a member's role and deactivates them: no sign-in, no token, records kept; then reactivates",
        arguments: Backend.allCases)
    func roleAndStatus(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let (member, token) = try await Fixtures.user(app, in: seeded, email: "m@acme.test", role: .member)
            let owned = try await RecordService(app.services, schema: .contacts).create(
                .system(seeded.workspace.id),
                fields: ["first_name": .string("Kept"), "owner_id": .string(member.id)],
                actor: Actor(.user, id: member.id))
            try await app.test { client in
                let memberJar = try await RecordPagesTests.signIn(client, email: "m@acme.test")
                #expect(try await memberJar.get(client, "/contacts").status == .ok)
                let owner = try await RecordPagesTests.signIn(client)
                var page = try await owner.get(client, "/users")
                #expect(page.text.contains("/users/\(member.id)/role"))
                #expect(!page.text.contains("/users/\(seeded.owner.id)/role"))  // not one's own
                // the role
                let promoted = try await owner.post(
                    client, "/users/\(member.id)/role", form: ["role": "admin", "csrf_token": page.csrfToken ?? ""])
                #expect(promoted.status == .seeOther)
                #expect(try await app.services.accounts.user(email: "m@acme.test")?.role == .admin)
                // deactivation
                page = try await owner.get(client, "/users")
                #expect(page.text.contains("Role changed."))
                let deactivated = try await owner.post(
                    client, "/users/\(member.id)/status", form: ["active": "false", "csrf_token": page.csrfToken ?? ""])
                #expect(deactivated.status == .seeOther)
                #expect(try await memberJar.get(client, "/contacts").status == .seeOther)  // their session ends
                let (_, refused) = try await WebShellTests.signIn(client, email: "m@acme.test")
                #expect(refused.status == .unauthorized)
                let api = try await client.execute(uri: "/api/v1/me", method: .get, headers: .bearer(token))
                #expect(api.status == .unauthorized)
                let record = try await RecordService(app.services, schema: .contacts).get(
                    .system(seeded.workspace.id), id: owned.id)
                #expect(record.string("owner_id") == member.id)
                let form = try await owner.get(client, "/contacts/new")
                #expect(!form.text.contains(#"value="\#(member.id)""#))  // no longer offered as owner
                // and back
                page = try await owner.get(client, "/users")
                #expect(page.text.contains("Deactivated"))
                let reactivated = try await owner.post(
                    client, "/users/\(member.id)/status", form: ["active": "true", "csrf_token": page.csrfToken ?? ""])
                #expect(reactivated.status == .seeOther)
                let (_, again) = try await WebShellTests.signIn(client, email: "m@acme.test")
                #expect(again.status == .seeOther)
                #expect(
                    try await client.execute(uri: "/api/v1/me", method: .get, headers: .bearer(token)).status == .ok)
            }
        }
    }

    @Test("an admin cannot deactivate or demote an owner, nor anyone themselves", arguments: Backend.allCases)
    func limits(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let (admin, _) = try await Fixtures.user(app, in: seeded, email: "a@acme.test", role: .admin)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client, email: "a@acme.test")
                let page = try await jar.get(client, "/users")
                #expect(!page.text.contains("/users/\(seeded.owner.id)/status"))
                let owner = try await jar.post(
                    client, "/users/\(seeded.owner.id)/status",
                    form: ["active": "false", "csrf_token": page.csrfToken ?? ""])
                #expect(owner.status == .forbidden)
                let own = try await jar.post(
                    client, "/users/\(admin.id)/status", form: ["active": "false", "csrf_token": page.csrfToken ?? ""])
                #expect(own.status == .unprocessableContent)
                #expect(try await app.services.accounts.user(email: "owner@acme.test")?.deactivatedAt == nil)
                #expect(try await app.services.accounts.user(email: "a@acme.test")?.deactivatedAt == nil)
            }
        }
    }
}
