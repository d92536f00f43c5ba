import Foundation
package import RapportMail

/// The SMTP connection pools of this process, one per workspace, kept between delivery runs so that a message
/// queued a moment after the last one goes out on a session that is already open (no connect, greeting, EHLO,
/// TLS and login each time). A pool is made anew when the workspace's settings change (`version`: anything
/// that changes with a save), and closed once no run has used it for `idle`, or when the process stops.
package actor SMTPPools {
    struct Entry {
        var pool: SMTPConnectionPool
        var version: String
        /// Runs using the pool now.
        var users = 0
        /// Bumped at each release, so that an idle timer started earlier sees the pool was used since.
        var generation = 0
    }

    let idle: Duration
    private var entries: [String: Entry] = [:]
    /// Pools replaced by new settings while runs still used them: closed when the last one gives them back.
    private var retired: [ObjectIdentifier: (pool: SMTPConnectionPool, users: Int)] = [:]
    private var closed = false

    /// - Parameter idle: how long an unused pool stays open (servers drop idle sessions after a few minutes).
    package init(idle: Duration = .seconds(30)) {
        self.idle = idle
    }

    /// The workspace's pool for settings of `version`, made with `settings` and `size` sessions when there is none
    /// for that version; give it back with `release` when the run ends.
    package func lease(workspaceID: String, version: String, settings: SMTPSettings, size: Int)
        -> SMTPConnectionPool
    {
        if var entry = entries[workspaceID] {
            if entry.version == version && entry.pool.size == size && !closed {
                entry.users += 1
                entries[workspaceID] = entry
                return entry.pool
            }
            entries[workspaceID] = nil
            if entry.users > 0 {
                retired[ObjectIdentifier(entry.pool)] = (entry.pool, entry.users)
            } else {
                Self.close(entry.pool)
            }
        }
        let pool = SMTPConnectionPool(settings: settings, size: size)
        if closed { return pool }  // (the process is stopping: a pool for this run alone, closed at release)
        entries[workspaceID] = Entry(pool: pool, version: version, users: 1)
        return pool
    }

    /// Gives back a pool from `lease`; it stays open for `idle` unless leased again.
    package func release(_ pool: SMTPConnectionPool, workspaceID: String) {
        let key = ObjectIdentifier(pool)
        if var old = retired[key] {
            old.users -= 1
            retired[key] = old.users > 0 ? old : nil
            if old.users == 0 { Self.close(pool) }
            return
        }
        guard var entry = entries[workspaceID], entry.pool === pool else {
            Self.close(pool)
            return
        }
        entry.users -= 1
        entry.generation += 1
        entries[workspaceID] = entry
        guard entry.users == 0 else { return }
        let generation = entry.generation
        let idle = self.idle
        Task {
            try? await Task.sleep(for: idle)
            self.closeIfUnused(workspaceID: workspaceID, generation: generation)
        }
    }

    private func closeIfUnused(workspaceID: String, generation: Int) {
        guard let entry = entries[workspaceID], entry.users == 0, entry.generation == generation else { return }
        entries[workspaceID] = nil
        Self.close(entry.pool)
    }

    /// Closes a pool beside the caller (its sessions say QUIT), so no actor call waits on a server.
    static func close(_ pool: SMTPConnectionPool) {
        Task { await pool.close() }
    }

    /// Pools open now (for tests and the bench).
    package var count: Int { entries.count }

    /// Closes every pool (the process is stopping); pools lent out close when given back.
    package func closeAll() async {
        closed = true
        let all = entries
        entries.removeAll()
        var closing: [SMTPConnectionPool] = []
        for (_, entry) in all {
            if entry.users > 0 {
                retired[ObjectIdentifier(entry.pool)] = (entry.pool, entry.users)
            } else {
                closing.append(entry.pool)
            }
        }
        for pool in closing { await pool.close() }
    }
}
