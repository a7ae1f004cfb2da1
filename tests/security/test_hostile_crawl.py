"""Every page and form of the app as each role, with hostile values in every field, query argument
and text path argument: over-long strings, non-numeric and huge numbers, control and
bidi characters, NUL, CR/LF, mistyped suffixes, and whole ID and mobile numbers; deep JSON on the
anonymous API. Goal: 0 server errors, and the log written meanwhile holds no whole ID or mobile.

Field names are read from the forms (WTForms classes, nested lists included) and from the views'
`request.args/form/files.get("…")` calls, so a new field is crawled without touching this test.
The routes come from the app's URL map, in parts (a blueprint each, the admin's consoles apart):
each part is a test, so that workers share the crawl and a failure names its part and its routes.
Slow (minutes in all): left out of `make test-fast`.
"""

from __future__ import annotations

import base64
import functools
import io
import logging
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from werkzeug.test import EnvironBuilder

from domain.lifecycle.states import FilingState
from domain.support.masking import PiiLogFilter
from extensions import db
from models import Filing
from tests.helpers.access import ROLES, allowed_roles, client_as, url_for_rule
from tests.helpers.app import make_test_app
from tests.helpers.crawl import CRAWL_CONFIG, FIELD_NAMES, FLAGS, SKIP, string_arguments
from tests.helpers.wizard import image_bytes

pytestmark = pytest.mark.slow


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


ROOT = Path(__file__).resolve().parents[2]
PLANTED_ID = "11010519491231002x"  # a valid resident ID with a lower-case check character
PLANTED_USCC = "91330106MA2B3C4D5E"
PLANTED_MOBILE = "+8613912345678"
HOSTILE = [
    "x" * 2000,  # over-long for every column (all fields together stay under werkzeug's spool size)
    "汉" * 300,
    "abc",
    "1.5",
    "-1",
    "99999999999999999999999999",  # beyond any integer column
    "0",
    "a\x00b",  # NUL: PostgreSQL refuses it in text
    "a\r\nSet-Cookie: x=1\u202e\u2066evil\u2069\x1b[31m",  # CR/LF, bidi and a terminal escape
    "*.cn",
    "my_shop.cn",
    "com..cn",
    f"{PLANTED_ID} {PLANTED_MOBILE} {PLANTED_USCC}",
    PLANTED_ID,
    PLANTED_MOBILE,
    "//evil.example/\t/x",
    "²",  # str.isdigit() says yes, int() says no
    "²²²²²²",  # six "digits" for the code fields
    "١٢٣",  # Arabic-Indic digits: int() reads them
    _cursor('["2026-01-01T00:00:00+00:00", 99999999999999999999]'),  # forged queue cursors
    _cursor('["2026-01-01T00:00:00", 1]'),
    _cursor("[" * 2000),  # deeper than the JSON parser goes
]
DEEP_JSON = b"[" * 200_000  # 200 KB of nesting
# Whole numbers in the log: an 18-character ID or USCC, or a mainland mobile (with or without +86).
WHOLE_ID = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
WHOLE_USCC = re.compile(r"(?<![0-9A-Za-z])[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}(?![0-9A-Za-z])")  # fmt: skip
WHOLE_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9][0-9]{9}(?!\d)")


@pytest.fixture
def app_config() -> dict:
    return dict(CRAWL_CONFIG)


def _body(value: str, version: int | None) -> dict:
    # werkzeug's test client spools a body over 500 KB to a file it never closes
    assert len(value.encode()) * len(FIELD_NAMES) < 400_000, "hostile value too long"
    data: dict = {name: value for name in FIELD_NAMES}
    if version is not None:  # the second variant: past the version check, with boxes ticked
        data["version"] = str(version)
        data.update(dict.fromkeys(FLAGS, "1"))
    for name in ("file", "photo"):
        data[name] = (io.BytesIO(image_bytes("PNG", size=(40, 30))), "a.png")
    data["csv"] = (io.BytesIO(f"{value}\n".encode("utf-8", "surrogatepass")), "r.csv")
    return data


@functools.lru_cache(maxsize=64)
def _encoded_body(value: str, version: int | None) -> tuple[bytes, str]:
    """_body() as the test client encodes it (multipart/form-data) and its content type, encoded
    once per value and version: every route is posted the same bytes (encoding 136 fields anew for
    each of the crawl's requests cost about a tenth of its time)."""
    builder = EnvironBuilder(method="POST", data=_body(value, version))
    try:
        environ = builder.get_environ()
        return environ["wsgi.input"].read(), environ["CONTENT_TYPE"]
    finally:
        builder.close()


