package import Foundation
import RapportCore
import RapportDatabase
import RapportHTTP
package import RapportServer
import RapportServices
import RapportStore

/// One line of `rapport bench` output: a workload's operation, measured with its reference in the
/// same run. `ratio` is reference time over Rapport time (0.5: half the reference's speed), for
/// throughputs and latencies alike.
package struct BenchResult: Codable, Sendable {
    package var workload: String
    package var database: String
    package var contacts: Int
    package var operations: Int
    package var seconds: Double
    package var perSecond: Double
    package var p50Ms: Double?
    package var p99Ms: Double?
    package var peakRSSMB: Double
    package var referencePerSecond: Double?
    package var referenceP99Ms: Double?
    package var ratio: Double?

    enum CodingKeys: String, CodingKey {
        case workload, database, contacts, operations, seconds, ratio
        case perSecond = "per_second"
        case p50Ms = "p50_ms"
        case p99Ms = "p99_ms"
        case peakRSSMB = "peak_rss_mb"
        case referencePerSecond = "reference_per_second"
        case referenceP99Ms = "reference_p99_ms"
    }

    package init(
        workload: String, database: String, contacts: Int, operations: Int, seconds: Double, p50Ms: Double? = nil,
        p99Ms: Double? = nil, peakRSSMB: Double = BenchClock.peakRSSMB()
    ) {
        self.workload = workload
        self.database = database
        self.contacts = contacts
        self.operations = operations
        self.seconds = seconds
        self.perSecond = seconds > 0 ? Double(operations) / seconds : 0
        self.p50Ms = p50Ms
        self.p99Ms = p99Ms
        self.peakRSSMB = peakRSSMB
    }

    /// Compared by throughput: the reference's rate, and Rapport's rate over it.
    package mutating func against(perSecond reference: Double) {
        referencePerSecond = reference
        ratio = reference > 0 ? perSecond / reference : nil
    }

    /// Compared by p99 latency: the reference's, and it over Rapport's.
    package mutating func against(p99Ms reference: Double) {
        referenceP99Ms = reference
        ratio = (p99Ms ?? 0) > 0 ? reference / p99Ms! : nil
    }
}

/// Time, latency percentiles and this process's peak memory.
package enum BenchClock {
    package static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// The `fraction` percentile of latencies in seconds, in milliseconds.
    package static func percentile(_ latencies: [Double], _ fraction: Double) -> Double {
        guard !latencies.isEmpty else { return 0 }
        let sorted = latencies.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)] * 1000
    }

    /// The peak resident memory of this process (Linux: `VmHWM`), in MB.
    package static func peakRSSMB(pid: Int32? = nil) -> Double {
        let path = pid.map { "/proc/\($0)/status" } ?? "/proc/self/status"
        guard let status = try? String(contentsOfFile: path, encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kilobytes / 1024
        }
        return 0
    }

    /// Runs `operation` over the items until all are done, or `seconds` have passed and at least 50
    /// are; the latencies.
    static func measure<T>(_ items: [T], seconds: Double, _ operation: (T) async throws -> Void) async rethrows
        -> (latencies: [Double], elapsed: Double)
    {
        var latencies: [Double] = []
        let start = now()
        for item in items {
            if now() - start > seconds && latencies.count >= 50 { break }
            let before = now()
            try await operation(item)
            latencies.append(now() - before)
        }
        return (latencies, now() - start)
    }
}

