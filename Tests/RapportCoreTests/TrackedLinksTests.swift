import RapportCore
import Testing

@Suite("Tracked links and tracking rules")
struct TrackedLinksTests {
    /// Each web address becomes `T(address)`, except the unsubscribe page's.
    static func link(_ url: String) -> String? {
        url.hasPrefix("https://crm.test/u/") ? nil : "T(\(url))"
    }

    @Test(
        "every web link's href goes through the redirect, whatever its quotes and case",
        arguments: [
            (#"<a href="https://a.test/x">A</a>"#, #"<a href="T(https://a.test/x)">A</a>"#),
            (#"<a href='https://a.test/x'>A</a>"#, #"<a href="T(https://a.test/x)">A</a>"#),
            (#"<a href=https://a.test/x>A</a>"#, #"<a href="T(https://a.test/x)">A</a>"#),
            (#"<A class="b" HREF = "http://a.test/">A</A>"#, #"<A class="b" HREF = "T(http://a.test/)">A</A>"#),
            (#"<a title="x > y" href="https://a.test/">A</a>"#, #"<a title="x > y" href="T(https://a.test/)">A</a>"#),
            (
                #"<area shape="rect" href="https://a.test/map" alt="">"#,
                #"<area shape="rect" href="T(https://a.test/map)" alt="">"#
            ),
        ])
    func rewritesLinks(_ html: String, _ expected: String) {
        #expect(TrackedLinks.rewriteHTML(html, link: Self.link, pixel: nil) == expected)
    }

    @Test("an address's character references are decoded before it is signed, and the new one is escaped")
    func entities() {
        var seen: [String] = []
        let html = TrackedLinks.rewriteHTML(
            #"<a href="https://a.test/?q=1&amp;r=2&#x26;s=3">x</a>"#,
            link: { url in
                seen.append(url)
                return "https://t.test/c?x=1&y=2"
            }, pixel: nil)
        #expect(seen == ["https://a.test/?q=1&r=2&s=3"])
        #expect(html == #"<a href="https://t.test/c?x=1&amp;y=2">x</a>"#)
    }

    @Test(
        "mailto, tel, fragments, the unsubscribe link, other elements, comments and styles are left as they are",
        arguments: [
            #"<a href="mailto:ann@a.test?subject=Hi">Mail</a>"#,
            #"<a href="tel:+4512345678">Call</a>"#,
            ##"<a href="#top">Top</a>"##,
            #"<a href="https://crm.test/u/TOKEN">Unsubscribe</a>"#,
            #"<a href="javascript:alert(1)">x</a>"#,
            #"<abbr href="https://a.test/">x</abbr> <address>https</address>"#,
            #"<link href="https://a.test/style.css" rel="stylesheet">"#,
            #"<!-- <a href="https://a.test/">old</a> --><style>a[href="https://a.test/"] { color: red }</style>"#,
            #"<a name="x">no address</a> <a href="">empty</a>"#,
        ])
    func leavesOthers(_ html: String) {
        #expect(TrackedLinks.rewriteHTML(html, link: Self.link, pixel: nil) == html)
    }

    @Test("the pixel goes before the last </body>, or at the end without one")
    func pixel() {
        let withBody = TrackedLinks.rewriteHTML(
            "<html><body><p>Hi</p></BODY></html>", link: Self.link, pixel: "https://crm.test/t/o/P&Q")
        #expect(
            withBody
                == #"<html><body><p>Hi</p><img src="https://crm.test/t/o/P&amp;Q" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0"></BODY></html>"#
        )
        let bare = TrackedLinks.rewriteHTML("<p>Hi</p>", link: Self.link, pixel: "https://crm.test/t/o/P")
        #expect(bare.hasPrefix("<p>Hi</p><img src=\"https://crm.test/t/o/P\""))
    }

    @Test("a text part's addresses are rewritten, closing punctuation and brackets kept outside")
    func text() {
        let text = """
            Read it (https://a.test/post?id=1). Or https://a.test/wiki/Foo_(bar), then
            https://crm.test/u/TOKEN to unsubscribe; xhttps://no.test is not an address, nor is http:/x.
            """
        #expect(
            TrackedLinks.rewriteText(text, link: Self.link) == """
                Read it (T(https://a.test/post?id=1)). Or T(https://a.test/wiki/Foo_(bar)), then
                https://crm.test/u/TOKEN to unsubscribe; xhttps://no.test is not an address, nor is http:/x.
                """)
    }

    @Test("addresses among Persian, Ukrainian and Danish words: a letter before one joins it, any space ends it")
    func textAmongOtherScripts() {
        let text =
            "سلام https://a.test/fa\u{00A0}بخوانید، Привіт:https://a.test/uk. Æbleshttps://no.test\u{3000}Hej (https://a.test/da)"
        #expect(
            TrackedLinks.rewriteText(text, link: Self.link)
                == "سلام T(https://a.test/fa)\u{00A0}بخوانید، Привіт:T(https://a.test/uk). Æbleshttps://no.test\u{3000}Hej (T(https://a.test/da))"
        )
        #expect(TrackedLinks.rewriteText("بدون نشانی", link: Self.link) == "بدون نشانی")
    }

    @Test("a tag that never closes, a style without its end and text after the last tag are copied as they are")
    func unclosed() {
        for html in [#"<p>x</p><a href="https://a.test/"#, "<style>a { color: red }", "<p>ø</p>æ", "<", "<a", "ü<"] {
            #expect(TrackedLinks.rewriteHTML(html, link: Self.link, pixel: nil) == html)
        }
        #expect(
            TrackedLinks.rewriteHTML(
                #"<p dir="rtl">سلام</p><a href="https://a.test/">بخوانید</a>"#, link: Self.link, pixel: nil)
                == #"<p dir="rtl">سلام</p><a href="T(https://a.test/)">بخوانید</a>"#)
    }

    @Test("fuzzed HTML and text: a link that is kept changes nothing, and every address given is one that was written")
    func fuzz() {
        let pieces = [
            "<a", "<A ", " href", "HREF", "=", "\"", "'", ">", "<", "</a>", "<!--", "-->", "<style>", "</style",
            "<script",
            "https://a.test/", "http://b.test/x?y=1&amp;z=2", "http", "://", "(", ")", ".", " ", "\n", "\u{00A0}",
            "سلام",
            "Привіт", "æøå", "👩🏽‍💻", "&#x26;", "</body>", "e\u{301}", "\u{FEFF}",
        ]
        var generator = SeededGenerator(seed: 18)
        for _ in 0..<3000 {
            let count = Int.random(in: 0...24, using: &generator)
            let input = (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined()
            #expect(
                TrackedLinks.rewriteHTML(input, link: { _ in nil }, pixel: nil) == input, "\(input.debugDescription)")
            #expect(TrackedLinks.rewriteText(input, link: { _ in nil }) == input, "\(input.debugDescription)")
            // every address handed to the link is a web address found in the input, and what it answers is used
            var seen: [String] = []
            let rewritten = TrackedLinks.rewriteText(
                input,
                link: { url in
                    seen.append(url)
                    return "[\(seen.count)]"
                })
            for (number, url) in seen.enumerated() {
                #expect(input.contains(url) && url.lowercased().hasPrefix("http"), "\(url.debugDescription)")
                #expect(rewritten.contains("[\(number + 1)]"))
            }
            _ = TrackedLinks.rewriteHTML(input, link: { "https://t.test/c/" + $0 }, pixel: "https://t.test/o")
        }
    }

    @Test(
        "only absolute http and https addresses with a host may be redirected to",
        arguments: [
            ("https://a.test/x", true), ("HTTP://a.test", true), ("https://", false), ("ftp://a.test", false),
            ("https://a.test/a b", false), ("https://a.test/\n", false), ("//a.test/x", false),
            ("javascript:alert(1)", false),
        ])
    func webAddress(_ address: String, _ allowed: Bool) {
        #expect(TrackedLinks.isWebAddress(address) == allowed)
    }

    @Test("opens of one message within a minute of a counted one count once")
    func openWindow() {
        #expect(TrackingRules.open(at: 1_000_000, counted: nil) == .counted)
        #expect(
            TrackingRules.open(at: 60_999_999, counted: 1_000_000)
                == TrackingVerdict(counted: false, flag: .repeatOpen))
        #expect(TrackingRules.open(at: 61_000_000, counted: 1_000_000) == .counted)
        // (one that arrived with it but is recorded after it, a little earlier)
        #expect(
            TrackingRules.open(at: 900_000, counted: 1_000_000) == TrackingVerdict(counted: false, flag: .repeatOpen))
    }

    static let chrome =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"

    @Test(
        "a click within a second of delivery from a non-browser agent is a prefetch; a known scanner is flagged whenever",
        arguments: [
            (chrome, 100_000, TrackingVerdict.counted),
            (chrome, 5_000_000, .counted),
            ("python-requests/2.31", 500_000, TrackingVerdict(counted: false, flag: .scanner)),
            ("Microsoft Office Existence Discovery", 500_000, TrackingVerdict(counted: false, flag: .prefetch)),
            ("", 999_999, TrackingVerdict(counted: false, flag: .prefetch)),
            ("Outlook-iOS/2.0", 300_000, TrackingVerdict(counted: false, flag: .prefetch)),
            ("Outlook-iOS/2.0", 1_000_000, .counted),
            (
                "Mozilla/5.0 (compatible; Barracuda Sentinel)", 600_000_000,
                TrackingVerdict(counted: false, flag: .scanner)
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/120.0", 3_000_000,
                TrackingVerdict(counted: false, flag: .scanner)
            ),
        ] as [(String, Int64, TrackingVerdict)])
    func clicks(_ agent: String, _ afterDelivery: Int64, _ verdict: TrackingVerdict) {
        let sentAt: Int64 = 1_700_000_000_000_000
        #expect(TrackingRules.click(at: sentAt + afterDelivery, sentAt: sentAt, userAgent: agent) == verdict)
    }

    @Test("a browser says Mozilla/ and names no scanner")
    func browsers() {
        #expect(TrackingRules.isBrowser(userAgent: Self.chrome))
        #expect(!TrackingRules.isBrowser(userAgent: nil))
        #expect(!TrackingRules.isBrowser(userAgent: "curl/8.4.0"))
        #expect(!TrackingRules.isBrowser(userAgent: "Mozilla/5.0 (compatible; Googlebot/2.1)"))
    }
}
