import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import RapportCore
import RapportDatabase
import RapportStore
import RapportTestSupport
import Testing

@testable import rapport

/// A small HTTP client that keeps cookies and never follows redirects, like a careful browser.
final class LiveBrowser: @unchecked Sendable {
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
    var cookies: [String: String] = [:]
    let base: String

    init(base: String) {
        self.base = base
    }

    func request(_ method: HTTPMethod, _ path: String, form: [String: String]? = nil, headers: [(String, String)] = [])
        async throws
        -> (status: Int, headers: HTTPHeaders, body: String)
    {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if !cookies.isEmpty {
            request.headers.add(name: "Cookie", value: cookies.map { "\($0)=\($1)" }.joined(separator: "; "))
        }
        if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            let body = form.map { "\($0)=\($1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
                .joined(separator: "&")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        for header in response.headers["Set-Cookie"] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            if pair.count == 2 { cookies[String(pair[0])] = String(pair[1]) }
        }
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), response.headers, String(buffer: body))
    }

    func csrf(_ html: String) -> String {
        guard let range = html.range(of: #"name="csrf_token" value=""#) else { return "" }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    func shutdown() async {
        try? await client.shutdown()
    }
}

@Suite("Command line")
struct CLITests {
    static func sqliteURL() -> (String, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "rapport-cli-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return ("sqlite://\(directory.path)/cli.sqlite", directory)
    }

