import Foundation
import Testing

@testable import RapportCore

@Suite("Segment language")
struct SegmentQueryTests {
    /// 2026-03-10T12:00:00Z.
    static let now: Int64 = 1_773_144_000_000_000
    static let context = SegmentContext(
        contactCustomFields: [
            CustomFieldDefinition(
                id: RecordID.make(), workspaceID: "w", object: "contacts", key: "plan", label: "Plan", type: .select,
                options: ["free", "pro"], createdAt: 0),
            CustomFieldDefinition(
                id: RecordID.make(), workspaceID: "w", object: "contacts", key: "seats", label: "Seats",
                type: .number, options: [], createdAt: 0),
        ],
        companyCustomFields: [], userID: "user-1", now: now,
        segments: [
            "vips": ("s1", "VIPs", "tag = \"vip\""),
            "loop a": ("s2", "Loop A", "in segment \"Loop B\""),
            "loop b": ("s3", "Loop B", "in segment \"Loop A\""),
            "broken": ("s4", "Broken", "nonsense = 1"),
        ])

    func compile(_ text: String, context: SegmentContext = Self.context) throws(SegmentIssues) -> SegmentFilter {
        try SegmentQuery.compile(text, context: context)
    }

    func issue(_ text: String, context: SegmentContext = Self.context) -> SegmentIssue? {
        do throws(SegmentIssues) {
            _ = try compile(text, context: context)
            return nil
        } catch {
            return error.issues.first
        }
    }

    static let title = SegmentField.contact(.standard(name: "job_title", kind: .text(maxLength: 200)))
    static let country = SegmentField.contact(.standard(name: "country", kind: .country))
    static let tags = SegmentField.contact(.standard(name: "tags", kind: .tags))

