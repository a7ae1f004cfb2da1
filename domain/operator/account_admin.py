"""The admin's hand on accounts: invite staff, list staff, find applicants, disable or enable an
account, reset its password. Every change is audited."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from domain import audit
from domain.accounts import accounts
from domain.errors import DomainError
from domain.lifecycle.states import Role
from domain.support import outbox, sealing
from domain.support.i18n import N_, Message
from domain.support.passwords import PasswordHasher
from extensions import db
from models import User

STAFF_ROLES = (Role.reviewer, Role.admin)


def staff_members() -> list[User]:
    """Reviewers and admins, in the order they were created."""
    return list(
        db.session.scalars(select(User).where(User.role.in_(STAFF_ROLES)).order_by(User.id))
    )


def find_applicants(query: str, limit: int) -> list[User]:
    """Applicant accounts, newest first, whose e-mail or name holds `query` (case-insensitive and
    literally: % and _ are not wildcards); every applicant when `query` is empty."""
    found = select(User).where(User.role == Role.applicant)
    if query:
        found = found.where(
            User.email.icontains(query, autoescape=True)
            | User.display_name.icontains(query, autoescape=True)
        )
    return list(db.session.scalars(found.order_by(User.id.desc()).limit(limit)))


# An invitation to an address that has an account already: what the admin can do instead.
STAFF_EMAIL_TAKEN = N_(
    "该邮箱已有账号，不能再次邀请；如是本服务商的工作人员，可在下方列表中为其重置密码"
)


def invite_staff(
    email: str,
    display_name: str,
    role: Role,
    actor: User,
    *,
    hasher: PasswordHasher,
    secret_key: str = "",
    login_url: str = "",
    demo_mode: bool = False,
) -> tuple[User, str]:
    """Create a reviewer or admin with a one-time password to hand over (shown once, not stored).
    With `secret_key`, an invitation e-mail goes out too: the login address and the one-time
    password, sealed in the outbox and blanked once sent (a demo copy in `demo_mode`).

    :raises accounts.AccountError: bad or taken e-mail (taken: said for staff, not for sign-up).
    """
    if role not in STAFF_ROLES:
        raise DomainError(Message(N_("只能邀请审核员或管理员")))
    password = temporary_password()
    try:
        user = accounts.register(email, password, display_name, role, hasher=hasher)
    except accounts.AccountError as exc:
        if exc.message.text == accounts.EMAIL_TAKEN:
            raise accounts.AccountError(STAFF_EMAIL_TAKEN) from None
        raise
    user.must_change_password = True  # a one-time password: changed at the first login
    audit.record(
        "staff_invited", actor, note=user.email, data={"user": user.id, "role": role.value}
    )
    if secret_key:
        sealed = sealing.seal(password, secret_key)
        demo = {outbox.DEMO_SEALED: sealed} if demo_mode else {}
        outbox.enqueue(
            None, "email", user.email, "staff_invited", sealed_code=sealed, role=role.value,
            login_url=login_url, inviter=actor.display_name or actor.email, **demo,
        )  # fmt: skip
    return user, password


def temporary_password() -> str:
    """A password that meets the rules: 12 characters with letters and digits."""
    return secrets.token_urlsafe(9)[:10] + str(secrets.randbelow(90) + 10)


def set_enabled(user: User, enabled: bool, actor: User) -> None:
    """Disable or re-enable an account (not one's own)."""
    if user.id == actor.id:
        raise DomainError(Message(N_("不能停用自己的账号")))
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


def reset_password(user: User, actor: User, *, hasher: PasswordHasher) -> str:
    """A new one-time password for the account (shown once, changed at the next login); every
    session of the account ends and the lock is lifted."""
    password = temporary_password()
    accounts.set_password(user, password, hasher=hasher, one_time=True)
    user.failed_logins, user.locked_until = 0, None
    audit.record("password_reset", actor, note=user.email, data={"user": user.id})
    db.session.flush()
    return password
