package import RapportCore
package import RapportDatabase

extension RapportError {
    /// A database the user named that cannot be used, as the user sees it: a bad request with the
    /// engine's line.
    package init(_ error: DatabaseLocationError) {
        self.init(.badRequest, error.message)
    }
}
