import NIOCore
import NIOPosix
import Synchronization
import VaporCSQLite

/// Copies the writer's log (WAL) into the database on a thread and connection of its own, so that a
/// commit does not wait while thousands of pages are copied and both files synced.
///
/// SQLite's automatic checkpoint runs in the commit that crosses its threshold, on the writer's thread:
/// every group of transactions queued behind that commit waited for two `fsync`s and the copy (tens of
/// milliseconds on a virtual disk, several times a second under a create load). Here the writer's
/// commit hook (`committed`) only counts the log's frames. Past `threshold`, a passive checkpoint runs
/// on the checkpointer's thread while the writer goes on appending. A log starts over from its
/// beginning only once every frame of it is in the database, which a checkpoint that runs beside
/// commits rarely sees; so once the background has copied all but a few frames, the writer's next
/// commit copies the rest itself (little to copy and little to sync), and the log starts over at the
/// commit after. Past `limit` the writer does the same whatever the background has done, which bounds
/// the log when writes outrun the copying (a large import).
final class Checkpointer: Sendable {
    /// Frames (pages) in the log before a checkpoint starts: 32 MiB, so that index pages that many
    /// commits rewrite are copied once.
    let threshold: Int32
    /// Frames in the log past which the writer completes the checkpoint itself.
    var limit: Int32 { threshold * 4 }

    private let path: String
    private let thread = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let state = Mutex(State())
    /// The checkpointer's own connection, used on its thread only.
    private let connection = Mutex<SQLiteHandle?>(nil)

    struct State {
        /// Whether a background checkpoint is under way.
        var running = false
        /// Frames of the current log the last background checkpoint copied.
        var copied: Int32 = 0
        /// The log's length at the last commit; a shorter one means the log started over.
        var frames: Int32 = 0
        /// Counts the log's restarts, so that a background result about an earlier log is dropped.
        var cycle = 0
        var closed = false
    }

    init(path: String, threshold: Int32 = 8192) {
        self.path = path
        self.threshold = threshold
    }

    /// What the writer does after a commit that left `frames` frames in the log.
    enum Step: Equatable {
        case nothing
        case background
        case inline
    }

    /// Called on the writer's thread after each commit (its commit hook), with the writer's connection.
    func committed(frames: Int32, writer: OpaquePointer) {
        let step = next(frames: frames)
        switch step {
        case .nothing:
            return
        case .inline:
            // Nothing else writes meanwhile, so this copies the log to its end (unless a reader still
            // reads an older state of it), and the next commit starts the log over.
            _ = sqlite_nio_sqlite3_wal_checkpoint_v2(writer, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
        case .background:
            let cycle = state.withLock { $0.cycle }
            thread.next().execute { self.runInBackground(cycle: cycle) }
        }
    }

    /// The decision alone, and the state it changes (apart so that tests can walk through it).
    func next(frames: Int32) -> Step {
        state.withLock { state in
            if frames < state.frames {
                state.cycle += 1
                state.copied = 0
            }
            state.frames = frames
            guard frames >= threshold, !state.closed else { return .nothing }
            // Past the limit the writer copies the log itself even while a background checkpoint is under
            // way (on a busy machine its thread may not have started yet); if that one holds the
            // checkpoint lock, this one returns at once and the next commit tries again.
            if frames >= limit { return .inline }
            guard !state.running else { return .nothing }
            if frames - state.copied <= threshold / 4 { return .inline }
            state.running = true
            return .background
        }
    }

    /// A background checkpoint's result: `copied` frames of the log that was current in `cycle`.
    func finished(copied: Int32, cycle: Int) {
        state.withLock { state in
            state.running = false
            if state.cycle == cycle { state.copied = copied }
        }
    }

    private func runInBackground(cycle: Int) {
        var log: Int32 = 0
        var copied: Int32 = 0
        connection.withLock { connection in
            if state.withLock({ $0.closed }) { return }
            if connection == nil {
                connection = try? SQLiteHandle(path: path, cacheKiB: 1024, write: true)
            }
            guard let connection else { return }
            _ = connection.checkpoint(log: &log, copied: &copied)
        }
        finished(copied: copied, cycle: cycle)
    }

    /// Stops: no checkpoint starts after this returns, and the connection is closed.
    func close() async {
        state.withLock { $0.closed = true }
        try? await thread.next().submit { self.connection.withLock { $0?.close() } }.get()
        try? await thread.shutdownGracefully()
    }
}
