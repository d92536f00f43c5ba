/// The sign-up page an invitation link opens: whose workspace, which email and role, and the form for a
/// name and a password (typed twice).
struct SignUpView: PageContent {
    static let template = "signup"
    let workspaceName: String
    let inviteEmail: String
    let inviteRole: String
    /// The name typed so far, or the one the inviter suggested.
    let signUpName: String?
    let action: String
    let errors: [String: String]
}

/// An invitation link that does not work (unknown, expired, used or revoked), saying which.
struct InviteInvalidView: PageContent {
    static let template = "invite_invalid"
    let heading: String
    let message: String
}
