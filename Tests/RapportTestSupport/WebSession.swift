import Foundation
package import HTTPTypes
package import HummingbirdTesting
import NIOCore

/// A tiny browser for router tests: keeps cookies between requests and reads the CSRF token from forms.
package final class CookieJar: @unchecked Sendable {
    private let lock = NSLock()
    private var cookies: [String: String] = [:]

    package init() {}

    /// Remembers the cookies a response sets (and forgets expired ones).
    package func take(_ response: TestResponse) {
        lock.lock()
        defer { lock.unlock() }
        for header in response.headers[values: .setCookie] {
            let pair = header.split(separator: ";")[0].split(
                separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { continue }
            let name = String(pair[0]).trimmingCharacters(in: .whitespaces)
            let expired = header.lowercased().contains("max-age=0") || Self.expiresInPast(header)
            if expired { cookies[name] = nil } else { cookies[name] = String(pair[1]) }
        }
    }

    static func expiresInPast(_ header: String) -> Bool {
        guard let range = header.range(of: "Expires=", options: .caseInsensitive) else { return false }
        let value = header[range.upperBound...].split(separator: ";")[0]
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: String(value)) else { return false }
        return date <= Date()
    }

    package subscript(name: String) -> String? {
        lock.lock()
        defer { lock.unlock() }
        return cookies[name]
    }

    package var header: String {
        lock.lock()
        defer { lock.unlock() }
        return cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ")
    }

    /// A copy, as a second browser holding the same cookies.
    package func copy() -> CookieJar {
        let jar = CookieJar()
        lock.lock()
        jar.cookies = cookies
        lock.unlock()
        return jar
    }

    /// GET with the jar's cookies.
    package func get(_ client: any TestClientProtocol, _ uri: String, headers: HTTPFields = [:]) async throws
        -> TestResponse
    {
        var fields = headers
        if !header.isEmpty { fields[.cookie] = header }
        let response = try await client.execute(uri: uri, method: .get, headers: fields, body: nil)
        take(response)
        return response
    }

    /// POST a form with the jar's cookies.
    package func post(
        _ client: any TestClientProtocol, _ uri: String, form: [String: String], headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var fields = headers
        fields[.contentType] = "application/x-www-form-urlencoded"
        if !header.isEmpty { fields[.cookie] = header }
        let body = form.map { key, value in "\(Self.encode(key))=\(Self.encode(value))" }.joined(separator: "&")
        let response = try await client.execute(
            uri: uri, method: .post, headers: fields, body: ByteBuffer(string: body))
        take(response)
        return response
    }

    /// POST a form whose fields may repeat (checkboxes of one name).
    package func post(
        _ client: any TestClientProtocol, _ uri: String, pairs: [(String, String)]
    ) async throws -> TestResponse {
        var fields: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if !header.isEmpty { fields[.cookie] = header }
        let body = pairs.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        let response = try await client.execute(
            uri: uri, method: .post, headers: fields, body: ByteBuffer(string: body))
        take(response)
        return response
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

extension TestResponse {
    /// The address of the first link with `rel`, as a browser would follow it.
    package func link(rel: String) -> String? {
        String(buffer: body).matches(of: #/<a href="([^"]*)" rel="(\w+)"/#).first { $0.2 == rel }.map {
            String($0.1).replacingOccurrences(of: "&amp;", with: "&")
        }
    }

    /// The CSRF token of the first form on the page.
    package var csrfToken: String? {
        let text = String(buffer: body)
        guard let range = text.range(of: #"name="csrf_token" value=""#) else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }
}
