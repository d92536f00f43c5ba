import Foundation
import HTTPTypes
import HummingbirdTesting
import RapportCore
import RapportServices
import RapportTestSupport
import Testing

@Suite("Profile: email digest")
struct ProfileDigestTests {
    @Test("the profile saves the email digest", arguments: Backend.allCases)
    func profileDigest(_ backend: Backend) async throws {
        try await TestApp.with(backend) { app in
            let seeded = try await Fixtures.workspace(app)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                let page = try await jar.get(client, "/settings/profile")
                #expect(page.text.contains(#"<option value="none" selected>None</option>"#))
                let form = [
                    "csrf_token": page.csrfToken ?? "", "name": "Owner", "language": "en", "time_zone": "UTC",
                    "calendar": "gregorian",
                ]
                let bad = try await jar.post(
                    client, "/settings/profile", form: form.merging(["digest": "weekly"]) { $1 })
                #expect(bad.status == .unprocessableContent)
                #expect(bad.text.contains("Choose none or daily."))
                let saved = try await jar.post(
                    client, "/settings/profile", form: form.merging(["digest": "daily"]) { $1 })
                #expect(saved.status == .ok)
                #expect(saved.text.contains(#"<option value="daily" selected>Daily</option>"#))
                let user = try await AccountService(app.services).principal(
                    of: WebSession(userID: seeded.owner.id, workspaceID: seeded.workspace.id))
                #expect(user?.user.digest == .daily)
            }
        }
    }
}
