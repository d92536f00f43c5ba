import Foundation
import HTTPTypes
import HummingbirdTesting
import RapportCore
import RapportServices
import RapportStore
import RapportTestSupport
import Testing

@Suite("Campaign pages", .timeLimit(.minutes(3)))
struct CampaignPagesTests {
    /// Three members (one with no address), a segment of them and a marketing template.
    static func setup(_ app: TestApp, _ seeded: Seeded) async throws -> (Segment, StoredTemplate) {
        let principal = Principal(user: seeded.owner, workspace: seeded.workspace)
        for (name, email) in [("Ana", "ana@mail.test"), ("سارا", "sara@mail.test"), ("Emil", nil)]
            as [(String, String?)]
        {
            var fields: [String: JSONValue] = ["first_name": .string(name), "tags": .array([.string("news")])]
            if let email { fields["email"] = .string(email) }
            _ = try await RecordService(app.services, schema: .contacts).create(
                principal.viewer, fields: fields, actor: Actor(.user, id: seeded.owner.id))
        }
        let segment = try await SegmentService(app.services).create(
            principal.viewer, name: "News readers", query: #"tag = "news""#)
        let template = try await TemplateService(app.services).create(
            principal,
            .init(
                name: "Monthly news", kind: .marketing, subject: "News for {{first_name}}",
                html: #"<p>Hi {{first_name}}</p><a href="{{unsubscribe_url}}">Unsubscribe</a>"#))
        return (segment, template)
    }

    @Test("a campaign is made through the form, refused with its errors, sent, and its page counts its messages")
    func formAndPage() async throws {
        try await TestApp.with(.sqlite) { app in
            let seeded = try await Fixtures.workspace(app)
            let (segment, template) = try await Self.setup(app, seeded)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                // the More menu leads to campaigns
                let list = try await jar.get(client, "/marketing/campaigns")
                #expect(list.status == .ok)
                #expect(list.text.contains(#"href="/marketing/campaigns""#))
                #expect(list.text.contains("No campaigns yet."))
                let page = try await jar.get(client, "/marketing/campaigns/new")
                #expect(page.text.contains("News readers") && page.text.contains("Monthly news"))
                #expect(page.text.contains("In the workspace&#39;s time zone (UTC).") || page.text.contains("(UTC)"))
                // refused: no name, a time that is not one, one variant only
                let bad = try await jar.post(
                    client, "/marketing/campaigns",
                    form: [
                        "name": "", "segment_id": segment.id, "template_id": template.id, "send_mode": "later",
                        "send_at": "", "ab": "on", "variant_A_subject": "Hi", "variant_B_subject": "",
                        "test_share": "200", "winner_metric": "open", "winner_wait_hours": "4", "default_variant": "A",
                        "action": "save", "csrf_token": page.csrfToken ?? "",
                    ])
                #expect(bad.status == .unprocessableContent)
                #expect(bad.text.contains("A campaign needs a name."))
                #expect(bad.text.contains("Give a date and time."))
                #expect(bad.text.contains("The test share is a percentage from 1 to 100."))
                // saved and sent at once
                let sent = try await jar.post(
                    client, "/marketing/campaigns",
                    form: [
                        "name": "May news", "segment_id": segment.id, "template_id": template.id, "send_mode": "now",
                        "send_at": "", "action": "send", "csrf_token": page.csrfToken ?? "",
                    ])
                #expect(sent.status == .seeOther, "\(sent.text)")
                let location = try #require(sent.headers[.location])
                let id = String(location.split(separator: "/").last!)
                var shown = try await jar.get(client, location)
                #expect(shown.text.contains("The campaign is being sent."))
                #expect(shown.text.contains("data-live"))
                // the send job runs: two queued, one skipped for want of an address
                _ = try await CampaignSender(app.services).run(workspaceID: seeded.workspace.id, campaignID: id)
                shown = try await jar.get(client, location)
                #expect(shown.text.contains(#"data-stat="queued""#))
                #expect(shown.text.contains("The contact has no email address."))
                #expect(shown.text.contains("Cancel campaign"))
                let figures = try await jar.get(client, "/marketing/campaigns/\(id)/figures")
                #expect(figures.status == .ok)
                #expect(!figures.text.contains("<html"))
                #expect(figures.text.contains("data-campaign-figures"))
                // cancelled from its page
                let cancelled = try await jar.post(
                    client, "/marketing/campaigns/\(id)/cancel", form: ["csrf_token": shown.csrfToken ?? ""])
                #expect(cancelled.status == .seeOther)
                shown = try await jar.get(client, location)
                #expect(shown.text.contains("The campaign was cancelled."))
                #expect(!shown.text.contains("Cancel campaign"))
                let listed = try await jar.get(client, "/marketing/campaigns")
                #expect(listed.text.contains("May news") && listed.text.contains("Cancelled"))
            }
        }
    }

    @Test("a scheduled campaign goes back to a draft from its page, to be changed before it is sent")
    func unschedule() async throws {
        try await TestApp.with(.sqlite) { app in
            let seeded = try await Fixtures.workspace(app)
            let (segment, template) = try await Self.setup(app, seeded)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                let page = try await jar.get(client, "/marketing/campaigns/new")
                let scheduled = try await jar.post(
                    client, "/marketing/campaigns",
                    form: [
                        "name": "June news", "segment_id": segment.id, "template_id": template.id,
                        "send_mode": "later", "send_at": "2031-06-01T09:00", "action": "send",
                        "csrf_token": page.csrfToken ?? "",
                    ])
                #expect(scheduled.status == .seeOther, "\(scheduled.text)")
                let location = try #require(scheduled.headers[.location])
                var shown = try await jar.get(client, location)
                #expect(shown.text.contains("Back to draft"))
                let back = try await jar.post(
                    client, "\(location)/unschedule", form: ["csrf_token": shown.csrfToken ?? ""])
                #expect(back.status == .seeOther)
                shown = try await jar.get(client, location)
                #expect(shown.text.contains("The campaign is a draft again"))
                // the draft's form, with its time, to change and send again
                #expect(shown.text.contains(#"name="send_at""#) && shown.text.contains("2031-06-01T09:00"))
                #expect(!shown.text.contains("Back to draft"))
                // a second time: it is no longer scheduled, and the page says the campaign began or changed
                let again = try await jar.post(
                    client, "\(location)/unschedule", form: ["csrf_token": shown.csrfToken ?? ""])
                #expect(again.status == .seeOther)
                let id = String(location.split(separator: "/").last!)
                let campaign = try await CampaignService(app.services).get(
                    Principal(user: seeded.owner, workspace: seeded.workspace).viewer, id: id)
                #expect(campaign.status == .draft)
            }
        }
    }

    @Test("an A/B test's page draws each variant's rate and interval, mirrored in Persian")
    func testPageInPersian() async throws {
        try await TestApp.with(.sqlite) { app in
            let seeded = try await Fixtures.workspace(app)
            let (segment, template) = try await Self.setup(app, seeded)
            let principal = Principal(user: seeded.owner, workspace: seeded.workspace)
            let campaign = try await CampaignService(app.services).create(
                principal,
                .init(
                    name: "آزمون موضوع", segmentID: segment.id, templateID: template.id,
                    variants: [.init(subject: "سلام {{first_name}}"), .init(subject: "خبر تازه")], testShare: 100))
            _ = try await CampaignService(app.services).send(principal, id: campaign.id)
            _ = try await CampaignSender(app.services).run(workspaceID: seeded.workspace.id, campaignID: campaign.id)
            _ = try await AccountService(app.services).updateProfile(
                of: principal, name: nil, language: .fa, expectedVersion: nil)
            try await app.test { client in
                let jar = try await RecordPagesTests.signIn(client)
                let page = try await jar.get(client, "/marketing/campaigns/\(campaign.id)")
                #expect(page.status == .ok)
                #expect(page.text.contains(#"dir="rtl""#))
                #expect(page.text.contains("در حال آزمون"))
                #expect(page.text.contains("interval-chart"))
                #expect(page.text.contains(#"direction="ltr""#))
                #expect(page.text.contains("نسخهٔ A") && page.text.contains("نسخهٔ B"))
                // the labels at the right edge, the figures written leftwards
                #expect(page.text.contains(#"x="636.0""#))
                #expect(page.text.contains("اگر هنگام تعیین برنده تفاوت معنادار نباشد، نسخهٔ A فرستاده می‌شود"))
                #expect(page.text.contains("نسخه‌ای که اگر تفاوت معنادار نباشد فرستاده می‌شود"))
                // choosing B
                let chosen = try await jar.post(
                    client, "/marketing/campaigns/\(campaign.id)/winner",
                    form: ["variant": "B", "csrf_token": page.csrfToken ?? ""])
                #expect(chosen.status == .seeOther)
                let after = try await jar.get(client, "/marketing/campaigns/\(campaign.id)")
                #expect(after.text.contains("نسخهٔ B فرستاده می‌شود (انتخاب شما)"))
            }
        }
    }

    @Test("another workspace's campaign pages are not found, and its actions change nothing")
    func isolation() async throws {
        try await TestApp.with(.sqlite) { app in
            let seeded = try await Fixtures.workspace(app)
            _ = try await Fixtures.workspace(app, name: "Beta", email: "owner@beta.test")
            let (segment, template) = try await Self.setup(app, seeded)
            let principal = Principal(user: seeded.owner, workspace: seeded.workspace)
            let campaign = try await CampaignService(app.services).create(
                principal, .init(name: "Acme only", segmentID: segment.id, templateID: template.id))
            try await app.test { client in
                let (jar, _) = try await WebShellTests.signIn(client, email: "owner@beta.test")
                let list = try await jar.get(client, "/marketing/campaigns")
                #expect(list.status == .ok && !list.text.contains("Acme only"))
                for path in ["/marketing/campaigns/\(campaign.id)", "/marketing/campaigns/\(campaign.id)/figures"] {
                    #expect(try await jar.get(client, path).status == .notFound, "\(path)")
                }
                let token = list.csrfToken ?? ""
                for action in ["", "/send", "/cancel", "/unschedule", "/winner", "/delete"] {
                    let response = try await jar.post(
                        client, "/marketing/campaigns/\(campaign.id)\(action)",
                        form: ["name": "Beta's now", "variant": "A", "action": "send", "csrf_token": token])
                    #expect(response.status == .notFound, "\(action)")
                }
            }
            let after = try await CampaignService(app.services).get(principal.viewer, id: campaign.id)
            #expect(after.name == "Acme only" && after.status == .draft)
        }
    }
}
