import Foundation
import RapportCore
import RapportServer
import RapportServices
import RapportStore

extension BenchWorkloads {
    /// The segment the workload measures: a field, a tag and an event count in a window. On the generated data
    /// about one contact in a hundred: a quarter of the contacts are Danish, a sixth have the tag, and about a
    /// quarter have an `email` activity in the last 90 days (the busy contacts nearly all, the quiet ones rarely).
    static let segmentQuery = #"country = "DK" and tag = "newsletter" and events(email, 90d) >= 1"#

    /// A saved three-condition segment's count and first page (50 newest members), as the API answers
    /// `/segments/{id}/count` and `/segments/{id}/members`: through `SegmentService` (the segment read and
    /// checked for its reader, then compiled by `SegmentSQL`) and the contacts list. Reference: the same count and
    /// page written by hand (`BenchReferences.segmentCount`, `segmentPage`). Ratio: reference p99 over p99.
    package func segment() async throws -> [BenchResult] {
        guard let principal = try await runtime.services.tokens.authenticate(secret: info.token) else {
            throw RapportError(.badRequest, "bench segment: the owner's token does not work.")
        }
        let viewer = principal.viewer
        let segments = SegmentService(runtime.services)
        let saved = try await segments.create(
            viewer, name: "Bench segment \(RecordID.make().suffix(8))", query: Self.segmentQuery)
        let contacts = RecordService(runtime.services, schema: .contacts)
        // (the query's window as the segment compiles it, each time it is used: 90 days back from now)
        func since() -> Int64 { Timestamp.micros(Date()) - 90 * 86_400_000_000 }
        let references = BenchReferences(store: runtime.store)
        let workspace = info.workspaceID
        func referenceCount() async throws -> Int {
            try await references.segmentCount(
                workspaceID: workspace, country: "DK", tag: "newsletter", eventType: "email", since: since())
        }
        func referencePage() async throws -> [String] {
            try await references.segmentPage(
                workspaceID: workspace, country: "DK", tag: "newsletter", eventType: "email", since: since())
        }
        func page() async throws -> [String] {
            var query = ListQuery()
            query.segment = try await segments.selection(viewer, id: saved.id)
            return try await contacts.list(viewer, query: query, limit: 50, after: nil).records.map(\.id)
        }
        // Both give the same answer (checked once, untimed; it also warms the caches for both).
        let count = try await segments.count(viewer, id: saved.id)
        let expected = try await referenceCount()
        guard count == expected else {
            throw RapportError(.conflict, "bench segment: the segment counts \(count), the reference \(expected).")
        }
        let first = try await page()
        guard first == (try await referencePage()) else {
            throw RapportError(.conflict, "bench segment: the segment's first page differs from the reference's.")
        }
        FileHandle.standardError.write(
            Data("bench: segment \(Self.segmentQuery): \(count) of \(info.contacts) contacts\n".utf8))
        let runs = Array(repeating: 0, count: 1000)
        let countRuns = try await BenchClock.measure(runs, seconds: 15) { _ in
            _ = try await segments.count(viewer, id: saved.id)
        }
        let countReference = try await BenchClock.measure(runs, seconds: 15) { _ in _ = try await referenceCount() }
        let pageRuns = try await BenchClock.measure(runs, seconds: 15) { _ in _ = try await page() }
        let pageReference = try await BenchClock.measure(runs, seconds: 15) { _ in _ = try await referencePage() }
        var results: [BenchResult] = []
        for (name, measured, reference) in [
            ("segment.count", countRuns, countReference), ("segment.page", pageRuns, pageReference),
        ] {
            var result = self.result(
                name, operations: measured.latencies.count, seconds: measured.elapsed, latencies: measured.latencies)
            result.against(p99Ms: BenchClock.percentile(reference.latencies, 0.99))
            results.append(result)
        }
        return results
    }
}
