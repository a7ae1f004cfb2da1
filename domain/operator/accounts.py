"""Accounts: password rules, sign-up and login with a failed-login limit kept in the database."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash

from domain import audit
from domain.errors import DomainError
from domain.lifecycle.states import Role
from domain.support.i18n import N_
from domain.support.passwords import hash_password
from extensions import db
from models import User, utcnow


class AccountError(DomainError):
    """Sign-up or login was refused."""


def check_password_strength(password: str, email: str = "") -> str | None:
    """Password rule: 8-128 characters with a letter and a digit, and not the e-mail address."""
    if len(password) < 8:
        return N_("至少 8 位")
    if len(password) > 128:
        return N_("最多 128 位")
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        return N_("须同时包含字母和数字")
    if email and password.lower() == email.lower():
        return N_("不能与邮箱相同")
    return None


def normalise_email(email: str) -> str:
    """Lower-case, trimmed, syntactically valid address (no deliverability check).

    :raises AccountError: when it is not an e-mail address.
    """
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise AccountError(N_("格式不正确")) from exc


def find_user(email: str) -> User | None:
    """The account with this e-mail address, case-insensitively."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def register(
    email: str, password: str, display_name: str = "", role: Role = Role.applicant
) -> User:
    """Create an account (flushed, not committed).

    :raises AccountError: invalid e-mail, weak password, or the e-mail is taken.
    """
    email = normalise_email(email)
    problem = check_password_strength(password, email)
    if problem:
        raise AccountError(problem)
    if find_user(email) is not None:
        raise AccountError(N_("已被注册，请直接登录"))
    user = User(
        email=email,
        password_hash=hash_password(password),
        display_name=display_name.strip()[:64],
        role=role,
    )
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """Change a password after checking the rules.

    :raises AccountError: for a weak password.
    """
    problem = check_password_strength(password, user.email)
    if problem:
        raise AccountError(problem)
    user.password_hash = hash_password(password)


def authenticate(email: str, password: str, max_failures: int, lock_minutes: int) -> User:
    """Return the account for a correct login; count and limit failures in the database.

    The counter is bumped with one UPDATE (no read-modify-write), so parallel workers cannot lose
    a failure. After `max_failures` wrong passwords the account is locked for `lock_minutes`.

    :raises AccountError: wrong e-mail or password (one message for both), disabled or locked account.
    """
    now = utcnow()
    user = find_user(email)
    if user is None:
        check_password_hash(_dummy_hash(), password)  # same cost as a real check
        raise AccountError(N_("邮箱或密码错误"))
    if user.locked_until is not None and user.locked_until > now:
        raise AccountError(N_("登录失败次数过多，账号已暂时锁定，请稍后再试"))
    if not check_password_hash(user.password_hash, password):
        db.session.execute(
            update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1)
        )
        db.session.refresh(user)
        audit.record("login_failed", user, internal=True, data={"failures": user.failed_logins})
        if user.failed_logins >= max_failures:
            user.locked_until = now + timedelta(minutes=lock_minutes)
            user.failed_logins = 0
            raise AccountError(N_("登录失败次数过多，账号已暂时锁定，请稍后再试"))
        raise AccountError(N_("邮箱或密码错误"))
    if not user.is_enabled:
        raise AccountError(N_("该账号已停用，请联系管理员"))
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user


@cache
def _dummy_hash() -> str:
    return hash_password("not-a-real-password-0")
