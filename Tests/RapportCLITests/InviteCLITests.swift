import Foundation
import RapportCore
import RapportDatabase
import RapportTestSupport
import Testing

@testable import rapport

@Suite("Invitations from the command line")
struct InviteCLITests {
    @Test("user invite prints a link that works once on a live server; bad input is one line and exit 1 or 2")
    func invite() async throws {
        let (url, drop) = try await TestDB.create(.sqlite)
        let database = CLITests.text(url)
        let owner = try await RapportProcess.run(
            ["user", "create", "--database", database, "--email", "owner@acme.test", "--password", "long enough"])
        #expect(owner.code == 0)
        // a path alone without a public URL, a full link with one
        let bare = try await RapportProcess.run(
            ["user", "invite", "--database", database, "--email", "Ida@Acme.test", "--role", "admin"])
        #expect(bare.code == 0, "\(bare.err)")
        #expect(bare.out.contains("Invited ida@acme.test as admin of workspace Default"))
        let path = String(bare.out.split(separator: "\n").last ?? "")
        #expect(path.hasPrefix("/invite/"))
        let full = try await RapportProcess.run(
            [
                "user", "invite", "--database", database, "--email", "ida@acme.test", "--public-url",
                "https://crm.acme.test/",
            ])
        #expect(full.code == 0, "\(full.err)")
        let link = String(full.out.split(separator: "\n").last ?? "")
        #expect(link.hasPrefix("https://crm.acme.test/invite/"))
        let fromEnvironment = try await RapportProcess.run(
            ["user", "invite", "--database", database, "--email", "bo@acme.test"],
            environment: ["RAPPORT_PUBLIC_URL": "http://10.0.0.5:8080"])
        #expect(String(fromEnvironment.out.split(separator: "\n").last ?? "").hasPrefix("http://10.0.0.5:8080/invite/"))
        // refusals
        let badRole = try await RapportProcess.run(
            ["user", "invite", "--database", database, "--email", "x@acme.test", "--role", "boss"])
        #expect(badRole.code == 2)
        let badEmail = try await RapportProcess.run(["user", "invite", "--database", database, "--email", "nope"])
        #expect(badEmail.code == 1)
        #expect(badEmail.err.split(separator: "\n").count == 1, "\(badEmail.err)")
        #expect(badEmail.err.contains("--email"))
        let taken = try await RapportProcess.run(
            ["user", "invite", "--database", database, "--email", "owner@acme.test"])
        #expect(taken.code == 1)
        #expect(taken.err.split(separator: "\n").count == 1, "\(taken.err)")
        let badURL = try await RapportProcess.run(
            ["user", "invite", "--database", database, "--email", "y@acme.test", "--public-url", "ftp://x"])
        #expect(badURL.code == 1)
        #expect(badURL.err.contains("--public-url"))
        // the first link was replaced by the second (same email); the second signs up once
        let (server, base) = try await RapportProcess.serve(
            database: database, environment: ["RAPPORT_LOG_LEVEL": "info"])
        let browser = LiveBrowser(base: base)
        let replaced = try await browser.request(.GET, path)
        #expect(replaced.status == 410)
        let token = String(link.split(separator: "/").last ?? "")
        let page = try await browser.request(.GET, "/invite/\(token)")
        #expect(page.status == 200)
        #expect(page.body.contains("ida@acme.test"))
        let signedUp = try await browser.request(
            .POST, "/invite/\(token)",
            form: [
                "name": "Ida", "password": "long enough", "password_confirmation": "long enough",
                "csrf_token": browser.csrf(page.body),
            ])
        #expect(signedUp.status == 303)
        let home = try await browser.request(.GET, "/")
        #expect(home.status == 200)
        #expect(home.body.contains("Ida"))
        #expect(try await browser.request(.GET, "/invite/\(token)").status == 410)
        await browser.shutdown()
        server.signal(SIGTERM)
        _ = try await server.wait()
        // the server's log names the page, never the link's token
        #expect(server.standardError.contains("/invite/…") || server.standardOutput.contains("/invite/…"))
        #expect(!server.standardOutput.contains(token) && !server.standardError.contains(token))
        await drop()
    }
}
