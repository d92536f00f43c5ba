import Foundation
import RapportCore
import RapportServices
import Synchronization

/// Imports running in this process, by upload id, and their reports for an hour after they finish, so
/// the report page can be reloaded and its rejected rows downloaded.
final class ImportJobs: Sendable {
    struct Job: Sendable {
        let owner: String
        var percent = 0
        var outcome: Result<ImportReport, RapportError>?
        /// When the import finished.
        var finished: Date?
        /// The rejected and duplicate rows, as CSV, removed with the job.
        var rejectedRows: URL?
    }

    /// How long a finished import's report is kept.
    static let keep: TimeInterval = 3600

    private let jobs = Mutex<[String: Job]>([:])

    /// Registers an import; false when this upload is already being imported (or was).
    func start(_ upload: String, owner: String, rejectedRows: URL?) -> Bool {
        prune()
        return jobs.withLock { jobs in
            guard jobs[upload] == nil else { return false }
            jobs[upload] = Job(owner: owner, rejectedRows: rejectedRows)
            return true
        }
    }

    func update(_ upload: String, _ change: (inout Job) -> Void) {
        jobs.withLock { jobs in
            if var job = jobs[upload] {
                change(&job)
                jobs[upload] = job
            }
        }
    }

    /// Records how the import ended; its report is kept for `keep` seconds from now.
    func finish(_ upload: String, _ outcome: Result<ImportReport, RapportError>, at now: Date = Date()) {
        update(upload) {
            $0.outcome = outcome
            $0.finished = now
        }
    }

    /// The job, for its owner only.
    func status(_ upload: String, owner: String) -> Job? {
        prune()
        return jobs.withLock { jobs in jobs[upload].flatMap { $0.owner == owner ? $0 : nil } }
    }

    /// Forgets the imports finished more than `keep` seconds before `now`, and removes their files.
    func prune(now: Date = Date()) {
        let expired = jobs.withLock { jobs in
            let old = jobs.filter { $0.value.finished.map { now.timeIntervalSince($0) > Self.keep } ?? false }
            for key in old.keys { jobs[key] = nil }
            return old.values.compactMap(\.rejectedRows)
        }
        for file in expired { try? FileManager.default.removeItem(at: file) }
    }
}
