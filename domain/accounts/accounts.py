"""Accounts: password rules, sign-up and login; sessions that can be ended (a per-account session
version), password change and reset by a signed e-mail link, one-time passwords, and the staff's
second factor (TOTP with recovery codes)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, cast

import pyotp
from email_validator import EmailNotValidError, validate_email
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import CursorResult, Executable, delete, func, select, update

from domain import audit
from domain.errors import DomainError
from domain.lifecycle.states import Role
from domain.support import common_passwords, outbox, sealing
from domain.support.i18n import N_
from domain.support.passwords import PasswordHasher
from extensions import db
from models import AuditEvent, OutboxMessage, RecoveryCode, User, utcnow

RESET_LINK_MINUTES = 30  # a password-reset link is good for this long, and for one use
RESET_MAILS_PER_HOUR = 3  # per address: "forgot password" cannot flood somebody's mailbox
RECOVERY_CODE_COUNT = 10
TOTP_ISSUER = "Beian Desk"


def _rows_changed(statement: Executable) -> int:
    """Run an UPDATE and say how many rows it changed (the compare-and-set checks)."""
    return int(cast(CursorResult[Any], db.session.execute(statement)).rowcount)


class AccountError(DomainError):
    """Sign-up or login was refused."""


PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128
# Words of this service an account password must not be (ASVS 6.2.11), besides the e-mail.
CONTEXT_WORDS = frozenset({"beiandesk", "beian desk", "beiandesk.cn", "备案台", "备案密码"})


def check_password_strength(password: str, email: str = "") -> str | None:
    """Password rule (ASVS 6.2): 8-128 characters of any kind (spaces and Chinese included), no
    composition rules; not a common or breached password (domain.support.common_passwords), not
    the e-mail address or its name part, not a word of this service."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return N_("至少 8 位")
    if len(password) > PASSWORD_MAX_LENGTH:
        return N_("最多 128 位")
    folded = password.lower()
    local_part = email.lower().partition("@")[0]
    if email and folded in (email.lower(), local_part):
        return N_("不能与邮箱相同")
    if folded in CONTEXT_WORDS:
        return N_("不能使用本系统的名称")
    if common_passwords.is_common_password(password):
        return N_("过于常见（在常用或已泄露的密码列表中），请换一个")
    return None


def normalise_email(email: str) -> str:
    """Lower-case, trimmed, syntactically valid address (no deliverability check).

    :raises AccountError: when it is not an e-mail address.
    """
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise AccountError(N_("格式不正确")) from exc


EMAIL_TAKEN = N_("已被注册，请直接登录")


def find_user(email: str) -> User | None:
    """The account with this e-mail address, case-insensitively."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def register(
    email: str,
    password: str,
    display_name: str = "",
    role: Role = Role.applicant,
    *,
    hasher: PasswordHasher,
) -> User:
    """Create an account (flushed, not committed); `hasher` hashes its password.

    :raises AccountError: invalid e-mail, weak password, or the e-mail is taken.
    """
    email = normalise_email(email)
    problem = check_password_strength(password, email)
    if problem:
        raise AccountError(problem)
    if find_user(email) is not None:
        raise AccountError(EMAIL_TAKEN)
    user = User(
        email=email,
        password_hash=hasher.hash_password(password),
        display_name=display_name.strip()[:64],
        role=role,
    )
    db.session.add(user)
    db.session.flush()
    return user


def set_password(
    user: User, password: str, *, hasher: PasswordHasher, one_time: bool = False
) -> None:
    """Change a password after checking the rules, and end every session of the account.
    A `one_time` password (an invite's, an admin's reset) must be changed at the next login.

    :raises AccountError: for a weak password.
    """
    problem = check_password_strength(password, user.email)
    if problem:
        raise AccountError(problem, field="password")
    user.password_hash = hasher.hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = one_time
    end_sessions(user)


def end_sessions(user: User) -> None:
    """End every session of the account at once: each login's session carries the version it began
    with, and a request whose version is not the account's is treated as logged out."""
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(session_version=User.session_version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user, ["session_version"])


