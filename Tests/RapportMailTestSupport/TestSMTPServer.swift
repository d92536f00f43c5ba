package import Foundation
package import RapportMail
package import Testing

/// The repository's root, found from this file's path.
package let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A fresh temporary directory, removed by `body`'s end.
package func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-mail-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    return try await body(dir)
}

/// A real SMTP server (aiosmtpd, `scripts/smtp_test_server.py`) on a free port of 127.0.0.1, storing what it
/// receives in a temporary directory, with Python's `email` package's reading of each message.
package struct TestSMTPServer {
    package let port: Int
    package let directory: URL

    /// Starts the server with the script's options, runs `body`, and stops the server.
    package static func with<T>(_ options: [String] = [], _ body: (TestSMTPServer) async throws -> T) async throws -> T
    {
        try await withTemporaryDirectory { dir in
            let mailDir = dir.appendingPathComponent("mail")
            try FileManager.default.createDirectory(at: mailDir, withIntermediateDirectories: true)
            let out = dir.appendingPathComponent("stdout")
            let err = dir.appendingPathComponent("stderr")
            try Data().write(to: out)
            try Data().write(to: err)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments =
                [repositoryRoot.appendingPathComponent("scripts/smtp_test_server.py").path, "--dir", mailDir.path]
                + options
            process.standardOutput = try FileHandle(forWritingTo: out)
            process.standardError = try FileHandle(forWritingTo: err)
            try process.run()
            defer {
                process.terminate()
                let deadline = Date().addingTimeInterval(5)
                while process.isRunning && Date() < deadline { usleep(10_000) }
                if process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                }
            }
            let port = try await waitForPort(out, err: err, process: process)
            return try await body(TestSMTPServer(port: port, directory: mailDir))
        }
    }

    private static func waitForPort(_ out: URL, err: URL, process: Process) async throws -> Int {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("PORT ") }),
                let port = Int(line.dropFirst(5))
            {
                return port
            }
            if !process.isRunning {
                let stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
                throw TestServerError(detail: "the SMTP test server stopped: \(stderr)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestServerError(detail: "the SMTP test server did not start within 20 s")
    }

    /// Settings for this server in plain text, with short timeouts.
    package func settings(tls: SMTPSettings.TLSMode = .off) -> SMTPSettings {
        var settings = SMTPSettings(host: "127.0.0.1", port: port, tls: tls)
        settings.heloName = "client.rapport.test"
        settings.connectTimeout = .seconds(5)
        settings.commandTimeout = .seconds(10)
        settings.dataTimeout = .seconds(10)
        return settings
    }

    /// Every message received so far, in order.
    package func received() throws -> [ReceivedMail] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") }
            .sorted { Int($0.dropLast(5)) ?? 0 < Int($1.dropLast(5)) ?? 0 }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try files.map { name in
            try decoder.decode(ReceivedMail.self, from: Data(contentsOf: directory.appendingPathComponent(name)))
        }
    }

    /// The bytes of message `number` as received (dot stuffing undone).
    package func raw(_ number: Int) throws -> String {
        try String(contentsOf: directory.appendingPathComponent("\(number).eml"), encoding: .utf8)
    }
}

package struct TestServerError: Error, CustomStringConvertible {
    package var detail: String
    package var description: String { detail }
}

/// A message as the test server saw it, and as Python's `email` package (policy `default`) reads it.
package struct ReceivedMail: Decodable {
    package struct Message: Decodable {
        package struct Part: Decodable {
            package var contentType: String
            package var charset: String?
            package var transferEncoding: String?
            package var text: String
        }
        /// Every header in order: name and value with encoded words decoded and folding undone.
        package var headers: [[String]]
        /// Address headers (lower-case names) as [display name, address] pairs.
        package var addresses: [String: [[String]]]
        package var contentType: String
        package var parts: [Part]
        package var defects: [String]
        package var longestLine: Int
        package var bareLineFeeds: Int
        package var asciiOnly: Bool

        /// The values of the header, matched without regard to case.
        package func values(_ name: String) -> [String] {
            headers.filter { $0[0].lowercased() == name.lowercased() }.map { $0[1] }
        }

        package func value(_ name: String) -> String? { values(name).first }
    }

    package var number: Int
    package var mailFrom: String
    package var mailOptions: [String]
    package var rcptTos: [String]
    package var helo: String?
    package var extendedSmtp: Bool
    package var tls: Bool
    package var user: String?
    package var pipelined: Bool
    /// The connection the message came on: connections that delivered a message, numbered from 1.
    package var connection: Int?
    package var message: Message
}

/// A CA and a server certificate for `localhost` and 127.0.0.1 signed by it, made with `openssl` for one test.
package struct TestCertificates {
    package let caPEM: String
    package let certificatePath: String
    package let keyPath: String

    /// Creates the certificates in `dir`; the server's is for `localhost` and, with `ipAddress`, 127.0.0.1 too
    /// (NIOSSL accepts a certificate whose IP entry matches the address connected to, whatever the name).
    package static func make(in dir: URL, ipAddress: Bool = true) throws -> TestCertificates {
        func openssl(_ arguments: [String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            process.currentDirectoryURL = dir
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw TestServerError(detail: "openssl \(arguments.joined(separator: " ")) failed")
            }
        }
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try openssl(
            ["req", "-x509"] + ec + [
                "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Rapport Test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ])
        try openssl(["req"] + ec + ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"])
        try """
        subjectAltName=DNS:localhost\(ipAddress ? ",IP:127.0.0.1" : "")
        basicConstraints=CA:FALSE
        keyUsage=critical,digitalSignature
        extendedKeyUsage=serverAuth

        """.write(to: dir.appendingPathComponent("server.ext"), atomically: true, encoding: .utf8)
        try openssl([
            "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "server.ext",
        ])
        return TestCertificates(
            caPEM: try String(contentsOf: dir.appendingPathComponent("ca.pem"), encoding: .utf8),
            certificatePath: dir.appendingPathComponent("server.pem").path,
            keyPath: dir.appendingPathComponent("server.key").path)
    }

    /// The server options that offer STARTTLS with this certificate.
    package var serverOptions: [String] { ["--tls-cert", certificatePath, "--tls-key", keyPath] }
}

/// The error `body` throws, as an ``SMTPError``, or a recorded issue when it throws nothing or something else.
package func smtpError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async
    -> SMTPError?
{
    do {
        try await body()
        Issue.record("expected an SMTPError, nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as SMTPError {
        return error
    } catch {
        Issue.record("expected an SMTPError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
