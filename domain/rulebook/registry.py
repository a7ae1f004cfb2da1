"""The provider's copy of the MIIT records (DOMAIN.md A5): CSV import and the lookup interface.

The default implementation is the local tables (LocalRegistry, below: the domain's own copy, which
the import writes); a provider with a real link to the ministry's system names its own class of the
same methods (the Registry port, domain/ports.py) in BEIAN_REGISTRY ("module:Class"). The runtime
builds the configured one once and the callers pass it to the use cases that look anything up.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NoReturn

import idna
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from domain.errors import DomainError
from domain.rulebook.provinces import BY_CODE
from domain.rulebook.rules import (
    check_icp_subject_number,
    check_icp_website_number,
    check_mobile,
    check_resident_id,
    check_uscc,
)
from domain.support.i18n import N_, Message
from domain.support.passwords import PasswordHasher
from extensions import db
from models import RegistryDomain, RegistrySubject, RegistryWebsite

COLUMNS = (
    "subject_number", "subject_name", "subject_kind", "certificate_type", "certificate_number",
    "province", "responsible_mobile", "filing_password", "website_number", "website_name",
    "domains", "access_providers", "change_in_progress",
)  # fmt: skip
# What each column holds, for the import page (the file format in the admin's words).
COLUMN_HELP = {
    "subject_number": N_("主体备案号，如 浙ICP备2021000001号"),
    "subject_name": N_("主体名称"),
    "subject_kind": N_("主体性质：enterprise（企业）、individual（个人）、government（政府机关）、institution（事业单位）、social_org（社会团体）、individual_business（个体工商户）"),
    "certificate_type": N_("主体证件类型：uscc（统一社会信用代码）、resident_id（居民身份证）、passport、hk_mo_permit、tw_permit"),
    "certificate_number": N_("主体证件号码"),
    "province": N_("省份代码（两位数字，如 33 为浙江）"),
    "responsible_mobile": N_("网站负责人的手机号码（短信核验发往此号码）"),
    "filing_password": N_("工信部备案密码，明文；只保存其哈希"),
    "website_number": N_("网站备案号，“主体备案号-序号”，如 浙ICP备2021000001号-1"),
    "website_name": N_("网站名称"),
    "domains": N_("网站的全部域名，空格分隔，每个写作 域名@到期日，如 qinghe.cn@2027-05-01"),
    "access_providers": N_("接入服务商代码，分号分隔；本服务商的代码即设置中的服务商代码，可为空"),
    "change_in_progress": N_("是否正在办理变更备案：1 是，0 否"),
}  # fmt: skip
SUBJECT_KINDS = {
    "enterprise", "individual", "government", "institution", "social_org", "individual_business",
}  # fmt: skip
CERTIFICATE_TYPES = {
    "uscc", "resident_id", "passport", "hk_mo_permit", "tw_permit", "hk_mo_tw_residence",
    "foreign_permanent_residence",
}  # fmt: skip
SUBJECT_COLUMNS = COLUMNS[:8]


def _length(column: Any) -> int:
    """A String column's length."""
    return int(column.type.length)


# The longest value each column may hold: the table's column (a longer one would be a 500 on
# PostgreSQL); the password as long as the wizard's field takes.
MAX_LENGTHS = {
    "subject_number": _length(RegistrySubject.__table__.c.subject_number),
    "subject_name": _length(RegistrySubject.__table__.c.name),
    "certificate_number": _length(RegistrySubject.__table__.c.certificate_number),
    "filing_password": 64,
    "website_number": _length(RegistryWebsite.__table__.c.website_number),
    "website_name": _length(RegistryWebsite.__table__.c.name),
    "access_providers": _length(RegistryWebsite.__table__.c.access_providers),
}


class RegistryImportError(DomainError):
    """A malformed file: nothing was imported. `line` is the 1-based line in the file (0 = file).

    `message` is translatable (Chinese msgid, %-parameters); `reason` is its Chinese text.
    """

    def __init__(self, line: int, text: str, **params: object) -> None:
        super().__init__(Message(text, params))
        self.line = line
        self.reason = text % params if params else text


