import Foundation
package import RapportCore
package import SQLKit

/// What an object does with the database beyond the generic record writes: checks that read other
/// tables (a deal's stage belongs to its pipeline) and writes that go with its own (a deal's stage
/// history, a task's reminder). `RecordService` calls them inside the record's transaction, so they
/// commit or roll back with it. An object without any has `NoEffects`.
package protocol RecordEffects: Sendable {
    /// Completes and checks a record about to be written, after its fields and rules were applied;
    /// `before` is nil for a new record.
    /// - Throws: `invalid` (naming the field) to refuse the write; nothing is written then.
    func prepare(
        _ record: inout Record, before: Record?, viewer: Viewer, services: Services, now: Int64,
        on database: any SQLDatabase) async throws
    /// Writes what goes with a record just created (`before` nil) or changed, in its transaction.
    /// - Returns: events for the record's timeline besides `created` and `updated`.
    func written(
        _ record: Record, before: Record?, actor: Actor, services: Services, now: Int64,
        on database: any SQLDatabase
    ) async throws -> [TimelineEvent]
    /// Removes what goes with a record about to be deleted (or merged into another), in its transaction.
    func removing(_ record: Record, services: Services, on database: any SQLDatabase) async throws
    /// Hands what goes with `other` to `keep` when `other` is merged into it, in the merge's transaction
    /// (before `other` is removed).
    func merging(_ other: Record, into keep: Record, services: Services, on database: any SQLDatabase) async throws
}

extension RecordEffects {
    package func prepare(
        _ record: inout Record, before: Record?, viewer: Viewer, services: Services, now: Int64,
        on database: any SQLDatabase
    ) async throws {}
    package func written(
        _ record: Record, before: Record?, actor: Actor, services: Services, now: Int64,
        on database: any SQLDatabase
    ) async throws -> [TimelineEvent] { [] }
    package func removing(_ record: Record, services: Services, on database: any SQLDatabase) async throws {}
    package func merging(_ other: Record, into keep: Record, services: Services, on database: any SQLDatabase)
        async throws
    {}
}

/// The effects of an object that has none.
package struct NoEffects: RecordEffects {
    package init() {}
}

extension RecordService {
    /// The effects of this service's object: the one place objects with effects are listed.
    var effects: any RecordEffects {
        switch schema.name {
        case ObjectType.deals.name: DealEffects()
        case ObjectType.tasks.name: TaskEffects()
        case ObjectType.orders.name: OrderEffects()
        case ObjectType.contacts.name: ContactEffects()
        default: NoEffects()
        }
    }
}
