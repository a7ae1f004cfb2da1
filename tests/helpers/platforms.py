"""Local stand-ins for the outside world the outbox talks to: an HTTP endpoint that answers as an
SMS platform's API would (recording each request the SDK really sends), and an SMTP server with
STARTTLS and login (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import logging
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class PlatformRequest:
    """One request as it reached the stand-in: headers (lower-case names), query and JSON body."""

    path: str
    headers: dict[str, str]
    query: dict[str, str]
    body: dict


@dataclass
class StandIn:
    """The stand-in's address, the answer it gives next, and what it received."""

    endpoint: str
    answer: dict = field(default_factory=dict)
    status: int = 200
    received: list[PlatformRequest] = field(default_factory=list)


@contextmanager
def sms_platform() -> Iterator[StandIn]:
    """An HTTP endpoint on 127.0.0.1 that answers every POST with `stand_in.answer` (JSON)."""
    stand_in = StandIn(endpoint="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            url = urlparse(self.path)
            stand_in.received.append(
                PlatformRequest(
                    path=url.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    query={k: v[0] for k, v in parse_qs(url.query).items()},
                    body=json.loads(raw) if raw.startswith(b"{") else {},
                )
            )
            out = json.dumps(stand_in.answer, ensure_ascii=False).encode()
            self.send_response(stand_in.status)
            self.send_header("Content-Type", "application/json")  # as both platforms answer
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stand_in.endpoint = f"http://127.0.0.1:{server.server_port}"
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """(certificate, key) files for 127.0.0.1, valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "smtp.crt", directory / "smtp.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@dataclass
class SmtpServer:
    """The running server: where it listens, the CA file that trusts it, what it received."""

    host: str
    port: int
    ca_file: Path
    user: str
    password: str
    received: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(
    directory: Path, user: str = "beian", password: str = "s3cret"
) -> Iterator[SmtpServer]:
    """aiosmtpd on 127.0.0.1 that requires STARTTLS before AUTH LOGIN/PLAIN, and keeps each message."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd warns of its own deprecations
    cert_file, key_file = self_signed_certificate(directory)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert_file, key_file)
    server = SmtpServer("127.0.0.1", _free_port(), cert_file, user, password)

    class Handler:
        async def handle_DATA(self, _server, _session, envelope) -> str:  # noqa: N802 - aiosmtpd's
            server.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            server.received.append(
                message_from_bytes(envelope.original_content, policy=policy.default)  # type: ignore[arg-type]
            )
            return "250 OK"

    def authenticate(_server, _session, _envelope, _mechanism, data) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            user.encode(),
            password.encode(),
        )
        return AuthResult(success=ok)

    controller = Controller(
        Handler(), hostname=server.host, port=server.port, tls_context=tls,
        require_starttls=True, auth_require_tls=True, authenticator=authenticate,
        ready_timeout=10,
    )  # fmt: skip
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