@functools.lru_cache(maxsize=64)
def _query(value: str) -> str:
    """Every field name given `value`, as the query string the test client would encode."""
    return EnvironBuilder(query_string={name: value for name in FIELD_NAMES}).query_string


def _urls(rule, values: dict, value: str) -> list[str]:
    """The rule's URL with the world's ids, and one with each text argument replaced by `value`."""
    values = {**{a: "1" for a in rule.arguments}, **values}  # a route newer than the world
    urls = [url_for_rule(rule, values)]
    for argument in string_arguments(rule):
        urls.append(url_for_rule(rule, {**values, argument: quote(value, safe="")}))
    return urls


def _send(client, method: str, url: str, value: str, data: tuple[bytes, str] | None):
    if method == "GET":
        return client.get(url, query_string=_query(value))
    if data is None:
        return client.open(url, method=method)
    body, content_type = data
    return client.open(url, method=method, data=body, content_type=content_type)


def _first_tracebacks(log: str, limit: int = 5) -> list[str]:
    """The first logged traceback of each failing path (to say what failed, not only where)."""
    found: dict[str, str] = {}
    for chunk in log.split("Exception on ")[1:]:
        where = chunk.split("\n", 1)[0]
        if where not in found and len(found) < limit:
            found[where] = "Exception on " + chunk[-2500:]
    return list(found.values())


def _control_error(app, root, handler) -> str:
    """One server error on purpose, whose message carries whole numbers (as an SQL error lists its
    parameters): it must reach the captured log, masked, through Flask's own error logging."""

    def failing_view():
        raise RuntimeError(f"parameters ({PLANTED_ID!r}, {PLANTED_MOBILE!r}, {PLANTED_USCC!r})")

    stream = handler.stream
    start = len(stream.getvalue())
    original = app.view_functions["site.health"]
    app.view_functions["site.health"] = failing_view
    root.addHandler(handler)
    try:
        assert app.test_client().get("/healthz").status_code == 500
    finally:
        app.view_functions["site.health"] = original
        root.removeHandler(handler)
    written = stream.getvalue()[start:]
    assert "RuntimeError" in written and "110105********002x" in written, written[:500]
    return written


def _crawled_rules(app) -> list:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint not in SKIP), key=lambda r: r.rule
    )


def _part(rule) -> str:
    """The part of the crawl a route belongs to: its blueprint, and for the admin's one blueprint
    of many consoles, the console (the path's second segment)."""
    blueprint = rule.endpoint.split(".")[0]
    if blueprint != "admin":
        return blueprint
    literal = [segment for segment in rule.rule.split("/") if segment and "<" not in segment]
    return f"admin/{literal[1].removesuffix('.csv')}" if len(literal) > 1 else "admin/dashboard"


# The parts, read from the app's own URL map (a new route or blueprint is crawled without touching
# this test); each is a test of its own, so that workers share the crawl and a failure names its part.
PARTS = sorted({_part(rule) for rule in _crawled_rules(make_test_app("sqlite://", Path("unused")))})


