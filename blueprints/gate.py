"""The access gate for the provider's edge (DOMAIN.md A9): `/gate/check` (204 allowed, 403 not,
400 not a host name; no session, no cookie, no body), `/gate/export` (the allowed set as an nginx
map, JSON or text, with its version as the ETag) and `/gate/blocked` (the page an edge shows for a
refused host). Only `BEIAN_GATE_ALLOWED_CLIENTS` or a caller with `BEIAN_GATE_TOKEN` may ask the
first two; the block page is for anyone."""

from __future__ import annotations

import hmac
import ipaddress
import logging
from dataclasses import dataclass, field
from urllib.parse import urljoin

from flask import Blueprint, Flask, Response, current_app, render_template, request, url_for

import runtime
from domain.duties import gate
from domain.rulebook.filing_type import unicode_domain
from models import utcnow
from runtime.transaction import transaction

bp = Blueprint("gate", __name__, url_prefix="/gate")
log = logging.getLogger(__name__)
TOKEN_HEADER = "X-Gate-Token"
MEDIA_TYPES = {"json": "application/json", "text": "text/plain", "nginx-map": "text/plain"}
# The block page is shown on a customer's host, where the app's /static/ is blocked too: its
# style is inline, and nothing else may load.
BLOCK_PAGE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


@dataclass
class GateState:
    """What one app keeps for the gate in this process."""

    allowed: gate.Gate
    refusals: gate.RefusalLog
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    token: str
    callers: dict[str, bool] = field(default_factory=dict)  # address -> may call

    def may_call(self) -> bool:
        """The caller is on the allowed networks, or carries the token."""
        if self.token:
            offered = request.headers.get(TOKEN_HEADER, "")
            if offered and hmac.compare_digest(offered.encode(), self.token.encode()):
                return True
        address = request.remote_addr or ""
        known = self.callers.get(address)
        if known is None:
            try:
                ip = ipaddress.ip_address(address)
                known = any(ip in network for network in self.networks)
            except ValueError:
                known = False
            if len(self.callers) > 1000:
                self.callers.clear()
            self.callers[address] = known
            if not known:
                log.warning("gate: a caller outside BEIAN_GATE_ALLOWED_CLIENTS was refused")
        return known


def networks_of(setting: object) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """BEIAN_GATE_ALLOWED_CLIENTS as networks (a comma- or space-separated text, or a list)."""
    parts = setting if isinstance(setting, list | tuple) else str(setting).replace(",", " ").split()
    return tuple(ipaddress.ip_network(str(part).strip(), strict=False) for part in parts if part)


def state_of(app: Flask) -> GateState:
    """The gate of `app` in this process, made at its first use."""
    kept = app.extensions.get("beian_gate")
    if kept is None:
        config = app.config
        kept = app.extensions["beian_gate"] = GateState(
            gate.Gate(
                runtime.current_policy().provider_code, float(config["GATE_REFRESH_SECONDS"])
            ),
            gate.RefusalLog(float(config["GATE_LOG_FLUSH_SECONDS"])),
            networks_of(config["GATE_ALLOWED_CLIENTS"]),
            str(config["GATE_TOKEN"] or ""),
        )
    return kept


def _empty(status: int) -> Response:
    return current_app.response_class(status=status)


@bp.get("/check")
def check():
    """For the edge: 204 when the host may be served on the provider's IPs, 403 when not, 400
    when it is no host name."""
    kept = state_of(current_app)
    if not kept.may_call():
        return _empty(403)
    verdict = kept.allowed.verdict(request.args.get("host", ""))
    if verdict.allowed:
        return _empty(204)
    if verdict.host is None:
        return _empty(400)
    try:
        with transaction():
            kept.refusals.refused(verdict.host, utcnow())
    except Exception:  # counting must never keep the edge from its answer
        log.exception("gate: a refusal could not be counted")
    return _empty(403)


@bp.get("/export")
def export():
    """For the edge: the allowed domains (`format` nginx-map, json or text), version as ETag."""
    kept = state_of(current_app)
    if not kept.may_call():
        return _empty(403)
    fmt = request.args.get("format", "json")
    if fmt not in gate.FORMATS:
        return _empty(400)
    version, body = kept.allowed.export(fmt)
    headers = {"ETag": f'"{version}"', "X-Gate-Version": version, "Cache-Control": "no-cache"}
    if request.if_none_match.contains(version):
        return current_app.response_class(status=304, headers=headers)
    return current_app.response_class(body, mimetype=MEDIA_TYPES[fmt], headers=headers)


@bp.get("/blocked")
def blocked():
    """The page an edge shows for a refused host: whose IPs these are, why, and how to file here."""
    host = gate.read_host(request.args.get("host", "")[: gate.MAX_HOST])
    policy = runtime.current_policy()
    page = render_template(
        "gate/blocked.html",
        host=unicode_domain(host.name) if host else "",
        provider=policy.provider_name,
        signup_url=urljoin(policy.public_url, url_for("auth.signup")),
        home_url=urljoin(policy.public_url, url_for("site.index")),
    )
    return page, 200, {"Content-Security-Policy": BLOCK_PAGE_CSP, "Cache-Control": "no-store"}
