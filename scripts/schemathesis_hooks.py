"""Schemathesis hooks for `scripts/test` (SCHEMATHESIS_HOOKS=schemathesis_hooks): request bodies of media
types it cannot make by itself. `POST /api/v1/email/inbound` takes a raw message (message/rfc822): it gets
real-looking messages (a bounce report, an unsubscribe request, a reply) and arbitrary bytes, which the API
must answer with 200 (acted on or ignored) or a problem, never a server error."""
from hypothesis import strategies as st

import schemathesis

REPORT = (
    b"From: MAILER-DAEMON@relay.test\r\nSubject: Undelivered Mail\r\n"
    b'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\r\n\r\n'
    b"--R\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; relay.test\r\n\r\n"
    b"Final-Recipient: rfc822; gone@mail.test\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
    b"--R\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <x@acme.test>\r\n--R--\r\n"
)
MESSAGES = st.sampled_from(
    [
        REPORT,
        b"From: ann@mail.test\r\nSubject: unsubscribe AAAA\r\n\r\nPlease stop.\r\n",
        "From: dariush@mail.test\r\nSubject: =?UTF-8?B?2LPZhNin2YU=?=\r\n\r\nسلام\r\n".encode(),
    ]
)

schemathesis.openapi.media_type("message/rfc822", MESSAGES | st.binary(max_size=4096))
