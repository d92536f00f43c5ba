import RapportCore
import Testing

@Suite("Search normalisation")
struct SearchKeyTests {
    @Test(
        "letters fold the same way for a record and a query",
        arguments: [
            ("José", "jose"), ("Søren", "soren"), ("ÆBLE", "aeble"), ("Straße", "strasse"), ("Ångström", "angstrom"),
            ("Łódź", "lodz"), ("Niño", "nino"),
            // Persian and Arabic letter variants
            ("علي", "علی"), ("كريم", "کریم"), ("فاطمة", "فاطمه"), ("أحمد", "احمد"), ("إيمان", "ایمان"),
            ("مؤمن", "مومن"),
            ("می‌خواهم", "میخواهم"), ("مـحـمـد", "محمد"), ("۱۲۳", "123"), ("٤٥٦", "456"), ("مُحَمَّد", "محمد"),
            // Ukrainian
            ("ОКСАНА", "оксана"), ("Андрій", "андріи"),
        ])
    func folds(_ input: String, _ expected: String) {
        #expect(SearchKey.normalize(input) == expected)
    }

    @Test("query words: split on spaces, digits of a phone query joined, addresses kept whole")
    func queryWords() {
        #expect(SearchKey.queryWords("jo  SM") == ["jo", "sm"])
        #expect(SearchKey.queryWords("+45 32 12") == ["453212"])
        #expect(SearchKey.queryWords("Maryam@Example.IR") == ["maryam@example.ir"])
        #expect(SearchKey.queryWords("   ").isEmpty)
        #expect(SearchKey.queryWords("می‌خواهم") == ["میخواهم"])
    }
}