/// The in-process workloads, each run by a `bench-worker` child so that its peak memory is its own.
package struct BenchWorkloads: Sendable {
    let runtime: Runtime
    let info: BenchInfo
    let database: String

    package init(runtime: Runtime, info: BenchInfo, database: String) {
        self.runtime = runtime
        self.info = info
        self.database = database
    }

    func result(_ workload: String, operations: Int, seconds: Double, latencies: [Double] = []) -> BenchResult {
        BenchResult(
            workload: workload, database: database, contacts: info.contacts, operations: operations, seconds: seconds,
            p50Ms: latencies.isEmpty ? nil : BenchClock.percentile(latencies, 0.5),
            p99Ms: latencies.isEmpty ? nil : BenchClock.percentile(latencies, 0.99))
    }

    /// The query mix through the search path. Reference: the index range of each query's longest word.
    package func search() async throws -> BenchResult {
        let repository = SearchRepository(store: runtime.store)
        let workspace = info.workspaceID
        let queries = Array(repeating: info.queries, count: max(1, 2000 / max(1, info.queries.count))).flatMap { $0 }
        let measured = try await BenchClock.measure(queries, seconds: 20) { query in
            _ = try await repository.search(.all(workspace), query: query, limit: 20)
        }
        // (for profiling: RAPPORT_BENCH_SLOW=N prints the N slowest queries of the mix)
        if let shown = ProcessInfo.processInfo.environment["RAPPORT_BENCH_SLOW"].flatMap(Int.init) {
            var timed: [(query: String, ms: Double)] = []
            for query in info.queries {
                let start = BenchClock.now()
                _ = try await repository.search(.all(workspace), query: query, limit: 20)
                timed.append((query, (BenchClock.now() - start) * 1000))
            }
            for (query, ms) in timed.sorted(by: { $0.ms > $1.ms }).prefix(shown) {
                FileHandle.standardError.write(Data((String(format: "%8.2f ms  ", ms) + query + "\n").utf8))
            }
        }
        // The reference: one hand-written ranking query over the term index, as a developer would write it.
        let references = BenchReferences(store: runtime.store)
        let reference = try await BenchClock.measure(queries, seconds: 20) { query in
            try await references.search(workspaceID: workspace, words: SearchKey.queryWords(query))
        }
        var result = self.result(
            "search", operations: measured.latencies.count, seconds: measured.elapsed, latencies: measured.latencies)
        result.against(p99Ms: BenchClock.percentile(reference.latencies, 0.99))
        return result
    }

    /// The database's share of a rep's search: the query mix through the store's search alone (no HTTP,
    /// no JSON) as the owner (the reference), as the rep who sees their own records and as the one who sees
    /// their team's, one query at a time. Ratio: the owner's mean time over the rep's.
    package func visibilityStore() async throws -> [BenchResult] {
        guard let ownToken = info.ownToken, let teamToken = info.teamToken else {
            throw RapportError(.badRequest, "bench visibility: the generated workspace has no reps; generate it anew.")
        }
        let repository = SearchRepository(store: runtime.store)
        let queries = Array(repeating: info.queries, count: max(1, 2000 / max(1, info.queries.count))).flatMap { $0 }
        func reach(_ token: String?) async throws -> SearchRepository.Reach {
            guard let token else { return .all(info.workspaceID) }
            guard let principal = try await runtime.services.tokens.authenticate(secret: token) else {
                throw RapportError(.badRequest, "bench visibility: a rep's token does not work.")
            }
            var scopes: [String: RecordScope] = [:]
            for type in ObjectCatalog.all {
                if let scope = principal.viewer.scopeIfAllowed(.read, on: type) { scopes[type.recordType] = scope }
            }
            return SearchRepository.Reach(workspaceID: info.workspaceID, scopes: scopes)
        }
        func measure(_ reach: SearchRepository.Reach) async throws -> (latencies: [Double], elapsed: Double) {
            try await BenchClock.measure(queries, seconds: 10) { query in
                _ = try await repository.search(reach, query: query, limit: 20)
            }
        }
        let owner = try await measure(try await reach(nil))
        var results: [BenchResult] = []
        for (label, token) in [("own", ownToken), ("team", teamToken)] {
            let measured = try await measure(try await reach(token))
            var result = self.result(
                "visibility.store.search.\(label)", operations: measured.latencies.count, seconds: measured.elapsed,
                latencies: measured.latencies)
            let mean = measured.elapsed / Double(max(1, measured.latencies.count))
            let ownerMean = owner.elapsed / Double(max(1, owner.latencies.count))
            result.perSecond = 1 / mean
            result.against(perSecond: 1 / ownerMean)
            results.append(result)
        }
        return results
    }

    /// The first page of the busiest contact's timeline. Reference: the indexed query by hand.
    package func timeline() async throws -> BenchResult {
        let repository = TimelineRepository(store: runtime.store)
        let workspace = info.workspaceID
        let contact = info.busyContactID
        let everything = Dictionary(
            uniqueKeysWithValues: ObjectCatalog.all.map { ($0.name, RecordScope.all(workspace)) })
        let runs = Array(repeating: 0, count: 1000)
        let measured = try await BenchClock.measure(runs, seconds: 20) { _ in
            _ = try await repository.page(
                reaches: everything, workspaceID: workspace, subject: .init(.contacts, id: contact), types: [],
                limit: 50, after: nil)
        }
        let reference = try await BenchClock.measure(runs, seconds: 20) { _ in
            try await BenchReferences(store: runtime.store).timeline(workspaceID: workspace, contactID: contact)
        }
        var result = self.result(
            "timeline", operations: measured.latencies.count, seconds: measured.elapsed,
            latencies: measured.latencies)
        result.against(p99Ms: BenchClock.percentile(reference.latencies, 0.99))
        return result
    }

    /// The whole workspace as CSV into a file. Reference: a hand-written SELECT streamed to a file.
    package func export(directory: URL) async throws -> BenchResult {
        let file = directory.appendingPathComponent("export.csv")
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        // Both read a warm database: one pass over the workspace's rows first, untimed. Otherwise the one
        // that runs first reads the file from disk (at full scale it does not stay cached through the
        // workloads before) and the other finds it in memory.
        let workspaceID = info.workspaceID
        try await BenchReferences(store: runtime.store).warmContacts(workspaceID: workspaceID)
        let start = BenchClock.now()
        try await Exporter(runtime.services, schema: .contacts, format: .csv).run(.system(info.workspaceID)) {
            handle.write(Data($0))
        }
        let elapsed = BenchClock.now() - start
        try handle.close()
        let referenceFile = directory.appendingPathComponent("export-reference.csv")
        _ = FileManager.default.createFile(atPath: referenceFile.path, contents: nil)
        let output = try FileHandle(forWritingTo: referenceFile)
        let workspace = info.workspaceID
        let referenceStart = BenchClock.now()
        try await BenchReferences(store: runtime.store).exportContacts(workspaceID: workspace) { text in
            output.write(Data(text.utf8))
        }
        let referenceElapsed = BenchClock.now() - referenceStart
        try output.close()
        var result = self.result("export", operations: info.contacts, seconds: elapsed)
        result.against(perSecond: Double(info.contacts) / referenceElapsed)
        return result
    }

    /// A generated CSV of `rows` new contacts through the real import path, into a workspace of its
    /// own. Reference: the same records' rows (search keys and events included), built beforehand and
    /// written by hand-written multi-row inserts in one transaction, into a third workspace.
    package func importRows(_ rows: Int, directory: URL) async throws -> BenchResult {
        let file = directory.appendingPathComponent("import.csv")
        var csv = "First Name,Last Name,E-mail Address,Company Name,Job Title,Lifecycle Stage,Tags,Phone Number\n"
        csv.reserveCapacity(rows * 120)
        for index in 0..<rows {
            let fields = BenchData.contact(index + 10_000_000, seed: info.seed, companies: 1)
            let cells = [
                fields["first_name"], fields["last_name"], .string("import\(index)@org\(index % 5000).example"),
                .string("Org \(index % 5000)"), fields["job_title"], fields["lifecycle_stage"],
                .string(index % 10 == 0 ? "vip" : ""), .string("+45 \(40_000_000 + index)"),
            ].map { value -> String in if case .string(let text)? = value { text } else { "" } }
            csv += CSVWriter.line(cells)
        }
        try csv.write(to: file, atomically: true, encoding: .utf8)
        csv = ""
        let accounts = AccountService(runtime.services)
        let (target, owner) = try await accounts.createWorkspace(
            name: "Bench import \(RecordID.make().suffix(8))",
            owner: UserDraft(email: "import@rapport.local", name: "Import", role: nil, password: RecordID.make()))
        let start = BenchClock.now()
        let report = try await Importer(
            runtime.services, schema: .contacts, viewer: .system(target.id), actor: Actor(.user, id: owner.id),
            options: .init()
        ).run(file: file)
        let elapsed = BenchClock.now() - start
        let peak = BenchClock.peakRSSMB()
        guard report.created == rows else {
            throw RapportError(.conflict, "The bench import created \(report.created) of \(rows) contacts.")
        }
        // The reference: the same records, their rows built before the clock starts.
        let (reference, _) = try await accounts.createWorkspace(
            name: "Bench reference \(RecordID.make().suffix(8))",
            owner: UserDraft(email: "reference@rapport.local", name: "Reference", role: nil, password: RecordID.make()))
        let contacts = RecordService(runtime.services, schema: .contacts)
        let companies = RecordService(runtime.services, schema: .companies)
        let now = Timestamp.micros(Date())
        var companyIDs: [String: String] = [:]
        var companyRecords: [Record] = []
        var records: [Record] = []
        for index in 0..<rows {
            let name = "Org \(index % 5000)"
            if companyIDs[name] == nil {
                var company = Record.empty(.companies, workspaceID: reference.id, now: now)
                company.values["name"] = .string(name)
                companyIDs[name] = company.id
                companyRecords.append(company)
            }
            var fields = BenchData.contact(index + 10_000_000, seed: info.seed, companies: 1)
            fields["email"] = .string("import\(index)@org\(index % 5000).example")
            fields["company_id"] = .string(companyIDs[name]!)
            fields["custom"] = nil
            var record = Record.empty(.contacts, workspaceID: reference.id, now: now)
            _ = try RecordPatch.apply(fields, to: &record, schema: .contacts, customFields: [])
            records.append(record)
        }
        let names = Dictionary(uniqueKeysWithValues: companyRecords.map { ($0.id, $0.string("name") ?? "") })
        let actor = Actor(.import, id: nil)
        let companyRows = companies.repository.newRows(
            companyRecords, actor: actor, now: now, importID: nil, referenceTitles: [:])
        let contactRows = stride(from: 0, to: records.count, by: 2000).map {
            contacts.repository.newRows(
                Array(records[$0..<min(records.count, $0 + 2000)]), actor: actor, now: now, importID: "reference",
                referenceTitles: names)
        }
        records = []
        let referenceStart = BenchClock.now()
        try await runtime.store.writeRows { session in
            try await companies.repository.insert(companyRows, on: session)
            for batch in contactRows { try await contacts.repository.insert(batch, on: session) }
        }
        let referenceElapsed = BenchClock.now() - referenceStart
        var result = self.result("import", operations: rows, seconds: elapsed)
        result.peakRSSMB = peak  // the import's own, before the reference's rows were built
        result.against(perSecond: Double(rows) / referenceElapsed)
        return result
    }
}
