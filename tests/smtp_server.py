"""A local SMTP server for the tests: speaks enough SMTP for smtplib (no TLS, no auth) and
keeps every message it accepts, with its envelope recipients."""

from __future__ import annotations

import email
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message


@dataclass
class Received:
    recipients: list[str]
    raw: str

    @property
    def message(self) -> Message:
        return email.message_from_string(self.raw)

    @property
    def subject(self) -> str:
        return str(email.header.make_header(email.header.decode_header(self.message["Subject"])))

    @property
    def body(self) -> str:
        return self.message.get_payload(decode=True).decode("utf-8")


@dataclass
class SmtpServer:
    port: int
    messages: list[Received] = field(default_factory=list)


@contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    box = SmtpServer(0)

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            self.wfile.write(b"220 test ESMTP\r\n")
            data, recipients = None, []
            while line := self.rfile.readline():
                if data is not None:
                    if line == b".\r\n":
                        raw = b"".join(data).decode("utf-8", "replace")
                        box.messages.append(Received(recipients, raw))
                        data, recipients = None, []
                        self.wfile.write(b"250 queued\r\n")
                    else:
                        data.append(line[1:] if line.startswith(b"..") else line)
                    continue
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    self.wfile.write(b"250 test\r\n")
                elif verb == b"RCPT":
                    address = line.decode().split(":", 1)[1].strip().strip("<>")
                    recipients.append(address)
                    self.wfile.write(b"250 ok\r\n")
                elif verb == b"DATA":
                    data = []
                    self.wfile.write(b"354 go on\r\n")
                elif verb == b"QUIT":
                    self.wfile.write(b"221 bye\r\n")
                    return
                else:
                    self.wfile.write(b"250 ok\r\n")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    box.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box
    finally:
        server.shutdown()
        server.server_close()