    @Test(
        "user create, token create and the token against a live server, with their exit codes",
        arguments: Backend.allCases)
    func endToEnd(_ backend: Backend) async throws {
        let (url, drop) = try await TestDB.create(backend)
        let database = Self.text(url)
        let created = try await RapportProcess.run(
            [
                "user", "create", "--database", database, "--email", "Maryam@Example.IR", "--password", "long enough",
                "--workspace", "Tehran",
            ])
        #expect(created.code == 0)
        #expect(created.out.contains("Created workspace Tehran"))
        // a second workspace's owner, and a duplicate email refused with one readable line
        #expect(
            try await RapportProcess.run(
                [
                    "user", "create", "--database", database, "--email", "lars@example.dk", "--password", "long enough",
                    "--workspace", "Aarhus",
                ]).code == 0)
        let duplicate = try await RapportProcess.run(
            [
                "user", "create", "--database", database, "--email", "maryam@example.ir", "--password", "long enough",
                "--workspace", "Tehran",
            ])
        #expect(duplicate.code == 1)
        #expect(duplicate.err.split(separator: "\n").count == 1, "\(duplicate.err)")
        #expect(duplicate.err.contains("already exists"))
        // with two workspaces, --workspace is required
        let ambiguous = try await RapportProcess.run([
            "user", "create", "--database", database, "--email", "x@y.dk", "--password", "long enough",
        ])
        #expect(ambiguous.code == 1)
        #expect(ambiguous.err.contains("--workspace"))
        // a lost password is set anew; a weak one or an unknown email is refused with one line
        let reset = try await RapportProcess.run([
            "user", "reset-password", "--database", database, "--email", "maryam@example.ir", "--password",
            "a new long one",
        ])
        #expect(reset.code == 0)
        #expect(reset.out.contains("Set a new password for maryam@example.ir"))
        let weak = try await RapportProcess.run([
            "user", "reset-password", "--database", database, "--email", "maryam@example.ir", "--password", "short",
        ])
        #expect(weak.code == 1)
        #expect(weak.err.split(separator: "\n").count == 1, "\(weak.err)")
        let nobody = try await RapportProcess.run([
            "user", "reset-password", "--database", database, "--email", "nobody@example.ir", "--password",
            "a new long one",
        ])
        #expect(nobody.code == 1)
        #expect(nobody.err.contains("No user has the email"))
        let token = try await RapportProcess.run([
            "token", "create", "--database", database, "--email", "maryam@example.ir", "--name", "cli",
        ])
        #expect(token.code == 0)
        let secret = String(token.out.split(separator: "\n").last ?? "")
        #expect(secret.hasPrefix("rap_"))
        let unknown = try await RapportProcess.run([
            "token", "create", "--database", database, "--email", "nobody@example.ir",
        ])
        #expect(unknown.code == 1)
        // the token works against a live server
        let (server, base) = try await RapportProcess.serve(database: database)
        let browser = LiveBrowser(base: base)
        let me = try await browser.request(.GET, "/api/v1/me", headers: [("Authorization", "Bearer \(secret)")])
        #expect(me.status == 200)
        #expect(me.body.contains(#""email":"maryam@example.ir""#))
        #expect(me.body.contains(#""name":"Tehran""#))
        // the new password signs in
        let login = try await browser.request(.GET, "/login")
        let signedIn = try await browser.request(
            .POST, "/login",
            form: ["email": "maryam@example.ir", "password": "a new long one", "csrf_token": browser.csrf(login.body)])
        #expect(signedIn.status == 303)
        #expect(signedIn.headers["Location"].first == "/")
        await browser.shutdown()
        server.signal(SIGTERM)
        #expect(try await server.wait() == 0)
        await drop()
    }

    @Test("usage errors exit 2; a bad database URL exits 1 with one line")
    func exitCodes() async throws {
        let usage = try await RapportProcess.run(["user", "create", "--password", "long enough"])
        #expect(usage.code == 2)
        let unknown = try await RapportProcess.run(["frobnicate"])
        #expect(unknown.code == 2)
        let badRole = try await RapportProcess.run([
            "user", "create", "--email", "a@b.dk", "--password", "long enough", "--role", "king",
        ])
        #expect(badRole.code == 2)
        let badURL = try await RapportProcess.run(["migrate", "--database", "mysql://localhost/x"])
        #expect(badURL.code == 1)
        #expect(badURL.err.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1)
        let help = try await RapportProcess.run(["--help"])
        #expect(help.code == 0)
        #expect(help.out.contains("serve"))
    }

    @Test("migrate is in process too: it applies the schema and reports the version")
    func migrateInProcess() async throws {
        let (database, directory) = Self.sqliteURL()
        let code = await Rapport.runMain(["migrate", "--database", database], environment: [:])
        #expect(code == 0)
        let store = try await Store.open(try DatabaseURL(parsing: database), logger: .init(label: "test"))
        #expect(try await store.schemaVersion() >= 1)
        await store.close()
        #expect(
            await Rapport.runMain(["migrate", "--database", database], environment: ["RAPPORT_BCRYPT_COST": "99"]) == 1)
        try? FileManager.default.removeItem(at: directory)
    }

    @Test("serve --demo creates a demo owner once and prints how to sign in")
    func demo() async throws {
        let (database, directory) = Self.sqliteURL()
        let (server, base) = try await RapportProcess.serve(database: database, extra: ["--demo"])
        let password =
            try await server.waitForOutput(#"password: +[A-Za-z0-9]{16}"#).split(separator: " ").last.map(String.init)
            ?? ""
        #expect(server.standardOutput.contains("demo@rapport.local"))
        let browser = LiveBrowser(base: base)
        let page = try await browser.request(.GET, "/login")
        let login = try await browser.request(
            .POST, "/login",
            form: ["email": "demo@rapport.local", "password": password, "csrf_token": browser.csrf(page.body)])
        #expect(login.status == 303)
        let home = try await browser.request(.GET, "/")
        #expect(home.body.contains("Demo"))
        await browser.shutdown()
        server.signal(SIGINT)
        #expect(try await server.wait() == 0)
        let (again, _) = try await RapportProcess.serve(database: database, extra: ["--demo"])
        _ = try await again.waitForOutput("already has data")
        again.signal(SIGTERM)
        #expect(try await again.wait() == 0)
        try? FileManager.default.removeItem(at: directory)
    }

    @Test("SIGTERM lets a request in flight finish, then exits 0")
    func gracefulShutdown() async throws {
        let (database, directory) = Self.sqliteURL()
        // a costly password hash makes the sign-in slow enough to be in flight when the signal comes
        let user = try await RapportProcess.run(
            ["user", "create", "--database", database, "--email", "slow@example.dk", "--password", "long enough"],
            environment: ["RAPPORT_BCRYPT_COST": "13"])
        #expect(user.code == 0)
        let (server, base) = try await RapportProcess.serve(database: database)
        let browser = LiveBrowser(base: base)
        let page = try await browser.request(.GET, "/login")
        let token = browser.csrf(page.body)
        async let login = browser.request(
            .POST, "/login", form: ["email": "slow@example.dk", "password": "long enough", "csrf_token": token])
        try await Task.sleep(for: .milliseconds(150))
        server.signal(SIGTERM)
        let response = try await login
        #expect(response.status == 303)
        #expect(response.headers["Location"].first == "/")
        #expect(try await server.wait() == 0)
        await browser.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    @Test("a session made by one server process works on another sharing the PostgreSQL database")
    func sessionsAcrossProcesses() async throws {
        let (url, drop) = try await TestDB.create(.postgres)
        let database = Self.text(url)
        #expect(
            try await RapportProcess.run(
                ["user", "create", "--database", database, "--email", "ana@example.dk", "--password", "long enough"])
                .code == 0)
        let (first, firstBase) = try await RapportProcess.serve(database: database)
        let (second, secondBase) = try await RapportProcess.serve(database: database)
        let browser = LiveBrowser(base: firstBase)
        let page = try await browser.request(.GET, "/login")
        let login = try await browser.request(
            .POST, "/login",
            form: ["email": "ana@example.dk", "password": "long enough", "csrf_token": browser.csrf(page.body)])
        #expect(login.status == 303)
        let other = LiveBrowser(base: secondBase)
        other.cookies = browser.cookies
        let home = try await other.request(.GET, "/")
        #expect(home.status == 200)
        #expect(home.body.contains("ana@example.dk"))
        await browser.shutdown()
        await other.shutdown()
        first.signal(SIGTERM)
        second.signal(SIGTERM)
        #expect(try await first.wait() == 0)
        #expect(try await second.wait() == 0)
        await drop()
    }

    static func text(_ url: DatabaseURL) -> String {
        switch url {
        case .sqlite(let path): "sqlite://\(path)"
        case .postgres(let host, let port, let user, let password, let database):
            "postgres://\(user)\(password.map { ":\($0)" } ?? "")@\(host):\(port)/\(database)"
        }
    }
}

