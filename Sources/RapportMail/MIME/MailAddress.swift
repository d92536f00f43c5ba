/// A mailbox: an address with an optional display name, as in `Mahsa Ahmadi <mahsa@example.com>`.
package struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The display name, any Unicode text; rendered as RFC 2047 encoded words when it is not plain ASCII.
    package var name: String?
    /// The address itself (`local@domain`), ASCII only: Rapport does not speak SMTPUTF8.
    package var address: String

    /// - Parameters:
    ///   - address: `local@domain`, without angle brackets.
    ///   - name: the display name; empty counts as none.
    package init(_ address: String, name: String? = nil) {
        self.address = address
        self.name = name
    }

    package var description: String {
        if let name, !name.isEmpty { return "\(name) <\(address)>" }
        return address
    }

    /// The part after the last `@` (the Message-ID's right-hand side comes from the From address's domain).
    package var domain: String {
        guard let at = address.lastIndex(of: "@") else { return "" }
        return String(address[address.index(after: at)...])
    }

    /// Throws ``MailError/invalidAddress(_:)`` unless the address is `local@domain` in printable ASCII with none of
    /// the characters that would let it end the header or the SMTP command early (space, control characters,
    /// `<>()[],;:\"`).
    package func validate() throws(MailError) {
        try Self.validate(address)
    }

    /// The same check as ``validate()`` for a bare envelope address.
    package static func validate(_ address: String) throws(MailError) {
        let bytes = Array(address.utf8)
        let forbidden: Set<UInt8> = Set("<>()[],;:\\\"".utf8)
        guard bytes.count <= 254, let at = bytes.lastIndex(of: UInt8(ascii: "@")), at > 0, at < bytes.count - 1,
            bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !forbidden.contains($0) }),
            bytes.filter({ $0 == UInt8(ascii: "@") }).count == 1
        else {
            throw .invalidAddress(address)
        }
    }
}
