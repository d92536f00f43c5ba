/// Why a message could not be rendered. Nothing is sent when rendering fails.
package enum MailError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An address that is not `local@domain` in printable ASCII (or would break the header or the SMTP command).
    case invalidAddress(String)
    /// An extra header's name is not printable ASCII without a colon.
    case invalidHeaderName(String)
    /// An extra header tried to set a header the renderer writes itself (From, Date, Content-Type, …).
    case reservedHeader(String)
    /// A Message-ID that is not `left@right` in printable ASCII.
    case invalidMessageID(String)
    /// A List-Unsubscribe address that is not a usable URI, or One-Click asked for without an https URL.
    case invalidUnsubscribe(String)

    package var description: String {
        switch self {
        case .invalidAddress(let address): "not a valid email address: \(address.debugDescription)"
        case .invalidHeaderName(let name): "not a valid header name: \(name.debugDescription)"
        case .reservedHeader(let name): "the header \(name) is written by the renderer and cannot be set"
        case .invalidMessageID(let id): "not a valid Message-ID: \(id.debugDescription)"
        case .invalidUnsubscribe(let reason): "invalid List-Unsubscribe: \(reason)"
        }
    }
}
