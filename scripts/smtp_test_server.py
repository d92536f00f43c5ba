#!/usr/bin/python3
"""A real SMTP server (aiosmtpd) for Rapport's mail tests and benchmarks.

Run it with Debian's interpreter (/usr/bin/python3: python3-aiosmtpd is importable only there):

    /usr/bin/python3 scripts/smtp_test_server.py --dir DIR [--port 0] [options]

It listens on 127.0.0.1 (a free port when --port is 0), prints `PORT <n>` on standard output once it
accepts connections, and stores every message it accepts in DIR as `<n>.eml` (the bytes received, dot
stuffing undone) and `<n>.json`: the envelope, the session (TLS, authenticated user, whether the client
pipelined MAIL with what followed it, and the number of the connection it came on, counting connections that
delivered a message from 1) and the message as Python's `email` package parses it (headers with
encoded words decoded, addresses split into display name and address, each text part decoded, defects).

Options:
  --tls-cert PEM --tls-key PEM   offer STARTTLS with this certificate
  --require-starttls             refuse mail until the client has started TLS
  --implicit-tls                 TLS from the first byte (port 465 style) with the same certificate
  --auth USER:PASSWORD           offer AUTH PLAIN and LOGIN and accept this one login only
  --auth-plaintext               offer AUTH before TLS too (aiosmtpd offers it only after TLS by default)
  --pipelining                   advertise PIPELINING (aiosmtpd reads pipelined commands in order anyway)
  --reject ADDRESS=REPLY         answer RCPT TO:<ADDRESS> with REPLY, e.g. "550 5.1.1 no such user"
  --reject-once ADDRESS=REPLY    answer only the first RCPT TO:<ADDRESS> with REPLY (a 451 greylisting), accept later ones
  --idle-timeout SECONDS         close a connection idle this long (the default is 300 s)
  --no-ehlo                      answer EHLO with 502, as a server that speaks only HELO
  --silent                       accept connections and never say a word (for timeouts)
  --stall-data SECONDS           wait this long before answering the message's final dot
  --close-first-mail             answer the first MAIL of all with 421 and close that connection
  --starttls-inject              a fake server that offers STARTTLS and sends plain-text lines after its 220
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import signal
import socket
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

ADDRESS_HEADERS = {"from", "to", "cc", "reply-to", "sender"}


def parse_message(raw: bytes) -> dict:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    headers = []
    addresses = {}
    defects = [type(d).__name__ for d in msg.defects]
    for name, value in msg.items():
        headers.append([name, str(value)])
        defects += [type(d).__name__ for d in getattr(value, "defects", ())]
        if name.lower() in ADDRESS_HEADERS:
            addresses.setdefault(name.lower(), []).extend(
                [a.display_name, a.addr_spec] for a in value.addresses)
    parts = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        parts.append({
            "content_type": part.get_content_type(),
            "charset": part.get_content_charset(),
            "transfer_encoding": part.get("Content-Transfer-Encoding"),
            "text": part.get_content(),
        })
        defects += [type(d).__name__ for d in part.defects]
    lines = raw.split(b"\r\n")
    return {
        "headers": headers,
        "addresses": addresses,
        "content_type": msg.get_content_type(),
        "parts": parts,
        "defects": defects,
        "longest_line": max(len(line) for line in lines),
        "bare_line_feeds": raw.replace(b"\r\n", b"").count(b"\n"),
        "ascii_only": all(b < 128 for b in raw),
    }


class Recorder:
    def __init__(self, args):
        self.dir = args.dir
        self.count = 0
        self.rejects = {}
        for rule in args.reject:
            address, reply = rule.split("=", 1)
            self.rejects[address.lower()] = reply
        self.rejects_once = {}
        for rule in args.reject_once:
            address, reply = rule.split("=", 1)
            self.rejects_once[address.lower()] = reply
        self.pipelining = args.pipelining
        self.no_ehlo = args.no_ehlo
        self.stall_data = args.stall_data
        self.close_next_mail = args.close_first_mail
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        if self.no_ehlo:
            return ["502 5.5.1 EHLO not implemented"]
        session.host_name = hostname
        if self.pipelining:
            responses.insert(len(responses) - 1, "250-PIPELINING")
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.close_next_mail:
            self.close_next_mail = False
            asyncio.get_running_loop().call_soon(server.transport.close)
            return "421 4.3.2 closing this session, try another"
        # Commands the client sent behind MAIL without waiting for its reply are already in the buffer.
        envelope.pipelined = len(getattr(server._reader, "_buffer", b"")) > 0
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.rejects.get(address.lower()) or self.rejects_once.pop(address.lower(), None)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.stall_data:
            await asyncio.sleep(self.stall_data)
        self.count += 1
        n = self.count
        if not hasattr(server, "rapport_connection"):
            self.connections += 1
            server.rapport_connection = self.connections
        raw = envelope.original_content
        auth = session.auth_data
        record = {
            "number": n,
            "mail_from": envelope.mail_from,
            "mail_options": envelope.mail_options,
            "rcpt_tos": envelope.rcpt_tos,
            "helo": session.host_name,
            "extended_smtp": session.extended_smtp,
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "user": auth.login.decode() if isinstance(auth, LoginPassword) else None,
            "pipelined": getattr(envelope, "pipelined", False),
            "connection": server.rapport_connection,
            "message": parse_message(raw),
        }
        with open(os.path.join(self.dir, f"{n}.eml"), "wb") as f:
            f.write(raw)
        tmp = os.path.join(self.dir, f"{n}.json.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.rename(tmp, os.path.join(self.dir, f"{n}.json"))
        return f"250 2.0.0 OK queued as {n}"


class Authenticator:
    def __init__(self, user: str, password: str):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            self.user, self.password)
        # handled=False: aiosmtpd answers (235, or 535 on failure) itself
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


async def starttls_inject(args):
    """Offers STARTTLS and, in the same write as its 220, sends lines a man in the middle could have added."""
    async def session(reader, writer):
        writer.write(b"220 mx.rapport.test ESMTP\r\n")
        while line := await reader.readline():
            command = line.strip().upper()
            if command.startswith(b"EHLO"):
                writer.write(b"250-mx.rapport.test\r\n250 STARTTLS\r\n")
            elif command == b"STARTTLS":
                writer.write(b"220 2.0.0 Ready to start TLS\r\n250-mx.rapport.test\r\n250 AUTH PLAIN\r\n")
            elif command == b"QUIT":
                writer.write(b"221 2.0.0 Bye\r\n")
                break
            else:
                writer.write(b"502 5.5.2 Not here\r\n")
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(session, args.host, args.port)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    await server.serve_forever()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--require-starttls", action="store_true")
    p.add_argument("--implicit-tls", action="store_true")
    p.add_argument("--auth")
    p.add_argument("--auth-plaintext", action="store_true")
    p.add_argument("--pipelining", action="store_true")
    p.add_argument("--reject", action="append", default=[])
    p.add_argument("--reject-once", action="append", default=[])
    p.add_argument("--idle-timeout", type=float, default=300)
    p.add_argument("--no-ehlo", action="store_true")
    p.add_argument("--silent", action="store_true")
    p.add_argument("--stall-data", type=float, default=0)
    p.add_argument("--close-first-mail", action="store_true")
    p.add_argument("--starttls-inject", action="store_true")
    args = p.parse_args()
    # A parent may start us with signals blocked (Foundation's Process passes its thread's mask on): unblock
    # them, so that SIGTERM stops the server.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])

    if args.silent:
        # the kernel completes the TCP handshake for the listen backlog; nothing is ever read or written
        sock = socket.socket()
        sock.bind((args.host, args.port))
        sock.listen(16)
        print(f"PORT {sock.getsockname()[1]}", flush=True)
        while True:
            signal.pause()  # SIGTERM ends the process

    if args.starttls_inject:
        asyncio.run(starttls_inject(args))
        return

    context = None
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)

    recorder = Recorder(args)
    options = {
        "hostname": "mx.rapport.test",
        "timeout": args.idle_timeout,
        # with implicit TLS the whole connection is encrypted, though aiosmtpd only knows about STARTTLS
        "auth_require_tls": not (args.auth_plaintext or args.implicit_tls),
    }
    if args.auth:
        user, password = args.auth.split(":", 1)
        options["authenticator"] = Authenticator(user, password)
    if context and not args.implicit_tls:
        options["tls_context"] = context
        options["require_starttls"] = args.require_starttls

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def factory():
        return SMTP(recorder, loop=loop, **options)

    server = loop.run_until_complete(loop.create_server(
        factory, host=args.host, port=args.port, ssl=context if args.implicit_tls else None))
    port = server.sockets[0].getsockname()[1]
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.add_signal_handler(signal.SIGINT, loop.stop)
    print(f"PORT {port}", flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()
    sys.exit(0)


if __name__ == "__main__":
    main()
