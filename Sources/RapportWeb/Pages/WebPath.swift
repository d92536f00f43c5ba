import Foundation
import RapportServices

/// Every web page's address, used both to register routes (with `:id`-style parameters) and to link
/// and redirect; no page builds a path by hand.
enum WebPath {
    static let home = "/"
    static let login = "/login"
    static let logout = "/logout"
    static let profile = "/settings/profile"
    static let tokens = "/settings/tokens"
    static let users = "/users"
    /// Making an invitation (from the users page).
    static let invites = "/users/invites"
    static let customFields = "/settings/custom-fields"
    /// The workspace's teams: everyone reads them, owners and admins change them.
    static let teams = "/settings/teams"
    static func team(_ id: String) -> String { "\(teams)/\(id)" }
    static func deleteTeam(_ id: String) -> String { "\(teams)/\(id)/delete" }
    /// Adding one member to a team, and taking one out.
    static func addTeamMember(_ id: String) -> String { "\(teams)/\(id)/members" }
    static func removeTeamMember(_ id: String, _ user: String) -> String { "\(teams)/\(id)/members/\(user)/remove" }
    /// The built-in roles and the workspace's own: everyone reads them, owners and admins change them.
    static let roles = "/settings/roles"
    static let newRole = "/settings/roles/new"
    static func role(_ id: String) -> String { "\(roles)/\(id)" }
    static func deleteRole(_ id: String) -> String { "\(roles)/\(id)/delete" }
    /// The workspace's sender settings (owners and admins), and its test message.
    static let emailSettings = "/settings/email"
    static let emailTest = "/settings/email/test"
    /// The workspace's own settings (its time zone), and its frequency policy against over-mailing.
    static let workspaceSettings = "/settings/workspace"
    static let frequencySettings = "/settings/frequency"
    /// Marketing → Templates: the list, a new one, one's editor (with a preview as a chosen contact).
    static let templates = "/marketing/templates"
    static let newTemplate = "/marketing/templates/new"
    static func template(_ id: String) -> String { "\(templates)/\(id)" }
    /// Marketing → Campaigns: the list, a new one, one's page (its form while a draft), its live figures, and its
    /// actions.
    static let campaigns = "/marketing/campaigns"
    static let newCampaign = "/marketing/campaigns/new"
    static func campaign(_ id: String) -> String { "\(campaigns)/\(id)" }
    static func campaignFigures(_ id: String) -> String { "\(campaigns)/\(id)/figures" }
    static func sendCampaign(_ id: String) -> String { "\(campaigns)/\(id)/send" }
    static func cancelCampaign(_ id: String) -> String { "\(campaigns)/\(id)/cancel" }
    static func unscheduleCampaign(_ id: String) -> String { "\(campaigns)/\(id)/unschedule" }
    static func campaignWinner(_ id: String) -> String { "\(campaigns)/\(id)/winner" }
    static func deleteCampaign(_ id: String) -> String { "\(campaigns)/\(id)/delete" }
    /// An unsubscribe link (`PUBLIC_URL/u/TOKEN`, in marketing mail and its List-Unsubscribe header).
    static func unsubscribe(_ token: String) -> String { "/u/\(token)" }
    /// A contact's preference centre (`PUBLIC_URL/p/TOKEN`), and its "unsubscribe from all".
    static func preferences(_ token: String) -> String { "/p/\(token)" }
    static func preferencesUnsubscribe(_ token: String) -> String { "/p/\(token)/unsubscribe" }
    /// A marketing message's open pixel and click redirect (`PUBLIC_URL/t/o/TOKEN`, `/t/c/TOKEN`).
    static func trackOpen(_ token: String) -> String { "/t/o/\(token)" }
    static func trackClick(_ token: String) -> String { "/t/c/\(token)" }
    /// The workspace's email topics (everyone reads them; owners and admins change them).
    static let emailTopics = "/settings/email-topics"
    static func emailTopic(_ id: String) -> String { "\(emailTopics)/\(id)" }
    static func deleteEmailTopic(_ id: String) -> String { "\(emailTopics)/\(id)/delete" }
    static let search = "/search"
    static let searchSuggest = "/search/suggest"
    /// The signed-in user's notifications, and the form that marks them read.
    static let notifications = "/notifications"
    static let readNotifications = "/notifications/read"
    /// One notification: opening it marks it read and leads to its record.
    static func notification(_ id: String) -> String { "\(notifications)/\(id)" }
    static let staticFiles = "/static"
    /// The signed-in user's open tasks by due time (and the quick-add form, which posts here).
    static let myTasks = "/my-tasks"
    /// A task's done box: marks it done or open again.
    static func taskDone(_ id: String) -> String { "\(myTasks)/\(id)/done" }

