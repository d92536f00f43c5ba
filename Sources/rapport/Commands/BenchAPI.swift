import Foundation
import RapportBench
import RapportCore
import RapportServer

/// The api workload: a `rapport serve` child on 127.0.0.1 under 32 connections from `wrk` (another
/// process), one operation at a time, each compared with the trivial `/healthz` on the same server.
struct BenchAPI {
    let url: String
    let info: BenchInfo
    let directory: URL
    let database: String
    let seconds: Int

    /// The operations measured: the api workload's, or (`visibility`) list and search as the owner (the
    /// reference) and as reps whose roles see only their own records or their team's.
    var visibility = false

    func run() async throws -> [BenchResult] {
        guard let wrk = ["/usr/bin/wrk", "/usr/local/bin/wrk"].first(where: FileManager.default.isExecutableFile)
        else {
            throw RapportError(.badRequest, "The api workload needs wrk (apt-get install wrk).")
        }
        let port = try Self.freePort()
        let server = Process()
        server.executableURL = BenchProcess.executable
        server.arguments = ["serve", "--database", url, "--host", "127.0.0.1", "--port", String(port)]
        var environment = ProcessInfo.processInfo.environment
        environment["RAPPORT_LOG_LEVEL"] = "warning"
        server.environment = environment
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let base = "http://127.0.0.1:\(port)"
        try await waitUntilHealthy(base)
        let idle = Self.residentMB(server.processIdentifier)
        FileHandle.standardError.write(Data(String(format: "bench: server idles at %.1f MB\n", idle).utf8))
        if visibility { return try await runVisibility(wrk, base: base, server: server) }
        let reference = try await load(wrk, base: base, script: script(for: "health"))
        var results: [BenchResult] = []
        for operation in ["get", "list", "create", "search"] {
            let measured = try await load(wrk, base: base, script: script(for: operation))
            var result = BenchResult(
                workload: "api.\(operation)", database: database, contacts: info.contacts,
                operations: measured.requests, seconds: measured.seconds, p50Ms: measured.p50, p99Ms: measured.p99,
                peakRSSMB: BenchClock.peakRSSMB(pid: server.processIdentifier))
            result.against(perSecond: reference.perSecond)
            results.append(result)
        }
        return results
    }

    /// List and search as a rep who sees their own records (a tenth) and one who sees their team's (a fifth),
    /// each against the same operation as the owner, who sees every record.
    func runVisibility(_ wrk: String, base: String, server: Process) async throws -> [BenchResult] {
        guard let ownToken = info.ownToken, let teamToken = info.teamToken else {
            throw RapportError(.badRequest, "bench visibility: the generated workspace has no reps; generate it anew.")
        }
        var results: [BenchResult] = []
        for operation in ["list", "search"] {
            let reference = try await load(wrk, base: base, script: script(for: operation))
            for (label, token) in [("own", ownToken), ("team", teamToken)] {
                let measured = try await load(wrk, base: base, script: script(for: operation, token: token))
                var result = BenchResult(
                    workload: "visibility.\(operation).\(label)", database: database, contacts: info.contacts,
                    operations: measured.requests, seconds: measured.seconds, p50Ms: measured.p50,
                    p99Ms: measured.p99, peakRSSMB: BenchClock.peakRSSMB(pid: server.processIdentifier))
                result.against(perSecond: reference.perSecond)
                results.append(result)
            }
        }
        return results
    }

    struct Load {
        var requests: Int
        var seconds: Double
        var perSecond: Double
        var p50: Double
        var p99: Double
    }

    /// Runs wrk for `seconds` with a Lua script; refuses a run with failed requests.
    func load(_ wrk: String, base: String, script: String) async throws -> Load {
        let file = directory.appendingPathComponent("load-\(RecordID.make().suffix(12)).lua")
        try script.write(to: file, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: wrk)
        process.arguments = ["-t2", "-c32", "-d\(seconds)s", "--timeout", "10s", "--latency", "-s", file.path, base]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = await Task.detached { out.fileHandleForReading.readDataToEndOfFile() }.value
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        if let failed = text.split(separator: "\n").first(where: { $0.contains("Non-2xx") }) {
            throw RapportError(.badRequest, "bench api: \(failed.trimmingCharacters(in: .whitespaces))")
        }
        guard let requests = Self.number(on: "requests in", in: text),
            let perSecond = Self.number(on: "Requests/sec:", in: text, last: true)
        else { throw RapportError(.badRequest, "bench api: wrk printed no figures.") }
        return Load(
            requests: Int(requests), seconds: requests / max(perSecond, 1), perSecond: perSecond,
            p50: Self.latency("50%", in: text), p99: Self.latency("99%", in: text))
    }

