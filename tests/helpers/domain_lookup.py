"""A small fake of the DomainLookup port (a dict of answers) and a registration builder, and a
local RDAP server that answers as a registry's RDAP service does (RFC 9083 domain objects)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from domain.ports import DomainRegistration

NEW_COMPANY = "91330106MA2H8K3L08"  # 杭州新芽文化创意有限公司 of the demo domain table
NEW_COMPANY_NAME = "杭州新芽文化创意有限公司"


def registration(domain: str = "xinya-wenchuang.cn", **changes: object) -> DomainRegistration:
    """A verified registration held by the demo's new company, expiring in 2029; `changes` apply."""
    base = DomainRegistration(
        domain=domain,
        holder_name=NEW_COMPANY_NAME,
        holder_certificate_type="统一社会信用代码",
        holder_certificate_number=NEW_COMPANY,
        registrar="阿里云计算有限公司（万网）",
        expires=date(2029, 3, 18),
        real_name_verified=True,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@dataclass
class FakeDomainLookup:
    """Answers from a dict (ASCII domain -> registration); a domain in `down` raises
    ConnectionError, as a source that does not answer; `asked` records each question."""

    answers: dict[str, DomainRegistration] = field(default_factory=dict)
    down: set[str] = field(default_factory=set)
    asked: list[str] = field(default_factory=list)

    def lookup(self, domain: str) -> DomainRegistration | None:
        self.asked.append(domain)
        if domain in self.down:
            raise ConnectionError(f"{domain}: no answer")
        return self.answers.get(domain)


@dataclass
class RdapStandIn:
    """The fake RDAP server's base URL, its answers by domain (JSON documents or a status code)
    and the paths it was asked."""

    base_url: str = ""
    answers: dict[str, dict | int] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)


@contextmanager
def rdap_server() -> Iterator[RdapStandIn]:
    """An HTTP server on 127.0.0.1 answering GET /domain/<name> from `stand_in.answers`
    (a dict: 200 with it as application/rdap+json; an int: that status; absent: 404)."""
    stand_in = RdapStandIn()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            stand_in.asked.append(self.path)
            name = self.path.removeprefix("/rdap/domain/")
            answer = stand_in.answers.get(name, 404)
            if isinstance(answer, int):
                self.send_response(answer)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/rdap+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stand_in.base_url = f"http://127.0.0.1:{server.server_address[1]}/rdap/"
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()


def rdap_domain(name: str, registrant: str, registrar: str, expires: str) -> dict:
    """An RDAP domain object as a registry answers (RFC 9083 sections 5.3, 4.5; jCard names)."""

    def entity(role: str, full_name: str) -> dict:
        return {
            "objectClassName": "entity",
            "roles": [role],
            "vcardArray": [
                "vcard",
                [["version", {}, "text", "4.0"], ["fn", {}, "text", full_name]],
            ],
        }

    return {
        "objectClassName": "domain",
        "ldhName": name,
        "status": ["active"],
        "events": [
            {"eventAction": "registration", "eventDate": "2020-03-18T10:00:00Z"},
            {"eventAction": "expiration", "eventDate": expires},
        ],
        "entities": [entity("registrar", registrar), entity("registrant", registrant)],
    }
