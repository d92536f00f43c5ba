import Crypto
import Foundation
import RapportCore
import Synchronization

/// The signed token of a tracking, unsubscribe or preference link. It carries what the link is for, the
/// workspace, one id (the outbox message; for a preference link, the contact) and, for a click, the exact
/// address it leads to, followed by an HMAC-SHA256 of all of that (the first 16 bytes), in base64url:
/// `version · kind · workspace (16 bytes) · id (16 bytes) · address (UTF-8) · mac (16 bytes)`.
/// The key is derived (HKDF-SHA256) from the server's secret for this use alone. A token that was changed in any
/// byte, or made for another kind of link, does not read.
package enum TrackingToken {
    /// What a link does.
    package enum Kind: UInt8, Sendable {
        case open = 1
        case click = 2
        case unsubscribe = 3
        case preferences = 4
    }

    /// What a token says.
    package struct Claims: Sendable, Equatable {
        package var kind: Kind
        package var workspaceID: String
        /// The outbox message's id; a preference link's contact id.
        package var id: String
        /// A click's address.
        package var url: String?

        package init(kind: Kind, workspaceID: String, id: String, url: String? = nil) {
            self.kind = kind
            self.workspaceID = workspaceID
            self.id = id
            self.url = url
        }
    }

    static let version: UInt8 = 1
    static let macLength = 16
    /// Longer tokens are refused unread (an address of about 6 KB).
    static let maxLength = 8192

    /// The token of `claims`; nil when an id is not a record id or a click's address is not a web address.
    package static func make(_ claims: Claims, secret: String) -> String? {
        guard let workspace = Hex.uuidBytes(claims.workspaceID), let id = Hex.uuidBytes(claims.id) else { return nil }
        var payload: [UInt8] = [version, claims.kind.rawValue] + workspace + id
        if claims.kind == .click {
            guard let url = claims.url, TrackedLinks.isWebAddress(url) else { return nil }
            payload += Array(url.utf8)
        }
        return Data(payload + mac(payload, secret: secret)).base64URL
    }

    /// What a token of `kind` says, when its signature holds; nil for anything else.
    package static func read(_ token: String, kind: Kind, secret: String) -> Claims? {
        guard token.utf8.count <= maxLength, let data = Data(base64URL: token) else { return nil }
        let bytes = Array(data)
        guard bytes.count >= 2 + 32 + macLength else { return nil }
        let payload = Array(bytes[..<(bytes.count - macLength)])
        let tag = bytes[(bytes.count - macLength)...]
        guard constantTimeEqual(mac(payload, secret: secret), Array(tag)), payload[0] == version,
            payload[1] == kind.rawValue
        else { return nil }
        let workspace = idText(payload[2..<18])
        let id = idText(payload[18..<34])
        var claims = Claims(kind: kind, workspaceID: workspace, id: id)
        if kind == .click {
            guard let url = String(bytes: payload[34...], encoding: .utf8), TrackedLinks.isWebAddress(url) else {
                return nil
            }
            claims.url = url
        } else if payload.count != 34 {
            return nil
        }
        return claims
    }

    static func mac(_ payload: [UInt8], secret: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: payload, using: key(secret)).prefix(macLength))
    }

    /// The HMAC key derived from `secret`, derived once per secret (a server has one; tests a few).
    static func key(_ secret: String) -> SymmetricKey {
        if let key = keys.withLock({ $0[secret] }) { return key }
        let key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(secret.utf8)), info: Data("rapport.tracking.v1".utf8),
            outputByteCount: 32)
        keys.withLock { keys in
            if keys.count >= 16 { keys.removeAll() }
            keys[secret] = key
        }
        return key
    }

    private static let keys = Mutex<[String: SymmetricKey]>([:])

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// 16 bytes as a record id (`8-4-4-4-12` lower-case hex, as `RecordID` writes them).
    static func idText(_ bytes: ArraySlice<UInt8>) -> String {
        var out = ""
        for (index, digit) in Hex.encode(Array(bytes)).enumerated() {
            if index == 8 || index == 12 || index == 16 || index == 20 { out.append("-") }
            out.append(digit)
        }
        return out
    }
}