@Suite("Import from the command line")
struct ImportCLITests {
    @Test("an import killed midway leaves whole records only, and running it again completes it")
    func killAndRerun() async throws {
        let (database, directory) = CLITests.sqliteURL()
        #expect(
            try await RapportProcess.run([
                "user", "create", "--database", database, "--email", "o@x.dk", "--password", "long enough",
            ]).code == 0)
        let file = directory.appendingPathComponent("people.csv")
        var csv = "First Name,Last Name,E-mail Address,Company Name,Tags\n"
        // enough rows that the import is still running when it is killed, even on a busy machine
        let rows = 10_000
        for index in 0..<rows {
            csv += "Person \(index),Holm,p\(index)@holm.example,Company \(index % 40),\"vip;batch \(index % 7)\"\n"
        }
        try csv.write(to: file, atomically: true, encoding: .utf8)
        let first = try RapportProcess([
            "import", "contacts", file.path, "--database", database, "--batch-size", "20",
        ])
        // wait until some batches are in, then kill it without warning
        let url = try DatabaseURL(parsing: database)
        let store = try await Store.open(url, logger: .init(label: "test"))
        var count = 0
        for _ in 0..<600 {
            count =
                try await store.database.raw("SELECT COUNT(*) AS n FROM contacts").first()?.decode(
                    column: "n", as: Int.self) ?? 0
            if count >= 200 { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        first.signal(SIGKILL)
        _ = try await first.wait()
        let partial =
            try await store.database.raw("SELECT COUNT(*) AS n FROM contacts").first()?.decode(
                column: "n", as: Int.self) ?? 0
        #expect(partial > 0 && partial < rows, "killed with \(partial) contacts written")
        // every written contact is whole: its address indexed, its search document and its imported event
        let orphans = try await store.database.raw(
            """
            SELECT COUNT(*) AS n FROM contacts c WHERE NOT EXISTS (SELECT 1 FROM contact_emails e WHERE e.contact_id = c.id)
               OR NOT EXISTS (SELECT 1 FROM search_docs d WHERE d.record_id = c.id)
               OR NOT EXISTS (SELECT 1 FROM events v WHERE v.contact_id = c.id AND v.type = 'imported')
            """
        ).first()?.decode(column: "n", as: Int.self)
        #expect(orphans == 0)
        await store.close()
        let again = try await RapportProcess.run(["import", "contacts", file.path, "--database", database, "--json"])
        #expect(again.code == 0, "\(again.err)")
        let report = try JSONSerialization.jsonObject(with: Data(again.out.utf8)) as? [String: Any]
        #expect(report?["unchanged"] as? Int == partial)
        #expect(report?["created"] as? Int == rows - partial)
        #expect(report?["rejected"] as? Int == 0)
        try? FileManager.default.removeItem(at: directory)
    }
}

@Suite("Benchmark")
struct BenchCLITests {
    @Test("a tiny run of every workload prints the table and one JSON line per operation, and cleans up")
    func smoke() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-benchtest-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("bench.jsonl")
        // The api workload needs wrk and the delivery workload Postfix, which scripts/test installs.
        let hasWrk = FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk")
        let hasPostfix = FileManager.default.isExecutableFile(atPath: "/usr/sbin/postfix")
        let workloads =
            hasWrk && hasPostfix
            ? [] : ["import", "orders", "search", "timeline", "export", "segment"] + (hasPostfix ? ["delivery"] : [])
        let before = Set((try? FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())) ?? [])
        let run = try await RapportProcess.run(
            ["bench"] + workloads + [
                "--contacts", "60", "--events", "400", "--order-lines", "60", "--seconds", "1", "--output", output.path,
                "--seed", "7", "--messages", "40", "--connections", "2",
            ])
        #expect(run.code == 0, "\(run.err)")
        #expect(run.out.contains("workload") && run.out.contains("ratio"))
        let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n")
        let results = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
        let expected =
            hasWrk && hasPostfix
            ? [
                "import", "orders", "api.get", "api.list", "api.create", "api.search", "search", "timeline", "export",
                "visibility.list.own", "visibility.list.team", "visibility.search.own", "visibility.search.team",
                "pipeline.board", "pipeline.funnel", "pipeline.forecast", "segment.count", "segment.page", "delivery",
            ]
            : ["import", "orders", "search", "timeline", "export", "segment.count", "segment.page"]
                + (hasPostfix ? ["delivery"] : [])
        #expect(results.compactMap { $0["workload"] as? String } == expected)
        for result in results {
            for key in ["database", "contacts", "operations", "seconds", "per_second", "peak_rss_mb", "ratio"] {
                #expect(result[key] != nil, "\(result["workload"] ?? "?") has no \(key)")
            }
            #expect(result["reference_per_second"] != nil || result["reference_p99_ms"] != nil)
            #expect((result["operations"] as? Int ?? 0) > 0)
            #expect(result["database"] as? String == "sqlite")
            #expect((result["peak_rss_mb"] as? Double ?? 0) > 1)
        }
        // the temporary database is gone, and ./rapport.sqlite was never made
        let after = Set((try? FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())) ?? [])
        #expect(after.subtracting(before).filter { $0.hasPrefix("rapport-bench-") }.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "rapport.sqlite"))
    }

    @Test("an unknown workload is a usage error")
    func unknown() async throws {
        let run = try await RapportProcess.run(["bench", "dashboards"])
        #expect(run.code == 2)
        #expect(run.err.contains("Unknown workload dashboards"))
    }
}

