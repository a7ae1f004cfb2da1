"""The applicant's step bar (every state on a step of its kind) and timeline (uploads grouped,
the live photo shown as the authenticity check, system codes in words)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.filing import timeline
from domain.lifecycle import progress, workflow
from domain.lifecycle.states import FilingState, OrderKind, Role
from models import AuditEvent

S = FilingState


def reachable(kind: OrderKind) -> set[FilingState]:
    """The states an order of `kind` can be in, from the transition table."""
    return {S.draft} | {row.target for row in workflow.TRANSITIONS.values() if kind in row.kinds}


@pytest.mark.parametrize("kind", list(OrderKind))
def test_every_state_an_order_reaches_is_on_a_step_of_its_bar(kind):
    keys = [key for key, _label in progress.steps_of(kind)]
    for state in reachable(kind) - {S.withdrawn}:
        assert progress.step_of(state) in keys, state
    assert progress.progress(S.withdrawn, kind) == []


def test_an_access_filing_has_eight_steps_and_an_order_five():
    assert len(progress.steps_of(OrderKind.access)) == 8
    assert [k for k, _ in progress.steps_of(OrderKind.change_access)] == [
        "fill", "initial_review", "bureau_submit", "bureau_review", "done",
    ]  # fmt: skip


def test_the_current_step_has_the_done_ones_before_it():
    steps = progress.progress(S.re_review, OrderKind.access)
    assert [s.status for s in steps] == ["done"] * 3 + ["current"] + ["todo"] * 4
    assert steps[3].label == "复审" and not steps[3].attention


def test_a_refusal_marks_the_step_where_the_applicant_acts_again():
    steps = progress.progress(S.re_rejected, OrderKind.access)
    current = [s for s in steps if s.status == "current"]
    assert [s.key for s in current] == ["materials"] and current[0].attention


def test_an_approved_filing_has_every_step_done():
    assert {s.status for s in progress.progress(S.approved, OrderKind.cancel_access)} == {"done"}


def event(action, minutes, **kw):
    at = datetime(2026, 11, 2, 2, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    fields = {"note": "", "internal": False, "data": {}, **kw}
    return AuditEvent(action=action, actor_role=Role.applicant, created_at=at, **fields)


def test_uploads_in_a_row_are_one_entry_and_the_live_photo_is_the_authenticity_check():
    events = [
        event("initial_approve", 0, to_state="materials_pending"),
        *[event("upload", i, data={"kind": f"k{i}"}) for i in range(1, 11)],
        event("upload", 12, data={"kind": "live_photo"}),
        event("upload", 13, data={"kind": "id_front"}),
        event("claim", 14, internal=True),
        event("submit_materials", 15, to_state="re_review"),
    ]
    entries = timeline.entries(events)
    assert [(e.label, e.count) for e in entries] == [
        ("初审通过", 1), ("上传资料", 10), ("完成真实性核验", 1), ("上传资料", 1), ("提交资料", 1),
    ]  # fmt: skip
    assert entries[0].state is S.materials_pending


def test_a_change_orders_saves_in_a_row_are_one_entry():
    """保存并查看变更 then 提交变更 saves twice: one 修改订单 entry, not one per save."""
    entries = timeline.entries([
        event("order_opened", 0, to_state="draft"),
        event("order_edited", 1, data={"changed": ["name"]}),
        event("order_edited", 2, data={"changed": ["name", "domains"]}),
        event("submit", 3, to_state="submitted"),
        event("order_edited", 9, data={"changed": ["name"]}),
    ])  # fmt: skip
    assert [(e.action, e.count) for e in entries] == [
        ("order_opened", 1), ("order_edited", 2), ("submit", 1), ("order_edited", 1),
    ]  # fmt: skip


def test_a_system_code_note_is_a_msgid_and_a_persons_note_stays():
    entries = timeline.entries([
        event("sms_fail", 0, note="too many wrong codes", to_state="sms_failed"),
        event("initial_reject", 1, note="too many", to_state="initial_rejected"),
    ])  # fmt: skip
    assert (entries[0].note, entries[0].note_is_msgid) == ("验证码错误次数过多", True)
    assert (entries[1].note, entries[1].note_is_msgid) == ("too many", False)


def test_an_order_on_records_waits_for_a_review_in_its_own_words():
    """注销网站 has no 初审: its waiting words say what happens to it."""
    for kind in (OrderKind.cancel_website, OrderKind.cancel_subject, OrderKind.change_website,
                 OrderKind.change_access, OrderKind.cancel_access):  # fmt: skip
        hint = S.submitted.hint_for(kind)
        assert "初审" not in hint and ("审核" in hint or "核对" in hint), kind
    assert "注销" in S.submitted.hint_for(OrderKind.cancel_website)
    assert "初审" in S.submitted.hint_for(OrderKind.access)


def test_a_change_without_materials_or_sms_has_five_steps():
    keys = [key for key, _label in progress.steps_of(OrderKind.change_website, False, False)]
    assert keys == ["fill", "initial_review", "bureau_submit", "bureau_review", "done"]
    assert len(progress.steps_of(OrderKind.change_website)) == 8  # a new person: all of them
    done = progress.progress(S.approved, OrderKind.change_website, materials=False, sms=False)
    assert [s.status for s in done] == ["done"] * 5
