"""The access gate (DOMAIN.md A9, 备案拦截): which hosts the provider may serve on its IPs.

`allowed_domains()` is the one answer: the registrable domains of registry websites listing
`PROVIDER_CODE`, the admin's allow-list (the provider's own domains), and the domains of access
orders (新增接入, 继续接入) from the end of initial review until the order is withdrawn or rejected by
the bureau. A 首次备案 or 新增网站 joins only on approval, when the registry lists it; a cancelled
access, website or subject leaves with its registry row. A host passes when it is one of these
domains or a subdomain of one.

The edge asks on every request, so each process keeps the set in memory (`Gate`) and checks a
version counter (`change_counters.gate`) at most every `refresh_seconds`; every flush that can
change the set bumps that counter in its own transaction (`_note_gate_changes`), on whichever host
it runs. Refused hosts are counted per registrable domain and day by `RefusalLog`: the first
sight of a day is one INSERT, later refusals are added up in memory and written in one batch per
flush interval.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import math
import os
import re
import tempfile
import threading
import time
import unicodedata
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain, groupby
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import idna
from sqlalchemy import (
    String,
    delete,
    event,
    func,
    insert,
    inspect,
    literal,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from domain import audit
from domain.errors import DomainError
from domain.lifecycle import workflow
from domain.lifecycle.states import Action, FilingState, OrderKind
from domain.rulebook import rules
from domain.rulebook.filing_type import unicode_domain
from domain.support.i18n import N_, Message
from extensions import db
from models import (
    ChangeCounter,
    Filing,
    GateAllowedDomain,
    GateChange,
    GateRefusal,
    RegistryDomain,
    RegistryWebsite,
    User,
    Website,
    WebsiteDomain,
    utcnow,
)

GATE_COUNTER = "gate"  # the change_counters row bumped whenever the allowed set may change
SHANGHAI = ZoneInfo("Asia/Shanghai")
FORMATS = ("nginx-map", "json", "text")
MAX_HOST = 300  # a longer Host header is no host name (253 characters, a port and brackets)


# --- which orders count -----------------------------------------------------------------------


def _states_past_initial_review() -> frozenset[FilingState]:
    """The states an access order can be in from initial review passed until it is approved,
    withdrawn or rejected by the bureau: read off the workflow table, following every access row
    from the target of 初审通过 except a withdrawal, a return for edits (initial review comes
    again) and the bureau's rejection. Approved is left out: the registry lists the order's
    websites from then on, and a later cancellation must take them out."""
    start = workflow.TRANSITIONS[(FilingState.submitted, Action.initial_approve)].target
    found, todo = {start}, [start]
    while todo:
        state = todo.pop()
        for (source, action), row in workflow.TRANSITIONS.items():
            if source is not state or OrderKind.access not in row.kinds:
                continue
            if row.kind in (workflow.Kind.withdraw, workflow.Kind.returned):
                continue
            if action is Action.bureau_reject or row.target in found:
                continue
            found.add(row.target)
            todo.append(row.target)
    return frozenset(found - workflow.FINAL_STATES)


ORDER_STATES = _states_past_initial_review()


def _listed(provider_code: str) -> Any:
    """A registry website lists the provider among its access providers (';'-separated)."""
    return (
        literal(";", String) + RegistryWebsite.access_providers + literal(";", String)
    ).contains(f";{provider_code};", autoescape=True)


def _allowed_query(provider_code: str) -> Any:
    """The allowed domains as one query (with repeats: a domain may be allowed for two reasons)."""
    registry = (
        select(RegistryDomain.domain)
        .join(RegistryWebsite, RegistryWebsite.id == RegistryDomain.website_id)
        .where(_listed(provider_code))
    )
    orders = (
        select(WebsiteDomain.domain)
        .join(Website, Website.id == WebsiteDomain.website_id)
        .join(Filing, Filing.id == Website.filing_id)
        .where(Filing.kind == OrderKind.access, Filing.state.in_(sorted(ORDER_STATES)))
    )
    return union_all(registry, orders, select(GateAllowedDomain.domain))


def allowed_domains(provider_code: str) -> set[str]:
    """Every domain the gate lets through (ASCII forms); a subdomain of one passes too."""
    # One row, the domains joined by the database (string_agg, group_concat): at 1 000 000 filings
    # SQLAlchemy's 671 430 result rows cost 1.0 s of CPU, the one string and its split 0.14 s.
    # A domain name holds no line break.
    allowed = _allowed_query(provider_code).subquery()
    joined = db.session.scalar(select(func.aggregate_strings(allowed.c.domain, "\n")))
    return set(joined.split("\n")) if joined else set()


def allowed_among(provider_code: str, names: Iterable[str]) -> set[str]:
    """Which of `names` the gate lets through now: the same answer as `allowed_domains()` for
    these names, in lookups each led by the names or by the rows they found (one query joining
    the registry's websites chose, at 100 000 registry websites whose providers' test it could not
    estimate, to test every website against the names: 40 s)."""
    named = sorted(names)
    connection = db.session.connection()
    registry = connection.execute(
        select(RegistryDomain.domain, RegistryDomain.website_id).where(
            RegistryDomain.domain.in_(named)
        )
    ).all()
    orders = connection.execute(
        select(WebsiteDomain.domain, WebsiteDomain.website_id).where(
            WebsiteDomain.domain.in_(named)
        )
    ).all()
    found = set(
        connection.execute(
            select(GateAllowedDomain.domain).where(GateAllowedDomain.domain.in_(named))
        ).scalars()
    )
    if registry:
        listed = set(
            connection.execute(
                select(RegistryWebsite.id).where(
                    RegistryWebsite.id.in_(sorted({row[1] for row in registry})),
                    _listed(provider_code),
                )
            ).scalars()
        )
        found |= {row[0] for row in registry if row[1] in listed}
    if orders:
        in_gate = set(
            connection.execute(
                select(Website.id)
                .join(Filing, Filing.id == Website.filing_id)
                .where(
                    Website.id.in_(sorted({row[1] for row in orders})),
                    Filing.kind == OrderKind.access,
                    Filing.state.in_(sorted(ORDER_STATES)),
                )
            ).scalars()
        )
        found |= {row[0] for row in orders if row[1] in in_gate}
    return found


# --- the version, and the domains each version touched: written in the transaction of the change

_local = {"changes": 0}  # bumped at each flush of this process that bumped the counter
_BUMP = text(
    "INSERT INTO change_counters (name, value) VALUES (:name, 1) "
    "ON CONFLICT (name) DO UPDATE SET value = change_counters.value + 1 RETURNING value"
)
KEEP_VERSIONS = 2_000  # the log keeps the domains of this many versions back …
PRUNE_EVERY = 100  # … and drops older ones at every hundredth version
LOG_AT_MOST = 5_000  # a change of more domains (an import) logs none: readers read the whole set


def read_version() -> int:
    """The gate's change counter as stored (0 before the first change)."""
    value = db.session.scalar(select(ChangeCounter.value).where(ChangeCounter.name == GATE_COUNTER))
    return int(value or 0)


