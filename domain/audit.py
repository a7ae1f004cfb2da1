"""The audit trail: one helper writes every event that is not a transition (apply() writes those)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, text

from domain.lifecycle.states import Role
from domain.support.i18n import N_
from domain.support.paging import keyset_page
from extensions import db
from models import TRAIL_PREDICATE, AuditEvent, Filing, User, utcnow

# Staff looking at personal data: audited, searchable by the admin, but not part of a
# filing's trail on the review screen.
VIEWS = frozenset({"material_viewed", "review_viewed"})


def record(
    action: str,
    actor: User | None,
    *,
    filing: Filing | None = None,
    note: str = "",
    internal: bool = False,
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Add one audit event in the caller's transaction (None as actor: the system)."""
    event = AuditEvent(
        filing_id=filing.id if filing is not None else None,
        actor_id=actor.id if actor is not None else None,
        actor_role=actor.role if actor is not None else Role.system,
        action=action,
        note=note,
        internal=internal,
        data=data or {},
        created_at=now or utcnow(),
    )
    db.session.add(event)
    return event


def trail(filing: Filing) -> list[AuditEvent]:
    """The filing's trail as staff read it: every event but the looks at its personal data (a
    review screen opened all day would otherwise load thousands of them)."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.filing_id == filing.id, text(TRAIL_PREDICATE))  # its index's words
            .order_by(AuditEvent.id)
        )
    )


AUDIT_PAGE_SIZE = 100


def search(
    filing_id: int = 0,
    action: str = "",
    actor: str = "",
    older_than: int = 0,
    newer_than: int = 0,
    *,
    views: bool = False,
) -> tuple[list[AuditEvent], int | None, int | None]:
    """One page of the audit log, newest first, by filing, action and actor e-mail (part of it),
    with the id to pass as `older_than` for the next page and as `newer_than` for the one before
    (keyset pages by id; None: no such page). The looks at personal data (VIEWS) are left out
    unless `views` or the action asked for is one of them."""
    query = select(AuditEvent)
    if filing_id:
        query = query.where(AuditEvent.filing_id == filing_id)
    if action:
        query = query.where(AuditEvent.action == action)
    elif not views:
        query = query.where(AuditEvent.action.not_in(sorted(VIEWS)))
    if actor:
        query = query.join(User, AuditEvent.actor_id == User.id).where(
            User.email.contains(actor, autoescape=True)  # % and _ are not wildcards
        )
    page = keyset_page(query, AuditEvent.id, AUDIT_PAGE_SIZE, older_than, newer_than)
    return page.rows, page.after, page.before


# The changed settings an audit entry names, by their labels (msgids) where people read them.
CHANGED_LABELS = {
    "sms_required": N_("短信核验"), "mail_required": N_("邮寄资料"), "copyright_footer": N_("页脚版权"),
    "local_mobile_required": N_("本省手机号"), "domain_certificate_required": N_("域名证书"),
    "min_age": N_("最低年龄"), "bureau_review_workdays": N_("管局审核工作日"), "notes": N_("备注"),
    "mail_items": N_("需邮寄的资料（要求邮寄资料时向申请人显示）"),
    "domain_min_days": N_("域名最少剩余天数"),
}  # fmt: skip


def changes_of(event: AuditEvent) -> list[tuple[str, str, str]]:
    """What an event changed, (key, before, after): a province rule's fields, a setting's value;
    [] for an event that records no before and after."""
    data = event.data or {}
    if isinstance(data.get("changes"), dict):
        return [
            (key, _shown(pair[0]), _shown(pair[1]))
            for key, pair in data["changes"].items()
            if isinstance(pair, list) and len(pair) == 2
        ]
    if "from" in data and "to" in data:
        return [(str(data.get("key", "")), _shown(data["from"]), _shown(data["to"]))]
    return []


def _shown(value: object) -> str:
    """A stored value as the audit page shows it (a flag as 是/否 is left to the page: 1/0)."""
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return "" if value is None else str(value)


def action_codes() -> list[str]:
    """Every action the audit log holds (unsorted: the console sorts them as the admin reads them)."""
    return list(db.session.scalars(select(AuditEvent.action).distinct()))