    /// The Lua script of one operation.
    /// - Parameter token: whose requests they are (the owner's by default).
    func script(for operation: String, token: String? = nil) -> String {
        let auth = "wrk.headers[\"Authorization\"] = \"Bearer \(token ?? info.token)\"\n"
        func list(_ items: [String]) -> String {
            "{" + items.map { "\"\($0)\"" }.joined(separator: ",") + "}"
        }
        switch operation {
        case "get":
            return auth + """
                local ids = \(list(info.contactIDs))
                local i = 0
                request = function()
                  i = i + 1
                  return wrk.format("GET", "/api/v1/contacts/" .. ids[(i % #ids) + 1])
                end
                """
        case "list":
            return auth + """
                request = function()
                  return wrk.format("GET", "/api/v1/contacts?limit=50&lifecycle_stage=customer")
                end
                """
        case "create":
            // (the random end of an id: its start is the time, shared by runs a minute apart)
            let run = RecordID.make().suffix(8)
            return auth + """
                wrk.headers["Content-Type"] = "application/json"
                local threads = 0
                function setup(thread)
                  thread:set("tid", threads)
                  threads = threads + 1
                end
                local n = 0
                request = function()
                  n = n + 1
                  local body = string.format('{"first_name":"Load","last_name":"Test","email":"load-\(run)-%d-%d@bench.example"}', tid, n)
                  return wrk.format("POST", "/api/v1/contacts", nil, body)
                end
                """
        case "search":
            let queries = info.queries.map { query in
                query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
            }
            return auth + """
                local queries = \(list(queries))
                local i = 0
                request = function()
                  i = i + 1
                  return wrk.format("GET", "/api/v1/search?limit=20&q=" .. queries[(i % #queries) + 1])
                end
                """
        default:
            return "request = function() return wrk.format(\"GET\", \"/healthz\") end\n"
        }
    }

    func waitUntilHealthy(_ base: String) async throws {
        let port = UInt16(base.split(separator: ":").last.flatMap { Int($0) } ?? 0)
        for _ in 0..<300 {
            if Self.healthy(port: port) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw RapportError(.badRequest, "bench api: the server did not start.")
    }

    /// Whether `GET /healthz` answers 200 (a plain socket: Foundation's URLSession is not in the base
    /// library on Linux).
    static func healthy(port: UInt16) -> Bool {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { return false }
        let request = Array("GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard write(socket, request, request.count) == request.count else { return false }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(socket, &buffer, buffer.count)
        return count > 12 && String(decoding: buffer[..<count], as: UTF8.self).dropFirst(8).hasPrefix(" 200")
    }

    static func freePort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        guard bound else { throw RapportError(.badRequest, "bench api: no free port.") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func residentMB(_ pid: Int32) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return (line.split(separator: " ").compactMap { Double($0) }.first ?? 0) / 1024
        }
        return 0
    }

    /// The first number of wrk's line that contains `label` ("123 requests in 5.00s"), or its last
    /// ("Requests/sec:  1234.56").
    static func number(on label: String, in text: String, last: Bool = false) -> Double? {
        guard let line = text.split(separator: "\n").first(where: { $0.contains(label) }) else { return nil }
        let words = line.split(separator: " ")
        return (last ? words.last : words.first).flatMap { Double($0) }
    }

    /// A latency percentile from `--latency` output, in milliseconds.
    static func latency(_ percentile: String, in text: String) -> Double {
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            guard words.count == 2, words[0] == percentile else { continue }
            let value = String(words[1])
            for (unit, scale) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0)] where value.hasSuffix(unit) {
                return (Double(value.dropLast(unit.count)) ?? 0) * scale
            }
        }
        return 0
    }
}
