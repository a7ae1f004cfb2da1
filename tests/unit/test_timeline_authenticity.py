"""The applicant's timeline names the website of a completed authenticity check, and the event has
a label of its own (not its code)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.filing import timeline
from domain.lifecycle.states import Role, event_label
from models import AuditEvent


def event(action, minutes, **kw):
    at = datetime(2026, 11, 2, 2, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    fields = {"note": "", "internal": False, "data": {}, **kw}
    return AuditEvent(action=action, actor_role=Role.applicant, created_at=at, **fields)


def test_a_completed_check_is_an_entry_naming_its_website():
    entries = timeline.entries([
        event("upload", 1, data={"kind": "business_licence"}),
        event("authenticity_verified", 2, data={"website": 7, "website_name": "青禾科技官网"}),
        event("authenticity_verified", 3, data={"website": 8, "website_name": "青禾文档"}),
        event("upload", 4, data={"kind": "id_front"}),
    ])  # fmt: skip
    assert [(e.label, e.detail, e.count) for e in entries] == [
        ("上传资料", "", 1),
        ("网站负责人完成真实性核验", "青禾科技官网", 1),
        ("网站负责人完成真实性核验", "青禾文档", 1),
        ("上传资料", "", 1),
    ]


def test_the_event_has_a_label():
    assert event_label("authenticity_verified") == "网站负责人完成真实性核验"