def is_current_session(user: User | None, session_version: object) -> bool:
    """Whether a session that began at `session_version` still belongs to this enabled account."""
    return (
        user is not None
        and user.is_enabled
        and isinstance(session_version, int)
        and session_version == user.session_version
    )


def change_password(user: User, current: str, new: str, *, hasher: PasswordHasher) -> None:
    """The account holder's change; every session ends. The caller has checked `current` with
    throttle.recheck_password (counted and audited) before.

    :raises AccountError: a weak new password (field `password`), or the same as the current one.
    """
    if current == new:
        raise AccountError(N_("不能与当前密码相同"), field="password")
    set_password(user, new, hasher=hasher)
    audit.record("password_changed", user, internal=True, data={"user": user.id})


# --- password reset by e-mail ------------------------------------------------------------------


def _reset_serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="beian-desk password reset")


def _password_fingerprint(user: User) -> str:
    # A link names the password it replaces: once any new password is set, it is dead (one use).
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def reset_token(user: User, secret_key: str) -> str:
    """A signed token for the reset link of this account (its current password, its id)."""
    return _reset_serializer(secret_key).dumps({"u": user.id, "p": _password_fingerprint(user)})


def user_for_reset_token(token: str, secret_key: str) -> User | None:
    """The enabled account a reset token was made for, while it is fresh and unused; else None."""
    try:
        data = _reset_serializer(secret_key).loads(token, max_age=RESET_LINK_MINUTES * 60)
    except (BadSignature, SignatureExpired, UnicodeError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"]) if 0 < data["u"] < 2**31 else None
    if user is None or not user.is_enabled:
        return None
    if not hmac.compare_digest(str(data.get("p", "")), _password_fingerprint(user)):
        return None
    return user


def request_password_reset(
    email: str, secret_key: str, link_for_token: Callable[[str], str], demo_mode: bool = False
) -> bool:
    """Queue a reset e-mail when the address belongs to an enabled account and has not asked too
    often; returns whether a mail was queued. The caller answers the same either way.

    `link_for_token(token)` builds the absolute URL of the reset page. The link travels sealed in
    the outbox (as SMS codes do) and is blanked once sent; in `demo_mode` a second sealed copy
    stays for the demo mailbox.
    """
    user = find_user(email) if len(email) <= 254 else None
    if user is None or not user.is_enabled:
        return False
    since = utcnow() - timedelta(hours=1)
    recent = db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.template == "password_reset",
            OutboxMessage.recipient == user.email,
            OutboxMessage.created_at >= since,
        )
    )
    if (recent or 0) >= RESET_MAILS_PER_HOUR:
        return False
    link = link_for_token(reset_token(user, secret_key))
    # the demo mailbox's copy, left in place by the sender (demo mode only: never in production)
    demo = {outbox.DEMO_SEALED: sealing.seal(link, secret_key)} if demo_mode else {}
    outbox.enqueue(
        None,
        "email",
        user.email,
        "password_reset",
        sealed_code=sealing.seal(link, secret_key),
        **demo,
        minutes=RESET_LINK_MINUTES,
        name=user.display_name or user.email,
    )
    audit.record("password_reset_requested", user, internal=True, data={"user": user.id})
    return True


def send_reset_link(
    user: User, actor: User, secret_key: str, link_for_token: Callable[[str], str]
) -> bool:
    """An admin sends the account a reset link (audited); False when the account is disabled or
    had three links in the last hour."""
    sent = request_password_reset(user.email, secret_key, link_for_token)
    if sent:
        audit.record("reset_link_sent", actor, note=user.email, data={"user": user.id})
    return sent


