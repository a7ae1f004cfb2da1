"""The operator's use cases: staff accounts, the IP pool, province rules, the rule tables and the
registry import. Every change is audited."""

from __future__ import annotations

import csv
import io
import ipaddress
import secrets
from collections.abc import Mapping
from datetime import date

from sqlalchemy import select

from domain import audit
from domain.errors import DomainError
from domain.lifecycle.states import Role
from domain.operator import accounts, ip_pool
from domain.rulebook import rule_tables
from domain.rulebook.registry import ImportSummary, import_registry, parse_registry_csv
from domain.rulebook.rules import check_public_ip
from domain.support.i18n import N_, Message
from domain.support.numbers import INTEGER_MAX, parse_whole_number
from extensions import db
from models import CalendarDay, DenyWord, DomainSuffix, ProviderIP, ProvinceRule, User, utcnow

PROVINCE_FIELDS: dict[str, type[bool | int | str]] = {
    "sms_required": bool, "mail_required": bool, "copyright_footer": bool,
    "local_mobile_required": bool, "min_age": int, "bureau_review_workdays": int, "notes": str,
    "mail_items": str, "domain_certificate_required": bool,
}  # fmt: skip


class AdminError(DomainError):
    """An admin's change was refused."""


# The ranges a province's numbers must keep, and the longest text (notes, items to mail).
PROVINCE_RANGES = {"min_age": (0, 100), "bureau_review_workdays": (1, 90)}
PROVINCE_TEXT_MAX = 2000


def _whole_number(name: str, raw: object) -> int:
    """A province's number field as typed, within its range."""
    number = parse_whole_number(raw, low=-INTEGER_MAX, high=INTEGER_MAX)
    if number is None:
        raise AdminError(Message(N_("请输入整数")), field=name)
    low, high = PROVINCE_RANGES[name]
    if not low <= number <= high:
        raise AdminError(
            Message(N_("应在 %(low)s–%(high)s 之间"), {"low": low, "high": high}), field=name
        )
    return number


def update_province_rule(
    rule: ProvinceRule, values: Mapping[str, str | bool | None], actor: User
) -> list[str]:
    """Change a province's rules; returns the names of the fields that changed (audited).

    :raises AdminError: a number outside its range or a text too long, naming its field.
    """
    changed: dict[str, list[object]] = {}
    for name, kind in PROVINCE_FIELDS.items():
        if name not in values:
            continue
        raw = values[name]
        value: str | bool | int | None = raw
        if kind is int:
            value = _whole_number(name, raw)
        elif kind is str:
            value = str(raw or "").strip()
            if len(value) > PROVINCE_TEXT_MAX:
                raise AdminError(
                    Message(N_("最多 %(n)s 个字符"), {"n": PROVINCE_TEXT_MAX}), field=name
                )
        if getattr(rule, name) != value:
            changed[name] = [getattr(rule, name), value]
            setattr(rule, name, value)
    if changed:
        rule.updated_at = utcnow()
        audit.record(
            "province_rule_changed",
            actor,
            note=rule.name,
            data={"code": rule.code, "changes": changed},
        )
    db.session.flush()
    return list(changed)


def invite_staff(email: str, display_name: str, role: Role, actor: User) -> tuple[User, str]:
    """Create a reviewer or admin with a one-time password to hand over (shown once, not stored).

    :raises accounts.AccountError: bad or taken e-mail.
    """
    if role not in (Role.reviewer, Role.admin):
        raise AdminError(Message(N_("只能邀请审核员或管理员")))
    password = temporary_password()
    user = accounts.register(email, password, display_name, role)
    user.must_change_password = True  # a one-time password: changed at the first login
    audit.record(
        "staff_invited", actor, note=user.email, data={"user": user.id, "role": role.value}
    )
    return user, password


def temporary_password() -> str:
    """A password that meets the rules: 12 characters with letters and digits."""
    return secrets.token_urlsafe(9)[:10] + str(secrets.randbelow(90) + 10)


