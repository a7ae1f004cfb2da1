"""The shipped deploy/nginx.conf: an access log without query strings, Referers or User-Agents
(reviewers' searches by ID or mobile number would land there), no version in its answers, and no
X-Forwarded-Host of a client's choosing passed to the app."""

from __future__ import annotations

import re

from tests.helpers.live_server import ROOT

CONF = (ROOT / "deploy" / "nginx.conf").read_text()
LEAKY = ("$request ", "$request\"", "$request_uri", "$args", "$query_string", "$arg_",
         "$http_referer", "$http_user_agent", "$is_args")  # fmt: skip


def _directives(name: str) -> list[str]:
    """Every `name …;` directive of the file, comments left out, continuation lines joined."""
    text = re.sub(r"#[^\n]*", "", CONF)
    return [m.group(1) for m in re.finditer(rf"(?m)^\s*{name}\s+([^;]*);", text)]


def test_every_access_log_uses_the_private_format():
    (fmt,) = _directives("log_format")
    name, _, fields = fmt.partition(" ")
    assert "$uri" in fields and not any(leak in fields + " " for leak in LEAKY), fields
    logs = _directives("access_log")
    assert logs and all(log.split()[-1] == name for log in logs), logs


def test_nginx_does_not_say_its_version():
    assert _directives("server_tokens") == ["off"]


def test_a_clients_forwarded_host_is_not_passed_on():
    headers = _directives("proxy_set_header")
    assert 'X-Forwarded-Host ""' in headers
