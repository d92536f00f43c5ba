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

@Suite("Import wizard: the mapping, Google Contacts, the report")
struct ImportPagesTests {
    /// Uploads `csv` through the wizard's form and answers the preview.
    static func upload(_ client: any TestClientProtocol, _ jar: CookieJar, _ csv: String, object: String = "contacts")
        async throws -> TestResponse
    {
        let start = try await jar.get(client, "/\(object)/import")
        var headers: HTTPFields = [.contentType: "multipart/form-data; boundary=rapport-boundary"]
        headers[.cookie] = jar.header
        let response = try await client.execute(
            uri: "/\(object)/import", method: .post, headers: headers,
            body: ImportWizardTests.multipart(csv, token: start.csrfToken))
        jar.take(response)
        return response
    }

    static func runAddress(_ preview: TestResponse) throws -> String {
        try #require(
            preview.text.range(of: #"/(contacts|companies)/import/[0-9a-f-]{36}/run"#, options: .regularExpression)
                .map { String(preview.text[$0]) })
    }

    /// Follows the progress page until the report shows.
    static func report(_ client: any TestClientProtocol, _ jar: CookieJar, _ address: String) async throws
        -> TestResponse
    {
        var report = try await jar.get(client, address)
        for _ in 0..<400 where report.text.contains("<progress") {
            try await Task.sleep(for: .milliseconds(25))
            report = try await jar.get(client, address)
        }
        return report
    }

