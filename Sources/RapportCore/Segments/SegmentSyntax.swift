import Foundation

/// Where something is in a segment's query: 1-based line and column, columns counting characters.
package struct SegmentPosition: Sendable, Equatable, Hashable {
    package var line: Int
    package var column: Int

    package init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}

/// One thing wrong with a segment's query, where it is and what was expected there.
package struct SegmentIssue: Error, Sendable, Equatable {
    package var position: SegmentPosition
    /// In English (the API's language).
    package var message: String
    /// The message's key in the web's catalogues (`issue_segment_KEY`, naming `values` as `{name}`); nil
    /// for rarer messages, which pages show in English.
    package var key: String?
    package var values: [String: String] = [:]

    package init(_ position: SegmentPosition, _ message: String) {
        self.position = position
        self.message = message
    }

    /// A message pages translate: `template` in English with `{name}` for each value.
    package init(_ position: SegmentPosition, key: String, _ template: String, _ values: [String: String] = [:]) {
        self.position = position
        self.key = key
        self.values = values
        self.message = FieldIssue.fill(template, values)
    }

    package var line: Int { position.line }
    package var column: Int { position.column }
}

/// A query that cannot be used, with every issue found (the parser stops at the first).
package struct SegmentIssues: Error, Sendable, Equatable {
    package var issues: [SegmentIssue]

    package init(_ issues: [SegmentIssue]) { self.issues = issues }
}

/// A value as written in a query.
package enum SegmentLiteral: Sendable, Equatable {
    /// `"text"` (escapes `\"` and `\\`).
    case string(String)
    /// `12`, `-3.5`.
    case number(Double)
    /// `30d`, `-30d`, `2w`: a number of days.
    case days(Int)
    /// A bare word: `granted`, `me`, `page_view`, `customer`, `true`, `today`.
    case word(String)

    /// How a message names it.
    package var described: String {
        switch self {
        case .string(let text): "\"\(text)\""
        case .number(let number): SegmentLiteral.format(number)
        case .days(let days): "\(days)d"
        case .word(let word): word
        }
    }

    static func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}

/// A value with where it was written.
package struct SegmentValue: Sendable, Equatable {
    package var literal: SegmentLiteral
    package var position: SegmentPosition
}

/// The comparison a condition makes.
package enum SegmentOperator: String, Sendable, Equatable, CaseIterable {
    case equals = "="
    case notEquals = "!="
    case contains = "~"
    case notContains = "!~"
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case isIn = "in"
    case notIn = "not in"
    case isEmpty = "is empty"
    case isNotEmpty = "is not empty"
    case within = "within"
}

/// What a condition is about, as written: a field (`title`, `company.industry`, `custom.plan`) or a
/// function of the contact's history (`events(page_view, 30d)`, `consent(email)`).
package struct SegmentSubject: Sendable, Equatable {
    package var name: String
    /// Nil for a field; the arguments for a function.
    package var arguments: [SegmentValue]?
    package var position: SegmentPosition
}

/// A query's syntax tree, before its names are checked.
package indirect enum SegmentNode: Sendable, Equatable {
    case and(SegmentNode, SegmentNode)
    case or(SegmentNode, SegmentNode)
    case not(SegmentNode, SegmentPosition)
    /// `subject op value…` (no values for `is empty`, one for most, several for `in`).
    case condition(SegmentSubject, SegmentOperator, [SegmentValue], SegmentPosition)
    /// `bought("SKU-1")`.
    case bought(SegmentValue, SegmentPosition)
    /// `in segment "Name"`.
    case inSegment(SegmentValue, SegmentPosition)
}

