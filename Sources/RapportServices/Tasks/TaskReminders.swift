import Foundation
import RapportCore
package import RapportStore

/// Task reminders: a `task_reminder` job per task and reminder time, run by the job queue in any
/// `rapport serve` process, which tells the task's assignee in the notification centre.
///
/// What keeps one reminder to one notification:
/// - the job's dedup key names the task and the time (`task_reminder:ID@MICROS`), so a time has at most one
///   unfinished job, and moving the task cancels the queued job of the old time in the same transaction;
/// - the handler reads the task again when it runs and sends nothing when the task is gone, done, or its
///   reminder time is no longer the job's (a job a runner held while the task moved);
/// - the notification's id is the job's, written in one transaction with the check that it is not there
///   yet, so a job run again after its runner died (the queue delivers at least once) sends nothing more;
/// - the notification reaches the assignee only if they may still see the task (`NotificationService`).
package struct TaskReminders: Sendable {
    /// The job kind.
    package static let kind = "task_reminder"

    let services: Services

    package init(_ services: Services) {
        self.services = services
    }

    /// The dedup key of the reminder of a task at a time.
    package static func dedupKey(taskID: String, at micros: Int64) -> String { "\(kind):\(taskID)@\(micros)" }

    /// The job that reminds of a task at `at` (microseconds).
    package static func job(workspaceID: String, taskID: String, at micros: Int64) -> NewJob {
        NewJob(
            workspaceID: workspaceID, kind: kind,
            payload: .object(["task_id": .string(taskID), "remind_at": .number(Double(micros))]), dueAt: micros,
            dedupKey: dedupKey(taskID: taskID, at: micros))
    }

    /// The handler the job runner runs reminders with.
    package static func handler(_ services: Services) -> JobHandler {
        JobHandler(kind: kind) { context in
            guard let workspaceID = context.workspaceID, case .object(let payload) = context.job.payload,
                case .string(let taskID)? = payload["task_id"], case .number(let at)? = payload["remind_at"]
            else { throw RapportError(.invalid, "A task reminder names no task or time.") }
            return try await TaskReminders(services).remind(
                workspaceID: workspaceID, taskID: taskID, at: Int64(at), jobID: context.job.id)
        }
    }

    /// Tells the task's assignee that it is due, unless the task is gone, done, its reminder moved, or
    /// this job told them already.
    /// - Returns: the job of the task's new reminder time when it moved while this job waited to run and
    ///   is still to come (its own job may not have been enqueued while this one held the time's key).
    package func remind(workspaceID: String, taskID: String, at: Int64, jobID: String) async throws -> [NewJob] {
        let services = self.services
        return try await services.store.transaction { database in
            let tasks = RecordRepository(store: services.store, schema: .tasks)
            guard let task = try await tasks.find(.all(workspaceID), id: taskID, on: database),
                let current = task.taskReminderAt
            else { return [] }
            guard current == at else {
                return current > Timestamp.micros(Date())
                    ? [Self.job(workspaceID: workspaceID, taskID: taskID, at: current)] : []
            }
            let notifications = NotificationRepository(store: services.store)
            guard let assignee = task.string("assignee_id"),
                try await !notifications.exists(workspaceID: workspaceID, id: jobID, on: database)
            else { return [] }
            let title = ObjectType.tasks.title(of: task)
            var data: [String: JSONValue] = ["title": .string(title.isEmpty ? "a task" : title)]
            if let due = task.string("due_at") { data["due_at"] = .string(due) }
            try await NotificationService(services).send(
                .reminder, to: [assignee], about: (.tasks, taskID), workspaceID: workspaceID,
                actor: Actor(.system, id: nil),
                text: UserNotification.reminderText(
                    title: title.isEmpty ? "a task" : title, dueAt: task.string("due_at")),
                data: data, on: database, id: jobID)
            return []
        }
    }
}