def _in_gate(filing: Filing, state: Any) -> bool:
    return filing.kind is OrderKind.access and state in ORDER_STATES


def _filing_changes_gate(session: Session, filing: Filing) -> bool:
    if filing in session.new:
        return _in_gate(filing, filing.state)
    history = inspect(filing).attrs.state.history
    old = history.deleted[0] if history.deleted else filing.state
    if filing in session.deleted:
        return _in_gate(filing, old)
    return _in_gate(filing, old) != _in_gate(filing, filing.state)


def _website_in_gate(session: Session, website_id: int | None) -> bool:
    website = session.get(Website, website_id) if website_id else None
    if website is None:
        return False
    filing = website.filing
    if filing is None:  # a website being taken off its filing: it may have been in the gate
        return True
    return _in_gate(filing, filing.state)


@dataclass
class _Touched:
    """What a flush changes that may move domains in or out of the set: domains by name (before
    and after the change), and rows whose domains all may move."""

    domains: set[str] = field(default_factory=set)
    filings: list[Filing] = field(default_factory=list)
    websites: list[Website] = field(default_factory=list)
    registry_websites: list[RegistryWebsite] = field(default_factory=list)

    def domains_stored(self, session: Session) -> set[str]:
        """The domains stored now under the touched rows (before the flush: those it may remove;
        after it: those it may add)."""
        queries = []
        ids = [filing.id for filing in self.filings if filing.id is not None]
        if ids:
            queries.append(
                select(WebsiteDomain.domain)
                .join(Website, Website.id == WebsiteDomain.website_id)
                .where(Website.filing_id.in_(ids))
            )
        ids = [website.id for website in self.websites if website.id is not None]
        if ids:
            queries.append(select(WebsiteDomain.domain).where(WebsiteDomain.website_id.in_(ids)))
        ids = [website.id for website in self.registry_websites if website.id is not None]
        if ids:
            queries.append(select(RegistryDomain.domain).where(RegistryDomain.website_id.in_(ids)))
        if not queries:
            return set()
        return set(session.connection().execute(union_all(*queries)).scalars())


