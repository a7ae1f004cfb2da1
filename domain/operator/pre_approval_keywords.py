"""The pre-approval keyword table (R-W-3) as the admin edits it: words that, in a website's name or
the first label of its domain, suggest the website needs a pre-approval (前置审批) of a category.
Every change is audited."""

from __future__ import annotations

from sqlalchemy import select

from domain import audit
from domain.errors import DomainError
from domain.rulebook.rules import PRE_APPROVAL_LABELS
from domain.support.i18n import N_, Message
from extensions import db
from models import PreApprovalKeyword, User

MAX_LENGTH = 32


def all_keywords() -> list[PreApprovalKeyword]:
    """Every keyword, by category in the order of the form, then by keyword."""
    order = list(PRE_APPROVAL_LABELS)
    rows = db.session.scalars(select(PreApprovalKeyword).order_by(PreApprovalKeyword.keyword))
    return sorted(rows, key=lambda row: order.index(row.category) if row.category in order else 99)


def add_keyword(category: str, keyword: str, actor: User) -> None:
    """Add a keyword to a category (one already there changes nothing).

    :raises DomainError: an unknown category, or an empty or over-long keyword.
    """
    keyword = keyword.strip()
    if category not in PRE_APPROVAL_LABELS:
        raise DomainError(Message(N_("请选择前置审批类别")), "category")
    if not keyword or len(keyword) > MAX_LENGTH:
        raise DomainError(Message(N_("关键词不能为空，最多 32 个字")), "keyword")
    exists = db.session.scalar(
        select(PreApprovalKeyword).where(
            PreApprovalKeyword.category == category, PreApprovalKeyword.keyword == keyword
        )
    )
    if exists is None:
        db.session.add(PreApprovalKeyword(category=category, keyword=keyword))
        audit.record("pre_approval_keyword_added", actor, note=keyword, data={"category": category})
    db.session.flush()


def remove_keyword(keyword_id: int, actor: User) -> None:
    """Remove a keyword (an unknown id changes nothing)."""
    row = db.session.get(PreApprovalKeyword, keyword_id)
    if row is not None:
        audit.record(
            "pre_approval_keyword_removed", actor, note=row.keyword, data={"category": row.category}
        )
        db.session.delete(row)
        db.session.flush()
