"""The customers' websites and DNS as the duties' checks meet them, run locally: an HTTP(S) server
that answers per Host header as each test says (a page, a status, a redirect, a hang), and a DNS
server (dnslib) that answers A and AAAA per name as each test says (addresses, NXDOMAIN, SERVFAIL).
Both listen on 127.0.0.1 on ports the system picks."""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from dnslib import AAAA, QTYPE, RCODE, RR, A
from dnslib.server import BaseResolver, DNSServer

from adapters.dns import DnspythonResolver
from adapters.fetcher import HttpxPageFetcher
from tests.helpers.platforms import self_signed_certificate

QINGHE_NUMBER = "浙ICP备2021000001号-1"
MIIT_LINK = '<a href="https://beian.miit.gov.cn/" target="_blank">{number}</a>'


def page(footer: str, title: str = "青禾科技") -> bytes:
    """A home page with `footer` at its bottom."""
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>'
        f"<script>var x = '{QINGHE_NUMBER}';</script></head>"
        f"<body><main>欢迎</main><footer>{footer}</footer></body></html>"
    ).encode()


def footer_ok(number: str = QINGHE_NUMBER) -> bytes:
    return page(MIIT_LINK.format(number=number))


@dataclass
class Answer:
    """What the site answers for one host: a status and body, a Location, or a wait first."""

    status: int = 200
    body: bytes = b""
    location: str = ""
    delay: float = 0.0
    content_type: str = "text/html; charset=utf-8"


@dataclass
class Sites:
    """The running server(s): per-host answers, the ports, and what was asked (host, path)."""

    answers: dict[str, Answer] = field(default_factory=dict)
    asked: list[tuple[str, str, str]] = field(default_factory=list)  # (scheme, host, path)
    http_port: int = 0
    https_port: int = 0

    def fetcher(self, timeout: float = 2.0) -> HttpxPageFetcher:
        """A fetcher that reaches these servers for http:// and https:// URLs."""
        return HttpxPageFetcher(
            timeout=timeout, max_bytes=256 * 1024, allow_private=True,
            ports={"http": self.http_port, "https": self.https_port},
        )  # fmt: skip


def _handler(sites: Sites, scheme: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            host = (self.headers.get("Host") or "").split(":")[0]
            sites.asked.append((scheme, host, self.path))
            answer = sites.answers.get(f"{scheme}://{host}") or sites.answers.get(host)
            if answer is None:
                self.send_error(404)
                return
            if answer.delay:
                time.sleep(answer.delay)
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            if answer.location:
                self.send_header("Location", answer.location)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            try:
                self.wfile.write(answer.body)
            except OSError:  # the client gave up (a hang it timed out on)
                pass

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def websites(directory: Path, https: bool = True) -> Iterator[Sites]:
    """An HTTP server (and an HTTPS one with a self-signed certificate) on 127.0.0.1."""
    sites = Sites()
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _handler(sites, "http"))]
    sites.http_port = servers[0].server_address[1]
    if https:
        secure = ThreadingHTTPServer(("127.0.0.1", 0), _handler(sites, "https"))
        cert, key = self_signed_certificate(directory)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        secure.socket = context.wrap_socket(secure.socket, server_side=True)
        sites.https_port = secure.server_address[1]
        servers.append(secure)
    else:  # nothing listens there: https fails at once and the check falls back to http
        sites.https_port = _closed_port()
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield sites
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def _closed_port() -> int:
    probe = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = probe.server_address[1]
    probe.server_close()
    return int(port)


# --- DNS --------------------------------------------------------------------------------------


@dataclass
class Zone:
    """Name -> addresses (A and AAAA by their form); names in `nxdomain` do not exist, names in
    `servfail` fail; any other name has no records."""

    records: dict[str, list[str]] = field(default_factory=dict)
    servfail: set[str] = field(default_factory=set)
    asked: list[tuple[str, str]] = field(default_factory=list)


class _ZoneResolver(BaseResolver):
    def __init__(self, zone: Zone) -> None:
        self.zone = zone

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        qtype = QTYPE[request.q.qtype]
        self.zone.asked.append((name, qtype))
        if name in self.zone.servfail:
            reply.header.rcode = RCODE.SERVFAIL
            return reply
        if name not in self.zone.records:
            reply.header.rcode = RCODE.NXDOMAIN
            return reply
        for address in self.zone.records[name]:
            if qtype == "A" and ":" not in address:
                reply.add_answer(RR(request.q.qname, QTYPE.A, rdata=A(address), ttl=60))
            elif qtype == "AAAA" and ":" in address:
                reply.add_answer(RR(request.q.qname, QTYPE.AAAA, rdata=AAAA(address), ttl=60))
        return reply


class _QuietLogger:
    def __getattr__(self, _name):
        return lambda *args, **kwargs: None


@dataclass
class Dns:
    zone: Zone
    port: int

    def resolver(self, timeout: float = 2.0) -> DnspythonResolver:
        return DnspythonResolver(f"127.0.0.1:{self.port}", timeout)


@contextmanager
def dns_server() -> Iterator[Dns]:
    """A DNS server on 127.0.0.1 (UDP) answering from a Zone the test fills."""
    zone = Zone()
    server = DNSServer(_ZoneResolver(zone), address="127.0.0.1", port=0, logger=_QuietLogger())
    server.start_thread()
    try:
        yield Dns(zone, int(server.server.server_address[1]))
    finally:
        server.stop()
        server.server.server_close()
