import Foundation

/// What a template is for: marketing mail must let its reader unsubscribe; transactional mail (a receipt, a
/// meeting link) need not.
package enum TemplateKind: String, Sendable, CaseIterable, Codable {
    case marketing, transactional
}

/// A place in a template's source, counted from 1 (columns in characters).
package struct TemplatePosition: Sendable, Equatable {
    package var line: Int
    package var column: Int

    package init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}

/// A template that cannot be read: what is wrong and where.
package struct TemplateSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    package var message: String
    package var position: TemplatePosition

    package init(_ message: String, at position: TemplatePosition) {
        self.message = message
        self.position = position
    }

    package var description: String { "line \(position.line), column \(position.column): \(message)" }
}

/// A template that cannot be rendered for one recipient: a placeholder with no value and no default.
package struct TemplateRenderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The placeholder's field (`first_name`, `custom.size`).
    package var field: String
    package var position: TemplatePosition

    package init(field: String, position: TemplatePosition) {
        self.field = field
        self.position = position
    }

    package var description: String {
        "{{\(field)}} has no value for this contact and no default (line \(position.line), column \(position.column))"
    }
}

/// One `{{ field | default: "text" }}`.
package struct TemplatePlaceholder: Sendable, Equatable {
    /// The field as written, e.g. `first_name`, `company.name`, `custom.size`.
    package var field: String
    /// The text used when the field has no value.
    package var fallback: String?
    package var position: TemplatePosition
}

/// A parsed template text: literal text and placeholders, in order.
package struct ParsedTemplate: Sendable, Equatable {
    package enum Segment: Sendable, Equatable {
        case text(String)
        case placeholder(TemplatePlaceholder)
    }

    package var segments: [Segment]

    /// The fields a recipient's values are read for.
    package static let fields: Set<String> = [
        "first_name", "last_name", "full_name", "email", "company.name", "sender.name", "sender.email",
        "unsubscribe_url", "preferences_url",
    ]

    /// The placeholders in order.
    package var placeholders: [TemplatePlaceholder] {
        segments.compactMap {
            if case .placeholder(let placeholder) = $0 { return placeholder }
            return nil
        }
    }

    /// Reads `source`.
    /// - Parameter customFields: the contact custom field keys `custom.KEY` may name; nil accepts any key.
    /// - Throws: ``TemplateSyntaxError`` at the first problem: an unclosed `{{`, an empty or unknown field, an
    ///   unknown filter, a default that is not a quoted text.
    package static func parse(_ source: String, customFields: Set<String>? = nil) throws(TemplateSyntaxError)
        -> ParsedTemplate
    {
        let characters = Array(source)
        var segments: [Segment] = []
        var literal = ""
        var index = 0
        var line = 1
        var column = 1
        func advance(_ count: Int) {
            for _ in 0..<count {
                if characters[index] == "\n" {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
                index += 1
            }
        }
        while index < characters.count {
            if characters[index] == "{", index + 1 < characters.count, characters[index + 1] == "{" {
                let start = TemplatePosition(line: line, column: column)
                var end = index + 2
                while end + 1 < characters.count, !(characters[end] == "}" && characters[end + 1] == "}") { end += 1 }
                guard end + 1 < characters.count else {
                    throw TemplateSyntaxError("“{{” is not closed with “}}”.", at: start)
                }
                let inner = String(characters[(index + 2)..<end])
                if inner.contains("{{") {
                    throw TemplateSyntaxError("“{{” is not closed with “}}” before the next “{{”.", at: start)
                }
                let placeholder = try Self.placeholder(inner, at: start, customFields: customFields)
                if !literal.isEmpty {
                    segments.append(.text(literal))
                    literal = ""
                }
                segments.append(.placeholder(placeholder))
                advance(end + 2 - index)
            } else {
                literal.append(characters[index])
                advance(1)
            }
        }
        if !literal.isEmpty { segments.append(.text(literal)) }
        return ParsedTemplate(segments: segments)
    }

    static func placeholder(_ inner: String, at position: TemplatePosition, customFields: Set<String>?)
        throws(TemplateSyntaxError) -> TemplatePlaceholder
    {
        // split at the first "|" outside quotes
        var parts: [String] = [""]
        var quoted = false
        for character in inner {
            if character == "\"" { quoted.toggle() }
            if character == "|" && !quoted {
                parts.append("")
            } else {
                parts[parts.count - 1].append(character)
            }
        }
        let field = parts[0].trimmingCharacters(in: .whitespaces)
        guard !field.isEmpty else { throw TemplateSyntaxError("A placeholder names no field.", at: position) }
        if field.hasPrefix("custom.") {
            let key = String(field.dropFirst("custom.".count))
            let wellFormed =
                !key.isEmpty && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
            guard wellFormed, customFields?.contains(key) ?? true else {
                throw TemplateSyntaxError("Unknown field “\(field)”: no contact custom field “\(key)”.", at: position)
            }
        } else if !fields.contains(field) {
            throw TemplateSyntaxError(
                "Unknown field “\(field)”; known: \(fields.sorted().joined(separator: ", ")), custom.KEY.",
                at: position)
        }
        var fallback: String?
        for filter in parts.dropFirst() {
            let text = filter.trimmingCharacters(in: .whitespaces)
            guard text.hasPrefix("default") else {
                let name = text.prefix { $0 != ":" && !$0.isWhitespace }
                throw TemplateSyntaxError("Unknown filter “\(name)”; the one filter is default.", at: position)
            }
            let rest = text.dropFirst("default".count).trimmingCharacters(in: .whitespaces)
            guard rest.hasPrefix(":") else {
                throw TemplateSyntaxError("The default filter is written default: \"text\".", at: position)
            }
            let value = rest.dropFirst().trimmingCharacters(in: .whitespaces)
            guard value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\""),
                !value.dropFirst().dropLast().contains("\"")
            else {
                throw TemplateSyntaxError("The default filter's text must be in double quotes.", at: position)
            }
            fallback = String(value.dropFirst().dropLast())
        }
        return TemplatePlaceholder(field: field, fallback: fallback, position: position)
    }

    /// The text with each placeholder replaced by its value (HTML-escaped when `escapeHTML`), or its default.
    /// - Throws: ``TemplateRenderError`` for the first placeholder with no value (nil or blank) and no default.
    package func render(_ values: [String: String], escapeHTML: Bool) throws(TemplateRenderError) -> String {
        var out = ""
        for segment in segments {
            switch segment {
            case .text(let text): out += text
            case .placeholder(let placeholder):
                var value = values[placeholder.field]
                if value?.trimmed().isEmpty ?? true { value = nil }
                guard let value = value ?? placeholder.fallback else {
                    throw TemplateRenderError(field: placeholder.field, position: placeholder.position)
                }
                out += escapeHTML ? HTMLText.escape(value) : value
            }
        }
        return out
    }
}

