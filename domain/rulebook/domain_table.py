"""The local domain table (DOMAIN.md A5 v3, domain lookup): its CSV import and the lookup over it.

The default DomainLookup (domain/ports.py) is this table, the domain's own copy of what registrars
reported, filled by `flask --app app domains import FILE.csv`; a provider that is a registrar, or
queries registrars, names another implementation in BEIAN_DOMAIN_LOOKUP (adapters/rdap.py is one).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import NoReturn

import idna
from sqlalchemy import select

from domain.errors import DomainError
from domain.ports import DomainRegistration
from domain.rulebook.rules import registrable_part
from domain.support.i18n import N_, Message
from extensions import db
from models import DomainRecord

COLUMNS = (
    "domain", "holder_name", "holder_certificate_type", "holder_certificate_number", "registrar",
    "expires", "real_name_verified",
)  # fmt: skip
# Columns that may be empty (A5 v3: a registrar may not publish the holder's name).
OPTIONAL = frozenset({"holder_name"})
MAX_LENGTHS = {
    name: int(DomainRecord.__table__.c[name].type.length)  # type: ignore[attr-defined]
    for name in ("domain", "holder_name", "holder_certificate_type", "holder_certificate_number",
                 "registrar")
}  # fmt: skip


class DomainImportError(DomainError):
    """A malformed file: nothing was imported. `line` is the 1-based line in the file (0 = file).

    `message` is translatable (Chinese msgid, %-parameters); `reason` is its Chinese text.
    """

    def __init__(self, line: int, text: str, **params: object) -> None:
        super().__init__(Message(text, params))
        self.line = line
        self.reason = text % params if params else text


@dataclass(frozen=True)
class DomainRow:
    """One checked row of the file, the domain in its ASCII form."""

    line: int
    registration: DomainRegistration


@dataclass
class DomainImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def stored_domain(typed: str) -> str | None:
    """A domain in the table's form (lower-case ASCII, Chinese labels as punycode), or None when
    it is not a registrable domain (a host name with a part before it, a bare suffix, not IDNA)."""
    host = typed.strip().lower().rstrip(".")
    try:
        ascii_host = idna.encode(host, uts46=True, std3_rules=True).decode("ascii")
    except idna.IDNAError:
        return None
    return ascii_host if registrable_part(ascii_host) == ascii_host else None


def parse_domains_csv(text: str) -> list[DomainRow]:
    """Parse and check a whole domain-table CSV (A5 v3 format).

    :raises DomainImportError: at the first malformed line, with its line number and reason.
    """
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        return _parse_rows(reader)
    except csv.Error:  # a field over the csv module's 128 KB, a NUL, a stray quote
        raise DomainImportError(
            reader.line_num, N_("不是有效的 CSV（字段过长、含空字符或引号不成对）")
        ) from None


def _parse_rows(reader: csv.DictReader[str]) -> list[DomainRow]:
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise DomainImportError(1, N_("表头应为：%(columns)s"), columns=",".join(COLUMNS))
    rows: list[DomainRow] = []
    seen: set[str] = set()
    for record in reader:
        line = reader.line_num
        if None in record or any(value is None for value in record.values()):
            raise DomainImportError(line, N_("列数不对（columns）"))
        row = _parse_row(line, {key: value.strip() for key, value in record.items()})
        if row.registration.domain in seen:
            raise DomainImportError(
                line, N_("域名 %(domain)s 出现两次（twice）"), domain=row.registration.domain
            )
        seen.add(row.registration.domain)
        rows.append(row)
    if not rows:
        raise DomainImportError(0, N_("文件中没有数据行"))
    return rows


def _parse_row(line: int, values: dict[str, str]) -> DomainRow:
    def fail(text: str, **params: object) -> NoReturn:
        raise DomainImportError(line, text, **params)

    for column in COLUMNS:
        if column not in OPTIONAL and not values[column]:
            fail(N_("%(column)s 为空"), column=column)
        if len(values[column]) > MAX_LENGTHS.get(column, 2000):
            fail(N_("%(column)s 超过 %(max)s 个字符"), column=column, max=MAX_LENGTHS[column])
    domain = stored_domain(values["domain"])
    if domain is None:
        fail(N_("domain 不是可注册的域名（如 example.cn）"))
    try:
        expires = date.fromisoformat(values["expires"])
    except ValueError:
        fail(N_("expires 应为 YYYY-MM-DD"))
    if values["real_name_verified"] not in ("0", "1"):
        fail(N_("real_name_verified 应为 0 或 1"))
    return DomainRow(
        line,
        DomainRegistration(
            domain=domain,
            holder_name=values["holder_name"],
            holder_certificate_type=values["holder_certificate_type"],
            holder_certificate_number=values["holder_certificate_number"],
            registrar=values["registrar"],
            expires=expires,
            real_name_verified=values["real_name_verified"] == "1",
        ),
    )


def import_domains(rows: list[DomainRow]) -> DomainImportSummary:
    """Create or update the table's rows for the file's domains (flushed, not committed); the
    domains the file does not name stay as they are. Idempotent."""
    summary = DomainImportSummary()
    names = [row.registration.domain for row in rows]
    known = {
        record.domain: record
        for start in range(0, len(names), 500)
        for record in db.session.scalars(
            select(DomainRecord).where(DomainRecord.domain.in_(names[start : start + 500]))
        )
    }
    for row in rows:
        wanted = _record_values(row.registration)
        record = known.get(row.registration.domain)
        if record is None:
            db.session.add(DomainRecord(domain=row.registration.domain, **wanted))
            summary.created += 1
        elif any(getattr(record, key) != value for key, value in wanted.items()):
            for key, value in wanted.items():
                setattr(record, key, value)
            summary.updated += 1
        else:
            summary.unchanged += 1
    db.session.flush()
    return summary


def _record_values(registration: DomainRegistration) -> dict[str, object]:
    return {
        "holder_name": registration.holder_name,
        "holder_certificate_type": registration.holder_certificate_type,
        "holder_certificate_number": registration.holder_certificate_number,
        "registrar": registration.registrar,
        "expires_on": registration.expires,
        "real_name_verified": bool(registration.real_name_verified),
    }


class LocalDomainTable:
    """The DomainLookup port over the local domain table (the default: BEIAN_DOMAIN_LOOKUP=local)."""

    def lookup(self, domain: str) -> DomainRegistration | None:
        """The table's row for `domain` (ASCII form), or None when the table has none."""
        record = db.session.get(DomainRecord, domain.strip().lower())
        if record is None:
            return None
        return DomainRegistration(
            domain=record.domain,
            holder_name=record.holder_name,
            holder_certificate_type=record.holder_certificate_type,
            holder_certificate_number=record.holder_certificate_number,
            registrar=record.registrar,
            expires=record.expires_on,
            real_name_verified=record.real_name_verified,
        )
