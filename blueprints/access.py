"""Who may see what and what a request must carry: role checks, owner-only loading (another's id
is a 404, not a 403), ids and posted forms checked before use."""

from __future__ import annotations

from functools import wraps
from typing import TypeVar

from flask import abort, g, session
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import bindparam, literal, select
from sqlalchemy.orm import joinedload
from werkzeug.routing import IntegerConverter, ValidationError

from domain.lifecycle.states import Role
from domain.support.numbers import INTEGER_MAX, parse_whole_number
from extensions import db
from models import Filing, User

FormT = TypeVar("FormT", bound=FlaskForm)


def role_required(*roles: Role):
    """Allow only logged-in users whose role is one of `roles`; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def own_filing_or_404(filing_id: int) -> Filing:
    """The current applicant's filing; another account's id answers 404, as if it did not exist."""
    filing = db.session.get(Filing, filing_id)
    if filing is None or filing.account_id != current_user.id:
        abort(404)
    return filing


def staff_may_open(filing: Filing) -> bool:
    """Whether the provider's staff may open the filing's data: once it was submitted for review
    (a draft never submitted, withdrawn or not, stays the applicant's own)."""
    return filing.submitted_at is not None


def home_endpoint_for(role: Role) -> str:
    """Where each role lands after login."""
    return {
        Role.applicant: "applicant.list_filings",
        Role.reviewer: "reviewer.queue",
        Role.admin: "admin.dashboard",
    }[role]


# Ids and versions are INTEGER columns; PostgreSQL refuses to compare them with a larger number
# (an error, so a 500), hence every number from a URL or a form is checked against this first.
INTEGER_LIMIT = INTEGER_MAX + 1


class RowIdConverter(IntegerConverter):
    """`<int:...>` in every route: ids are INTEGER columns, so a larger number is a 404 at routing
    (PostgreSQL would refuse to compare it with the column: a 500), and so is one too long for
    int() (more than 4 300 digits: a ValueError werkzeug does not catch)."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=INTEGER_MAX, signed=False):
        super().__init__(url_map, fixed_digits, min, max, signed)

    def to_python(self, value: str) -> int:
        number = parse_whole_number(value)
        if number is None:
            raise ValidationError()
        return number


def row_id(text: str | None) -> int:
    """A row id posted in a form; 0 (no row) for anything else, a number too large included."""
    return parse_whole_number(text) or 0


def whole_number(text: str) -> int:
    """The `type=` of `request.args.get(...)` for a count: werkzeug answers the default when it
    raises ValueError.

    :raises ValueError: not a whole number (parse_whole_number), a too long one included.
    """
    number = parse_whole_number(text)
    if number is None:
        raise ValueError("not a whole number")
    return number


def posted_or_400(form: FormT) -> FormT:
    """The posted form when it validates (its CSRF token included); else the request is a 400."""
    if not form.validate_on_submit():
        abort(400)
    return form


def session_user_id() -> int | None:
    """The account id that Flask-Login keeps in the signed session cookie, not yet checked."""
    user_id = row_id(session.get("_user_id"))  # Flask-Login's key
    return user_id or None


# Built once (building a select costs more than running it); the values are bound per request.
_FILING_WITH_OWNER = (
    select(Filing, User)
    .join(User, Filing.account_id == User.id)
    .where(Filing.id == bindparam("filing_id"), User.id == bindparam("user_id"))
    .options(joinedload(Filing.province_rule))
)
_filings, _users = Filing.__table__, User.__table__  # Core, not ORM: half the time per query
_UNCHANGED_FOR_OWNER = (
    select(literal(1))
    .select_from(_filings.join(_users, _filings.c.account_id == _users.c.id))
    .where(
        _filings.c.id == bindparam("filing_id"),
        _filings.c.version == bindparam("version"),
        _users.c.id == bindparam("user_id"),
        _users.c.session_version == bindparam("session_version"),
        _users.c.is_enabled.is_(True),
        _users.c.role == Role.applicant,
    )
)


def owner_has_current_version(filing_id: int, version: int) -> bool:
    """Whether the session's account is an enabled applicant who owns the filing, and the filing
    is still at `version`: one indexed lookup, for a status poll that finds nothing new.

    It says yes to exactly the requests that `role_required(Role.applicant)` and
    `own_filing_or_404` would let through (the same account at the same session version, enabled,
    an applicant, the owner),
    and only when nothing changed; every other request takes the full path, which answers it.
    Every UPDATE of a filing row bumps its version (`version_id_col` on models.Filing), and the
    panel shows nothing but the filing's row and what is written with it.
    """
    user_id = session_user_id()
    session_version = session.get("_sv")  # the session's version (blueprints/auth.py)
    if user_id is None or not 0 < version < INTEGER_LIMIT or not isinstance(session_version, int):
        return False
    values = {"filing_id": filing_id, "version": version, "user_id": user_id,
              "session_version": session_version}  # fmt: skip
    found = db.session.connection().execute(_UNCHANGED_FOR_OWNER, values).first()
    return found is not None


def preload_own_filing(view):
    """Load the filing, its owner and its province's rules in one round trip before the login
    check runs.

    For the polled status panel: Flask-Login's user loader, `own_filing_or_404` and the panel's
    province rule (its SMS step, the mail-in items) then find all three in the session's
    identity map instead of asking the database three times. Nothing is decided
    here (a foreign or unknown id simply loads nothing, and the usual checks answer).
    """

    @wraps(view)
    def wrapped(filing_id: int, **kwargs):
        user_id = session_user_id()
        if user_id is not None:
            # held on g: the session's identity map only keeps objects somebody refers to
            g.preloaded = db.session.execute(
                _FILING_WITH_OWNER, {"filing_id": filing_id, "user_id": user_id}
            ).first()
        return view(filing_id=filing_id, **kwargs)

    return wrapped