@contextmanager
def _captured_log() -> Iterator[tuple[io.StringIO, logging.Handler]]:
    """Everything logged meanwhile, through the filter create_app puts on every handler."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PiiLogFilter())
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream, handler
    finally:
        root.removeHandler(handler)
        root.setLevel(previous_level)


def _whole_numbers(app, stream: io.StringIO, handler: logging.Handler) -> tuple[str, list[str]]:
    """The captured log (with one server error on purpose) and the whole numbers found in it."""
    log = stream.getvalue()
    log += _control_error(app, logging.getLogger(), handler)  # the capture sees a server error
    whole = sorted(
        {
            m.group(0)
            for pattern in (WHOLE_ID, WHOLE_USCC, WHOLE_MOBILE)
            for m in pattern.finditer(log)
        }
    )
    return log, whole


@pytest.mark.parametrize("part", PARTS)
def test_hostile_values_everywhere_cause_no_server_error_and_no_whole_number_in_the_log(
    app, world, make_filing, capsys, part
):
    owner = world["users"]["owner"]
    draft = make_filing(FilingState.draft, owner=owner)  # the wizard's steps, which edit drafts
    # opened from the registry record as the wizard does (the password step looks it up)
    draft.registry_subject_number = db.session.get(
        Filing, world["values"]["filing_id"]
    ).registry_subject_number
    db.session.commit()
    requests = 0
    failures: list[tuple] = []
    rules = [rule for rule in _crawled_rules(app) if _part(rule) == part]
    with _captured_log() as (stream, handler):
        for rule in rules:
            try:
                allowed = allowed_roles(rule.endpoint)
            except AssertionError:  # not yet classified (the access matrix says so): crawl it all
                allowed = set(ROLES)
            for role in ROLES:
                client = client_as(app, role, world["users"])
                # a refused role: one hostile request per method is enough to see it refused
                hostile = HOSTILE if role in allowed else HOSTILE[:1]
                filing_ids = [world["values"]["filing_id"]]
                if "filing_id" in rule.arguments and role in allowed:
                    filing_ids.append(draft.id)
                for filing_id in filing_ids:
                    values = {**world["values"], "filing_id": filing_id}
                    for value in hostile:
                        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                            for url in _urls(rule, values, value):
                                variants: list = [None]
                                if method == "POST":
                                    version = db.session.get(Filing, filing_id).version
                                    variants = [
                                        _encoded_body(value, None),
                                        _encoded_body(value, version),
                                    ]
                                db.session.rollback()  # read afresh next time
                                for data in variants:
                                    requests += 1
                                    try:
                                        response = _send(client, method, url, value, data)
                                    except Exception as exc:  # the error page itself failed
                                        status = f"{type(exc).__name__}: {str(exc)[:60]}"
                                        failures.append((rule.endpoint, method, role, status))
                                        continue
                                    status = response.status_code
                                    response.close()
                                    if status >= 500:
                                        failures.append(
                                            (
                                                rule.endpoint,
                                                method,
                                                role,
                                                status,
                                                url[:80],
                                                value[:30],
                                            )
                                        )
    log, whole = _whole_numbers(app, stream, handler)
    with capsys.disabled():
        print(
            f"\nhostile crawl, {part}: {len(rules)} routes x {len(ROLES)} roles, "
            f"{len(FIELD_NAMES)} field names, {len(HOSTILE)} hostile values: {requests} requests, "
            f"{len(failures)} server errors; log {len(log.splitlines())} lines, {len(whole)} whole "
            "ID/mobile numbers"
        )
    first_traceback = "\n".join(_first_tracebacks(log))
    by_endpoint = Counter(f"{f[0]} {f[1]} {f[2]}" for f in failures)
    assert failures == [], (
        f"{dict(by_endpoint)}\n" + "\n".join(map(str, failures[:40])) + "\n" + first_traceback
    )
    assert whole == [], whole[:10]


def test_deep_and_hostile_json_on_the_anonymous_api(app, world, capsys):
    """Deep JSON and hostile JSON on the anonymous API, as anonymous and as an applicant."""
    requests = 0
    failures: list[tuple] = []
    with _captured_log() as (stream, handler):
        for role in ("anonymous", "owner"):
            client = client_as(app, role, world["users"])
            for path in ("/api/v1/precheck", "/api/v1/filing-type"):
                for body in (
                    DEEP_JSON,
                    b'{"a":' * 60_000,
                    b'{"cert_type": "uscc", "cert_number": "' + PLANTED_ID.encode() + b'", "domain": "\\u0000"}',
                    b'{"cert_type": 1e999999, "cert_number": [], "domain": {}}',
                    b"\xff\xfe" + b"x" * 1000,
                ):  # fmt: skip
                    requests += 1
                    response = client.post(path, data=body, content_type="application/json")
                    if response.status_code >= 500 or not response.is_json:
                        failures.append((path, role, response.status_code, body[:20]))
                    elif body is DEEP_JSON and response.status_code != 400:
                        failures.append((path, role, response.status_code, "deep JSON not 400"))
    log, whole = _whole_numbers(app, stream, handler)
    with capsys.disabled():
        print(f"\nhostile JSON: {requests} requests, {len(failures)} server errors")
    first_traceback = "\n".join(_first_tracebacks(log))
    assert failures == [], "\n".join(map(str, failures)) + "\n" + first_traceback
    assert whole == [], whole[:10]
