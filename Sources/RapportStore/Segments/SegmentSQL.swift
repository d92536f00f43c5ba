import Foundation
package import RapportCore
package import RapportDatabase

/// What a segment may reach for one caller: their contacts, and (when their role reads them) companies
/// and orders. Every subquery a segment compiles to carries the matching scope.
package struct SegmentReach: Sendable {
    package var contacts: RecordScope
    package var companies: RecordScope?
    package var orders: RecordScope?

    package init(contacts: RecordScope, companies: RecordScope?, orders: RecordScope?) {
        self.contacts = contacts
        self.companies = companies
        self.orders = orders
    }

    package var workspaceID: String { contacts.workspaceID }
}

/// A checked segment (`SegmentFilter`) as one SQL condition on the `contacts` table, for SQLite and
/// PostgreSQL alike: every value is a bound parameter (`?`), every subquery is scoped by the workspace
/// and the caller's visibility, and every leaf is true or false, never NULL, so `not` means "every other
/// contact". Event counts read `events_contact_type` (M0026) one range per contact.
package struct SegmentSQL {
    let kind: DatabaseKind
    let reach: SegmentReach
    var binds: [DBValue] = []

    package init(kind: DatabaseKind, reach: SegmentReach) {
        self.kind = kind
        self.reach = reach
    }

    /// The condition with its binds, `?` placeholders in order; the contacts table is `contacts`.
    package static func condition(_ filter: SegmentFilter, kind: DatabaseKind, reach: SegmentReach) -> (
        sql: String, binds: [DBValue]
    ) {
        var compiler = SegmentSQL(kind: kind, reach: reach)
        let sql = compiler.compile(filter)
        return (sql, compiler.binds)
    }

    mutating func bind(_ value: DBValue) -> String {
        binds.append(value)
        return "?"
    }

    mutating func bind(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return bind(.text(text))
        case .number(let number) where number.rounded() == number && abs(number) < 9e15:
            return bind(.int(Int64(number)))
        case .number(let number): return bind(.double(number))
        case .bool(let flag): return bind(.int(flag ? 1 : 0))
        default: return "NULL"
        }
    }

    mutating func list(_ values: [DBValue]) -> String {
        values.map { bind($0) }.joined(separator: ", ")
    }

    mutating func compile(_ filter: SegmentFilter) -> String {
        switch filter {
        case .and(let parts):
            return parts.isEmpty ? "1 = 1" : "(" + parts.map { compile($0) }.joined(separator: " AND ") + ")"
        case .or(let parts):
            return parts.isEmpty ? "1 = 0" : "(" + parts.map { compile($0) }.joined(separator: " OR ") + ")"
        case .not(let inner):
            return "NOT " + compile(inner)
        case .constant(let value):
            return value ? "(1 = 1)" : "(1 = 0)"
        case .field(let field, let test):
            return self.field(field, test)
        case .owner(let ids, let emails):
            var parts: [String] = []
            if !ids.isEmpty { parts.append("contacts.owner_id IN (\(list(ids.map(DBValue.text))))") }
            if !emails.isEmpty {
                let workspace = bind(.text(reach.workspaceID))
                parts.append(
                    "contacts.owner_id IN (SELECT u.id FROM users u WHERE u.workspace_id = \(workspace) AND u.email IN (\(list(emails.map(DBValue.text)))))"
                )
            }
            return "(contacts.owner_id IS NOT NULL AND (" + parts.joined(separator: " OR ") + "))"
        case .team(let keys):
            let workspace = bind(.text(reach.workspaceID))
            return
                "(contacts.team_id IS NOT NULL AND contacts.team_id IN (SELECT tm.id FROM teams tm WHERE tm.workspace_id = \(workspace) AND tm.name_key IN (\(list(keys.map(DBValue.text))))))"
        case .consent(let channel, let states):
            if channel == "email" {
                // (the contact's field mirrors the email channel; it is never null)
                return "(contacts.email_consent IN (\(list(states.map(DBValue.text)))))"
            }
            let workspace = bind(.text(reach.workspaceID))
            let channelBind = bind(.text(channel))
            let stored = states.map { Consent.state(fieldValue: $0) }
            return
                "(COALESCE((SELECT cc.state FROM contact_consents cc WHERE cc.workspace_id = \(workspace) AND cc.contact_id = contacts.id AND cc.channel = \(channelBind)), 'unknown') IN (\(list(stored.map(DBValue.text)))))"
        case .events(let type, let since, let count):
            let workspace = bind(.text(reach.workspaceID))
            var sql =
                "SELECT 1 FROM events ev WHERE ev.workspace_id = \(workspace) AND ev.contact_id = contacts.id AND ev.type = \(bind(.text(type)))"
            if let since { sql += " AND ev.occurred_at >= \(bind(.int(since)))" }
            return counted(sql, count)
        case .orders(let since, let count):
            guard let scope = reach.orders else { return "(1 = 0)" }
            return counted(ordersOfContact(scope, since: since), count)
        case .spent(let since, let currency, let count):
            guard let scope = reach.orders else { return "(1 = 0)" }
            // thousandths of a major unit: ×1000 without minor units, ×1 with three digits, else ×10
            let none = list(Currencies.codes.filter { Currencies.minorDigits($0) == 0 }.sorted().map(DBValue.text))
            let three = list(Currencies.codes.filter { Currencies.minorDigits($0) == 3 }.sorted().map(DBValue.text))
            var from = ordersOfContact(scope, since: since)
            if let currency { from += " AND o.currency = \(bind(.text(currency)))" }
            let sum =
                "(SELECT COALESCE(SUM(CASE WHEN o.currency IN (\(none)) THEN o.total * 1000 WHEN o.currency IN (\(three)) THEN o.total ELSE o.total * 10 END), 0) FROM orders o WHERE "
                + from.dropFirst("SELECT 1 FROM orders o WHERE ".count) + ")"
            return "(\(sum) \(count.comparison.rawValue) \(bind(.int(count.value))))"
        case .bought(let sku):
            guard let scope = reach.orders else { return "(1 = 0)" }
            let orders = ordersOfContact(scope, since: nil)
            let workspace = bind(.text(reach.workspaceID))
            let object = bind(.text("orders"))
            let field = bind(.text("lines"))
            let skuBind = bind(.text(sku))
            return
                "EXISTS (\(orders) AND EXISTS (SELECT 1 FROM record_links rl JOIN products p ON p.workspace_id = rl.workspace_id AND p.id = rl.target_id WHERE rl.workspace_id = \(workspace) AND rl.object = \(object) AND rl.field = \(field) AND rl.record_id = o.id AND \(kind == .postgres ? "lower(p.sku COLLATE \"C\")" : "lower(p.sku)") = \(skuBind)))"
        }
    }

    /// `SELECT 1 FROM orders o WHERE …` for the contact's orders the caller may see, since a time.
    mutating func ordersOfContact(_ scope: RecordScope, since: Int64?) -> String {
        let (visible, visibleBinds) = scope.condition(
            prefix: "o.", owned: ObjectType.orders.isOwned, ownerColumn: ObjectType.orders.ownerField)
        binds += visibleBinds
        var sql = "SELECT 1 FROM orders o WHERE \(visible) AND o.contact_id = contacts.id"
        if let since { sql += " AND o.ordered_at >= \(bind(.int(since)))" }
        return sql
    }

    /// How many rows a `SELECT 1 …` gives, compared with a number; counting stops once the answer is known.
    mutating func counted(_ select: String, _ count: SegmentCount) -> String {
        switch (count.comparison, count.value) {
        case (.greaterOrEqual, 1), (.greater, 0), (.notEquals, 0): return "EXISTS (\(select))"
        case (.less, 1), (.equals, 0), (.lessOrEqual, 0): return "NOT EXISTS (\(select))"
        default:
            // (at most value + 1 rows are read: enough to decide any comparison with value)
            let limit = bind(.int(count.value + 1))
            let value = bind(.int(count.value))
            return
                "((SELECT count(*) FROM (\(select) LIMIT \(limit)) counted) \(count.comparison.rawValue == "!=" ? "<>" : count.comparison.rawValue) \(value))"
        }
    }

    // MARK: Fields

    mutating func field(_ field: SegmentField, _ test: SegmentTest) -> String {
        switch field {
        case .contactName:
            let first = "contacts.first_name"
            let last = "contacts.last_name"
            switch test {
            case .oneOf(let values):
                let texts = values.map { value -> DBValue in
                    if case .string(let text) = value { return .text(text) }
                    return .null
                }
                let a = list(texts)
                let b = list(texts)
                let c = list(texts)
                return
                    "((\(first) IS NOT NULL AND \(first) IN (\(a))) OR (\(last) IS NOT NULL AND \(last) IN (\(b))) OR (\(first) IS NOT NULL AND \(last) IS NOT NULL AND \(first) || ' ' || \(last) IN (\(c))))"
            case .contains(let needle):
                let whole = "COALESCE(\(first), '') || ' ' || COALESCE(\(last), '')"
                return contains(whole, whole, needle)
            case .empty:
                return "(\(first) IS NULL AND \(last) IS NULL)"
            default:
                return "(1 = 0)"
            }
        case .contact(let target):
            return condition(target, test, table: "contacts")
        case .company(let target):
            guard let scope = reach.companies else { return "(1 = 0)" }
            let (visible, visibleBinds) = scope.condition(
                prefix: "co.", owned: ObjectType.companies.isOwned, ownerColumn: ObjectType.companies.ownerField)
            binds += visibleBinds
            if test == .empty {
                // no company, or one whose field is empty
                let inner = condition(target, .empty, table: "co")
                return
                    "(contacts.company_id IS NULL OR NOT EXISTS (SELECT 1 FROM companies co WHERE \(visible) AND co.id = contacts.company_id) OR EXISTS (SELECT 1 FROM companies co WHERE co.workspace_id = contacts.workspace_id AND co.id = contacts.company_id AND \(inner)))"
            }
            let inner = condition(target, test, table: "co")
            return "EXISTS (SELECT 1 FROM companies co WHERE \(visible) AND co.id = contacts.company_id AND \(inner))"
        }
    }

    /// A column of `table` (`contacts` or the alias `co`), or a custom field's value; a custom field's key
    /// is bound anew each time the expression is written (so call it where it goes in the text).
    mutating func expression(_ target: ListQuery.Target, table: String) -> String {
        switch target {
        case .time(let name), .standard(let name, _):
            return "\(table).\(name)"
        case .custom(let key, let type):
            let path = bind(.text(kind == .sqlite ? "$." + key : key))
            switch (kind, type) {
            case (.sqlite, _): return "json_extract(\(table).custom, \(path))"
            case (.postgres, .number): return "((\(table).custom::jsonb ->> \(path))::double precision)"
            case (.postgres, .boolean): return "(((\(table).custom::jsonb ->> \(path))::boolean)::int)"
            case (.postgres, .multi_select): return "(\(table).custom::jsonb -> \(path))"
            case (.postgres, _): return "(\(table).custom::jsonb ->> \(path))"
            }
        }
    }

    /// A test of a column (or a custom field) of `table` (`contacts` or the alias `co`).
    mutating func condition(_ target: ListQuery.Target, _ test: SegmentTest, table: String) -> String {
        var isList = false
        var isNumber = false
        var isMap = false
        switch target {
        case .time: isNumber = true
        case .standard(_, let kind):
            isList = kind.isStructured && kind != .stringMap
            isMap = kind == .stringMap
            isNumber = kind.isInteger
        case .custom(_, let type):
            isList = type == .multi_select
            isNumber = type == .number || type == .boolean
        }
        switch test {
        case .empty:
            if isList {
                if case .custom = target {
                    let e = expression(target, table: table)
                    return kind == .sqlite
                        ? "(COALESCE(json_array_length(\(e)), 0) = 0)"
                        : "(COALESCE(jsonb_array_length(\(e)), 0) = 0)"
                }
                let e = expression(target, table: table)
                return "(\(e) = '[]')"
            }
            if isMap { return "(\(expression(target, table: table)) = '{}')" }
            if case .custom = target {
                let e = expression(target, table: table)
                return isNumber ? "(\(e) IS NULL)" : "(COALESCE(\(e), '') = '')"
            }
            let e = expression(target, table: table)
            return isNumber ? "(\(e) IS NULL)" : "(\(e) IS NULL OR \(e) = '')"
        case .oneOf(let values):
            guard !values.isEmpty else { return "(1 = 0)" }
            let e1 = expression(target, table: table)
            let e2 = expression(target, table: table)
            return "(\(e1) IS NOT NULL AND \(e2) IN (\(values.map { bind($0) }.joined(separator: ", "))))"
        case .contains(let needle):
            let e1 = expression(target, table: table)
            let e2 = expression(target, table: table)
            return contains(e1, e2, needle)
        case .compare(let comparison, let value):
            let op = comparison == .notEquals ? "<>" : comparison.rawValue
            let e1 = expression(target, table: table)
            let e2 = expression(target, table: table)
            return "(\(e1) IS NOT NULL AND \(e2) \(op) \(bind(value)))"
        case .listHas(let values):
            guard !values.isEmpty else { return "(1 = 0)" }
            var each: [String] = []
            for value in values {
                // A standard list (tags) is JSON text: a value it holds is in that text as it is, when JSON writes
                // it unescaped. That substring test is cheap and comes first, so the JSON is read only for the
                // rows that may hold the value.
                var prefilter = ""
                if case .standard = target, Self.unescapedInJSON(value) {
                    let e = expression(target, table: table)
                    let needle = bind(.text(value))
                    prefilter = kind == .sqlite ? "instr(\(e), \(needle)) > 0 AND " : "strpos(\(e), \(needle)) > 0 AND "
                }
                let e = expression(target, table: table)
                let placeholder = bind(.text(value))
                switch kind {
                case .sqlite:
                    each.append(
                        "(\(prefilter)EXISTS (SELECT 1 FROM json_each(\(e)) WHERE json_each.value = \(placeholder)))")
                case .postgres:
                    if case .custom = target {
                        each.append("COALESCE(jsonb_exists(\(e), \(placeholder)), FALSE)")
                    } else {
                        each.append("(\(prefilter)jsonb_exists(\(e)::jsonb, \(placeholder)))")
                    }
                }
            }
            return "(" + each.joined(separator: " OR ") + ")"
        case .anniversary(let days):
            let e1 = expression(target, table: table)
            let e2 = expression(target, table: table)
            return "(\(e1) IS NOT NULL AND substr(\(e2), 6, 5) IN (\(list(days.map(DBValue.text)))))"
        }
    }

    /// Whether JSON writes `value` as it is (letters and digits of ASCII and a few marks): then a JSON array
    /// holding it contains `value` as a substring of its text.
    static func unescapedInJSON(_ value: String) -> Bool {
        !value.isEmpty
            && value.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || [0x20, 0x2D, 0x5F, 0x2E, 0x40, 0x2B, 0x3A, 0x23].contains(byte)
            }
    }

    /// Case-insensitive (A-Z folded on both databases) substring test, false for no value.
    /// (`first` and `second` are the same expression, written twice with their own binds.)
    mutating func contains(_ first: String, _ second: String, _ needle: String) -> String {
        let placeholder = bind(.text(needle))
        switch kind {
        case .sqlite: return "(\(first) IS NOT NULL AND instr(lower(\(second)), \(placeholder)) > 0)"
        case .postgres:
            return "(\(first) IS NOT NULL AND strpos(lower(\(second) COLLATE \"C\"), \(placeholder)) > 0)"
        }
    }
}
