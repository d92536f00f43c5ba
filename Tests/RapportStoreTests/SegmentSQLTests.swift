import Foundation
import RapportCore
import RapportDatabase
import RapportStore
import RapportTestSupport
import Testing

@Suite("Segment SQL")
struct SegmentSQLTests {
    static let reach = SegmentReach(
        contacts: RecordScope(workspaceID: "w-1", visibility: .own, userID: "u-1"),
        companies: RecordScope.all("w-1"), orders: RecordScope.all("w-1"))

    static let hostile = [
        "x' OR 1=1 --", "\"; DROP TABLE contacts; --", "') OR ('1'='1", "?", "$1", "\\", "مدیر' OR '1'='1",
    ]

    @Test("every value is a bound parameter, never SQL text; workspace and visibility are always there")
    func bound() throws {
        let context = SegmentContext(userID: "u-1", now: 1_773_144_000_000_000)
        for value in Self.hostile {
            let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
                of: "\"", with: "\\\"")
            let query =
                #"name = "\#(escaped)" or title ~ "\#(escaped)" or tag = "\#(escaped)" or owner = "a\#(escaped)@x.y" or team = "\#(escaped)" or bought("\#(escaped)") or company.industry = "\#(escaped)""#
            let filter = try SegmentQuery.compile(query, context: context)
            for kind in [DatabaseKind.sqlite, .postgres] {
                let (sql, binds) = SegmentSQL.condition(filter, kind: kind, reach: Self.reach)
                if value != "?" { #expect(!sql.contains(value), "\(kind) wrote \(value) into the SQL: \(sql)") }
                #expect(binds.contains(.text(value)) || binds.contains(.text(SegmentFilterText.fold(value))))
                // one placeholder per bind, in order
                #expect(sql.filter { $0 == "?" }.count == binds.count, "\(kind): \(sql)")
                #expect(binds.contains(.text("w-1")))
            }
        }
    }

    @Test(
        "a segment's condition joins the contacts' visibility and workspace on both databases",
        arguments: Backend.allCases)
    func scoped(_ backend: Backend) async throws {
        try await TestDB.with(backend) { store in
            // given no contacts at all, a query still runs, and names the workspace
            let filter = try SegmentQuery.compile(
                #"events(page_view, 30d) >= 3 and spent(365d) > 10 and birthday within 7d and not tag = "x""#,
                context: SegmentContext(userID: "u-1", now: Timestamp.micros(Date())))
            let members = try await SegmentRepository(store: store).memberIDs(filter, reach: Self.reach)
            #expect(members.isEmpty)
        }
    }
}