@dataclass
class RegistryRow:
    line: int
    values: dict[str, str]
    domains: list[tuple[str, date]]
    providers: list[str]
    change_in_progress: bool


# What an admin reads for a registry record's part in the import preview (not the column names).
CHANGE_LABELS = {
    "name": N_("名称"), "kind": N_("主体性质"), "certificate_type": N_("主体证件类型"),
    "certificate_number": N_("主体证件号码"), "province": N_("所在省份"),
    "filing_password": N_("工信部备案密码"), "responsible_mobile": N_("网站负责人手机号码"),
    "access_providers": N_("接入服务商"), "change_in_progress": N_("变更办理中"),
    "subject": N_("所属主体"), "domains": N_("域名"), "expiry": N_("域名到期日"),
}  # fmt: skip


@dataclass
class FieldChange:
    """One part of a record before and after the import (`old` "" for a new record)."""

    key: str  # a key of CHANGE_LABELS
    old: str
    new: str

    @property
    def label(self) -> str:
        """The part's label (a msgid, translated where it is shown)."""
        return CHANGE_LABELS[self.key]


@dataclass
class RecordChange:
    """A record the import creates (`created`) or changes, with its parts old -> new."""

    kind: str  # "subject" or "website"
    number: str
    name: str
    created: bool
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class HeldDrop:
    """A website held here (approved through this app) whose row no longer lists this provider.

    `dropped`: the admin confirmed it by name and the code is removed; otherwise it is kept.
    """

    website_number: str
    name: str
    dropped: bool


@dataclass
class ImportSummary:
    subjects_created: int = 0
    subjects_updated: int = 0
    websites_created: int = 0
    websites_updated: int = 0
    unchanged: int = 0
    details: list[str] = field(default_factory=list)
    passwords_unchecked: int = 0  # existing subjects whose password a preview did not compare
    changes: list[RecordChange] = field(default_factory=list)
    held_drops: list[HeldDrop] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.subjects_created + self.subjects_updated + self.websites_created
            + self.websites_updated
        )  # fmt: skip


