"""A local SMTP mailbox for `chorus demo`: every email Chorus sends is printed, decoded.

Django's console backend prints raw MIME (quoted-printable lines break long links); this
tiny SMTP server takes the message the real SMTP backend sends and prints its text part,
so a magic-link email shows a link you can click. It only listens on 127.0.0.1.
"""

import email
import email.policy
import socketserver
import threading
from collections.abc import Callable

MAX_MESSAGE_BYTES = 5 * 1024 * 1024


class _SmtpSession(socketserver.StreamRequestHandler):
    """Just enough SMTP for Python's smtplib: EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    timeout = 30

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 chorus-demo ESMTP")
        recipients: list[str] = []
        while True:
            line = self.rfile.readline(4096)
            if not line:
                return
            verb = line.decode("latin-1").strip().split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.reply("250-chorus-demo")
                self.reply("250 8BITMIME")
            elif verb in ("HELO", "MAIL", "NOOP"):
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(line.decode("latin-1").split(":", 1)[-1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "RSET":
                recipients = []
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                self.server.deliver(self._read_data(), recipients)
                recipients = []
                self.reply("250 Message accepted")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")

    def _read_data(self) -> bytes:
        lines, size = [], 0
        while True:
            line = self.rfile.readline(65536)
            if not line or line in (b".\r\n", b".\n"):
                return b"".join(lines)
            size += len(line)
            if size <= MAX_MESSAGE_BYTES:
                lines.append(line[1:] if line.startswith(b"..") else line)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, deliver: Callable[[bytes, list[str]], None]):
        super().__init__(("127.0.0.1", 0), _SmtpSession)
        self.deliver = deliver


def format_message(raw: bytes, recipients: list[str]) -> str:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    body = message.get_body(preferencelist=("plain", "html"))
    text = body.get_content().strip() if body is not None else ""
    rule = "─" * 72
    header = f"✉  To: {', '.join(recipients) or message['To']}   Subject: {message['Subject']}"
    return f"\n{rule}\n{header}\n{rule}\n{text}\n{rule}\n"


class DemoMailbox:
    """Start with `start()`; `url` is the EMAIL_URL that sends to it."""

    def __init__(self, output: Callable[[str], None] = print):
        self.output = output
        self._server = _Server(self._deliver)
        self._thread = threading.Thread(target=self._server.serve_forever, name="chorus-demo-mailbox", daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> "DemoMailbox":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _deliver(self, raw: bytes, recipients: list[str]) -> None:
        try:
            self.output(format_message(raw, recipients))
        except Exception as error:  # a message we cannot parse is still worth a line
            self.output(f"✉  An email to {', '.join(recipients)} could not be shown: {error}")
