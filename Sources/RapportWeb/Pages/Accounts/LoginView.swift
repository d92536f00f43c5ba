/// The sign-in form, with the address typed so far and why signing in failed.
struct LoginView: PageContent {
    static let template = "login"
    let email: String?
    let error: String?
    /// The page to return to once signed in.
    let next: String?
}