    /// The `<select>` of column `index`, as the page has it.
    static func select(_ page: TestResponse, _ index: Int) -> String? {
        guard let start = page.text.range(of: #"<select id="map-\#(index)""#) else { return nil }
        guard let end = page.text[start.upperBound...].range(of: "</select>") else { return nil }
        return String(page.text[start.lowerBound..<end.upperBound])
    }

    static func contacts(_ app: TestApp, _ seeded: Seeded) async throws -> [Record] {
        try await RecordService(app.services, schema: .contacts).repository.list(
            .all(seeded.workspace.id), query: ListQuery(), limit: 100, after: nil
        ).records
    }

    @Test(
        "the mapping is a picker per column, the guess preselected; a changed one is checked again, then imported",
        arguments: Backend.allCases)
    func editableMapping(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                let csv = "E-mail Address,Kaldenavn,Farve\r\nida@x.dk,Ida,blå\r\nbo@x.dk,Bo,rød\r\n"
                let preview = try await Self.upload(client, jar, csv)
                #expect(preview.status == .ok)
                // the guess is preselected: the address goes to Email, the unknown columns are ignored
                let email = try #require(Self.select(preview, 0))
                #expect(email.contains(#"name="map_0""#))
                #expect(email.contains(#"<option value="email" selected>Email</option>"#))
                let nick = try #require(Self.select(preview, 1))
                #expect(nick.contains(#"<option value="-" selected>"#))
                #expect(nick.contains(#"<option value="first_name">First name</option>"#))
                #expect(nick.contains(#"<option value="note">Note on the timeline</option>"#))
                #expect(
                    preview.text.contains(#"<button type="submit" name="action" value="check">Check again</button>"#))
                let run = try Self.runAddress(preview)
                let token = try #require(preview.csrfToken)
                // a field chosen for two columns is refused, the choice kept on the page
                let twice = try await jar.post(
                    client, run,
                    form: [
                        "csrf_token": token, "mapping": "explicit", "map_0": "email", "map_1": "first_name",
                        "map_2": "first_name", "action": "check",
                    ])
                #expect(twice.status == .unprocessableContent)
                #expect(twice.text.contains("is chosen for two columns, “Kaldenavn” and “Farve”"))
                #expect(Self.select(twice, 2)?.contains(#"<option value="first_name" selected>"#) == true)
                // a target that does not exist is refused
                let unknown = try await jar.post(
                    client, run,
                    form: [
                        "csrf_token": token, "mapping": "explicit", "map_0": "email", "map_1": "colour",
                        "action": "run",
                    ])
                #expect(unknown.status == .unprocessableContent)
                #expect(unknown.text.contains("Column “Kaldenavn”: there is no field “colour”."))
                // checked again with the nickname as the first name: the dry run uses it, nothing is written
                let checked = try await jar.post(
                    client, run,
                    form: [
                        "csrf_token": token, "mapping": "explicit", "map_0": "email", "map_1": "first_name",
                        "map_2": "-", "action": "check",
                    ])
                #expect(checked.status == .ok)
                #expect(checked.text.contains(#"<dd data-count="created">2</dd>"#))
                #expect(Self.select(checked, 1)?.contains(#"<option value="first_name" selected>"#) == true)
                #expect(try await Self.contacts(app, seeded).isEmpty)
                // imported with that mapping
                let started = try await jar.post(
                    client, run,
                    form: [
                        "csrf_token": checked.csrfToken ?? "", "mapping": "explicit", "map_0": "email",
                        "map_1": "first_name", "map_2": "-", "action": "run",
                    ])
                #expect(started.status == .seeOther)
                let report = try await Self.report(client, jar, try #require(started.headers[.location]))
                #expect(report.text.contains(#"<dd data-count="created">2</dd>"#))
                let names = try await Self.contacts(app, seeded).map { $0.string("first_name") ?? "-" }
                #expect(names.sorted() == ["Bo", "Ida"])
            }
        }
    }

    @Test(
        "a Google Contacts file: columns mapped, duplicates reported, rejected rows downloadable, the report kept and linked",
        arguments: Backend.allCases)
    func googleContacts(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            _ = try await Fixtures.user(app, in: seeded, email: "m@acme.test", role: .member)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                let csv =
                    [
                        "First Name,Last Name,Notes,Group Membership,E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value,Organization 1 - Name,Organization 1 - Title,Address 1 - City,Address 1 - Country",
                        "Søren,Kierkegaard,Met at the fair,* myContacts ::: Friends,soren@x.dk,Mobile,+45 11 22 33 44,Ørsted,CEO,København,Danmark",
                        "مریم,میرزاخانی,,* myContacts,maryam@x.ir ::: m@sharif.ir,Work,+98 21 1234 5678,,,تهران,ایران",
                        "Søren,K,Second note,* myContacts,soren@x.dk,,,,,,",
                        "Bad,,,,not-an-email,,,,,,Данія",
                    ].joined(separator: "\r\n") + "\r\n"
                let preview = try await Self.upload(client, jar, csv)
                #expect(preview.status == .ok)
                #expect(Self.select(preview, 2)?.contains(#"<option value="note" selected>"#) == true)
                #expect(Self.select(preview, 5)?.contains(#"<option value="phone_type" selected>"#) == true)
                #expect(preview.text.contains(#"<dd data-count="duplicates">1</dd>"#))
                let run = try Self.runAddress(preview)
                let started = try await jar.post(client, run, form: ["csrf_token": preview.csrfToken ?? ""])
                let address = try #require(started.headers[.location])
                let report = try await Self.report(client, jar, address)
                #expect(report.status == .ok)
                #expect(report.text.contains(#"<dd data-count="created">2</dd>"#))
                #expect(report.text.contains(#"<dd data-count="updated">0</dd>"#))
                #expect(report.text.contains(#"<dd data-count="duplicates">1</dd>"#))
                #expect(report.text.contains(#"<dd data-count="rejected">1</dd>"#))
                #expect(
                    report.text.contains(
                        "<td>4</td><td><bdi>E-mail 1 - Value</bdi></td><td dir=\"auto\">Duplicate of row 2</td>"))
                // the records as Google had them
                let contacts = try await Self.contacts(app, seeded)
                let soren = try #require(contacts.first { $0.string("email") == "soren@x.dk" })
                #expect(soren.string("last_name") == "Kierkegaard")
                #expect(soren["tags"] == .array([.string("Friends")]))
                #expect(soren.string("job_title") == "CEO")
                #expect(soren.string("city") == "København")
                #expect(soren.string("country") == "DK")
                #expect(
                    soren["phones"]
                        == .array([.object(["type": .string("mobile"), "number": .string("+45 11 22 33 44")])]))
                let maryam = try #require(contacts.first { $0.string("email") == "maryam@x.ir" })
                #expect(
                    maryam["phones"]
                        == .array([.object(["type": .string("work"), "number": .string("+98 21 1234 5678")])]))
                #expect(maryam.string("country") == "IR")
                // Google's several addresses in one cell: the first is the address, the others additional
                #expect(maryam["additional_emails"] == .array([.string("m@sharif.ir")]))
                #expect(maryam["tags"] == .array([]) || maryam["tags"] == .null)
                // the note is on Søren's timeline, once (the duplicate row's note is not written)
                let show = try await jar.get(client, "/contacts/\(soren.id)")
                #expect(show.text.contains("Met at the fair"))
                #expect(!show.text.contains("Second note"))
                // the report links to the records it created, and to the list of them
                #expect(report.text.contains(#"<a href="/contacts/\#(soren.id)"><bdi>Søren Kierkegaard</bdi></a>"#))
                let listLink = try #require(
                    report.text.firstMatch(of: #/<a href="([^"]*)" data-created-list>/#).map {
                        String($0.1).replacingOccurrences(of: "&amp;", with: "&")
                    })
                let list = try await jar.get(client, listLink)
                #expect(list.status == .ok)
                #expect(list.text.contains("Kierkegaard"))
                #expect(list.text.contains("میرزاخانی"))
                // the rejected and duplicate rows download as CSV: their cells and why
                let download = try #require(
                    report.text.firstMatch(of: #/<a href="([^"]*)" download data-rejected-rows>/#).map { String($0.1) })
                let rejected = try await jar.get(client, download)
                #expect(rejected.status == .ok)
                #expect(rejected.headers[.contentType] == "text/csv; charset=utf-8")
                let lines = rejected.text.split(separator: "\r\n").map(String.init)
                #expect(lines.count == 3)
                #expect(lines.first?.hasSuffix(",Address 1 - Country,Reason") == true)
                #expect(
                    lines.dropFirst().first == "Søren,K,Second note,* myContacts,soren@x.dk,,,,,,,Duplicate of row 2.")
                #expect(lines.last?.hasPrefix("Bad,,,,not-an-email,,,,,,Данія,") == true)
                #expect(lines.last?.contains("not a valid email address") == true)
                // reloading the report shows it again; another user sees neither it nor its rows
                let again = try await jar.get(client, address)
                #expect(again.text.contains(#"<dd data-count="duplicates">1</dd>"#))
                let member = try await RecordPagesTests.signIn(client, email: "m@acme.test")
                #expect(try await member.get(client, address, headers: [.accept: "text/html"]).status == .notFound)
                #expect(try await member.get(client, download, headers: [.accept: "text/html"]).status == .notFound)
            }
        }
    }

    @Test("the wizard in Persian: right to left, its own words, user values isolated", arguments: Backend.allCases)
    func persian(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            _ = try await Fixtures.user(app, in: seeded, email: "fa@acme.test", role: .member, language: .fa)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client, email: "fa@acme.test")
                let csv = "نام,E-mail Address\r\nمریم,maryam@x.ir\r\nزهرا,maryam@x.ir\r\n"
                let preview = try await Self.upload(client, jar, csv)
                #expect(preview.text.contains(#"<html lang="fa" dir="rtl">"#))
                #expect(preview.text.contains("<bdi>نام</bdi>"))
                #expect(preview.text.contains("— این ستون نادیده گرفته شود —"))
                #expect(preview.text.contains(">بررسی دوباره</button>"))
                #expect(preview.text.contains("تکرار ردیف ۲"))
            }
        }
    }
}
