/// Who is signed in, in which workspace and with which role.
struct HomeView: PageContent {
    static let template = "home"
    let userName: String
    let userEmail: String
    let workspaceName: String
    let role: String
}
