import RapportCore
package import RapportDatabase

extension DatabaseURL {
    /// Parses a URL a user gave (`--database`, `RAPPORT_DATABASE_URL`).
    /// - Throws: `RapportError.badRequest` with one readable line.
    package init(userText text: String) throws {
        do {
            try self.init(parsing: text)
        } catch let error as DatabaseLocationError {
            throw RapportError(error)
        }
    }
}