/// The segment language's parser: text to a `SegmentNode`, or the first error with its line and column.
/// `not` binds tightest, then `and`, then `or`; parentheses group.
package struct SegmentParser {
    enum Token: Equatable {
        case word(String)
        case string(String)
        case number(Double)
        case days(Int)
        case symbol(String)
        case end
    }

    struct Located {
        var token: Token
        var position: SegmentPosition
    }

    var tokens: [Located]
    var index = 0

    /// Longest queries the parser takes (characters), and deepest nesting.
    package static let maxLength = 10_000
    static let maxDepth = 64

    /// Parses a query.
    /// - Throws: `SegmentIssues` with the first error: where, and what was expected there.
    package static func parse(_ text: String) throws(SegmentIssues) -> SegmentNode {
        do {
            guard text.count <= maxLength else {
                throw SegmentIssue(
                    SegmentPosition(line: 1, column: 1), key: "too_long", "The query is longer than {max} characters.",
                    ["max": String(maxLength)])
            }
            var parser = SegmentParser(tokens: try tokenize(text))
            if case .end = parser.current.token {
                throw SegmentIssue(
                    parser.current.position, key: "empty",
                    "The query is empty: expected a condition such as tag = \"vip\".")
            }
            let node = try parser.expression(depth: 0)
            guard case .end = parser.current.token else {
                throw SegmentIssue(
                    parser.current.position, key: "expected_end",
                    "Expected and, or or the end of the query, not {found}.",
                    ["found": describe(parser.current.token)])
            }
            return node
        } catch let issue as SegmentIssue {
            throw SegmentIssues([issue])
        } catch {
            throw SegmentIssues([
                SegmentIssue(
                    SegmentPosition(line: 1, column: 1), key: "unreadable",
                    "The query cannot be read.")
            ])
        }
    }

    // MARK: Tokens

    static func tokenize(_ text: String) throws -> [Located] {
        var tokens: [Located] = []
        let characters = Array(text)
        var index = 0
        var line = 1
        var column = 1
        func advance() {
            if characters[index] == "\n" || characters[index] == "\r\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
            index += 1
        }
        while index < characters.count {
            let character = characters[index]
            let start = SegmentPosition(line: line, column: column)
            if character.isWhitespace || character.isNewline {
                advance()
                continue
            }
            if character == "#" {
                // a comment to the end of the line
                while index < characters.count, !characters[index].isNewline { advance() }
                continue
            }
            if character == "\"" || character == "“" || character == "”" {
                advance()
                var value = ""
                var closed = false
                while index < characters.count {
                    let next = characters[index]
                    if next == "\"" || next == "”" || next == "“" {
                        advance()
                        closed = true
                        break
                    }
                    if next.isNewline { break }
                    if next == "\\", index + 1 < characters.count {
                        advance()
                        value.append(characters[index])
                        advance()
                        continue
                    }
                    value.append(next)
                    advance()
                }
                guard closed else {
                    throw SegmentIssue(start, key: "unclosed_text", "This text has no closing quote (\").")
                }
                tokens.append(Located(token: .string(value), position: start))
                continue
            }
            if character.isASCII,
                character.isNumber
                    || (character == "-" && index + 1 < characters.count && characters[index + 1].isASCII
                        && characters[index + 1].isNumber)
            {
                var literal = String(character)
                advance()
                while index < characters.count, characters[index].isASCII,
                    characters[index].isNumber || characters[index] == "."
                {
                    literal.append(characters[index])
                    advance()
                }
                if index < characters.count, characters[index] == "d" || characters[index] == "w" {
                    let unit = characters[index]
                    let followedByWord =
                        index + 1 < characters.count
                        && (characters[index + 1].isLetter || characters[index + 1].isNumber
                            || characters[index + 1] == "_")
                    if !followedByWord {
                        advance()
                        guard let count = Int(literal), abs(count) <= 36_500 / (unit == "w" ? 7 : 1) else {
                            throw SegmentIssue(
                                start, key: "bad_days",
                                "Expected a whole number of days or weeks (at most 100 years), such as 30d.")
                        }
                        tokens.append(Located(token: .days(unit == "w" ? count * 7 : count), position: start))
                        continue
                    }
                }
                if index < characters.count, characters[index].isLetter || characters[index] == "_" {
                    throw SegmentIssue(
                        start, key: "bad_number",
                        "Expected a number, or days such as 30d or weeks such as 2w.")
                }
                guard let number = Double(literal), number.isFinite else {
                    throw SegmentIssue(start, key: "not_number", "{text} is not a number.", ["text": literal])
                }
                tokens.append(Located(token: .number(number), position: start))
                continue
            }
            if character.isLetter || character == "_" {
                var word = ""
                while index < characters.count,
                    characters[index].isLetter || characters[index].isNumber || characters[index] == "_"
                        || characters[index] == "." || characters[index] == "-"
                {
                    word.append(characters[index])
                    advance()
                }
                tokens.append(Located(token: .word(word), position: start))
                continue
            }
            let pair = index + 1 < characters.count ? String([character, characters[index + 1]]) : ""
            if ["!=", "!~", "<=", ">="].contains(pair) {
                advance()
                advance()
                tokens.append(Located(token: .symbol(pair), position: start))
                continue
            }
            if ["=", "~", "<", ">", "(", ")", ","].contains(String(character)) {
                advance()
                tokens.append(Located(token: .symbol(String(character)), position: start))
                continue
            }
            throw SegmentIssue(
                start, key: "unexpected_character", "Unexpected character \"{character}\".",
                ["character": String(character)])
        }
        tokens.append(Located(token: .end, position: SegmentPosition(line: line, column: column)))
        return tokens
    }

    static func describe(_ token: Token) -> String {
        switch token {
        case .word(let word): "\"\(word)\""
        case .string(let text): "the text \"\(text)\""
        case .number(let number): SegmentLiteral.format(number)
        case .days(let days): "\(days)d"
        case .symbol(let symbol): "\"\(symbol)\""
        case .end: "the end of the query"
        }
    }

    // MARK: Grammar

    var current: Located { tokens[index] }

    mutating func next() -> Located {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    func isWord(_ word: String) -> Bool {
        if case .word(let found) = current.token { return found.lowercased() == word }
        return false
    }

    func isSymbol(_ symbol: String) -> Bool { current.token == .symbol(symbol) }

    mutating func expect(_ symbol: String, key: String, _ what: String, _ values: [String: String] = [:]) throws {
        guard isSymbol(symbol) else {
            throw SegmentIssue(
                current.position, key: key, "Expected \(what), not {found}.",
                values.merging(["found": Self.describe(current.token)]) { $1 })
        }
        _ = next()
    }

    mutating func expression(depth: Int) throws -> SegmentNode {
        guard depth < Self.maxDepth else {
            throw SegmentIssue(current.position, key: "nested", "The query is nested too deeply.")
        }
        var node = try conjunction(depth: depth)
        while isWord("or") {
            _ = next()
            node = .or(node, try conjunction(depth: depth))
        }
        return node
    }

    mutating func conjunction(depth: Int) throws -> SegmentNode {
        var node = try unary(depth: depth)
        while isWord("and") {
            _ = next()
            node = .and(node, try unary(depth: depth))
        }
        return node
    }

    mutating func unary(depth: Int) throws -> SegmentNode {
        if isWord("not") {
            let position = next().position
            guard depth < Self.maxDepth else {
                throw SegmentIssue(position, key: "nested", "The query is nested too deeply.")
            }
            return .not(try unary(depth: depth + 1), position)
        }
        return try primary(depth: depth)
    }

    mutating func primary(depth: Int) throws -> SegmentNode {
        let start = current
        if isSymbol("(") {
            _ = next()
            let node = try expression(depth: depth + 1)
            try expect(
                ")", key: "expected_close", "\")\" to close the \"(\" at line {line}, column {column}",
                ["line": String(start.position.line), "column": String(start.position.column)])
            return node
        }
        guard case .word(let name) = start.token else {
            throw SegmentIssue(
                start.position, key: "expected_condition",
                "Expected a condition (a field such as title, tag, events(…), in segment \"…\"), not {found}.",
                ["found": Self.describe(start.token)])
        }
        let lower = name.lowercased()
        if ["and", "or"].contains(lower) {
            throw SegmentIssue(
                start.position, key: "condition_before", "Expected a condition before {word}.", ["word": lower])
        }
        _ = next()
        if lower == "in" {
            guard isWord("segment") else {
                throw SegmentIssue(
                    current.position, key: "expected_segment_word",
                    "Expected segment after in (in segment \"Name\").")
            }
            _ = next()
            return .inSegment(
                try value(key: "expected_segment_name", "the segment's name in quotes"), start.position)
        }
        var arguments: [SegmentValue]?
        if isSymbol("(") {
            _ = next()
            var list: [SegmentValue] = []
            if !isSymbol(")") {
                list.append(try value(key: "expected_argument", "an argument"))
                while isSymbol(",") {
                    _ = next()
                    list.append(try value(key: "expected_argument", "an argument"))
                }
            }
            try expect(
                ")", key: "expected_arguments_end", "\",\" or \")\" to end the arguments of {name}", ["name": name])
            arguments = list
        }
        if lower == "bought" {
            guard let arguments, arguments.count == 1 else {
                throw SegmentIssue(
                    start.position, key: "bought_arguments",
                    "bought takes one product SKU in quotes: bought(\"SKU-1\").")
            }
            return .bought(arguments[0], start.position)
        }
        let subject = SegmentSubject(name: name, arguments: arguments, position: start.position)
        let operatorAt = current.position
        let op: SegmentOperator
        switch current.token {
        case .symbol(let symbol) where SegmentOperator(rawValue: symbol) != nil:
            op = SegmentOperator(rawValue: symbol)!
            _ = next()
        case .word(let word) where word.lowercased() == "in":
            op = .isIn
            _ = next()
        case .word(let word) where word.lowercased() == "within":
            op = .within
            _ = next()
        case .word(let word) where word.lowercased() == "not":
            _ = next()
            guard isWord("in") else {
                throw SegmentIssue(
                    current.position, key: "expected_in", "Expected in after not (not in (…)).")
            }
            _ = next()
            op = .notIn
        case .word(let word) where word.lowercased() == "is":
            _ = next()
            var negated = false
            if isWord("not") {
                negated = true
                _ = next()
            }
            guard isWord("empty") else {
                throw SegmentIssue(
                    current.position, key: "expected_empty",
                    "Expected empty after is (is empty, is not empty).")
            }
            _ = next()
            return .condition(subject, negated ? .isNotEmpty : .isEmpty, [], operatorAt)
        default:
            throw SegmentIssue(
                operatorAt, key: "expected_operator",
                "Expected an operator after {name} (=, !=, ~, !~, <, <=, >, >=, in, not in, is empty, within), not {found}.",
                ["name": name, "found": Self.describe(current.token)])
        }
        if op == .isIn || op == .notIn {
            try expect("(", key: "expected_list", "\"(\" and a list of values after {op}", ["op": op.rawValue])
            var values = [try value(key: "expected_value", "a value")]
            while isSymbol(",") {
                _ = next()
                values.append(try value(key: "expected_value", "a value"))
            }
            try expect(")", key: "expected_list_end", "\",\" or \")\" to end the list")
            return .condition(subject, op, values, operatorAt)
        }
        return .condition(
            subject, op, [try value(key: "expected_value_after", "a value after {op}", ["op": op.rawValue])], operatorAt
        )
    }

    mutating func value(key: String, _ what: String, _ values: [String: String] = [:]) throws -> SegmentValue {
        let located = current
        let literal: SegmentLiteral
        switch located.token {
        case .string(let text): literal = .string(text)
        case .number(let number): literal = .number(number)
        case .days(let days): literal = .days(days)
        case .word(let word) where !["and", "or"].contains(word.lowercased()): literal = .word(word)
        default:
            throw SegmentIssue(
                located.position, key: key, "Expected \(what), not {found}.",
                values.merging(["found": Self.describe(located.token)]) { $1 })
        }
        _ = next()
        return SegmentValue(literal: literal, position: located.position)
    }
}