def _names(item: Any) -> set[str]:
    """The domain an item carries, and the one it carried before this flush."""
    history = inspect(item).attrs.domain.history
    return {name for name in (*history.deleted, item.domain) if name}


def _touched(session: Session) -> _Touched | None:
    """What the flush to come may change in the allowed set; None when nothing."""
    touched, hit = _Touched(), False
    for item in chain(session.new, session.dirty, session.deleted):
        if isinstance(item, RegistryDomain | GateAllowedDomain):
            touched.domains |= _names(item)
        elif isinstance(item, RegistryWebsite):
            touched.registry_websites.append(item)
        elif isinstance(item, Filing) and _filing_changes_gate(session, item):
            touched.filings.append(item)
        elif isinstance(item, Website) and item.filing_id and _website_in_gate(session, item.id):
            touched.websites.append(item)
        elif isinstance(item, WebsiteDomain) and _website_in_gate(session, item.website_id):
            touched.domains |= _names(item)
        else:
            continue
        hit = True
    return touched if hit else None


def _note_gate_changes(session: Session, _context: object, _instances: object) -> None:
    with session.no_autoflush:
        touched = _touched(session)
        if touched is not None:
            touched.domains |= touched.domains_stored(session)
            session.info["gate_touched"] = touched


def _bump_version(session: Session, _context: object) -> None:
    touched = session.info.pop("gate_touched", None)
    if touched is None:
        return
    connection = session.connection()
    version = int(connection.execute(_BUMP, {"name": GATE_COUNTER}).scalar_one())
    names = touched.domains | touched.domains_stored(session)
    if 0 < len(names) <= LOG_AT_MOST:
        connection.execute(insert(GateChange), [{"version": version, "domain": n} for n in names])
    if version % PRUNE_EVERY == 0:
        connection.execute(delete(GateChange).where(GateChange.version <= version - KEEP_VERSIONS))
    _local["changes"] += 1


def watch_changes() -> None:
    """Bump the gate's version, and log the domains it may move, in every flush that may change
    the allowed set (idempotent)."""
    if not event.contains(Session, "before_flush", _note_gate_changes):
        event.listen(Session, "before_flush", _note_gate_changes)
        event.listen(Session, "after_flush", _bump_version)


# --- reading a host ---------------------------------------------------------------------------

_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_NAME = re.compile(rf"(?:{_LABEL}\.)*{_LABEL}")


@dataclass(frozen=True)
class Host:
    """A Host header as the gate reads it."""

    name: str  # ASCII, lower case, no port, no trailing dot; an IP literal without brackets
    is_ip: bool

    @property
    def domain(self) -> str:
        """What refusals are counted under: the registrable domain, else the name itself."""
        if self.is_ip:
            return self.name
        return rules.registrable_part(self.name) or self.name