def to_ascii_domain(domain: str) -> str:
    """A domain in its stored form: lower-case ASCII, Chinese labels as punycode.

    :raises ValueError: when it is not a valid IDNA name.
    """
    try:
        return idna.encode(domain.strip().rstrip("."), uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise ValueError(str(exc)) from exc


def parse_registry_csv(text: str) -> list[RegistryRow]:
    """Parse and check a whole registry CSV (A5 format).

    :raises RegistryImportError: at the first malformed line, with its line number and reason.
    """
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        return _parse_rows(reader)
    except csv.Error:  # a field over the csv module's 128 KB, a NUL, a stray quote
        raise RegistryImportError(
            reader.line_num, N_("不是有效的 CSV（字段过长、含空字符或引号不成对）")
        ) from None


def _parse_rows(reader: csv.DictReader[str]) -> list[RegistryRow]:
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise RegistryImportError(1, N_("表头应为：%(columns)s"), columns=",".join(COLUMNS))
    rows: list[RegistryRow] = []
    subjects: dict[str, dict[str, str]] = {}
    seen_websites: set[str] = set()
    seen_domains: set[str] = set()
    for record in reader:
        line = reader.line_num
        if None in record or any(value is None for value in record.values()):
            raise RegistryImportError(line, N_("列数不对（columns）"))
        values = {key: value.strip() for key, value in record.items()}
        row = _parse_row(line, values)
        first = subjects.setdefault(values["subject_number"], values)
        for column in SUBJECT_COLUMNS:
            if column != "responsible_mobile" and first[column] != values[column]:
                raise RegistryImportError(
                    line, f"{column} differs from an earlier row of this subject"
                )
        if values["website_number"] in seen_websites:
            raise RegistryImportError(line, N_("website_number 重复"))
        seen_websites.add(values["website_number"])
        for domain, _expiry in row.domains:
            if domain in seen_domains:
                raise RegistryImportError(
                    line, N_("域名 %(domain)s 出现两次（twice）"), domain=domain
                )
            seen_domains.add(domain)
        rows.append(row)
    if not rows:
        raise RegistryImportError(0, N_("文件中没有数据行"))
    return rows


def _parse_row(line: int, values: dict[str, str]) -> RegistryRow:
    def fail(text: str, **params: object) -> NoReturn:
        raise RegistryImportError(line, text, **params)

    for column in COLUMNS:
        if column not in ("access_providers",) and not values[column]:
            fail(N_("%(column)s 为空"), column=column)
        if len(values[column]) > MAX_LENGTHS.get(column, 2000):
            fail(
                N_("%(column)s 超过 %(max)s 个字符"),
                column=column, max=MAX_LENGTHS.get(column, 2000),
            )  # fmt: skip
    if check_icp_subject_number(values["subject_number"]):
        fail(N_("subject_number 不是主体备案号（R-ID-1）"))
    if check_icp_website_number(values["website_number"], values["subject_number"]):
        fail(N_("website_number 不是“主体备案号-序号”（R-ID-2）"))
    if values["subject_kind"] not in SUBJECT_KINDS:
        fail(N_("subject_kind 应为：%(values)s"), values=", ".join(sorted(SUBJECT_KINDS)))
    certificate_type = values["certificate_type"]
    if certificate_type not in CERTIFICATE_TYPES:
        fail(N_("certificate_type 应为：%(values)s"), values=", ".join(sorted(CERTIFICATE_TYPES)))
    if certificate_type == "uscc" and check_uscc(values["certificate_number"]):
        fail(N_("certificate_number 不是有效的统一社会信用代码（USCC，R-ID-4）"))
    if certificate_type == "resident_id" and check_resident_id(values["certificate_number"]):
        fail(N_("certificate_number 不是有效的居民身份证号码（R-ID-3）"))
    if values["province"] not in BY_CODE:
        fail(N_("province 不是 A1 的省份代码"))
    if check_mobile(values["responsible_mobile"]):
        fail(N_("responsible_mobile 不是中国大陆手机号（R-PH-1）"))
    if values["change_in_progress"] not in ("0", "1"):
        fail(N_("change_in_progress 应为 0 或 1"))
    domains: list[tuple[str, date]] = []
    for item in values["domains"].split():
        name, _, expiry = item.partition("@")
        try:
            domains.append((to_ascii_domain(name), date.fromisoformat(expiry)))
        except ValueError:
            fail(N_("domains 中的 %(item)s 不是 domain@YYYY-MM-DD"), item=item)
    providers = [code.strip() for code in values["access_providers"].split(";") if code.strip()]
    return RegistryRow(line, values, domains, providers, values["change_in_progress"] == "1")


@dataclass(frozen=True)
class HeldHere:
    """What an import must not undo unseen: this provider's code, and the website numbers held
    here (approved through this app); `confirmed` the numbers the admin confirmed by name."""

    provider_code: str = ""
    website_numbers: frozenset[str] = frozenset()
    confirmed: frozenset[str] = frozenset()


def import_registry(
    rows: list[RegistryRow],
    preview: bool = False,
    held: HeldHere | None = None,
    *,
    hasher: PasswordHasher | None,
) -> ImportSummary:
    """Create or update the registry from parsed rows (flushed, not committed). Idempotent.
    `hasher` hashes the filing passwords and compares them with the stored ones (a preview, which
    does neither, may pass None).

    A row that leaves this provider's code out of a website held here drops the code only when
    the admin confirmed that website by number (`held.confirmed`); otherwise the code is kept.
    Every such website is listed in the summary's `held_drops`.

    The rows' existing subjects, websites and domains are loaded up front in a few queries, and
    nothing is flushed row by row (10 000 rows in seconds, not one query and flush per row).
    preview=True (the caller rolls back): filing passwords are neither hashed nor compared, and
    nothing is flushed (the summary is all the preview needs).

    :raises RegistryImportError: when a domain already belongs to a website of another number.
    :raises ValueError: no `hasher` for an import that is not a preview.
    """
    if hasher is None and not preview:
        raise ValueError("an import hashes filing passwords: pass the runtime's hasher")
    summary = ImportSummary()
    with db.session.no_autoflush:
        known = _Known.load(rows)
        for row in rows:
            number = row.values["subject_number"]
            if number not in known.seen:  # a subject's first row upserts it
                known.subjects[number] = _upsert_subject(
                    known.subjects.get(number), row.values, summary, None if preview else hasher
                )
                known.seen.add(number)
            _upsert_website(
                known, known.subjects[number], row, summary, preview, held or HeldHere()
            )
    if not preview:
        db.session.flush()
    return summary


def _chunks(values: set[str], size: int = 500) -> list[list[str]]:
    ordered = sorted(values)
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


@dataclass
class _Known:
    """The registry rows an import touches, by their keys (loaded once)."""

    subjects: dict[str, RegistrySubject]
    websites: dict[str, RegistryWebsite]
    # a domain -> its website's id (in the tables), or the website (added by this import)
    domain_owners: dict[str, int | RegistryWebsite]
    seen: set[str] = field(default_factory=set)  # subject numbers already upserted by this import

    @classmethod
    def load(cls, rows: list[RegistryRow]) -> _Known:
        numbers = {row.values["subject_number"] for row in rows}
        website_numbers = {row.values["website_number"] for row in rows}
        names = {name for row in rows for name, _expiry in row.domains}
        subjects = {
            s.subject_number: s
            for chunk in _chunks(numbers)
            for s in db.session.scalars(
                select(RegistrySubject).where(RegistrySubject.subject_number.in_(chunk))
            )
        }
        websites = {
            w.website_number: w
            for chunk in _chunks(website_numbers)
            for w in db.session.scalars(
                select(RegistryWebsite)
                .where(RegistryWebsite.website_number.in_(chunk))
                .options(selectinload(RegistryWebsite.domains), joinedload(RegistryWebsite.subject))
            )
        }
        owners: dict[str, int | RegistryWebsite] = {
            name: website_id
            for chunk in _chunks(names)
            for name, website_id in db.session.execute(
                select(RegistryDomain.domain, RegistryDomain.website_id).where(
                    RegistryDomain.domain.in_(chunk)
                )
            )
        }
        return cls(subjects, websites, owners)


def _upsert_subject(
    subject: RegistrySubject | None,
    values: dict[str, str],
    summary: ImportSummary,
    hasher: PasswordHasher | None,
) -> RegistrySubject:
    """The subject of a row, created or updated; its filing password hashed and compared with
    `hasher` (None: a preview, which neither hashes nor compares)."""
    wanted = {
        "name": values["subject_name"],
        "kind": values["subject_kind"],
        "certificate_type": values["certificate_type"],
        "certificate_number": values["certificate_number"],
        "province": values["province"],
    }
    if subject is None:
        subject = RegistrySubject(
            subject_number=values["subject_number"],
            filing_password_hash=(
                hasher.hash_filing_password(values["filing_password"]) if hasher else "!preview"
            ),
            **wanted,
        )
        db.session.add(subject)
        summary.subjects_created += 1
        summary.details.append(f"+ {values['subject_number']}")
        summary.changes.append(
            RecordChange("subject", values["subject_number"], values["subject_name"], True)
        )
        return subject
    changed = [key for key, value in wanted.items() if getattr(subject, key) != value]
    record = RecordChange("subject", values["subject_number"], values["subject_name"], False)
    for key in changed:
        record.fields.append(FieldChange(key, str(getattr(subject, key)), wanted[key]))
        setattr(subject, key, wanted[key])
    if hasher is None:
        summary.passwords_unchecked += 1
    elif not hasher.check_filing_password_hash(
        subject.filing_password_hash, values["filing_password"]
    ):  # only a changed password is hashed anew
        subject.filing_password_hash = hasher.hash_filing_password(values["filing_password"])
        changed.append("filing_password")
        record.fields.append(FieldChange("filing_password", "", ""))  # never shown
    if changed:
        summary.subjects_updated += 1
        summary.details.append(f"~ {values['subject_number']}: {', '.join(changed)}")
        summary.changes.append(record)
    return subject


def _upsert_website(
    known: _Known,
    subject: RegistrySubject,
    row: RegistryRow,
    summary: ImportSummary,
    preview: bool,
    held: HeldHere,
) -> None:
    values = row.values
    number = values["website_number"]
    website = known.websites.get(number)
    providers = list(row.providers)
    code = held.provider_code
    if (
        code
        and number in held.website_numbers
        and code not in providers
        and (website is None or code in website.provider_codes)
    ):
        dropped = number in held.confirmed
        summary.held_drops.append(HeldDrop(number, values["website_name"], dropped))
        if not dropped:  # kept until the admin confirms this website by name
            providers.append(code)
    wanted = {
        "name": values["website_name"],
        "responsible_mobile": values["responsible_mobile"],
        "access_providers": ";".join(providers),
        "change_in_progress": row.change_in_progress,
    }
    record = RecordChange("website", number, values["website_name"], website is None)
    if website is None:
        website = RegistryWebsite(website_number=number, subject=subject, **wanted)
        db.session.add(website)
        known.websites[number] = website
        summary.websites_created += 1
        summary.details.append(f"+ {number}")
        summary.changes.append(record)
        changed = ["new"]
    else:
        changed = [key for key, value in wanted.items() if getattr(website, key) != value]
        for key in changed:
            record.fields.append(
                FieldChange(key, _shown(getattr(website, key)), _shown(wanted[key]))
            )
        if website.subject is not subject:
            record.fields.append(
                FieldChange("subject", website.subject.subject_number, subject.subject_number)
            )
            website.subject = subject
            changed.append("subject")
        for key in changed:
            if key in wanted:
                setattr(website, key, wanted[key])
    current = {domain.domain: domain for domain in website.domains}
    wanted_domains = dict(row.domains)
    removed = False
    for name, gone in current.items():
        if name not in wanted_domains:
            website.domains.remove(gone)
            known.domain_owners.pop(name, None)
            changed.append(f"-{name}")
            removed = True
    if removed and not preview:  # the DELETE first: a domain may move to a later website
        db.session.flush()
    for name, expiry in wanted_domains.items():
        existing = current.get(name)
        if existing is None:
            owner = known.domain_owners.get(name)
            if owner is not None and owner is not website and owner != website.id:
                raise RegistryImportError(
                    row.line, N_("域名 %(domain)s 已属于另一个网站"), domain=name
                )
            website.domains.append(RegistryDomain(domain=name, expires_on=expiry))
            known.domain_owners[name] = website
            changed.append(f"+{name}")
        elif existing.expires_on != expiry:
            record.fields.append(
                FieldChange("expiry", f"{name} {existing.expires_on}", f"{name} {expiry}")
            )
            existing.expires_on = expiry
            changed.append(f"{name} expiry")
    if set(current) != set(wanted_domains):
        record.fields.append(
            FieldChange("domains", " ".join(sorted(current)), " ".join(sorted(wanted_domains)))
        )
    if changed and changed[0] != "new":
        summary.websites_updated += 1
        summary.details.append(f"~ {number}: {', '.join(changed)}")
        summary.changes.append(record)
    elif not changed:
        summary.unchanged += 1


def _shown(value: object) -> str:
    """A record's value as the preview shows it (a flag as 1/0, a provider list with spaces)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value).replace(";", "; ")


class LocalRegistry:
    """The registry interface over the local tables (A5). The runtime's checks filing passwords
    with its `hasher`; one built without (`LocalRegistry()`) answers the lookups only."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher

    def subject_by_certificate(self, certificate_type: str, number: str) -> RegistrySubject | None:
        """The registry subject with this certificate, or None (A5 row 1)."""
        return db.session.scalar(
            select(RegistrySubject).where(
                RegistrySubject.certificate_type == certificate_type,
                RegistrySubject.certificate_number == number,
            )
        )

    def website_by_domain(self, domain: str) -> RegistryWebsite | None:
        """The registry website that carries this domain, or None (A5 row 2)."""
        found = db.session.scalar(
            select(RegistryDomain).where(RegistryDomain.domain == to_ascii_domain(domain))
        )
        return db.session.get(RegistryWebsite, found.website_id) if found else None

    def websites_with_mobile(self, mobile: str) -> list[RegistryWebsite]:
        """The websites whose responsible mobile on record is `mobile` (R-P-4)."""
        return list(
            db.session.scalars(
                select(RegistryWebsite).where(RegistryWebsite.responsible_mobile == mobile)
            )
        )

    def website_by_number(self, website_number: str) -> RegistryWebsite | None:
        """The registry website with this website filing number (浙ICP备…号-1), or None."""
        return db.session.scalar(
            select(RegistryWebsite).where(RegistryWebsite.website_number == website_number)
        )

    def verify_filing_password(self, subject: RegistrySubject, password: str) -> bool:
        """Whether `password` is the subject's MIIT filing password (compared with its hash).

        :raises RuntimeError: this registry was built without a hasher (use the runtime's).
        """
        if self.hasher is None:
            raise RuntimeError("LocalRegistry() without a hasher checks no filing password")
        return self.hasher.check_filing_password_hash(subject.filing_password_hash, password)

    def record_access(self, website: RegistryWebsite, provider_code: str) -> None:
        """Add `provider_code` to the website's access providers (on approval)."""
        if provider_code not in website.provider_codes:
            website.access_providers = ";".join([*website.provider_codes, provider_code])

    def cancel_access(self, website: RegistryWebsite, provider_code: str) -> None:
        """Drop `provider_code` from the website's access providers (a cancellation approved, A7)."""
        website.access_providers = ";".join(
            code for code in website.provider_codes if code != provider_code
        )

    def add_subject(
        self, subject_number: str, name: str, kind: str, certificate_type: str,
        certificate_number: str, province: str,
    ) -> RegistrySubject:  # fmt: skip
        """A subject the bureau has just filed (A8). It has no filing password here yet: the
        ministry sends one to the subject, and the next registry import brings its hash."""
        subject = RegistrySubject(
            subject_number=subject_number, name=name, kind=kind,
            certificate_type=certificate_type, certificate_number=certificate_number,
            province=province, filing_password_hash=NO_PASSWORD,
        )  # fmt: skip
        db.session.add(subject)
        db.session.flush()
        return subject

    def add_website(
        self, subject: RegistrySubject, website_number: str, name: str, responsible_mobile: str,
        domains: list[tuple[str, date]], provider_code: str,
    ) -> RegistryWebsite:  # fmt: skip
        """A website the bureau has just filed, with this provider as its access provider (A8)."""
        website = RegistryWebsite(
            subject_id=subject.id, website_number=website_number, name=name,
            responsible_mobile=responsible_mobile, access_providers=provider_code,
            change_in_progress=False,
            domains=[RegistryDomain(domain=to_ascii_domain(d), expires_on=e) for d, e in domains],
        )  # fmt: skip
        subject.websites.append(website)
        db.session.flush()
        return website

    def change_subject(self, subject: RegistrySubject, name: str) -> None:
        """The subject's name as a 变更主体 approved it (A7 v3; certificate type and number stay)."""
        subject.name = name

    def change_website(
        self, website: RegistryWebsite, name: str, domains: list[str], responsible_mobile: str,
        expires_on: date,
    ) -> None:  # fmt: skip
        """A website as a 变更网站 (or a 变更主体's person) approved it (A7 v3): its name, its
        responsible mobile, and its domains (ASCII; a removed one leaves the registry, a new one
        joins it registered until `expires_on`)."""
        website.name, website.responsible_mobile = name, responsible_mobile
        wanted = list(dict.fromkeys(to_ascii_domain(d) for d in domains))
        kept = [d for d in website.domains if d.domain in wanted]
        have = {d.domain for d in kept}
        website.domains = kept + [
            RegistryDomain(domain=d, expires_on=expires_on) for d in wanted if d not in have
        ]
        db.session.flush()

    def delete_website(self, website: RegistryWebsite) -> None:
        """A 注销网站 approved: the website and its domains leave the registry (A7 v3)."""
        db.session.delete(website)
        db.session.flush()

    def delete_subject(self, subject: RegistrySubject) -> None:
        """A 注销主体 approved: the subject and all its websites leave the registry (A7 v3)."""
        db.session.delete(subject)
        db.session.flush()


# No password hash matches this (a subject filed here until the ministry's password is imported).
NO_PASSWORD = "!"
