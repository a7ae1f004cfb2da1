"""Service codes (备案服务码, DOMAIN.md A10): the provider's billing issues a code for an instance
(the account, its public IPs, the date it is paid until) through the API, or an admin issues one in
the console; in the wizard's product step a code verifies the product of one website of one order
and puts its IPs on that website.

A code is refused when it is unknown (or another account's: the answer does not tell which), used
by another website or order, revoked, or paid until fewer than 90 days after the day it is entered
(HW: at least three months). Only a SHA-256 of the code is stored (codes are random, 80 bits), with
its last four characters to tell codes apart; the plain code is shown once, when it is issued.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
import unicodedata
from datetime import date, datetime, timedelta

from sqlalchemy import select

from domain import audit
from domain.errors import DomainError
from domain.lifecycle.states import Role
from domain.policy import Policy
from domain.ports import ServiceCode as SourceCode
from domain.ports import ServiceCodeSource
from domain.rulebook.rules import check_public_ip
from domain.support.i18n import N_, Message
from extensions import db
from models import ApiToken, Filing, ServiceCode, User, Website, WebsiteIP, utcnow

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed by hand
LENGTH = 16
MIN_PAID_DAYS = 90  # paid until at least this many days after the day the code is entered
MAX_IPS = 16
MODES = ("ip_pool", "service_code", "either")


class ServiceCodeError(DomainError):
    """A code could not be issued, revoked or used; `field` names the input."""


def mode(policy: Policy | None) -> str:
    """The product verification in force (PRODUCT_VERIFICATION; an unknown value is ip_pool)."""
    value = policy.product_verification if policy is not None else "ip_pool"
    return value if value in MODES else "ip_pool"


def accepts_codes(policy: Policy | None) -> bool:
    """Whether the product step takes service codes."""
    return mode(policy) in ("service_code", "either")


def accepts_pool(policy: Policy | None) -> bool:
    """Whether the product step takes the account's IPs from the IP pool."""
    return mode(policy) in ("ip_pool", "either")


def normalise(code: str | None) -> str:
    """A typed code as stored: full-width folded, upper case, separators and spaces dropped."""
    folded = unicodedata.normalize("NFKC", code or "").upper()
    return "".join(ch for ch in folded if ch.isalnum())[:64]


