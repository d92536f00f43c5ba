/// The error page a browser sees: the status and a detail that is safe to show.
struct ErrorView: PageContent {
    static let template = "error"
    let status: Int
    let reason: String
    let detail: String
}
