import RapportMail
import RapportMailTestSupport
import Testing

@Suite("SMTP replies and extensions")
struct SMTPReplyTests {
    @Test("EHLO's lines become keywords with parameters, old AUTH= lines included")
    func extensions() {
        let reply = SMTPReply(
            code: 250,
            lines: [
                "mx.example.test Hello", "PIPELINING", "SIZE 10240000", "8BITMIME", "STARTTLS", "AUTH PLAIN login",
                "AUTH=CRAM-MD5", "ENHANCEDSTATUSCODES",
            ])
        let extensions = SMTPExtensions(ehlo: reply)
        #expect(extensions.pipelining)
        #expect(extensions.startTLS)
        #expect(extensions.eightBitMIME)
        #expect(extensions.size)
        #expect(extensions.maximumSize == 10_240_000)
        #expect(extensions.authMechanisms == ["PLAIN", "LOGIN", "CRAM-MD5"])
        #expect(extensions.keywords["ENHANCEDSTATUSCODES"] == [])
        #expect(SMTPExtensions(ehlo: SMTPReply(code: 250, lines: ["mx", "SIZE"])).maximumSize == nil)
    }

    @Test(
        "4xx replies are transient, 5xx permanent",
        arguments: [
            (250, false, false), (354, false, false),
            (421, true, false), (451, true, false), (550, false, true), (554, false, true),
        ])
    func classification(_ code: Int, _ transient: Bool, _ permanent: Bool) {
        let reply = SMTPReply(code: code, lines: ["text"])
        #expect(reply.isTransient == transient)
        #expect(reply.isPermanent == permanent)
        #expect(reply.isPositive == (code < 400))
    }

    @Test("errors say which step failed and whether trying later may help")
    func errors() {
        let refused = SMTPError(.connectFailed, stage: "connect", "connection refused")
        #expect(refused.isTransient)
        #expect(refused.description == "SMTP connectFailed at connect: connection refused")
        let auth = SMTPError(
            .authenticationFailed, stage: "AUTH PLAIN", "refused", reply: SMTPReply(code: 535, lines: ["5.7.8 no"]))
        #expect(!auth.isTransient)
        #expect(auth.description == "SMTP authenticationFailed at AUTH PLAIN: refused (server said: 535 5.7.8 no)")
        #expect(!SMTPError(.certificateVerificationFailed, stage: "TLS handshake", "x").isTransient)
    }
}