def read_host(raw: str) -> Host | None:
    """A Host value folded as A5 folds a domain (NFKC, trimmed, lower case, IDNA) with a port and
    a trailing dot removed; None when it is not a host name (empty, a URL, spaces, bad IDNA)."""
    if not raw or len(raw) > MAX_HOST:
        return None
    value = (
        raw.strip().lower() if raw.isascii() else unicodedata.normalize("NFKC", raw).strip().lower()
    )
    if value.startswith("["):  # an IPv6 literal, with or without a port
        inside, _, rest = value[1:].partition("]")
        if rest and not (rest[0] == ":" and rest[1:].isdigit()):
            return None
        return _ip(inside)
    if value.count(":") > 1:
        return _ip(value)
    name, colon, port = value.partition(":")
    if colon and not port.isdigit():
        return None
    name = name[:-1] if name.endswith(".") else name
    if not name or len(name) > 253:
        return None
    if not name.isascii():
        try:
            name = idna.encode(name, uts46=True, std3_rules=True).decode("ascii")
        except (idna.IDNAError, UnicodeError):
            return None
    elif not _NAME.fullmatch(name):
        return None
    if name.replace(".", "").isdigit():
        return _ip(name)
    return Host(name, False)


def _ip(value: str) -> Host | None:
    try:
        return Host(str(ipaddress.ip_address(value)), True)
    except ValueError:
        return None


# --- the in-process set -----------------------------------------------------------------------


class DomainSet:
    """A set of domain names held as the sorted 64-bit hashes of the names, in an `array`: 8 bytes
    a domain (5 MB for the 671 430 allowed domains of 1 000 000 filings, where a set of the
    strings held about 100 MB in every worker). Python's str hash is SipHash keyed by a secret
    drawn per process, so a name not in the set is taken for one in it with a chance of about one
    in 2^64 per name in the set, and nobody outside the process can look for such a name."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        # sorted, then each hash once (a set of the ints first would hold 50 MB more for a moment)
        self.hashes = array("q", (key for key, _ in groupby(sorted(map(hash, names)))))

    def _find(self, name: str) -> tuple[int, bool]:
        key = hash(name)
        at = bisect_left(self.hashes, key)
        return at, at < len(self.hashes) and self.hashes[at] == key

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._find(name)[1]

    def __len__(self) -> int:
        return len(self.hashes)

    def add(self, name: str) -> None:
        at, present = self._find(name)
        if not present:
            self.hashes.insert(at, hash(name))

    def discard(self, name: str) -> None:
        at, present = self._find(name)
        if present:
            del self.hashes[at]


def covered(name: str, domains: DomainSet | frozenset[str] | set[str]) -> bool:
    """Whether `name` or one of its parent domains is in `domains`."""
    while True:
        if name in domains:
            return True
        dot = name.find(".")
        if dot < 0:
            return False
        name = name[dot + 1 :]


@dataclass(frozen=True)
class Verdict:
    """The gate's answer for one Host value: allowed, refused, or not a host (None)."""

    allowed: bool | None
    host: Host | None


