import Foundation
import Testing

@testable import RapportDatabase

@Suite("Checkpoints off the writer's thread")
struct CheckpointerTests {
    @Test("the writer hands the copying to the background, finishes a nearly copied log itself, and bounds the log")
    func decisions() {
        let checkpointer = Checkpointer(path: "/nonexistent", threshold: 100)
        #expect(checkpointer.next(frames: 40) == .nothing)
        #expect(checkpointer.next(frames: 100) == .background)
        // One at a time: commits go on while it copies.
        #expect(checkpointer.next(frames: 130) == .nothing)
        checkpointer.finished(copied: 100, cycle: 0)
        // 40 frames left to copy: more than a quarter of the threshold, so the background again.
        #expect(checkpointer.next(frames: 140) == .background)
        checkpointer.finished(copied: 140, cycle: 0)
        // 10 left: the writer copies them itself, and the log starts over.
        #expect(checkpointer.next(frames: 150) == .inline)
        #expect(checkpointer.next(frames: 12) == .nothing)
        // What the last log's checkpoint copied says nothing of the new one.
        #expect(checkpointer.next(frames: 100) == .background)
        // A result about a log that has since started over is dropped.
        #expect(checkpointer.next(frames: 5) == .nothing)
        checkpointer.finished(copied: 100, cycle: 1)
        #expect(checkpointer.next(frames: 110) == .background)
        // When writes outrun the copying, the writer copies the whole log once it is four times the threshold.
        checkpointer.finished(copied: 0, cycle: 2)
        #expect(checkpointer.next(frames: 399) == .background)
        checkpointer.finished(copied: 10, cycle: 2)
        #expect(checkpointer.next(frames: 400) == .inline)
        // So it does while a background checkpoint is still under way.
        #expect(checkpointer.next(frames: 20) == .nothing)
        #expect(checkpointer.next(frames: 100) == .background)
        #expect(checkpointer.next(frames: 399) == .nothing)
        #expect(checkpointer.next(frames: 400) == .inline)
    }

    @Test("under a stream of commits the log stays bounded and its pages reach the database")
    func boundedLog() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-test-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("db.sqlite").path
        let checkpointer = Checkpointer(path: path, threshold: 64)
        // (a new file, in WAL mode, as the engine makes it)
        let created = try await Database.open(.sqlite(path: path), logger: .init(label: "test"))
        try await created.writeRows {
            try await $0.run("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)", [])
        }
        await created.close()
        let writer = try SQLiteHandle(path: path, cacheKiB: 1024, write: true, checkpointer: checkpointer)
        let reader = try SQLiteHandle(path: path, cacheKiB: 1024)
        let body = String(repeating: "x", count: 20_000)
        // 600 commits of about five pages each: 3,000 frames, 47 times the threshold.
        for index in 0..<600 {
            try writer.query("INSERT INTO notes (id, body) VALUES (?, ?)", [.int(Int64(index)), .text(body)]) { _ in }
            if index % 50 == 0 {
                // A reader between commits, as a server has, reads what was committed.
                var count: Int64 = 0
                try reader.query("SELECT count(*) FROM notes", []) { count = $0[0].int ?? -1 }
                #expect(count == Int64(index + 1))
            }
        }
        let frameBytes = 4096 + 24
        let log = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0
        // Without checkpoints the log would hold all 3,000 frames. It holds the limit (256) and what was
        // committed while a background checkpoint ran (its first one opens a connection, too).
        #expect(log < 1500 * frameBytes)
        let database = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        #expect(database > 400 * 20_000)
        reader.close()
        writer.close()
        await checkpointer.close()
    }
}