@Suite("Products from the command line")
struct ProductsCLITests {
    @Test("rapport import products reads a file that rapport export products wrote, unchanged")
    func roundTrip() async throws {
        let (database, directory) = CLITests.sqliteURL()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(
            try await RapportProcess.run([
                "user", "create", "--database", database, "--email", "o@x.dk", "--password", "long enough",
            ]).code == 0)
        let file = directory.appendingPathComponent("products.csv")
        try "SKU,Name,Price,Currency,Category\nK-1,Kaffe,6500,dkk,Coffee\nT-2,Чай,450,UAH,Tea\nX-3,,1,DKK,\n".write(
            to: file, atomically: true, encoding: .utf8)
        let imported = try await RapportProcess.run(["import", "products", file.path, "--database", database, "--json"])
        #expect(imported.code == 0, "\(imported.err)")
        let report = try JSONSerialization.jsonObject(with: Data(imported.out.utf8)) as? [String: Any]
        #expect(report?["created"] as? Int == 2)
        #expect(report?["rejected"] as? Int == 1)
        let exported = try await RapportProcess.run(["export", "products", "--database", database])
        #expect(exported.code == 0)
        #expect(exported.out.hasPrefix("id,name,sku,category,unit_price,currency,active\r\n"))
        #expect(exported.out.contains(",Kaffe,K-1,Coffee,6500,DKK,true\r\n"))
        let back = directory.appendingPathComponent("back.csv")
        try exported.out.write(to: back, atomically: true, encoding: .utf8)
        let again = try await RapportProcess.run(["import", "products", back.path, "--database", database, "--json"])
        let second = try JSONSerialization.jsonObject(with: Data(again.out.utf8)) as? [String: Any]
        #expect(second?["unchanged"] as? Int == 2)
        let refused = try await RapportProcess.run(["import", "gadgets", file.path, "--database", database])
        #expect(refused.code == 2)
    }
}
