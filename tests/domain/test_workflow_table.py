"""`flask --app app workflow table` and `workflow diagram` (DOMAIN.md A6 v2): the one table as data,
and the table itself has no dead ends."""

from __future__ import annotations

import json

from domain.lifecycle import workflow
from domain.lifecycle.states import Action, FilingState, OrderKind

ACTORS = {"applicant", "reviewer", "admin", "system"}
KINDS = {kind.value for kind in OrderKind}  # every kind is a kind of the one table (A6, A7, A8)


def printed_table(app) -> list[dict]:
    result = app.test_cli_runner().invoke(args=["workflow", "table"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_table_is_printed_row_for_row_in_the_contract_shape(app):
    rows = printed_table(app)
    assert len(rows) == len(workflow.TRANSITIONS)
    for row in rows:
        assert list(row) == ["from", "action", "to", "actors", "kinds", "when"]
        assert FilingState(row["from"]) and FilingState(row["to"]) and Action(row["action"])
        assert row["actors"] and set(row["actors"]) <= ACTORS
        assert row["kinds"] and set(row["kinds"]) <= {kind.value for kind in OrderKind}
        assert row["when"] is None or isinstance(row["when"], str)
    submit = next(r for r in rows if (r["from"], r["action"]) == ("draft", "submit"))
    assert submit["to"] == "submitted" and submit["actors"] == ["applicant"] and submit["when"]
    stale = next(r for r in rows if (r["from"], r["action"]) == ("materials_pending", "withdraw"))
    assert stale["actors"] == ["system"] and "STALE_WITHDRAW_DAYS" in stale["when"]
    approve = next(r for r in rows if r["action"] == "bureau_approve")
    assert approve["actors"] == ["reviewer", "admin", "system"]


SMS_STATES = {"sms_pending", "sms_failed"}


def test_orders_after_approval_never_pass_an_sms_state_and_reach_the_bureau(app):
    for kind in ("change_access", "cancel_access", "cancel_website", "cancel_subject"):
        rows = [row for row in printed_table(app) if kind in row["kinds"]]
        assert not [row for row in rows if {row["from"], row["to"]} & SMS_STATES], kind
        assert not [row for row in rows if row["to"] in {"materials_pending", "re_review"}]
        path = {(row["from"], row["to"]) for row in rows}
        assert {
            ("submitted", "bureau_pending"),
            ("bureau_pending", "bureau_review"),
            ("bureau_review", "approved"),
            ("bureau_review", "bureau_rejected"),
        } <= path
        assert "approved" in reachable(rows, "draft") and "withdrawn" in reachable(rows, "draft")
    access = [row for row in printed_table(app) if "access" in row["kinds"]]
    assert {("bureau_pending", "sms_pending")} <= {(r["from"], r["to"]) for r in access}


def reachable(rows: list[dict], start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        state = todo.pop()
        for row in rows:
            if row["from"] == state and row["to"] not in seen:
                seen.add(row["to"])
                todo.append(row["to"])
    return seen


def test_every_state_has_a_way_forward_and_a_way_out(app):
    rows = printed_table(app)
    for state in FilingState:
        leaving = [row for row in rows if row["from"] == state.value]
        if state in (FilingState.approved, FilingState.withdrawn):
            assert leaving == [], state
            continue
        forward = [row for row in leaving if row["to"] != "withdrawn"]
        assert forward, f"{state}: no way forward"
        assert {"approved", "withdrawn"} <= reachable(rows, state.value), state


def test_the_diagram_draws_every_row(app):
    result = app.test_cli_runner().invoke(args=["workflow", "diagram"])
    lines = result.output.splitlines()
    assert result.exit_code == 0 and lines[0] == "stateDiagram-v2"
    assert "    [*] --> draft" in lines
    assert {"    approved --> [*]", "    withdrawn --> [*]"} <= set(lines)
    arrows = [line for line in lines if ": " in line]
    assert len(arrows) == len(workflow.TRANSITIONS)
    assert "    sms_failed --> withdrawn: withdraw (applicant/system)" in lines


def test_the_new_filings_are_kinds_of_the_table_through_every_stage_of_an_access_filing(app):
    rows = printed_table(app)
    assert {kind for row in rows for kind in row["kinds"]} == KINDS
    access = {(r["from"], r["action"], r["to"]) for r in rows if "access" in r["kinds"]}
    for kind in ("first_filing", "new_website"):
        mine = {(r["from"], r["action"], r["to"]) for r in rows if kind in r["kinds"]}
        assert mine == access, kind  # initial review, materials, re-review, mail-in, bureau, SMS
        assert {("bureau_pending", "sms_pending"), ("re_review", "mail_pending")} <= {
            (source, target) for source, _action, target in mine
        }


def test_every_state_of_a_new_filing_has_a_way_forward_and_a_way_out(app):
    for kind in ("first_filing", "new_website"):
        rows = [row for row in printed_table(app) if kind in row["kinds"]]
        for state in reachable(rows, "draft") - {"approved", "withdrawn"}:
            forward = [r for r in rows if r["from"] == state and r["to"] != "withdrawn"]
            assert forward, f"{kind} {state}: no way forward"
            assert {"approved", "withdrawn"} <= reachable(rows, state), (kind, state)


def test_every_kind_is_listed_and_the_changes_take_materials_and_the_sms(app):
    rows = printed_table(app)
    listed = {kind for row in rows for kind in row["kinds"]}
    assert {"change_subject", "change_website", "cancel_website", "cancel_subject"} <= listed
    for kind in ("change_subject", "change_website"):  # A7 v3: materials where a person changed
        path = {(r["from"], r["to"]) for r in rows if kind in r["kinds"]}
        assert {("submitted", "materials_pending"), ("submitted", "bureau_pending"),
                ("bureau_pending", "sms_pending"), ("bureau_pending", "bureau_review"),
                ("sms_failed", "withdrawn")} <= path  # fmt: skip


def test_every_kind_has_a_way_forward_and_a_way_out_of_every_state_it_reaches(app):
    rows = printed_table(app)
    for kind in OrderKind:
        mine = [row for row in rows if kind.value in row["kinds"]]
        for state in reachable(mine, "draft"):
            if state in ("approved", "withdrawn"):
                continue
            leaving = [row for row in mine if row["from"] == state]
            assert [r for r in leaving if r["to"] != "withdrawn"], f"{kind}/{state}: no way on"
            assert {"approved", "withdrawn"} <= reachable(mine, state), f"{kind}/{state}"
        # the applicant may give up before review passes, and after a rejection
        for state in ("draft", "submitted", "initial_rejected", "bureau_rejected"):
            assert any(
                r["from"] == state and r["to"] == "withdrawn" and "applicant" in r["actors"]
                for r in mine
            ), f"{kind}/{state}"
        # a rejection or a return can be resubmitted
        assert any(r["from"] == "initial_rejected" and r["to"] == "submitted" for r in mine)
        assert any(r["from"] == "bureau_rejected" and r["to"] == "submitted" for r in mine)
