/// A record's search terms are found through its document, which lists them (M0005), and deleted by
/// their primary key; the index of terms by record goes. A contact writes ten-odd terms, so this
/// takes a quarter of the index entries an import writes.
enum M0006_TermsByDocument {
    static let migration = Migration(
        version: 6, name: "terms found by document",
        statements: ["DROP INDEX search_terms_record"])
}
