import Foundation
import RapportCore
import RapportStore
import SQLKit

extension EmailDelivery {
    /// After a hard bounce, the contact's `email_status` becomes `undeliverable` (with its `updated` event and
    /// audit entry, by the system), so the contact page, lists and segments show it and no marketing mail is
    /// queued for them again. Only while the bounced address is still the contact's email: one changed since
    /// has not bounced. A contact deleted since is left alone.
    static func markUndeliverable(
        _ services: Services, _ message: OutboxMessage, now: Int64, on database: any SQLDatabase
    ) async throws {
        guard let contactID = message.contactID else { return }
        let contacts = RecordService(services, schema: .contacts)
        let viewer = Viewer.system(message.workspaceID)
        let before: Record
        do {
            before = try await contacts.requireChangeable(viewer, id: contactID, action: .edit, on: database)
        } catch let error as RapportError where error.code == .notFound {
            return
        }
        guard before.string("email")?.lowercased() == message.toAddress.lowercased(),
            before.string("email_status") != "undeliverable"
        else { return }
        var record = before
        record.values["email_status"] = .string("undeliverable")
        _ = try await contacts.save(
            record, before: before, now: now, actor: Actor(.system, id: nil), action: "updated", viewer: viewer,
            on: database)
    }
}
