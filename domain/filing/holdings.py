"""Who holds a subject here (DOMAIN.md A7 v3): the account of an approved order on it, or the
account that claimed it (认领: certificate and MIIT filing password) or that an admin bound it to.

A claim serves the provider's customers who filed before this app: their registry subject lists
PROVIDER_CODE on a website but no account holds it. The filing password is checked by the one
password step (domain/filing/filing_password.py), with its limits; every claim, refused or not, and
every binding is audited.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from domain import audit
from domain.errors import DomainError
from domain.filing.filing_password import check_filing_password, remaining_tries
from domain.lifecycle.states import HOLDING_KINDS, FilingState
from domain.ports import Registry
from domain.rulebook.filing_type import normalise_certificate
from domain.support.i18n import N_, Message
from extensions import db
from models import Filing, RegistrySubject, SubjectHolding, User, Website, utcnow


class HoldingRefused(DomainError):
    """A claim, a binding or an unbinding cannot be made."""


def current_holding(subject_number: str) -> SubjectHolding | None:
    """The claim or binding that holds the subject now, if any."""
    return db.session.scalar(
        select(SubjectHolding).where(
            SubjectHolding.subject_number == subject_number, SubjectHolding.ended_at.is_(None)
        )
    )


def holders_by_orders(subject_number: str) -> set[int]:
    """The accounts holding the subject by an approved order whose websites are still records."""
    return set(
        db.session.scalars(
            select(Filing.account_id)
            .join(Website, Website.filing_id == Filing.id)
            .where(
                Filing.registry_subject_number == subject_number,
                Filing.state == FilingState.approved,
                Filing.kind.in_(HOLDING_KINDS),
                Website.superseded_at.is_(None),
            )
        )
    )


def holders(subject_number: str) -> set[int]:
    """Every account that holds the subject here (by an order, a claim or a binding)."""
    found = holders_by_orders(subject_number)
    holding = current_holding(subject_number)
    if holding is not None:
        found.add(holding.account_id)
    return found


def held_by_other(subject_number: str, account: User | None) -> bool:
    """A5 row 7 (R-T-2): the subject is held here by another account (by any, without one)."""
    found = holders(subject_number)
    return bool(found - {account.id}) if account is not None else bool(found)


def claimed_subject_numbers(account: User) -> list[str]:
    """The subjects the account holds by a claim or a binding, in the order they were taken."""
    return list(
        db.session.scalars(
            select(SubjectHolding.subject_number)
            .where(SubjectHolding.account_id == account.id, SubjectHolding.ended_at.is_(None))
            .order_by(SubjectHolding.id)
        )
    )


def _accessed_here(subject: RegistrySubject, provider_code: str) -> bool:
    return any(provider_code in website.provider_codes for website in subject.websites)


def claim(
    account: User,
    certificate_type: str,
    certificate_number: str,
    password: str,
    provider_code: str,
    registry: Registry,
    now: datetime | None = None,
) -> tuple[SubjectHolding | None, Message | None]:
    """Claim a registry subject for `account`: (the holding, None), or (None, why not). A wrong
    password is counted and audited (flushed: the caller commits either way).

    :raises TooManyPasswordFailures: the password step's limits (5 per account and hour, the cap).
    """
    now = now or utcnow()
    number = normalise_certificate(certificate_number)
    subject = registry.subject_by_certificate(certificate_type, number)
    refusal: Message | None = None
    if subject is None:
        refusal = Message(N_("未找到该证件的备案主体，请核对证件类型和号码"))
    elif not _accessed_here(subject, provider_code):
        refusal = Message(N_("该主体没有在本服务商接入的网站，请办理接入备案"))
    elif account.id in holders(subject.subject_number):
        refusal = Message(N_("该主体已在本账号的备案信息中"))
    elif held_by_other(subject.subject_number, account):
        refusal = Message(N_("该主体已由其他账号持有，不能认领；如有疑问请联系服务商"))
    if refusal is not None or subject is None:
        audit.record(
            "record_claim_refused", account, now=now,
            data={"certificate_type": certificate_type, "reason": refusal.text if refusal else ""},
        )  # fmt: skip
        db.session.flush()
        return None, refusal
    if not check_filing_password(subject, password, account=account, now=now, registry=registry):
        left = remaining_tries(subject, account, now)
        audit.record(
            "record_claim_refused", account, now=now,
            data={"subject_number": subject.subject_number, "reason": "password"},
        )  # fmt: skip
        db.session.flush()
        return None, Message(N_("备案密码不正确，本小时内还可尝试 %(n)s 次"), {"n": left})
    holding = SubjectHolding(
        subject_number=subject.subject_number, account_id=account.id, via="claim", created_at=now
    )
    db.session.add(holding)
    audit.record(
        "record_claimed", account, now=now, data={"subject_number": subject.subject_number}
    )
    db.session.flush()
    return holding, None


def bind(
    admin: User, subject_number: str, account: User, reason: str, now: datetime | None = None
) -> SubjectHolding:
    """An admin binds a registry subject to an applicant's account, with a reason (audited).

    :raises HoldingRefused: no reason, not a registry subject, not an applicant, or held already.
    """
    now = now or utcnow()
    reason = (reason or "").strip()[:200]
    if not reason:
        raise HoldingRefused(Message(N_("请填写原因")), "reason")
    if not db.session.scalar(
        select(RegistrySubject.id).where(RegistrySubject.subject_number == subject_number)
    ):
        raise HoldingRefused(Message(N_("备案库中没有该主体")), "subject")
    if account.role.value != "applicant":
        raise HoldingRefused(Message(N_("只能绑定到申请人账号")), "account")
    if holders(subject_number):
        raise HoldingRefused(Message(N_("该主体已由一个账号持有，请先解绑")), "account")
    holding = SubjectHolding(
        subject_number=subject_number, account_id=account.id, via="bind", reason=reason,
        created_at=now,
    )  # fmt: skip
    db.session.add(holding)
    audit.record(
        "record_bound", admin, note=reason, now=now,
        data={"subject_number": subject_number, "account": account.email},
    )  # fmt: skip
    db.session.flush()
    return holding


def unbind(admin: User, subject_number: str, reason: str, now: datetime | None = None) -> int:
    """An admin ends every holding of the subject, with a reason (audited): the claim or binding
    ends, and the records of approved orders stop being held (their websites superseded). Returns
    how many accounts held it.

    :raises HoldingRefused: no reason, or nobody holds it.
    """
    now = now or utcnow()
    reason = (reason or "").strip()[:200]
    if not reason:
        raise HoldingRefused(Message(N_("请填写原因")), "reason")
    accounts = holders(subject_number)
    if not accounts:
        raise HoldingRefused(Message(N_("该主体目前没有账号持有")), "subject")
    holding = current_holding(subject_number)
    if holding is not None:
        holding.ended_at, holding.end_reason = now, reason
    end_order_records(subject_number, now)
    audit.record(
        "record_unbound", admin, note=reason, now=now,
        data={"subject_number": subject_number, "accounts": sorted(accounts)},
    )  # fmt: skip
    db.session.flush()
    return len(accounts)


def end_order_records(subject_number: str, now: datetime) -> None:
    """The websites of approved orders on the subject stop being records held here."""
    websites = db.session.scalars(
        select(Website)
        .join(Filing, Website.filing_id == Filing.id)
        .where(
            Filing.registry_subject_number == subject_number,
            Filing.state == FilingState.approved,
            Filing.kind.in_(HOLDING_KINDS),
            Website.superseded_at.is_(None),
        )
    )
    for website in websites:
        website.superseded_at = now


def end_subject(subject_number: str, now: datetime) -> None:
    """A 注销主体 approved: no account holds the subject any more (claims and bindings end)."""
    holding = current_holding(subject_number)
    if holding is not None:
        holding.ended_at, holding.end_reason = now, "cancel_subject"