def _hash(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def formatted(code: str) -> str:
    """The code in groups of four, as it is shown and handed to the customer."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


# --- issuing and revoking ---------------------------------------------------------------------


def _clean_ips(ips: object) -> list[str]:
    """The instance's public IPs, each checked (R-IP-1) and written the canonical way.

    :raises ServiceCodeError: none, too many, or one that is not a public IP.
    """
    if not isinstance(ips, list | tuple) or not ips:
        raise ServiceCodeError(Message(N_("请填写实例的公网 IP（至少一个）")), "ips")
    if len(ips) > MAX_IPS:
        raise ServiceCodeError(Message(N_("最多 %(n)s 个 IP"), {"n": MAX_IPS}), "ips")
    cleaned = []
    for value in ips:
        text = value.strip() if isinstance(value, str) else ""
        problem = check_public_ip(text) if text else Message(N_("IP 地址格式不正确"))
        if problem is not None:
            raise ServiceCodeError(
                Message(N_("IP %(ip)s：%(problem)s"), {"ip": text[:45], "problem": problem}),
                "ips",
            )
        cleaned.append(str(ipaddress.ip_address(text)))
    return list(dict.fromkeys(cleaned))


def issue(
    account: User | None, ips: object, paid_until: date | None, *, by: User | None,
    token: ApiToken | None = None, note: str = "", now: datetime | None = None,
) -> tuple[ServiceCode, str]:  # fmt: skip
    """A new code for `account`'s instance (flushed; the caller commits): the row and the plain
    code, which is returned this once.

    :raises ServiceCodeError: no enabled applicant account, bad IPs, or no paid-until date.
    """
    if account is None or account.role is not Role.applicant or not account.is_enabled:
        raise ServiceCodeError(Message(N_("没有该邮箱的已启用申请人账号")), "account")
    cleaned = _clean_ips(ips)
    if paid_until is None:
        raise ServiceCodeError(Message(N_("请填写付费到期日（YYYY-MM-DD）")), "paid_until")
    now = now or utcnow()
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    row = ServiceCode(
        code_hash=_hash(code), hint=code[-4:], account_id=account.id, ips=cleaned,
        paid_until=paid_until, issued_at=now, issued_by_id=by.id if by is not None else None,
        token_id=token.id if token is not None else None, note=(note or "").strip()[:128],
    )  # fmt: skip
    db.session.add(row)
    db.session.flush()
    audit.record(
        "service_code_issued", by, now=now, internal=True,
        data={"service_code_id": row.id, "account_id": account.id, "ips": cleaned,
              "paid_until": paid_until.isoformat(), "token_id": row.token_id},
    )  # fmt: skip
    db.session.flush()
    return row, code


def revoke(code_id: int, actor: User | None, now: datetime | None = None) -> ServiceCode:
    """Revoke a code for good (flushed); revoking twice changes nothing. A website that used it
    keeps it until its order is submitted, which the re-check then refuses.

    :raises ServiceCodeError: there is no code with this id.
    """
    row = db.session.get(ServiceCode, code_id)
    if row is None:
        raise ServiceCodeError(Message(N_("没有该编号的备案服务码")), "id")
    if row.revoked_at is None:
        row.revoked_at = now or utcnow()
        audit.record("service_code_revoked", actor, internal=True, data={"service_code_id": row.id})
        db.session.flush()
    return row


def find(code_id: int) -> ServiceCode | None:
    """One code by its id."""
    return db.session.get(ServiceCode, code_id)


def listed(
    account: User | None = None, limit: int = 200, before: int | None = None
) -> list[ServiceCode]:
    """Codes, newest first (of one account when given); keyset pages by id."""
    query = select(ServiceCode)
    if account is not None:
        query = query.where(ServiceCode.account_id == account.id)
    if before:
        query = query.where(ServiceCode.id < before)
    return list(db.session.scalars(query.order_by(ServiceCode.id.desc()).limit(limit)))


def state(row: ServiceCode) -> str:
    """`revoked`, `used` or `active` (an untranslated code; see STATE_LABELS)."""
    if row.revoked_at is not None:
        return "revoked"
    if row.used_at is not None:
        return "used"
    return "active"


STATE_LABELS = {"active": N_("未使用"), "used": N_("已使用"), "revoked": N_("已吊销")}


def as_dict(row: ServiceCode, code: str | None = None) -> dict[str, object]:
    """The code as the API answers it (the plain code only right after issuing)."""
    document: dict[str, object] = {
        "id": row.id,
        "hint": row.hint,
        "account": row.account.email,
        "ips": list(row.ips),
        "paid_until": row.paid_until.isoformat(),
        "state": state(row),
        "note": row.note,
        "issued_at": row.issued_at.isoformat(),
        "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
        "used_at": row.used_at.isoformat() if row.used_at else None,
        "filing_id": row.filing_id,
    }
    if code is not None:
        document["code"] = formatted(code)
    return document


# --- the built-in source ----------------------------------------------------------------------


class LocalServiceCodes:
    """The codes of this app's own table (issued through the API or the console)."""

    def find(self, code: str) -> SourceCode | None:
        """The code as this app's table holds it, or None."""
        row = db.session.scalar(select(ServiceCode).where(ServiceCode.code_hash == _hash(code)))
        if row is None:
            return None
        return SourceCode(
            code=normalise(code), account_ref=row.account.email, ips=tuple(row.ips),
            valid_until=row.paid_until, revoked=row.revoked_at is not None,
        )  # fmt: skip


# --- using a code in the wizard ---------------------------------------------------------------

UNKNOWN = N_("备案服务码不存在或不属于本账号，请核对后重新填写")
USED = N_("该备案服务码已被使用：一个服务码只能用于一个备案订单中的一个网站")
REVOKED = N_("该备案服务码已被吊销，请向服务商重新获取")
SHORT_PAID = N_(
    "该备案服务码对应实例的付费到期日为 %(date)s，须在填写之日起至少 %(days)s 天（3 个月）之后，"
    "请续费后再填写"
)


def _row_for(found: SourceCode, account: User) -> ServiceCode:
    """This app's row of a code (a code of an outside billing system gets one on first use)."""
    row = db.session.scalar(
        select(ServiceCode).where(ServiceCode.code_hash == _hash(found.code)).with_for_update()
    )
    if row is None:
        row = ServiceCode(
            code_hash=_hash(found.code), hint=normalise(found.code)[-4:], account_id=account.id,
            ips=list(found.ips), paid_until=found.valid_until or date.min, note=found.product[:128],
        )  # fmt: skip
        db.session.add(row)
        db.session.flush()
    return row


def code_of(website: Website) -> ServiceCode | None:
    """The code a website of an order uses, if any."""
    if website.id is None:
        return None
    return db.session.scalar(select(ServiceCode).where(ServiceCode.website_id == website.id))


def codes_of(filing: Filing) -> dict[int, ServiceCode]:
    """The codes the order's websites use, by website id."""
    rows = db.session.scalars(select(ServiceCode).where(ServiceCode.filing_id == filing.id))
    return {row.website_id: row for row in rows if row.website_id is not None}


def use(
    filing: Filing, website: Website, typed: str, account: User, today: date,
    source: ServiceCodeSource, now: datetime | None = None,
) -> ServiceCode:  # fmt: skip
    """Verify the product of `website` by the code typed and put the code's IPs on it (flushed).
    The same code again changes nothing; another code replaces the website's earlier one, which
    becomes free again.

    :raises ServiceCodeError: unknown (or another account's), used elsewhere, revoked, or paid
        until fewer than 90 days after `today`; the field is the website's code field.
    """
    field = f"service_code-{website.id}"
    found = source.find(normalise(typed)) if normalise(typed) else None
    if found is None or found.account_ref.lower() != account.email.lower():
        raise ServiceCodeError(Message(UNKNOWN), field)
    if found.revoked:
        raise ServiceCodeError(Message(REVOKED), field)
    row = _row_for(found, account)
    if row.revoked_at is not None:
        raise ServiceCodeError(Message(REVOKED), field)
    if row.used_at is not None and row.website_id == website.id:
        return row  # entered again
    if row.used_at is not None:
        raise ServiceCodeError(Message(USED), field)
    paid_until = found.valid_until
    if paid_until is None or paid_until < today + timedelta(days=MIN_PAID_DAYS):
        shown = paid_until.isoformat() if paid_until else "—"
        raise ServiceCodeError(Message(SHORT_PAID, {"date": shown, "days": MIN_PAID_DAYS}), field)
    now = now or utcnow()
    earlier = code_of(website)
    if earlier is not None:
        earlier.used_at = earlier.filing_id = earlier.website_id = None
        db.session.flush()
    row.ips = list(found.ips)
    row.used_at, row.filing_id, row.website_id = now, filing.id, website.id
    current = {ip.address: ip for ip in website.ips}
    website.ips = [current.get(a) or WebsiteIP(address=a) for a in row.ips]
    audit.record(
        "service_code_used", account, filing=filing, now=now,
        data={"service_code_id": row.id, "website": website.name, "ips": list(row.ips)},
    )  # fmt: skip
    db.session.flush()
    return row


def code_ips(filing: Filing) -> set[str]:
    """The IPs of the codes the order's websites use and that are not revoked: valid product IPs
    in the submission's re-check, like the account's IPs from the pool."""
    return {
        address
        for row in codes_of(filing).values()
        if row.revoked_at is None
        for address in row.ips
    }
