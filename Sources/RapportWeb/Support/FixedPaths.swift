/// The addresses of the pages every layout links to, from `WebPath`, for templates (`{{paths.tokens}}`).
struct FixedPaths {
    let home = WebPath.home
    let login = WebPath.login
    let logout = WebPath.logout
    let profile = WebPath.profile
    let tokens = WebPath.tokens
    let users = WebPath.users
    let customFields = WebPath.customFields
    let teams = WebPath.teams
    let roles = WebPath.roles
    let newRole = WebPath.newRole
    let search = WebPath.search
    let emailSettings = WebPath.emailSettings
    let emailTest = WebPath.emailTest
    let workspaceSettings = WebPath.workspaceSettings
    let frequencySettings = WebPath.frequencySettings
    let templates = WebPath.templates
    let emailTopics = WebPath.emailTopics
    let newTemplate = WebPath.newTemplate
    let campaigns = WebPath.campaigns
    let newCampaign = WebPath.newCampaign
    let notifications = WebPath.notifications
    let myTasks = WebPath.myTasks
    let segments = WebPath.segments
    let staticFiles = WebPath.staticFiles
}