    /// The workspace's pipelines and their stages (owners and admins change them).
    static let pipelines = "/settings/pipelines"
    static func pipeline(_ id: String) -> String { "\(pipelines)/\(id)" }
    /// A pipeline's kanban board, the move its cards post, its funnel and the forecast.
    static let board = "/sales/board"
    static let moveDeal = "/sales/board/move"
    static let funnel = "/sales/funnel"
    static let forecast = "/sales/forecast"

    /// Marketing → Segments: saved queries over contacts, a new one's editor, and the live count it asks.
    static let segments = "/segments"
    static let newSegment = "/segments/new"
    static let segmentPreview = "/segments/preview"
    static func segment(_ id: String) -> String { "\(segments)/\(id)" }
    static func deleteSegment(_ id: String) -> String { "\(segments)/\(id)/delete" }
    /// A contact's consent form (its panel on the contact's page posts here).
    static func consent(_ contactID: String) -> String { "/contacts/\(contactID)/consent" }

    static func revokeToken(_ id: String) -> String { "\(tokens)/\(id)/revoke" }

    /// The sign-in page that leads back to `path` once signed in.
    static func login(returningTo path: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#")
        return "\(login)?next=\(path.addingPercentEncoding(withAllowedCharacters: allowed) ?? home)"
    }

    /// `path` when it is an address of this site's pages to return to (a path, never another site's
    /// address or the sign-in page itself); nil otherwise.
    static func returnPath(_ path: String?) -> String? {
        guard let path, path.hasPrefix("/"), !path.hasPrefix("//"), !path.hasPrefix("/\\"), path.count <= 2000,
            !path.contains("\\"), !path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }),
            path != home, !path.hasPrefix(login), !path.hasPrefix(staticFiles)
        else { return nil }
        return path
    }
    static func deleteCustomField(_ id: String) -> String { "\(customFields)/\(id)/delete" }
    static func userRole(_ id: String) -> String { "\(users)/\(id)/role" }
    static func userStatus(_ id: String) -> String { "\(users)/\(id)/status" }
    static func renewInvite(_ id: String) -> String { "\(invites)/\(id)/renew" }
    static func revokeInvite(_ id: String) -> String { "\(invites)/\(id)/revoke" }
    /// An invitation link's public sign-up page; the path is the service's, which builds the links.
    static func invite(_ token: String) -> String { InviteService.path(token: token) }
    static func editCustomField(_ id: String) -> String { "\(customFields)/\(id)" }
    static func moveCustomField(_ id: String) -> String { "\(customFields)/\(id)/move" }

    /// An object's list (`/contacts`).
    static func list(_ object: String) -> String { "/\(object)" }
    /// A page about the whole list: `new`, `export`, `bulk`, `views`, `import`.
    static func list(_ object: String, _ page: String) -> String { "/\(object)/\(page)" }
    /// A saved view's deletion.
    static func deleteView(_ object: String, _ id: String) -> String { "/\(object)/views/\(id)/delete" }
    /// A record's page (`/contacts/ID`).
    /// What a record's picker field offers as the user types (`?q=` added by the page's script).
    static func pick(_ object: String, field: String) -> String { "/\(object)/pick?field=\(field)" }
    static func record(_ object: String, _ id: String) -> String { "/\(object)/\(id)" }
    /// A page about one record: `edit`, `activities`, `merge`, `delete`.
    static func record(_ object: String, _ id: String, _ page: String) -> String { "/\(object)/\(id)/\(page)" }
    /// The workspace's possible duplicates of an object (`/contacts/duplicates`).
    static func duplicates(_ object: String) -> String { "/\(object)/duplicates" }
    /// "Not a duplicate" for a pair of records.
    static func dismissDuplicate(_ object: String, _ id: String, _ other: String) -> String {
        "/\(object)/\(id)/duplicates/\(other)/dismiss"
    }
    /// The merge comparison of two records.
    static func merge(_ object: String, _ id: String, with other: String) -> String {
        "/\(object)/\(id)/merge?other=\(other)"
    }
    /// An uploaded import file's page (`/contacts/import/UPLOAD`), and the step that runs it.
    static func upload(_ object: String, _ upload: String) -> String { "/\(object)/import/\(upload)" }
    static func runUpload(_ object: String, _ upload: String) -> String { "/\(object)/import/\(upload)/run" }
    /// An import's rejected and duplicate rows, as CSV.
    static func rejectedRows(_ object: String, _ upload: String) -> String {
        "/\(object)/import/\(upload)/rejected.csv"
    }
}