class Gate:
    """The allowed set of one process and one database, checked against the stored version at
    most every `refresh_seconds` (at once after a change made by this process). A moved version
    is caught up from the change log: only the domains logged since are read again; the whole set
    only at the first read, or when the log cannot tell (more than `MAX_STEPS` versions or
    `MAX_LOGGED` domains behind, or a version without its log: pruned, or bumped by hand)."""

    MAX_VERDICTS = 20_000  # verdicts kept per version, by the Host value as received
    MAX_STEPS = KEEP_VERSIONS // 2
    MAX_LOGGED = LOG_AT_MOST

    def __init__(self, provider_code: str, refresh_seconds: float) -> None:
        self.provider_code = provider_code
        self.refresh_seconds = refresh_seconds
        self.domains = DomainSet()
        self.version: int | None = None
        self.checked_at = -math.inf
        self.local_seen = -1
        self.verdicts: dict[str, Verdict] = {}
        self.exports: dict[str, tuple[str, str]] = {}
        self.lock = threading.Lock()
        self.full_reads = 0  # how often the whole set was read (the log could not tell)

    def fresh(self) -> None:
        """Bring the set up to the stored version when it moved since it was read."""
        now = time.monotonic()
        if now - self.checked_at < self.refresh_seconds and self.local_seen == _local["changes"]:
            return
        with self.lock:
            local = _local["changes"]
            version = read_version()  # read before the set: a change after it bumps it again
            if version != self.version:
                if not self._catch_up(version):
                    self._read_all()
                self.version, self.verdicts, self.exports = version, {}, {}
            self.checked_at, self.local_seen = now, local

    def _read_all(self) -> None:
        rows = db.session.connection().execute(
            _allowed_query(self.provider_code), execution_options={"yield_per": 20_000}
        )
        self.domains = DomainSet(rows.scalars())
        self.full_reads += 1

    def _catch_up(self, version: int) -> bool:
        """Apply the domains logged from the held version to `version`; False when the log
        cannot tell."""
        held = self.version
        if held is None or not held < version <= held + self.MAX_STEPS:
            return False
        logged = (
            db.session.connection()
            .execute(
                select(GateChange.version, GateChange.domain)
                .where(GateChange.version > held, GateChange.version <= version)
                .limit(self.MAX_LOGGED + 1)
            )
            .all()
        )
        if len(logged) > self.MAX_LOGGED or len({row[0] for row in logged}) != version - held:
            return False
        names = {row[1] for row in logged}
        allowed = allowed_among(self.provider_code, names)
        for name in names:
            if name in allowed:
                self.domains.add(name)
            else:
                self.domains.discard(name)
        return True

    def verdict(self, raw: str) -> Verdict:
        """Whether the host `raw` (a Host header, a port allowed) may be served."""
        self.fresh()
        known = self.verdicts.get(raw)
        if known is not None:
            return known
        host = read_host(raw)
        if host is None:
            answer = Verdict(None, None)
        else:
            answer = Verdict(not host.is_ip and covered(host.name, self.domains), host)
        if len(self.verdicts) >= self.MAX_VERDICTS:
            self.verdicts = {}
        self.verdicts[raw] = answer
        return answer

    def export(self, fmt: str) -> tuple[str, str]:
        """(version, text) of the set in `fmt`, rendered once per version."""
        self.fresh()
        cached = self.exports.get(fmt)
        if cached is None:
            made = export_now(self.provider_code)
            cached = self.exports[fmt] = (made.version, made.render(fmt))
        return cached


