package import Hummingbird

/// The address a request came to, `scheme://host[:port]`, for links a user copies out of a page or an
/// API response when no public URL is configured.
package enum RequestOrigin {
    /// From the `Host` header; `https` when a proxy says it forwarded HTTPS or cookies are marked secure.
    /// Nil when the host is missing or not a plain host name or address.
    package static func of(_ request: Request, secure: Bool) -> String? {
        guard let host = request.head.authority, (1...255).contains(host.count),
            host.unicodeScalars.allSatisfy({
                $0.isASCII
                    && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || ".-:[]_".unicodeScalars.contains($0))
            })
        else { return nil }
        let forwarded = request.headers[.xForwardedProto]?.lowercased() == "https"
        return "\(forwarded || secure ? "https" : "http")://\(host)"
    }
}
