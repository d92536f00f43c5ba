/// The profile form: name and language, with inline errors and a note once saved.
struct ProfileView: PageContent {
    static let template = "profile"
    let name: String
    let languages: [Option]
    let saved: Bool
    let errors: [String: String]
}