# --- the export -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    """The allowed set as shipped to an edge: sorted, with a version that is a digest of it (it
    changes whenever the set does, and two hosts with the same set give the same version)."""

    version: str
    domains: tuple[str, ...]
    generated_at: datetime

    @classmethod
    def of(cls, domains: Iterable[str], now: datetime) -> Export:
        """The export of `domains`."""
        ordered = tuple(sorted(domains))
        digest = hashlib.sha256("\n".join(ordered).encode("ascii")).hexdigest()[:16]
        return cls(digest, ordered, now)

    def prefix(self, fmt: str) -> str:
        """How a rendering in `fmt` of this set begins, up to its version (a file that begins so
        holds this very set)."""
        if fmt == "json":
            return f'{{"format":"json","version":"{self.version}",'
        return f"# beian-desk gate {fmt} version {self.version} "

    def render(self, fmt: str) -> str:
        """The export in `fmt` (one of FORMATS)."""
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}")
        stamp = self.generated_at.astimezone(SHANGHAI).isoformat(timespec="seconds")
        if fmt == "json":
            rest = json.dumps(
                {"generated_at": stamp, "count": len(self.domains), "domains": list(self.domains)},
                separators=(",", ":"),
            )
            return self.prefix(fmt) + rest[1:] + "\n"
        head = f"{self.prefix(fmt)}count {len(self.domains)} at {stamp}\n"
        if not self.domains:
            return head
        # one join around the separators, not a string per domain (671 430 at 1 000 000 filings)
        if fmt == "text":
            return head + "\n".join(self.domains) + "\n"
        # entries for `map $host $var { hostnames; default 0; include FILE; }`: with `hostnames`,
        # ".example.cn" matches example.cn and every name under it
        return head + "." + " 1;\n.".join(self.domains) + " 1;\n"


def export_now(provider_code: str) -> Export:
    """The export of the allowed set as stored now."""
    return Export.of(allowed_domains(provider_code), utcnow())


def write_atomically(path: Path, content: str) -> None:
    """Write `content` to `path` so that a reader sees the old file or the new one, never half."""
    path = Path(path)
    handle = tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
    )
    try:
        with handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o644)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


# --- refused hosts ----------------------------------------------------------------------------


def _insert(session: Session) -> Any:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(GateRefusal.__table__)


class RefusalLog:
    """Refusals counted per registrable domain and day (Asia/Shanghai), bounded in writes: the
    first sight of a (day, domain) in this process is one INSERT (nothing when another process or
    host wrote it first); later refusals are added up in memory and written by `flush()`, one
    upsert per (day, domain) at most every `flush_seconds`, or when `max_pending` keys wait."""

    def __init__(self, flush_seconds: float, max_pending: int = 5_000) -> None:
        self.flush_seconds, self.max_pending = flush_seconds, max_pending
        self.seen: set[tuple[date, str]] = set()
        self.pending: dict[tuple[date, str], list[Any]] = {}  # key -> [count, last host, last at]
        self.flushed_at = time.monotonic()
        self.lock = threading.Lock()

    def refused(self, host: Host, now: datetime) -> None:
        """Count one refusal of `host` at `now` (writes in the caller's transaction)."""
        day, domain = now.astimezone(SHANGHAI).date(), host.domain
        key = (day, domain)
        with self.lock:
            first = key not in self.seen
            if first:
                if len(self.seen) >= 4 * self.max_pending:
                    self.seen = {seen for seen in self.seen if seen[0] == day}
                self.seen.add(key)
            elif key in self.pending:
                entry = self.pending[key]
                entry[0], entry[1], entry[2] = entry[0] + 1, host.name, now
            else:
                self.pending[key] = [1, host.name, now]
            due = (
                time.monotonic() - self.flushed_at >= self.flush_seconds
                or len(self.pending) >= self.max_pending
            )
        if first and not self._first_sight(day, domain, host.name, now):
            with self.lock:  # another process wrote the day's row: count this one later
                entry = self.pending.setdefault(key, [0, host.name, now])
                entry[0] += 1
        if due:
            self.flush()

    def _first_sight(self, day: date, domain: str, host: str, now: datetime) -> bool:
        session = db.session()
        statement = (
            _insert(session)
            .values(
                day=day, domain=domain, last_host=host, count=1, first_seen_at=now, last_seen_at=now
            )
            .on_conflict_do_nothing(index_elements=["day", "domain"])
            .returning(GateRefusal.__table__.c.id)
        )
        return session.execute(statement).first() is not None  # nothing returned: a conflict

    def flush(self) -> int:
        """Write the counts waiting in memory (in the caller's transaction); how many rows."""
        with self.lock:
            waiting, self.pending = self.pending, {}
            self.flushed_at = time.monotonic()
        if not waiting:
            return 0
        session = db.session()
        insert = _insert(session)
        table = GateRefusal.__table__
        statement = insert.on_conflict_do_update(
            index_elements=["day", "domain"],
            set_={
                "count": table.c.count + insert.excluded.count,
                "last_host": insert.excluded.last_host,
                "last_seen_at": insert.excluded.last_seen_at,
            },
        )
        rows = [
            {"day": day, "domain": domain, "last_host": last_host, "count": count,
             "first_seen_at": at, "last_seen_at": at}
            for (day, domain), (count, last_host, at) in sorted(waiting.items())
        ]  # fmt: skip
        session.execute(statement, rows)
        return len(rows)


# --- the admin's lists ------------------------------------------------------------------------

PAGE_SIZE = 50


@dataclass(frozen=True)
class RefusedDomain:
    """One domain of the 未备案访问 list: refusals added up over the days it was seen."""

    domain: str  # ASCII
    count: int
    days: int
    first_seen_at: datetime
    last_seen_at: datetime
    last_host: str
    allowed_now: bool

    @property
    def shown(self) -> str:
        """The domain as people read it (Chinese labels decoded)."""
        return unicode_domain(self.domain)


def fold_search(query: str) -> str:
    """A typed search as the stored domains are written (lower case, punycode where it can)."""
    value = unicodedata.normalize("NFKC", query or "").strip().lower()[:253]
    if value and not value.isascii():
        try:
            return idna.encode(value, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError):
            return value
    return value


def refused_domains(
    provider_code: str, query: str = "", page: int = 1
) -> tuple[list[RefusedDomain], bool]:
    """One page of refused domains, the most recently refused first, those whose ASCII form
    contains `query`; and whether a next page exists."""
    last_seen = func.max(GateRefusal.last_seen_at)
    statement = (
        select(
            GateRefusal.domain,
            func.sum(GateRefusal.count),
            func.count(),
            func.min(GateRefusal.first_seen_at),
            last_seen,
        )  # fmt: skip
        .group_by(GateRefusal.domain)
        .order_by(last_seen.desc(), GateRefusal.domain)
        .limit(PAGE_SIZE + 1)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    )
    folded = fold_search(query)
    if folded:
        statement = statement.where(GateRefusal.domain.contains(folded, autoescape=True))
    rows = db.session.execute(statement).all()[: PAGE_SIZE + 1]
    more, rows = len(rows) > PAGE_SIZE, rows[:PAGE_SIZE]
    names = [row[0] for row in rows]
    hosts = dict(
        db.session.execute(
            select(GateRefusal.domain, GateRefusal.last_host)
            .where(GateRefusal.domain.in_(names))
            .order_by(GateRefusal.last_seen_at)
        ).all()
    )  # the latest host wins (ascending order, later rows overwrite)
    parents = {name.split(".", depth)[-1] for name in names for depth in range(name.count(".") + 1)}
    allowed = allowed_among(provider_code, parents) if names else set()  # not the whole set
    found = [
        RefusedDomain(domain, int(count), int(days), _aware(first), _aware(last),
                      hosts.get(domain, domain), covered(domain, allowed))
        for domain, count, days, first, last in rows
    ]  # fmt: skip
    return found, more


def _aware(value: Any) -> datetime:
    """An aggregate's timestamp as an aware UTC datetime (SQLite's MIN/MAX give naive or text)."""
    moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))


