package import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Debian's Postfix as the delivery workload's SMTP server: a real, fast receiver on 127.0.0.1 that accepts every
/// message and discards it (the `discard` transport), run with a configuration of its own in a temporary
/// directory (`postfix -c DIR start-fg`), so nothing of the machine's mail setup is read or changed. Its queue is
/// on `/dev/shm` where there is one: the receiver stands in for a remote server, whose disk is not what the
/// workload measures. Installed with apt-get (no questions asked, no configuration) when it is missing.
package final class BenchPostfix: @unchecked Sendable {
    package let port: Int
    let root: URL
    let config: URL
    let queue: URL
    let process: Process

    private init(port: Int, root: URL, config: URL, queue: URL, process: Process) {
        self.port = port
        self.root = root
        self.config = config
        self.queue = queue
        self.process = process
    }

    static let postfix = "/usr/sbin/postfix"
    static let postconf = "/usr/sbin/postconf"

    /// Starts Postfix on a free port of 127.0.0.1, its files under `directory`.
    /// - Throws: when Postfix cannot be installed or does not start within 30 s.
    package static func start(in directory: URL) async throws -> BenchPostfix {
        try install()
        let root = directory.appendingPathComponent("postfix-\(UUID().uuidString.prefix(8))", isDirectory: true)
        let shm = URL(fileURLWithPath: "/dev/shm", isDirectory: true)
        let queue =
            (FileManager.default.fileExists(atPath: shm.path) ? shm : root)
            .appendingPathComponent("rapport-bench-postfix-\(UUID().uuidString.prefix(8))", isDirectory: true)
        do {
            return try await start(root: root, queue: queue)
        } catch {
            try? FileManager.default.removeItem(at: queue)
            try? FileManager.default.removeItem(at: root)
            throw error
        }
    }

    static func start(root: URL, queue: URL) async throws -> BenchPostfix {
        let config = root.appendingPathComponent("etc", isDirectory: true)
        let data = root.appendingPathComponent("data", isDirectory: true)
        let files = FileManager.default
        for folder in [config, data, queue] { try files.createDirectory(at: folder, withIntermediateDirectories: true) }
        try files.setAttributes([.ownerAccountName: "postfix"], ofItemAtPath: data.path)
        for name in ["master.cf", "dynamicmaps.cf"] {
            try files.copyItem(
                at: URL(fileURLWithPath: "/etc/postfix/\(name)"), to: config.appendingPathComponent(name))
        }
        if files.fileExists(atPath: "/etc/postfix/dynamicmaps.cf.d") {
            try files.copyItem(
                at: URL(fileURLWithPath: "/etc/postfix/dynamicmaps.cf.d"),
                to: config.appendingPathComponent("dynamicmaps.cf.d"))
        }
        try Data().write(to: config.appendingPathComponent("main.cf"))
        let port = try freePort()
        try run(
            postconf,
            ["-c", config.path, "-e"] + [
                "compatibility_level=3.6", "myhostname=bench.rapport.local", "inet_interfaces=127.0.0.1",
                "inet_protocols=ipv4", "mydestination=", "mynetworks=127.0.0.0/8",
                "smtpd_relay_restrictions=permit_mynetworks,reject", "default_transport=discard",
                "local_transport=discard", "relay_transport=discard", "alias_maps=", "alias_database=",
                "queue_directory=\(queue.path)", "data_directory=\(data.path)",
                "maillog_file_prefixes=\(root.path)", "maillog_file=\(root.appendingPathComponent("maillog").path)",
                // accept as fast as it can: no pause when the queue manager lags, no lookups, no rewriting
                "in_flow_delay=0", "smtpd_peername_lookup=no", "biff=no",
                "receive_override_options=no_address_mappings,no_header_body_checks,no_unknown_recipient_checks,no_milters",
                "default_process_limit=200",
            ])
        // The smtp service on our port, and no service in a chroot (it would need a copy of the system's files).
        let master = config.appendingPathComponent("master.cf")
        var lines = try String(contentsOf: master, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false
        )
        .map(String.init)
        guard let smtp = lines.firstIndex(where: { $0.hasPrefix("smtp ") && $0.contains(" inet ") }) else {
            throw BenchPostfixError("/etc/postfix/master.cf has no smtp inet service.")
        }
        lines[smtp] = "127.0.0.1:\(port) inet n - n - - smtpd"
        try lines.joined(separator: "\n").write(to: master, atomically: true, encoding: .utf8)
        try run(postconf, ["-c", config.path, "-F", "*/*/chroot = n"])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: postfix)
        process.arguments = ["-c", config.path, "start-fg"]
        let log = root.appendingPathComponent("start.log")
        _ = files.createFile(atPath: log.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        let server = BenchPostfix(port: port, root: root, config: config, queue: queue, process: process)
        let deadline = Date().addingTimeInterval(30)
        while !canConnect(port) {
            guard Date() < deadline, process.isRunning else {
                await server.stop()
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                throw BenchPostfixError("Postfix did not start: \(text.suffix(500))")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return server
    }

    /// Waits until Postfix has discarded everything it accepted (its queue is empty), at most `timeout`.
    package func drain(timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let waiting = ["incoming", "active", "maildrop"].reduce(0) { sum, folder in
                sum
                    + ((try? FileManager.default.contentsOfDirectory(
                        atPath: queue.appendingPathComponent(folder).path))?.count ?? 0)
            }
            if waiting == 0 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Stops Postfix and removes its files.
    package func stop() async {
        try? Self.run(Self.postfix, ["-c", config.path, "stop"])
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: queue)
        try? FileManager.default.removeItem(at: root)
    }

    /// Installs Debian's postfix package when it is missing, without questions and without configuring it (the
    /// bench brings its own configuration; the package's own service is never started).
    static func install() throws {
        guard !FileManager.default.isExecutableFile(atPath: postfix) else { return }
        guard getuid() == 0 else {
            throw BenchPostfixError("The delivery workload needs Postfix: apt-get install postfix (as root).")
        }
        let preseed = Process()
        preseed.executableURL = URL(fileURLWithPath: "/usr/bin/debconf-set-selections")
        let input = Pipe()
        preseed.standardInput = input
        try preseed.run()
        input.fileHandleForWriting.write(Data("postfix postfix/main_mailer_type select No configuration\n".utf8))
        try input.fileHandleForWriting.close()
        preseed.waitUntilExit()
        FileHandle.standardError.write(Data("bench: installing postfix (apt-get)…\n".utf8))
        try run(
            "/usr/bin/apt-get", ["install", "-y", "-qq", "postfix"], environment: ["DEBIAN_FRONTEND": "noninteractive"])
        guard FileManager.default.isExecutableFile(atPath: postfix) else {
            throw BenchPostfixError("apt-get did not install postfix.")
        }
    }

    static func run(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        let message = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchPostfixError(
                "\(path) \(arguments.prefix(3).joined(separator: " ")) failed: \(String(decoding: message, as: UTF8.self))"
            )
        }
    }

    /// A port of 127.0.0.1 that nothing listens on now.
    static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw BenchPostfixError("No socket for a free port.") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        guard bound == 0 else { throw BenchPostfixError("Cannot bind a free port.") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        guard named == 0 else { throw BenchPostfixError("Cannot read the free port.") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts connections on the port of 127.0.0.1.
    static func canConnect(_ port: Int) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        } == 0
    }
}

/// Postfix could not be set up for the delivery workload; the message is one readable line.
package struct BenchPostfixError: Error, CustomStringConvertible {
    package var description: String

    init(_ description: String) {
        self.description = description
    }
}
