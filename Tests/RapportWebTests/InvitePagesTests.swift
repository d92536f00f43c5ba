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

@Suite("Invitations on the web")
struct InvitePagesTests {
    /// The one-time link shown on the users page after making one.
    static func shownLink(_ page: TestResponse) -> String? {
        page.text.firstMatch(of: #/id="invite-link" class="secret" value="([^"]+)"/#).map { String($0.1) }
    }

    /// The path of a link (`/invite/TOKEN`), as the in-process client requests it.
    static func path(_ link: String) -> String {
        String(link[link.range(of: "/invite/")!.lowerBound...])
    }

    static func users(_ app: TestApp, _ seeded: Seeded) async throws -> [User] {
        try await app.services.accounts.users(workspaceID: seeded.workspace.id, limit: 50, after: nil).items
    }

    @Test(
        "an admin invites from the users page; the link is shown once, signs the invitee up with that role, and works once",
        arguments: Backend.allCases)
    func inviteAndSignUp(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                // given an owner inviting an admin
                let owner = try await RecordPagesTests.signIn(client)
                var page = try await owner.get(client, "/users")
                #expect(page.text.contains(#"action="/users/invites""#))
                let made = try await owner.post(
                    client, "/users/invites",
                    form: ["email": "Mette@Acme.test", "role": "admin", "csrf_token": page.csrfToken ?? ""])
                #expect(made.status == .created)
                let link = try #require(Self.shownLink(made))
                #expect(link.hasPrefix("http://localhost/invite/"))
                #expect(made.text.contains("Copy link"))
                #expect(made.text.contains("mette@acme.test"))
                // the link is not shown again: only the pending row, with a new-link button
                page = try await owner.get(client, "/users")
                #expect(!page.text.contains(Self.path(link)))
                #expect(page.text.contains("mette@acme.test"))
                #expect(page.text.contains("New link"))
                // when the invitee opens it, no session needed
                let invitee = CookieJar()
                let form = try await invitee.get(client, Self.path(link))
                #expect(form.status == .ok)
                #expect(form.text.contains("Acme"))
                #expect(form.text.contains(#"value="mette@acme.test""#))
                #expect(form.text.contains("Admin"))
                let signedUp = try await invitee.post(
                    client, Self.path(link),
                    form: [
                        "name": "Mette Hansen", "password": "long enough", "password_confirmation": "long enough",
                        "csrf_token": form.csrfToken ?? "",
                    ])
                // then they are signed in and land on home
                #expect(signedUp.status == .seeOther)
                #expect(signedUp.headers[.location] == "/")
                let home = try await invitee.get(client, "/")
                #expect(home.status == .ok)
                #expect(home.text.contains("Mette Hansen"))
                let user = try #require(try await app.services.accounts.user(email: "mette@acme.test"))
                #expect(user.role == .admin)
                #expect(user.workspaceID == seeded.workspace.id)
                // and can sign in again with the password they chose
                let (_, again) = try await WebShellTests.signIn(
                    client, email: "mette@acme.test", password: "long enough")
                #expect(again.status == .seeOther)
                // the link works once
                let used = try await CookieJar().get(client, Self.path(link))
                #expect(used.status == .gone)
                #expect(used.text.contains("already been used"))
                let other = CookieJar()
                let reopened = try await other.get(client, "/login")
                let twice = try await other.post(
                    client, Self.path(link),
                    form: [
                        "name": "Someone", "password": "long enough", "password_confirmation": "long enough",
                        "csrf_token": reopened.csrfToken ?? "",
                    ])
                #expect(twice.status == .gone)
                #expect(try await Self.users(app, seeded).count == 2)
                // the invitation has left the users page's list
                page = try await owner.get(client, "/users")
                #expect(page.text.contains("No open invitations."))
            }
        }
    }

    @Test(
        "expired, revoked, replaced and unknown links say why with 410 or 404, and name no email",
        arguments: Backend.allCases)
    func deadLinks(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let invites = InviteService(app.services)
            let principal = Principal(user: seeded.owner, workspace: seeded.workspace)
            let expired = try await invites.create(InviteDraft(email: "old@acme.test", role: nil), by: principal)
            try await app.services.invites.setExpiry(
                workspaceID: seeded.workspace.id, id: expired.invite.id, expiresAt: Timestamp.micros(Date()) - 1)
            let revoked = try await invites.create(InviteDraft(email: "gone@acme.test", role: nil), by: principal)
            try await invites.revoke(revoked.invite.id, by: principal)
            let replaced = try await invites.create(InviteDraft(email: "twice@acme.test", role: nil), by: principal)
            _ = try await invites.create(InviteDraft(email: "twice@acme.test", role: "admin"), by: principal)
            let renewed = try await invites.create(InviteDraft(email: "renew@acme.test", role: nil), by: principal)
            _ = try await invites.renew(renewed.invite.id, by: principal)
            try await app.test { client in
                let cases: [(String, HTTPResponse.Status, String)] = [
                    (expired.token, .gone, "This invitation has expired."),
                    (revoked.token, .gone, "This invitation was withdrawn."),
                    (replaced.token, .gone, "This invitation was withdrawn."),
                    (renewed.token, .notFound, "The link is not valid."),
                    ("not-a-token-at-all", .notFound, "The link is not valid."),
                ]
                for (token, status, text) in cases {
                    let page = try await CookieJar().get(client, "/invite/\(token)")
                    #expect(page.status == status, "\(text)")
                    #expect(page.text.contains(text))
                    #expect(page.text.contains("This invitation link does not work"))
                    #expect(!page.text.contains("@acme.test"))
                }
                // a new link for the expired invitation works again
                let owner = try await RecordPagesTests.signIn(client)
                let page = try await owner.get(client, "/users")
                #expect(page.text.contains("Expired"))
                let fresh = try await owner.post(
                    client, "/users/invites/\(expired.invite.id)/renew", form: ["csrf_token": page.csrfToken ?? ""])
                #expect(fresh.status == .created)
                let link = try #require(Self.shownLink(fresh))
                #expect(try await CookieJar().get(client, Self.path(link)).status == .ok)
                #expect(try await CookieJar().get(client, "/invite/\(expired.token)").status == .notFound)
                // revoking from the page
                let revoke = try await owner.post(
                    client, "/users/invites/\(expired.invite.id)/revoke", form: ["csrf_token": page.csrfToken ?? ""])
                #expect(revoke.status == .seeOther)
                let after = try await owner.get(client, "/users")
                #expect(after.text.contains("Invitation revoked"))
                #expect(try await CookieJar().get(client, Self.path(link)).status == .gone)
            }
            #expect(try await Self.users(app, seeded).count == 1)
        }
    }

    @Test(
        "the sign-up page speaks Persian, and mismatched passwords are refused with a message and no user",
        arguments: Backend.allCases)
    func languagesAndMismatch(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            let created = try await InviteService(app.services).create(
                InviteDraft(email: "sara@acme.test", role: "member", name: "سارا"),
                by: Principal(user: seeded.owner, workspace: seeded.workspace))
            let path = "/invite/\(created.token)"
            try await app.test { client in
                let persian = CookieJar()
                let fa: HTTPFields = [.acceptLanguage: "fa-IR,fa;q=0.9"]
                let form = try await persian.get(client, path, headers: fa)
                #expect(form.status == .ok)
                #expect(form.text.contains(#"<html lang="fa" dir="rtl">"#))
                #expect(form.text.contains("حساب خود را بسازید"))
                #expect(form.text.contains(#"value="سارا""#))  // the name the inviter offered
                #expect(form.text.contains("عضو"))
                let mismatch = try await persian.post(
                    client, path,
                    form: [
                        "name": "سارا", "password": "long enough", "password_confirmation": "long enouhg",
                        "csrf_token": form.csrfToken ?? "",
                    ], headers: fa)
                #expect(mismatch.status == .unprocessableContent)
                #expect(mismatch.text.contains("دو گذرواژه یکسان نیستند."))
                #expect(mismatch.text.contains(#"value="سارا""#))
                #expect(try await app.services.accounts.user(email: "sara@acme.test") == nil)
                // in English, and a short password
                let english = CookieJar()
                let page = try await english.get(client, path, headers: [.acceptLanguage: "en"])
                #expect(page.text.contains(#"<html lang="en" dir="ltr">"#))
                #expect(page.text.contains("Create your account"))
                let short = try await english.post(
                    client, path,
                    form: [
                        "name": "Sara", "password": "short", "password_confirmation": "short",
                        "csrf_token": page.csrfToken ?? "",
                    ])
                #expect(short.status == .unprocessableContent)
                #expect(short.text.contains("At least 8 characters."))
                let mismatchEn = try await english.post(
                    client, path,
                    form: [
                        "name": "Sara", "password": "long enough", "password_confirmation": "other words",
                        "csrf_token": page.csrfToken ?? "",
                    ])
                #expect(mismatchEn.text.contains("The two passwords are not the same."))
                // without the form's CSRF token nothing happens
                let forged = try await CookieJar().post(
                    client, path,
                    form: ["name": "X", "password": "long enough", "password_confirmation": "long enough"])
                #expect(forged.status == .forbidden)
                #expect(try await app.services.accounts.user(email: "sara@acme.test") == nil)
                // and the link still works; the Persian signs up in Persian
                let done = try await persian.post(
                    client, path,
                    form: [
                        "name": "سارا", "password": "long enough", "password_confirmation": "long enough",
                        "csrf_token": form.csrfToken ?? "",
                    ], headers: fa)
                #expect(done.status == .seeOther)
                let user = try #require(try await app.services.accounts.user(email: "sara@acme.test"))
                #expect(user.language == .fa)
                #expect(user.role == .member)
            }
        }
    }

    @Test("members cannot invite, and admins cannot renew an invitation to become owner", arguments: Backend.allCases)
    func onlyAdminsInvite(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            _ = try await Fixtures.user(app, in: seeded, email: "m@acme.test", role: .member)
            _ = try await Fixtures.user(app, in: seeded, email: "a@acme.test", role: .admin)
            let owners = try await InviteService(app.services).create(
                InviteDraft(email: "boss@acme.test", role: "owner"),
                by: Principal(user: seeded.owner, workspace: seeded.workspace))
            try await app.test { client in
                let member = try await RecordPagesTests.signIn(client, email: "m@acme.test")
                let home = try await member.get(client, "/")
                let refused = try await member.post(
                    client, "/users/invites", form: ["email": "x@acme.test", "csrf_token": home.csrfToken ?? ""])
                #expect(refused.status == .forbidden)
                let revoke = try await member.post(
                    client, "/users/invites/\(owners.invite.id)/revoke", form: ["csrf_token": home.csrfToken ?? ""])
                #expect(revoke.status == .forbidden)
                let admin = try await RecordPagesTests.signIn(client, email: "a@acme.test")
                let page = try await admin.get(client, "/users")
                #expect(!page.text.contains(#"<option value="owner""#))
                #expect(!page.text.contains("/users/invites/\(owners.invite.id)/renew"))
                let renew = try await admin.post(
                    client, "/users/invites/\(owners.invite.id)/renew", form: ["csrf_token": page.csrfToken ?? ""])
                #expect(renew.status == .forbidden)
                let owner = try await admin.post(
                    client, "/users/invites",
                    form: ["email": "y@acme.test", "role": "owner", "csrf_token": page.csrfToken ?? ""])
                #expect(owner.status == .forbidden)
                // an existing user's email is refused inline
                let taken = try await admin.post(
                    client, "/users/invites", form: ["email": "M@acme.test", "csrf_token": page.csrfToken ?? ""])
                #expect(taken.status == .unprocessableContent)
                #expect(taken.text.contains("This email already belongs to a user."))
            }
            let open = try await app.services.invites.open(workspaceID: seeded.workspace.id, limit: 10, after: nil)
            #expect(open.items.map(\.email) == ["boss@acme.test"])
        }
    }

    @Test("the sign-in page says what to do about a forgotten password, in the reader's language")
    func forgotPassword() async throws {
        try await TestApp.with(.sqlite) { app in
            try await app.test { client in
                let english = try await CookieJar().get(client, "/login")
                #expect(english.text.contains("Forgot your password?"))
                #expect(english.text.contains("rapport user reset-password"))
                let persian = try await CookieJar().get(client, "/login", headers: [.acceptLanguage: "fa"])
                #expect(persian.text.contains("گذرواژه را فراموش کرده‌اید؟"))
            }
        }
    }
}