    @Test("the issue's example parses into the tree it says")
    func example() throws {
        let filter = try compile(
            #"title ~ "VP" and country in ("DK", "IR", "UA") and events(page_view, 30d) >= 3 and not tag = "do-not-contact""#
        )
        #expect(
            filter
                == .and([
                    .field(Self.title, .contains("vp")),
                    .field(Self.country, .oneOf([.string("DK"), .string("IR"), .string("UA")])),
                    .events(
                        type: "page_view", since: Self.now - 30 * 86_400_000_000, SegmentCount(.greaterOrEqual, 3)),
                    .not(.field(Self.tags, .listHas(["do-not-contact"]))),
                ]))
    }

    @Test("not binds tighter than and, and tighter than or; parentheses group")
    func precedence() throws {
        let a = SegmentFilter.field(Self.tags, .listHas(["a"]))
        let b = SegmentFilter.field(Self.tags, .listHas(["b"]))
        let c = SegmentFilter.field(Self.tags, .listHas(["c"]))
        #expect(try compile(#"tag = "a" or tag = "b" and tag = "c""#) == .or([a, .and([b, c])]))
        #expect(try compile(#"(tag = "a" or tag = "b") and tag = "c""#) == .and([.or([a, b]), c]))
        #expect(try compile(#"not tag = "a" and tag = "b""#) == .and([.not(a), b]))
        #expect(try compile(#"not (tag = "a" and tag = "b")"#) == .not(.and([a, b])))
        #expect(try compile(#"NOT tag = "a" OR tag = "b""#) == .or([.not(a), b]))
    }

    static let day: Int64 = 86_400_000_000
    static let birthday = SegmentField.contact(.standard(name: "birthday", kind: .date))
    static let seats = SegmentField.contact(.custom(key: "seats", type: .number))
    static let stage = SegmentField.contact(.standard(name: "lifecycle_stage", kind: .choice(LifecycleStage.all)))
    static let operatorCases: [(String, SegmentFilter)] = [
        (#"title = "CEO""#, SegmentFilter.field(title, .oneOf([.string("CEO")]))),
        (#"title != "CEO""#, .not(.field(title, .oneOf([.string("CEO")])))),
        (#"title ~ "Vp""#, .field(title, .contains("vp"))),
        (#"title !~ "VP""#, .not(.field(title, .contains("vp")))),
        (#"title in ("A", "B")"#, .field(title, .oneOf([.string("A"), .string("B")]))),
        (#"title not in ("A")"#, .not(.field(title, .oneOf([.string("A")])))),
        ("title is empty", .field(title, .empty)),
        ("title is not empty", .not(.field(title, .empty))),
        (
            "custom.seats > 3",
            .field(seats, .compare(.greater, .number(3)))
        ),
        (
            "custom.seats >= 3",
            .field(seats, .compare(.greaterOrEqual, .number(3)))
        ),
        (
            "custom.seats < 3.5",
            .field(seats, .compare(.less, .number(3.5)))
        ),
        (
            "custom.seats <= -1",
            .field(seats, .compare(.lessOrEqual, .number(-1)))
        ),
        ("custom.plan = pro", .field(.contact(.custom(key: "plan", type: .select)), .oneOf([.string("pro")]))),
        ("consent(email) = granted", .consent(channel: "email", states: ["subscribed"])),
        ("consent(email) != withdrawn", .not(.consent(channel: "email", states: ["unsubscribed"]))),
        (
            "email_status = undeliverable",
            .field(
                .contact(.standard(name: "email_status", kind: .choice(["ok", "undeliverable"]))),
                .oneOf([.string("undeliverable")]))
        ),
        (
            "stage = customer",
            .field(
                .contact(.standard(name: "lifecycle_stage", kind: .choice(LifecycleStage.all))),
                .oneOf([.string("customer")]))
        ),
        ("owner = me", .owner(ids: ["user-1"], emails: [])),
        (#"owner = "Ana@Example.com""#, .owner(ids: [], emails: ["ana@example.com"])),
        (#"team = "Sales""#, .team(nameKeys: ["sales"])),
        ("owner is empty", .field(.contact(.standard(name: "owner_id", kind: .reference("users"))), .empty)),
        (#"bought("SKU-1")"#, .bought(sku: "sku-1")),
        ("orders(365d) >= 2", .orders(since: now - 365 * day, SegmentCount(.greaterOrEqual, 2))),
        (
            "spent(365d) > 1000",
            .spent(since: now - 365 * day, currency: nil, SegmentCount(.greater, 1_000_000))
        ),
        (
            #"spent(2w, "eur") <= 12.5"#,
            .spent(since: now - 14 * day, currency: "EUR", SegmentCount(.lessOrEqual, 12_500))
        ),
        ("events(email_opened) = 0", .events(type: "email_opened", since: nil, SegmentCount(.equals, 0))),
        (
            #"birthday > "2000-01-01""#,
            .field(birthday, .compare(.greater, .string("2000-01-01")))
        ),
        (
            "birthday < -30d",
            .field(birthday, .compare(.less, .string("2026-02-08")))
        ),
        (
            "birthday within 2d",
            .field(birthday, .anniversary(["03-10", "03-11", "03-12"]))
        ),
        (
            "created_at > -30d",
            .field(.contact(.time("created_at")), .compare(.greaterOrEqual, .number(1_770_595_200_000_000)))
        ),
        (
            #"company.industry ~ "bank""#,
            .field(.company(.standard(name: "industry", kind: .text(maxLength: 200))), .contains("bank"))
        ),
        (#"in segment "vips""#, .field(tags, .listHas(["vip"]))),
    ]

    @Test("every operator is read", arguments: operatorCases)
    func operators(_ text: String, _ expected: SegmentFilter) throws {
        #expect(try compile(text) == expected)
    }

    static let errorCases: [(String, Int, Int, String)] = [
        ("title ~", 1, 8, "Expected a value after ~"),
        (#"title = "x" and"#, 1, 16, "Expected a condition"),
        (#"title = "x" tag = "y""#, 1, 13, "Expected and, or or the end of the query"),
        ("title \"x\"", 1, 7, "Expected an operator after title"),
        (#"(title = "x""#, 1, 13, "Expected \")\" to close the \"(\" at line 1, column 1"),
        ("title = \"open", 1, 9, "no closing quote"),
        ("nonsense = 1", 1, 1, "Unknown field \"nonsense\""),
        ("custom.nothing = 1", 1, 1, "Unknown field \"custom.nothing\""),
        ("custom.seats ~ 3", 1, 14, "~ compares text, and custom.seats is a number"),
        ("custom.seats = \"many\"", 1, 16, "Expected a number for custom.seats"),
        ("stage = king", 1, 9, "\"king\" is not a value of lifecycle_stage"),
        ("events(page_views, 30d) > 1", 1, 8, "Unknown event type \"page_views\""),
        ("events(page_view, 30) > 1", 1, 19, "Expected a window of days"),
        ("orders(365d) ~ 2", 1, 14, "Expected a comparison with a number"),
        ("title = 'x'", 1, 9, "Unexpected character \"'\""),
        ("title = \"x\"\nand\n  tag ~ ", 3, 9, "Expected a value after ~"),
        (#"in segment "nobody""#, 1, 12, "There is no segment named \"nobody\""),
        (#"in segment "Loop A""#, 1, 12, "a cycle is not allowed"),
        (#"in segment "broken""#, 1, 12, "Segment \"Broken\" cannot be used: line 1, column 1"),
        ("consent(sms) = granted", 1, 9, "Unknown channel \"sms\""),
        ("consent(email) = yes", 1, 18, "Expected a consent state"),
        ("", 1, 1, "The query is empty"),
        ("frobnicate(1) > 2", 1, 1, "Unknown function \"frobnicate\""),
    ]

    @Test("errors name the line, the column and what was expected", arguments: errorCases)
    func errors(_ text: String, _ line: Int, _ column: Int, _ message: String) throws {
        let found = try #require(issue(text))
        #expect(found.line == line)
        #expect(found.column == column)
        #expect(found.message.contains(message), "\(found.message)")
    }

    @Test("an unknown field near a known one is suggested")
    func suggestion() {
        #expect(issue("titel ~ \"x\"")?.message == "Unknown field \"titel\"; did you mean title?")
        #expect(issue("custom.seat > 1")?.message == "Unknown field \"custom.seat\"; did you mean custom.seats?")
        #expect(
            issue("company.industy = \"x\"")?.message
                == "Unknown field \"company.industy\"; did you mean company.industry?")
    }

    @Test("a field the caller's role hides is refused where it is named")
    func hidden() throws {
        var context = Self.context
        context.hiddenContactFields = ["job_title", "custom.seats"]
        let found = try #require(issue(#"tag = "a" and title ~ "x""#, context: context))
        #expect((found.line, found.column) == (1, 15))
        #expect(found.message == "Your role may not read job_title.")
        #expect(issue("custom.seats > 1", context: context)?.message == "Your role may not read custom.seats.")
        context.readsOrders = false
        #expect(issue("orders(30d) > 1", context: context)?.message == "Your role may not read orders.")
    }

    @Test("Persian, Ukrainian and Danish text are values, positions count characters")
    func unicode() throws {
        let filter = try compile(#"title = "مدیر فروش" or city ~ "Київ" or city = "Århus""#)
        #expect(
            filter
                == .or([
                    .field(Self.title, .oneOf([.string("مدیر فروش")])),
                    .field(.contact(.standard(name: "city", kind: .text(maxLength: 200))), .contains("Київ")),
                    .field(.contact(.standard(name: "city", kind: .text(maxLength: 200))), .oneOf([.string("Århus")])),
                ]))
        let found = try #require(issue(#"title = "مدیر" and شهر = 1"#))
        #expect((found.line, found.column) == (1, 20))
    }

    @Test("injection attempts stay values")
    func injection() throws {
        let filter = try compile(#"name = "x' OR 1=1 --" and title ~ "\"; DROP TABLE contacts; --""#)
        #expect(
            filter
                == .and([
                    .field(.contactName, .oneOf([.string("x' OR 1=1 --")])),
                    .field(Self.title, .contains("\"; drop table contacts; --")),
                ]))
    }

    @Test("birthdays on 29 February are counted on 28 February in other years")
    func leapDay() {
        // 2027-02-27 noon
        let now: Int64 = 1_803_729_600_000_000
        #expect(SegmentChecker.anniversaries(from: now, days: 2) == ["02-27", "02-28", "02-29", "03-01"])
    }
}