def allow_list() -> list[GateAllowedDomain]:
    """The admin's allow-list, alphabetical."""
    return list(db.session.scalars(select(GateAllowedDomain).order_by(GateAllowedDomain.domain)))


def check_allowed_entry(typed: str) -> str | Message:
    """The ASCII form of a domain typed for the allow-list, or what is wrong with it: it must be a
    registrable domain (its subdomains pass with it)."""
    host = read_host(typed.strip())
    if host is None or host.is_ip or "." not in host.name:
        return Message(N_("域名格式不正确"))
    registrable = rules.registrable_part(host.name)
    if registrable != host.name:
        return Message(
            N_("请填写可注册的域名（如 %(domain)s），其子域名自动包含"),
            {"domain": unicode_domain(registrable or host.name)},
        )
    return host.name


def add_allowed(typed: str, note: str, actor: User) -> tuple[list[str], list[tuple[str, Message]]]:
    """Put the domains in `typed` (one per line, or separated by commas or spaces) on the
    allow-list; (added, refused with why). Audited; flushes, never commits."""
    added: list[str] = []
    refused: list[tuple[str, Message]] = []
    present = set(db.session.scalars(select(GateAllowedDomain.domain)))
    for entry in re.split(r"[\s,，;；]+", typed or ""):
        if not entry:
            continue
        checked = check_allowed_entry(entry)
        if isinstance(checked, Message):
            refused.append((entry[:80], checked))
        elif checked in present:
            refused.append((entry[:80], Message(N_("已在白名单中"))))
        else:
            present.add(checked)
            db.session.add(
                GateAllowedDomain(domain=checked, note=(note or "").strip()[:200], created_by=actor)
            )
            audit.record("gate_domain_allowed", actor, data={"domain": checked})
            added.append(checked)
    db.session.flush()
    return added, refused


def remove_allowed(entry_id: int, actor: User) -> str:
    """Take one domain off the allow-list (audited); the domain removed.

    :raises DomainError: no such entry.
    """
    entry = db.session.get(GateAllowedDomain, entry_id)
    if entry is None:
        raise DomainError(Message(N_("白名单中没有该域名")))
    db.session.delete(entry)
    audit.record("gate_domain_removed", actor, data={"domain": entry.domain})
    db.session.flush()
    return entry.domain


watch_changes()  # on import: every process that can reach the gate's tables counts their changes
