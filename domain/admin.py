"""The operator's use cases: staff accounts, the IP pool, province rules. Every change is audited."""

from __future__ import annotations

import ipaddress
import secrets

from sqlalchemy import select

from domain import accounts
from domain.i18n import N_
from domain.rules import Message, check_public_ip
from domain.states import Role
from extensions import db
from models import AuditEvent, ProviderIP, ProvinceRule, User, utcnow

PROVINCE_FIELDS = {
    "sms_required": bool, "mail_required": bool, "copyright_footer": bool,
    "local_mobile_required": bool, "min_age": int, "bureau_review_workdays": int, "notes": str,
}  # fmt: skip


class AdminError(Exception):
    def __init__(self, message: Message):
        super().__init__(message.text)
        self.message = message


def _audit(actor: User, action: str, note: str = "", **data) -> None:
    db.session.add(
        AuditEvent(actor_id=actor.id, actor_role=actor.role, action=action, note=note, data=data)
    )


def update_province_rule(rule: ProvinceRule, values: dict, actor: User) -> list[str]:
    """Change a province's rules; returns the names of the fields that changed (audited).

    :raises AdminError: a number outside its range.
    """
    changed = {}
    for name, kind in PROVINCE_FIELDS.items():
        if name not in values:
            continue
        value = values[name]
        if kind is int:
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise AdminError(Message(N_("请输入整数"))) from None
            if name == "min_age" and not 0 <= value <= 100:
                raise AdminError(Message(N_("最低年龄应在 0–100 之间")))
            if name == "bureau_review_workdays" and not 1 <= value <= 90:
                raise AdminError(Message(N_("管局审核工作日应在 1–90 之间")))
        elif kind is str:
            value = (value or "").strip()[:2000]
        if getattr(rule, name) != value:
            changed[name] = [getattr(rule, name), value]
            setattr(rule, name, value)
    if changed:
        rule.updated_at = utcnow()
        _audit(actor, "province_rule_changed", note=rule.name, code=rule.code, changes=changed)
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
    _audit(actor, "staff_invited", note=user.email, user=user.id, role=role.value)
    return user, password


def temporary_password() -> str:
    """A password that meets the rules: 12 characters with letters and digits."""
    return secrets.token_urlsafe(9)[:10] + str(secrets.randbelow(90) + 10)


def set_enabled(user: User, enabled: bool, actor: User) -> None:
    """Disable or re-enable an account (not one's own)."""
    if user.id == actor.id:
        raise AdminError(Message(N_("不能停用自己的账号")))
    user.is_enabled = enabled
    _audit(
        actor, "account_enabled" if enabled else "account_disabled", note=user.email, user=user.id
    )
    db.session.flush()


def reset_password(user: User, actor: User) -> str:
    """A new one-time password for the account (shown once); the lock is lifted."""
    password = temporary_password()
    accounts.set_password(user, password)
    user.failed_logins, user.locked_until = 0, None
    _audit(actor, "password_reset", note=user.email, user=user.id)
    db.session.flush()
    return password


def add_ips(text: str, actor: User) -> tuple[list[str], list[tuple[str, str]]]:
    """Add the public IPs in `text` (one per line or CSV first column) to the pool.

    Returns (added, refused with reason); refused ones change nothing.
    """
    added, refused = [], []
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
        _audit(actor, "ips_added", note=f"{len(added)}", ips=added)
    db.session.flush()
    return added, refused


def assign_ip(ip: ProviderIP, account: User | None, actor: User) -> None:
    """Assign the IP to an applicant's account, or release it (None)."""
    if account is not None and account.role is not Role.applicant:
        raise AdminError(Message(N_("IP 只能分配给申请人账号")))
    ip.account_id = account.id if account else None
    ip.assigned_at = utcnow() if account else None
    _audit(actor, "ip_assigned" if account else "ip_released", note=ip.address,
           account=account.email if account else None)  # fmt: skip
    db.session.flush()


# --- rule tables and the calendar -------------------------------------------------------------


def add_suffix(suffix: str, approved: bool, actor: User) -> str:
    """Add or change an entry of the approved-suffix table (R-D-1)."""
    from models import DomainSuffix

    value = suffix.strip().strip(".").lower()
    if not value or " " in value or len(value) > 63:
        raise AdminError(Message(N_("后缀格式不正确")))
    row = db.session.get(DomainSuffix, value) or DomainSuffix(suffix=value)
    row.approved = approved
    db.session.add(row)
    _audit(actor, "suffix_set", note=value, approved=approved)
    db.session.flush()
    return value


def remove_suffix(suffix: str, actor: User) -> None:
    from models import DomainSuffix

    row = db.session.get(DomainSuffix, suffix)
    if row is not None:
        db.session.delete(row)
        _audit(actor, "suffix_removed", note=suffix)
        db.session.flush()


def add_word(list_name: str, word: str, actor: User) -> None:
    """Add a word to a deny-list ('sensitive': R-N-4, 'personal': R-N-7)."""
    from models import DenyWord

    word = word.strip()
    if list_name not in ("sensitive", "personal") or not word or len(word) > 32:
        raise AdminError(Message(N_("词语不能为空，最多 32 个字")))
    exists = db.session.scalar(
        select(DenyWord).where(DenyWord.list_name == list_name, DenyWord.word == word)
    )
    if exists is None:
        db.session.add(DenyWord(list_name=list_name, word=word))
        _audit(actor, "deny_word_added", note=word, list=list_name)
    db.session.flush()


def remove_word(word_id: int, actor: User) -> None:
    from models import DenyWord

    row = db.session.get(DenyWord, word_id)
    if row is not None:
        _audit(actor, "deny_word_removed", note=row.word, list=row.list_name)
        db.session.delete(row)
        db.session.flush()


def set_calendar_day(day, is_workday: bool | None, note: str, actor: User) -> None:
    """Override one date of the working-day calendar (None removes the override)."""
    from models import CalendarDay

    row = db.session.get(CalendarDay, day)
    if is_workday is None:
        if row is not None:
            db.session.delete(row)
    else:
        row = row or CalendarDay(day=day)
        row.is_workday, row.note = is_workday, note.strip()[:64]
        db.session.add(row)
    _audit(actor, "calendar_day_set", note=f"{day.isoformat()} {note}".strip(),
           day=day.isoformat(), workday=is_workday)  # fmt: skip
    db.session.flush()
