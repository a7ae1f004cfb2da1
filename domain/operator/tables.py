"""The rule tables as the admin edits them: the approved domain suffixes (R-D-1), the deny-lists
(R-N-4, R-N-7) and the working-day calendar's overrides. Every change is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from domain import audit
from domain.errors import DomainError
from domain.rulebook import rule_tables
from domain.support.i18n import N_, Message
from extensions import db
from models import CalendarDay, DenyWord, DomainSuffix, User


@dataclass(frozen=True)
class Tables:
    """What the tables console shows."""

    suffixes: list[DomainSuffix]
    words: list[DenyWord]
    days: list[CalendarDay]


def all_tables() -> Tables:
    """The suffixes (approved first), the deny-lists' words and the calendar overrides, sorted."""
    return Tables(
        suffixes=list(
            db.session.scalars(
                select(DomainSuffix).order_by(DomainSuffix.approved.desc(), DomainSuffix.suffix)
            )
        ),
        words=list(
            db.session.scalars(select(DenyWord).order_by(DenyWord.list_name, DenyWord.word))
        ),
        days=list(db.session.scalars(select(CalendarDay).order_by(CalendarDay.day))),
    )


def add_suffix(suffix: str, approved: bool, actor: User) -> str:
    """Add or change an entry of the approved-suffix table (R-D-1)."""
    value = suffix.strip().strip(".").lower()
    try:
        valid = bool(value) and len(value) <= 63 and bool(rule_tables.suffix_to_ascii(value))
    except ValueError:
        valid = False
    if not valid:  # a bad suffix saved here would break every pre-check
        raise DomainError(
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
        raise DomainError(Message(N_("词语不能为空，最多 32 个字")))
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

    :raises DomainError: the date is not in YYYY-MM-DD form.
    """
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise DomainError(Message(N_("日期格式应为 YYYY-MM-DD"))) from None
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
