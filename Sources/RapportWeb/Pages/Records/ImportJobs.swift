import RapportCore
import RapportServices
import Synchronization

/// Imports running in this process, by upload id, until their report is shown.
final class ImportJobs: Sendable {
    struct Job: Sendable {
        let owner: String
        var percent = 0
        var outcome: Result<ImportReport, RapportError>?
    }

    private let jobs = Mutex<[String: Job]>([:])

    /// Registers an import; false when this upload is already being imported.
    func start(_ upload: String, owner: String) -> Bool {
        jobs.withLock { jobs in
            guard jobs[upload] == nil else { return false }
            jobs[upload] = Job(owner: owner)
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

    /// The job, for its owner only.
    func status(_ upload: String, owner: String) -> Job? {
        jobs.withLock { jobs in jobs[upload].flatMap { $0.owner == owner ? $0 : nil } }
    }

    func finish(_ upload: String) {
        _ = jobs.withLock { jobs in jobs.removeValue(forKey: upload) }
    }
}