/// A template's three parts, parsed; rendered for one recipient at a time.
package struct EmailTemplateSource: Sendable, Equatable {
    package var kind: TemplateKind
    package var subject: ParsedTemplate
    package var html: ParsedTemplate?
    package var text: ParsedTemplate

    /// Parses and checks a template. When `text` is nil it is made from `html`.
    /// - Throws: `RapportError.invalid` naming the part (`subject`, `html`, `text`) with line and column.
    package init(
        kind: TemplateKind, subject: String, html: String?, text: String?, customFields: Set<String>? = nil
    ) throws(RapportError) {
        var issues: [FieldIssue] = []
        func parse(_ source: String, _ field: String) -> ParsedTemplate? {
            do {
                return try ParsedTemplate.parse(source, customFields: customFields)
            } catch {
                issues.append(
                    FieldIssue(field, "Line \(error.position.line), column \(error.position.column): \(error.message)"))
                return nil
            }
        }
        if html == nil && text == nil {
            issues.append(FieldIssue("html", "A template needs html or text."))
        }
        let subjectTemplate = parse(subject, "subject")
        if subject.contains("\n") || subject.contains("\r") {
            issues.append(FieldIssue("subject", "A subject is one line."))
        }
        let htmlTemplate = html.flatMap { parse($0, "html") }
        let textSource = text ?? html.map { HTMLText.plainText(fromHTML: $0) } ?? ""
        let textTemplate = parse(textSource, text == nil ? "html" : "text")
        if kind == .marketing, issues.isEmpty {
            for (name, part) in [("html", htmlTemplate), ("text", text == nil ? nil : textTemplate)] {
                if let part, !part.placeholders.contains(where: { $0.field == "unsubscribe_url" }) {
                    issues.append(FieldIssue(name, "A marketing template must contain {{unsubscribe_url}}."))
                }
            }
        }
        if subjectTemplate?.placeholders.contains(where: { $0.field == "unsubscribe_url" }) == true {
            issues.append(FieldIssue("subject", "{{unsubscribe_url}} belongs in the body, not the subject."))
        }
        guard issues.isEmpty, let subjectTemplate, let textTemplate else { throw RapportError.invalid(issues) }
        self.kind = kind
        self.subject = subjectTemplate
        self.html = htmlTemplate
        self.text = textTemplate
    }

    /// Renders the three parts for one recipient's values.
    /// - Throws: ``TemplateRenderError`` naming the first placeholder with no value and no default.
    package func render(_ values: [String: String]) throws(TemplateRenderError) -> RenderedTemplate {
        RenderedTemplate(
            subject: try subject.render(values, escapeHTML: false),
            html: try html?.render(values, escapeHTML: true),
            text: try text.render(values, escapeHTML: false))
    }
}

/// A template rendered for one recipient.
package struct RenderedTemplate: Sendable, Equatable {
    package var subject: String
    package var html: String?
    package var text: String

    package init(subject: String, html: String?, text: String) {
        self.subject = subject
        self.html = html
        self.text = text
    }
}
