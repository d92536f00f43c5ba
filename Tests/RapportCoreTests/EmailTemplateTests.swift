import RapportCore
import Testing

@Suite("Email templates")
struct EmailTemplateTests {
    @Test("placeholders are replaced, a default fills a missing value, and HTML values are escaped")
    func placeholders() throws {
        // given
        let template = try EmailTemplateSource(
            kind: .transactional, subject: "Hi {{first_name | default: \"there\"}} <{{company.name}}>",
            html: "<p>Dear {{first_name}} of {{company.name}}, size {{custom.size}}</p><p>{{sender.name}}</p>",
            text: nil)
        // when
        let rendered = try template.render([
            "first_name": "Ann & <Bob>", "company.name": "A&B", "custom.size": "XL", "sender.name": "Rapport",
        ])
        // then
        #expect(rendered.subject == "Hi Ann & <Bob> <A&B>")
        #expect(rendered.html == "<p>Dear Ann &amp; &lt;Bob&gt; of A&amp;B, size XL</p><p>Rapport</p>")
        #expect(rendered.text == "Dear Ann & <Bob> of A&B, size XL\n\nRapport")
        let subjectOnly = try EmailTemplateSource(
            kind: .transactional, subject: "Hi {{first_name | default: \"there\"}}", html: nil, text: "Hello")
        #expect(try subjectOnly.render(["first_name": " "]).subject == "Hi there")
    }

    @Test("a missing value without a default is a render error naming the field")
    func missingValue() throws {
        let template = try EmailTemplateSource(
            kind: .transactional, subject: "Hello", html: nil, text: "Line one\n  {{last_name}}")
        #expect(throws: TemplateRenderError(field: "last_name", position: TemplatePosition(line: 2, column: 3))) {
            try template.render(["first_name": "Ann", "last_name": "  "])
        }
    }

    @Test(
        "syntax errors name the line and column",
        arguments: [
            ("Hi\n  {{first_name", 2, 3, "not closed"),
            ("{{ first_name | upcase }}", 1, 1, "Unknown filter"),
            ("ok {{nickname}}", 1, 4, "Unknown field"),
            ("{{ first_name | default: there }}", 1, 1, "double quotes"),
            ("{{}}", 1, 1, "no field"),
        ])
    func syntaxErrors(source: String, line: Int, column: Int, message: String) {
        do {
            _ = try ParsedTemplate.parse(source)
            Issue.record("\(source) parsed")
        } catch {
            #expect(error.position == TemplatePosition(line: line, column: column))
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test("custom fields are checked against the contact's custom fields when given")
    func customFields() {
        #expect(throws: TemplateSyntaxError.self) {
            try ParsedTemplate.parse("{{custom.size}}", customFields: ["budget"])
        }
        #expect((try? ParsedTemplate.parse("{{custom.budget}}", customFields: ["budget"])) != nil)
    }

    @Test("a marketing template must contain the unsubscribe link; a transactional one need not")
    func unsubscribeRule() throws {
        do {
            _ = try EmailTemplateSource(kind: .marketing, subject: "News", html: "<p>Hi</p>", text: nil)
            Issue.record("accepted")
        } catch {
            #expect(error.code == .invalid)
            #expect(error.fields.map(\.field) == ["html"])
        }
        _ = try EmailTemplateSource(kind: .transactional, subject: "News", html: "<p>Hi</p>", text: nil)
        let marketing = try EmailTemplateSource(
            kind: .marketing, subject: "News", html: #"<p>Hi</p><a href="{{unsubscribe_url}}">Unsubscribe</a>"#,
            text: nil)
        let rendered = try marketing.render(["unsubscribe_url": "https://crm.test/u/abc?x=1&y=2"])
        #expect(rendered.html?.contains(#"href="https://crm.test/u/abc?x=1&amp;y=2""#) == true)
        #expect(rendered.text == "Hi\n\nUnsubscribe (https://crm.test/u/abc?x=1&y=2)")
    }

    @Test("text from HTML: tags stripped, links kept, blocks as newlines, entities decoded")
    func textFromHTML() {
        let html = """
            <html><head><style>p { color: red }</style><title>T</title></head><body>
            <h1>Welcome&nbsp;back</h1>
            <p>Read   the <a href="https://example.com/guide">guide</a> &amp; reply.<br>Thanks &#8212; &#x41;nna</p>
            <ul><li>One</li><li>Two</li></ul>
            <p><a href="https://example.com">https://example.com</a> <a href="mailto:a@b.test">a@b.test</a></p>
            <!-- a comment --></body></html>
            """
        #expect(
            HTMLText.plainText(fromHTML: html)
                == """
                Welcome back

                Read the guide (https://example.com/guide) & reply.
                Thanks — Anna

                - One
                - Two

                https://example.com a@b.test
                """)
    }

    @Test(
        "Persian, Ukrainian and Danish values render as they are in text and escaped only as HTML needs",
        arguments: [("سارا", "شرکت آریا"), ("Оксана", "Київ & Ко"), ("Søren", "Æblegården")])
    func unicodeValues(name: String, company: String) throws {
        let template = try EmailTemplateSource(
            kind: .transactional, subject: "{{first_name}} – {{company.name}}",
            html: "<p>{{first_name}}, {{company.name}}</p>",
            text: nil)
        let rendered = try template.render(["first_name": name, "company.name": company])
        #expect(rendered.subject == "\(name) – \(company)")
        #expect(rendered.html == "<p>\(name), \(company.replacingOccurrences(of: "&", with: "&amp;"))</p>")
        #expect(rendered.text == "\(name), \(company)")
    }
}