def reset_password_with_token(
    token: str, password: str, secret_key: str, *, hasher: PasswordHasher
) -> User:
    """Set a new password through a reset link: once per link; every session ends, and a one-time
    password's duty to change it is fulfilled.

    :raises AccountError: the link is invalid, expired or used; the password is weak.
    """
    user = user_for_reset_token(token, secret_key)
    if user is None:
        raise AccountError(N_("重置链接无效、已使用或已过期，请重新申请"), field="token")
    problem = check_password_strength(password, user.email)
    if problem:
        raise AccountError(problem, field="password")
    # Compare-and-set on the old hash: of two requests with the same link only one succeeds.
    changed = _rows_changed(
        update(User)
        .where(User.id == user.id, User.password_hash == user.password_hash)
        .values(
            password_hash=hasher.hash_password(password),
            password_changed_at=utcnow(),
            must_change_password=False,
            failed_logins=0,
            locked_until=None,
            session_version=User.session_version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if changed != 1:
        raise AccountError(N_("重置链接无效、已使用或已过期，请重新申请"), field="token")
    db.session.refresh(user)
    audit.record("password_reset_by_link", user, internal=True, data={"user": user.id})
    return user


# --- the second factor (TOTP, RFC 6238) with recovery codes -------------------------------------


def totp_required(user: User) -> bool:
    """Admins must use a second factor; reviewers may; applicants are not offered one."""
    return user.role is Role.admin


def totp_offered(user: User) -> bool:
    """Whether the account may enrol a second factor (staff)."""
    return user.role in (Role.reviewer, Role.admin)


def has_totp(user: User) -> bool:
    """Whether the account's second factor is enrolled and confirmed."""
    return user.totp_enabled_at is not None


def totp_secret(user: User, secret_key: str) -> str | None:
    """The account's TOTP secret in clear (it is stored sealed)."""
    return sealing.unseal(user.totp_secret, secret_key) if user.totp_secret else None


def begin_totp_enrolment(user: User, secret_key: str) -> str:
    """Draw a new secret for this enrolment (after the password was asked again), kept sealed on
    the account until a code from it is confirmed; an earlier unconfirmed one is dropped, so only
    whoever began this enrolment knows the secret (audited).

    :raises AccountError: the account already has a second factor, or is not staff.
    """
    if not totp_offered(user):
        raise AccountError(N_("该账号不提供两步验证"))
    if has_totp(user):
        raise AccountError(N_("已启用两步验证"))
    secret = pyotp.random_base32()
    user.totp_secret = sealing.seal(secret, secret_key)
    user.totp_last_step = None
    audit.record("totp_enrolment_started", user, internal=True, data={"user": user.id})
    db.session.flush()
    return secret


def enrolment_mark(user: User) -> str | None:
    """A fingerprint of the account's unconfirmed enrolment (of its sealed secret, which differs
    per enrolment): the session that began it keeps the mark, and only that session is shown the
    secret or may confirm it. None when no enrolment is open."""
    if user.totp_secret is None or has_totp(user):
        return None
    return hashlib.sha256(user.totp_secret.encode()).hexdigest()[:32]


def enable_totp_with_secret(user: User, secret: str, secret_key: str, now: datetime) -> None:
    """Give the account a confirmed second factor with a known secret (the demo admin's, which
    seed-demo prints; never for a real account)."""
    user.totp_secret = sealing.seal(secret, secret_key)
    user.totp_enabled_at = now
    db.session.flush()


def current_totp_code(user: User, secret_key: str, now: datetime) -> str | None:
    """The code the account's authenticator shows at `now` (the demo's `totp-code` command)."""
    secret = totp_secret(user, secret_key) if has_totp(user) else None
    return pyotp.TOTP(secret).at(now) if secret else None


def provisioning_uri(user: User, secret: str, issuer: str = TOTP_ISSUER) -> str:
    """The otpauth:// URI that authenticator apps read from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def _time_step(now: datetime) -> int:
    return int(now.timestamp()) // 30


def _accept_totp(user: User, code: str, secret: str, now: datetime) -> bool:
    """A code of the current step or one either side, never one already accepted (the step is
    taken with one compare-and-set UPDATE, so two requests cannot both spend it)."""
    code = code.strip().replace(" ", "")
    if not (code.isascii() and code.isdigit() and len(code) == 6):  # int() and compare_digest
        return False
    totp = pyotp.TOTP(secret)
    current = _time_step(now)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.at(step * 30), code):
            taken = _rows_changed(
                update(User)
                .where(
                    User.id == user.id,
                    (User.totp_last_step.is_(None)) | (User.totp_last_step < step),
                )
                .values(totp_last_step=step)
                .execution_options(synchronize_session=False)
            )
            db.session.refresh(user, ["totp_last_step"])
            return taken == 1
    return False


def confirm_totp_enrolment(user: User, code: str, secret_key: str, now: datetime) -> list[str]:
    """Turn the second factor on with a first code from the app; returns the recovery codes (shown
    once; only their hashes are stored).

    :raises AccountError: a wrong code (field `code`), or no enrolment begun.
    """
    secret = totp_secret(user, secret_key)
    if secret is None or has_totp(user):
        raise AccountError(N_("请先扫描二维码"), field="code")
    if not _accept_totp(user, code, secret, now):
        raise AccountError(
            N_("验证码不正确或已使用，请输入应用中当前显示的 6 位数字"), field="code"
        )
    user.totp_enabled_at = now
    audit.record("totp_enabled", user, internal=True, data={"user": user.id})
    return new_recovery_codes(user)


def _code_hash(code: str) -> str:
    normalised = code.strip().lower().replace("-", "").replace(" ", "")
    return hashlib.sha256(normalised.encode()).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Replace the account's recovery codes with fresh ones (80 random bits each) and return them."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(10)
        codes.append("-".join(raw[i : i + 5] for i in range(0, 20, 5)))
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_code_hash(c)) for c in codes)
    db.session.flush()
    return codes


def replace_recovery_codes(user: User) -> list[str]:
    """New recovery codes for an account with a second factor (the caller has asked the password
    again, throttle.recheck_password); the old ones stop working.

    :raises AccountError: no second factor.
    """
    if not has_totp(user):
        raise AccountError(N_("未启用两步验证"))
    audit.record("recovery_codes_replaced", user, internal=True, data={"user": user.id})
    return new_recovery_codes(user)


def recovery_codes_left(user: User) -> int:
    """How many unused recovery codes the account has."""
    count = db.session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    return count or 0


def verify_second_factor(user: User, code: str, secret_key: str, now: datetime) -> bool:
    """Whether `code` is a valid TOTP code or an unused recovery code of the account (a recovery
    code is spent by one compare-and-set UPDATE)."""
    secret = totp_secret(user, secret_key)
    if secret is None or not has_totp(user) or len(code) > 64:
        return False
    if _accept_totp(user, code, secret, now):
        return True
    spent = _rows_changed(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _code_hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent == 1:
        audit.record("recovery_code_used", user, internal=True, data={"user": user.id})
    else:
        audit.record("second_factor_failed", user, internal=True, data={"user": user.id})
    return spent == 1


def try_second_factor(
    user: User, code: str, secret_key: str, now: datetime, tries: int
) -> bool | None:
    """The second step of a login, within the account's limit of `tries` wrong codes in 15
    minutes: None when they are used up (the code is not even looked at), else whether the code
    was accepted. The account's row is locked first (PostgreSQL: FOR UPDATE), so attempts made at
    once are counted one after the other: never more codes checked than tries were left."""
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    if second_factor_failures(user, now) >= tries:
        return None
    return verify_second_factor(user, code, secret_key, now)


def second_factor_failures(user: User, now: datetime, minutes: int = 15) -> int:
    """Wrong second-factor codes given for the account in the last `minutes` (counted in the
    database, so every worker sees them)."""
    count = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.actor_id == user.id,
            AuditEvent.action == "second_factor_failed",
            AuditEvent.created_at >= now - timedelta(minutes=minutes),
        )
    )
    return count or 0


ADMIN_KEEPS_TOTP = N_("管理员必须使用两步验证")


def disable_totp(user: User) -> None:
    """Turn a reviewer's second factor off (the caller has asked the password again,
    throttle.recheck_password); admins keep theirs.

    :raises AccountError: the role requires it.
    """
    if totp_required(user):
        raise AccountError(ADMIN_KEEPS_TOTP)
    clear_totp(user)
    audit.record("totp_disabled", user, internal=True, data={"user": user.id})


def reset_second_factor(user: User, actor: User) -> None:
    """An admin clears a staff member's lost second factor and recovery codes: every session of
    the account ends, and an admin enrols again at the next login.

    :raises AccountError: one's own (another admin must do it), or none enrolled.
    """
    if user.id == actor.id:
        raise AccountError(N_("不能重置自己的两步验证，请联系其他管理员"))
    if user.totp_secret is None:
        raise AccountError(N_("该账号未启用两步验证"))
    clear_totp(user)
    end_sessions(user)
    audit.record("second_factor_reset", actor, note=user.email, data={"user": user.id})


def clear_totp(user: User) -> None:
    """Forget the account's second factor and its recovery codes (flushed)."""
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


# --- the account page --------------------------------------------------------------------------


def set_display_name(user: User, name: str) -> None:
    """Change the name the account is shown by (trimmed, at most 64 characters)."""
    user.display_name = name.strip()[:64]
    db.session.flush()


def record_login(user: User, client: str, agent: str) -> None:
    """Audit a completed login with the session version it began in (the account page lists the
    logins of the current version that may still be open)."""
    audit.record(
        "login",
        user,
        internal=True,
        data={"sv": user.session_version, "client": client[:64], "agent": agent[:160]},
    )


def open_sessions(user: User, lifetime: timedelta, now: datetime) -> list[dict[str, Any]]:
    """The logins that may still be open: since the last time every session was ended, within a
    session's lifetime, newest first (time, client address, browser)."""
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.actor_id == user.id,
            AuditEvent.action == "login",
            AuditEvent.created_at >= now - lifetime,
        )
        .order_by(AuditEvent.id.desc())
        .limit(50)
    )
    return [
        {"at": event.created_at, "client": event.data.get("client", ""),
         "agent": event.data.get("agent", ""), "id": event.id}
        for event in events
        if event.data.get("sv") == user.session_version
    ]  # fmt: skip


class WrongCredentials(AccountError):
    """The e-mail has no account or the password is wrong (one message for both)."""

    default = N_("邮箱或密码错误。刚注册的账号须先打开确认邮件中的链接，确认后才能登录")


def authenticate(email: str, password: str, *, hasher: PasswordHasher) -> User:
    """Return the account for a correct login; count failures on the account (for the audit).

    One password hash is checked on every path (a dummy one for an unknown address), so the time
    taken does not tell whether an account exists. Nothing is locked here: attempts are held back
    per client by domain.accounts.throttle, which a stranger cannot turn against the owner.

    :raises WrongCredentials: wrong e-mail or password.
    :raises AccountError: a disabled account (said only to whoever knows its password).
    """
    user = find_user(email)
    if user is None:
        hasher.check_nothing(password)  # same cost as a real check
        raise WrongCredentials()
    if not hasher.check_password(user.password_hash, password):
        db.session.execute(
            update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1)
        )
        db.session.refresh(user)
        audit.record("login_failed", user, internal=True, data={"failures": user.failed_logins})
        raise WrongCredentials()
    if not user.is_enabled:
        raise AccountError(N_("该账号已停用，请联系管理员"))
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = utcnow()
    return user
