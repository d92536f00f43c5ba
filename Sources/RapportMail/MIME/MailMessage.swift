package import Foundation

/// One email as Rapport writes it: addresses, subject, a text and/or an HTML body, the list headers a bulk
/// sender owes its recipients, and any extra `X-` headers. ``render(now:)`` turns it into the bytes sent in DATA.
package struct MailMessage: Sendable {
    package var from: MailAddress
    package var to: [MailAddress]
    package var cc: [MailAddress] = []
    package var replyTo: [MailAddress] = []
    package var subject: String
    /// The text/plain body; with ``html`` the message is multipart/alternative (text first, HTML preferred).
    package var text: String?
    /// The text/html body.
    package var html: String?
    /// List-Unsubscribe (RFC 2369) and, for one-click, List-Unsubscribe-Post (RFC 8058).
    package var listUnsubscribe: ListUnsubscribe?
    /// Extra headers, written after the standard ones in this order (e.g. `X-Rapport-Campaign`).
    package var headers: [MailHeader] = []
    /// The Message-ID without angle brackets; a random one at the From address's domain when nil.
    package var messageID: String?
    /// The Date header; the `now` given to ``render(now:)`` when nil.
    package var date: Date?

    package init(
        from: MailAddress, to: [MailAddress], subject: String, text: String? = nil, html: String? = nil
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
    }
}

/// An extra header. Its value is sanitised (line breaks become spaces) and folded; its name must be printable
/// ASCII without a colon and may not be one of the headers the renderer writes itself.
package struct MailHeader: Sendable, Hashable {
    package var name: String
    package var value: String

    package init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// The unsubscribe addresses a marketing message carries. Mailbox providers show an "Unsubscribe" button from
/// them, and Gmail and Yahoo require one-click (RFC 8058) from bulk senders.
package struct ListUnsubscribe: Sendable, Hashable {
    /// An address or `mailto:` URI (`unsubscribe+TOKEN@example.com`, `mailto:…?subject=unsubscribe`).
    package var mailto: String?
    /// An `https:` URL that unsubscribes on POST (one-click) and shows a confirmation page on GET.
    package var url: String?
    /// Whether to add `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (needs an https ``url``).
    package var oneClick: Bool

    package init(mailto: String? = nil, url: String? = nil, oneClick: Bool = true) {
        self.mailto = mailto
        self.url = url
        self.oneClick = oneClick
    }
}

/// A rendered message: the bytes of DATA (CRLF line endings, 7-bit, not yet dot-stuffed) and its Message-ID.
package struct RenderedMail: Sendable, Hashable {
    /// The Message-ID without angle brackets, to store with the send and match bounces and replies.
    package var messageID: String
    package var bytes: [UInt8]

    package init(messageID: String, bytes: [UInt8]) {
        self.messageID = messageID
        self.bytes = bytes
    }

    /// The message as text (it is ASCII).
    package var text: String { String(decoding: bytes, as: UTF8.self) }
}