def set_enabled(user: User, enabled: bool, actor: User) -> None:
    """Disable or re-enable an account (not one's own)."""
    if user.id == actor.id:
        raise AdminError(Message(N_("不能停用自己的账号")))
    user.is_enabled = enabled
    if not enabled:  # its sessions end now, and stay ended if it is enabled again
        accounts.end_sessions(user)
    audit.record(
        "account_enabled" if enabled else "account_disabled",
        actor,
        note=user.email,
        data={"user": user.id},
    )
    db.session.flush()


def reset_password(user: User, actor: User) -> str:
    """A new one-time password for the account (shown once, changed at the next login); every
    session of the account ends and the lock is lifted."""
    password = temporary_password()
    accounts.set_password(user, password, one_time=True)
    user.failed_logins, user.locked_until = 0, None
    audit.record("password_reset", actor, note=user.email, data={"user": user.id})
    db.session.flush()
    return password


def addresses_from_csv(text: str) -> list[str]:
    """The first column of an IP list in CSV (comma or semicolon separated, as spreadsheets save
    it), without a header row: a first row with no digit in its first cell ("address", "IP 地址")."""
    rows = [row for row in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=",") if row]
    cells = [row[0].split(";")[0].strip() for row in rows]
    cells = [cell for cell in cells if cell]
    if cells and not any(character.isdigit() for character in cells[0]):
        cells = cells[1:]
    return cells


def add_ips(text: str, actor: User) -> tuple[list[str], list[tuple[str, str]]]:
    """Add the public IPs in `text` (one per line or CSV first column) to the pool.

    Returns (added, refused with reason); refused ones change nothing.
    """
    added: list[str] = []
    refused: list[tuple[str, str]] = []
    existing = set(db.session.scalars(select(ProviderIP.address)))
    for raw in text.replace(",", "\n").splitlines():
        value = raw.strip()
        if not value or value.lower() == "address":
            continue
        problem = check_public_ip(value)
        if problem:
            refused.append((value, problem.text))
            continue
        normal = str(ipaddress.ip_address(value))
        if normal in existing:
            refused.append((value, N_("已在 IP 池中")))
            continue
        db.session.add(ProviderIP(address=normal))
        existing.add(normal)
        added.append(normal)
    if added:
        audit.record("ips_added", actor, note=f"{len(added)}", data={"ips": added})
    db.session.flush()
    return added, refused


def assign_ip(
    ip: ProviderIP, account: User | None, actor: User, *, in_use_confirmed: bool = False
) -> None:
    """Assign the IP to an applicant's account, or release it (None).

    :raises AdminError: not an applicant; or the IP leaves its account while open or approved
        filings use it and the admin has not confirmed that (DOMAIN.md A6 v2).
    """
    if account is not None and account.role is not Role.applicant:
        raise AdminError(Message(N_("IP 只能分配给申请人账号")))
    leaving = ip.account_id is not None and (account is None or account.id != ip.account_id)
    using = ip_pool.filings_using([ip.address]).get(ip.address, [])
    if leaving and using and not in_use_confirmed:
        numbers = "、".join(f"#{filing_id}" for filing_id in using)
        raise AdminError(
            Message(
                N_(
                    "IP %(ip)s 正被备案 %(filings)s 使用；确认仍要释放或转给其他账号，请勾选“确认”后再提交"
                ),
                {"ip": ip.address, "filings": numbers},
            )
        )
    ip.account_id = account.id if account else None
    ip.assigned_at = utcnow() if account else None
    audit.record(
        "ip_assigned" if account else "ip_released",
        actor,
        note=ip.address,
        data={"account": account.email if account else None, "in_use_by": using},
    )
    db.session.flush()


# --- rule tables and the calendar -------------------------------------------------------------


