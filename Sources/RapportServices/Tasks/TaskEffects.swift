import Foundation
import RapportCore
import RapportStore
import SQLKit

/// What a task does with the database besides its row: its reminder, a job on the queue due when the
/// reminder is (`TaskReminders`). Writing a task schedules, moves or cancels it in the task's own
/// transaction, so a reminder exists exactly when the task that asks for it committed; deleting the task
/// cancels it.
struct TaskEffects: RecordEffects {
    func written(
        _ record: Record, before: Record?, actor: Actor, services: Services, now: Int64,
        on database: any SQLDatabase
    ) async throws -> [TimelineEvent] {
        let at = record.taskReminderAt
        let was = before?.taskReminderAt
        guard before == nil || at != was else { return [] }
        // A reminder whose time has already passed when the task is written is not sent: the task is
        // overdue, which My tasks shows; only a time still to come is scheduled.
        let job = at.flatMap {
            $0 > now ? TaskReminders.job(workspaceID: record.workspaceID, taskID: record.id, at: $0) : nil
        }
        let queue = JobQueue(store: services.store)
        if let was {
            try await queue.reschedule(
                workspaceID: record.workspaceID, dedupKey: TaskReminders.dedupKey(taskID: record.id, at: was), to: job,
                now: now, on: database)
        } else if let job {
            try await queue.enqueue(job, now: now, on: database)
        }
        return []
    }

    func removing(_ record: Record, services: Services, on database: any SQLDatabase) async throws {
        guard let at = record.taskReminderAt else { return }
        try await JobQueue(store: services.store).cancel(
            workspaceID: record.workspaceID, dedupKey: TaskReminders.dedupKey(taskID: record.id, at: at), on: database)
    }
}