def add_suffix(suffix: str, approved: bool, actor: User) -> str:
    """Add or change an entry of the approved-suffix table (R-D-1)."""
    value = suffix.strip().strip(".").lower()
    try:
        valid = bool(value) and len(value) <= 63 and bool(rule_tables.suffix_to_ascii(value))
    except ValueError:
        valid = False
    if not valid:  # a bad suffix saved here would break every pre-check (issue 15)
        raise AdminError(
            Message(
                N_(
                    "域名后缀格式不正确：应由字母、数字、连字符或中文组成，各级以一个点分隔（如 cn、com.cn、中国）"
                )
            )
        )
    row = db.session.get(DomainSuffix, value) or DomainSuffix(suffix=value)
    row.approved = approved
    db.session.add(row)
    audit.record("suffix_set", actor, note=value, data={"approved": approved})
    db.session.flush()
    return value


def remove_suffix(suffix: str, actor: User) -> None:
    """Remove an entry of the suffix table (an unknown suffix changes nothing)."""
    row = db.session.get(DomainSuffix, suffix)
    if row is not None:
        db.session.delete(row)
        audit.record("suffix_removed", actor, note=suffix)
        db.session.flush()


def add_word(list_name: str, word: str, actor: User) -> None:
    """Add a word to a deny-list ('sensitive': R-N-4, 'personal': R-N-7)."""
    word = word.strip()
    if list_name not in ("sensitive", "personal") or not word or len(word) > 32:
        raise AdminError(Message(N_("词语不能为空，最多 32 个字")))
    exists = db.session.scalar(
        select(DenyWord).where(DenyWord.list_name == list_name, DenyWord.word == word)
    )
    if exists is None:
        db.session.add(DenyWord(list_name=list_name, word=word))
        audit.record("deny_word_added", actor, note=word, data={"list": list_name})
    db.session.flush()


def remove_word(word_id: int, actor: User) -> None:
    """Remove a word from its deny-list (an unknown id changes nothing)."""
    row = db.session.get(DenyWord, word_id)
    if row is not None:
        audit.record("deny_word_removed", actor, note=row.word, data={"list": row.list_name})
        db.session.delete(row)
        db.session.flush()


def set_calendar_day(day: str, is_workday: bool | None, note: str, actor: User) -> None:
    """Override one date (YYYY-MM-DD) of the working-day calendar (None removes the override).

    :raises AdminError: the date is not in YYYY-MM-DD form.
    """
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise AdminError(Message(N_("日期格式应为 YYYY-MM-DD"))) from None
    row = db.session.get(CalendarDay, when)
    if is_workday is None:
        if row is not None:
            db.session.delete(row)
    else:
        row = row or CalendarDay(day=when)
        row.is_workday, row.note = is_workday, note.strip()[:64]
        db.session.add(row)
    audit.record(
        "calendar_day_set",
        actor,
        note=f"{when.isoformat()} {note}".strip(),
        data={"day": when.isoformat(), "workday": is_workday},
    )
    db.session.flush()


# --- the national registry ------------------------------------------------------------------------


def preview_registry(text: str) -> ImportSummary:
    """What importing the registry CSV would change; nothing is written (a rolled-back savepoint).

    :raises RegistryImportError: a malformed line, or a domain of another number.
    """
    rows = parse_registry_csv(text)
    savepoint = db.session.begin_nested()
    try:
        return import_registry(rows, preview=True)  # no hashing, no writes (issue 15)
    finally:
        savepoint.rollback()


def import_registry_csv(text: str, actor: User) -> ImportSummary:
    """Import the registry CSV, all or nothing (flushed; the caller commits), audited.

    :raises RegistryImportError: a malformed line, or a domain of another number.
    """
    summary = import_registry(parse_registry_csv(text))
    audit.record(
        "registry_imported",
        actor,
        note=f"+{summary.subjects_created}/{summary.websites_created}"
        f" ~{summary.subjects_updated}/{summary.websites_updated}",
        data={"details": summary.details[:200]},
    )
    return summary
