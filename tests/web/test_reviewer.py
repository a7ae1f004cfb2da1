"""The reviewers' dashboard through the Flask client: queues, claims, every decision, the bureau,
the registry update on approval, the outbox and the sweep."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import event, select

import runtime
from domain.lifecycle.states import Action, FilingState, Role
from domain.operator import ip_pool
from domain.review import reviewing
from domain.rulebook.registry import LocalRegistry
from extensions import db
from models import AuditEvent, Filing, OutboxMessage, ProvinceRule, SmsChallenge, utcnow
from runtime import notify
from runtime.policy import current_policy
from tests.helpers import transitions
from tests.helpers.wizard import SUBJECT_FORM, load_demo, walk_to_confirm


@pytest.fixture
def people(app, client, make_user, login):
    load_demo()
    applicant = make_user(Role.applicant)
    ip_pool.assign_free(applicant, 2)
    db.session.commit()
    return {"applicant": applicant, "reviewer": make_user(Role.reviewer), "other": make_user(Role.reviewer),
            "admin": make_user(Role.admin)}  # fmt: skip


def submitted(client, login, people, domain="qinghe.cn") -> Filing:
    login(people["applicant"])
    filing = walk_to_confirm(client, people["applicant"], domain=domain)
    client.post(f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"})
    client.post("/auth/logout")
    db.session.refresh(filing)
    assert filing.state is FilingState.submitted
    return filing


def as_reviewer(client, login, user):
    client.post("/auth/logout")
    login(user)


def decide(client, filing, action, **fields):
    db.session.refresh(filing)
    data = {"version": filing.version, "action": action.value, **fields}
    return client.post(f"/review/filings/{filing.id}/decide", data=data)


def claim_and_decide(client, filing, action, **fields):
    assert client.post(f"/review/filings/{filing.id}/claim").status_code == 302
    return decide(client, filing, action, **fields)


def test_queue_shows_the_submitted_filing_masked(client, login, people):
    filing = submitted(client, login, people)
    as_reviewer(client, login, people["reviewer"])
    page = client.get("/review/").get_data(as_text=True)
    assert f'id="filing-{filing.id}"' in page
    assert "913301069755TH2H1L" not in page
    assert "913301********2H1L" in page and "杭州青禾科技有限公司" in page


@pytest.mark.parametrize(
    ("params", "found"),
    [
        ({"q": "青禾"}, True),
        ({"q": "913301069755TH2H1L"}, True),
        ({"q": "qinghe.com"}, True),
        ({"q": "浙ICP备2021000001号-1"}, True),
        ({"q": "云帆"}, False),
        ({"province": "33"}, True),
        ({"province": "11"}, False),
        ({"type": "new_access"}, True),
        ({"type": "continued_access"}, False),
        ({"overdue": "1"}, False),
    ],
)
def test_queue_filters_and_search(client, login, people, params, found):
    filing = submitted(client, login, people)
    as_reviewer(client, login, people["reviewer"])
    page = client.get("/review/", query_string=params, headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert (f'id="filing-{filing.id}"' in page) is found
    assert "<html" not in page


def test_overdue_filter_and_mark(client, login, people):
    filing = submitted(client, login, people)
    as_reviewer(client, login, people["reviewer"])
    with time_machine.travel(filing.due_at + timedelta(hours=1)):
        login(people["reviewer"])  # a working day later: the 8-hour session has run out
        page = client.get("/review/?overdue=1").get_data(as_text=True)
    assert f'id="filing-{filing.id}" class="overdue"' in page and "已超时" in page


def test_queue_tabs_count_overdue_filings_up_to_a_cap(
    app, make_filing, make_user, client, login, monkeypatch
):
    reviewer = make_user(Role.reviewer)
    late = [make_filing(FilingState.submitted, reviewer=reviewer) for _ in range(3)]
    late.append(make_filing(FilingState.re_review, reviewer=reviewer))
    login(reviewer)

    def tabs(shown: int) -> dict[str, str]:
        monkeypatch.setattr(reviewing, "OVERDUE_SHOWN", shown)
        with time_machine.travel(max(f.due_at for f in late) + timedelta(hours=1)):
            login(reviewer)
            page = client.get("/review/?stage=submitted").get_data(as_text=True)
        return dict(
            re.findall(
                r'stage=(\w+)"[^>]*>\s*[^<]*<span class="count">\d+</span>'
                r' <span class="count overdue-count"[^>]*>([^<]+)<',
                page,
            )
        )

    assert tabs(3) == {"submitted": "3", "re_review": "1"}
    assert tabs(2) == {"submitted": "2+", "re_review": "1"}


def test_keyset_pages_cover_every_filing_once(app, make_filing, make_user, client, login):
    reviewer = make_user(Role.reviewer)
    ids = {
        make_filing(FilingState.submitted, reviewer=reviewer).id
        for _ in range(reviewing.PAGE_SIZE + 5)
    }
    login(reviewer)
    seen, url = [], "/review/?stage=submitted"
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += [int(i) for i in re.findall(r'id="filing-(\d+)"', page)]
        cursor = re.search(r'href="(/review/\?[^"]*after=[^"]+)"', page)
        url = cursor.group(1).replace("&amp;", "&") if cursor else None
    assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen))


def test_only_one_reviewer_can_hold_a_claim_and_it_expires(client, login, people):
    filing = submitted(client, login, people)
    first, second = people["reviewer"], people["other"]
    assert reviewing.claim(filing, first, current_policy()) is True
    db.session.commit()
    assert reviewing.claim(filing, second, current_policy()) is False
    with time_machine.travel(utcnow() + timedelta(minutes=31)):
        assert reviewing.claim(filing, second, current_policy()) is True


def test_decision_without_a_claim_is_refused(client, login, people):
    filing = submitted(client, login, people)
    as_reviewer(client, login, people["reviewer"])
    response = decide(client, filing, Action.initial_approve)
    assert response.status_code == 422
    db.session.refresh(filing)
    assert filing.state is FilingState.submitted


def test_another_reviewers_claim_blocks_the_decision(client, login, people):
    filing = submitted(client, login, people)
    reviewing.claim(filing, people["other"], current_policy())
    db.session.commit()
    as_reviewer(client, login, people["reviewer"])
    page = client.get(f"/review/filings/{filing.id}").get_data(as_text=True)
    assert "正由" in page
    assert client.post(f"/review/filings/{filing.id}/claim").status_code == 302
    assert decide(client, filing, Action.initial_approve).status_code == 422


def test_stale_page_cannot_decide(client, login, people):
    filing = submitted(client, login, people)
    as_reviewer(client, login, people["reviewer"])
    client.post(f"/review/filings/{filing.id}/claim")
    db.session.refresh(filing)
    old = filing.version
    client.post(f"/review/filings/{filing.id}/release")
    client.post(f"/review/filings/{filing.id}/claim")
    response = client.post(
        f"/review/filings/{filing.id}/decide", data={"version": old, "action": "initial_approve"}
    )
    assert response.status_code == 302
    db.session.refresh(filing)
    assert filing.state is FilingState.submitted


def test_review_screen_shows_full_numbers_differences_and_is_not_cached(client, login, people):
    filing = submitted(client, login, people)
    as_reviewer(client, login, people["reviewer"])
    response = client.get(f"/review/filings/{filing.id}")
    page = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store, private"
    assert "913301069755TH2H1L" in page and "330106199003071236" in page
    assert "预检通过" in page and "原备案信息" in page


def test_initial_reject_with_reasons_then_fix_and_resubmit(client, login, people):
    filing = submitted(client, login, people)
    as_reviewer(client, login, people["reviewer"])
    empty = claim_and_decide(client, filing, Action.initial_reject)
    assert empty.status_code == 422 and "驳回时请至少填写一条原因" in empty.get_data(as_text=True)
    response = decide(client, filing, Action.initial_reject, **{
        "reasons-0-field": "subject.mailing_address", "reasons-0-code": "other", "reasons-0-text": "地址须到门牌号",
        "note": "请修改通信地址", "internal_note": "电话未接通一次",
    })  # fmt: skip
    assert response.status_code == 302
    db.session.refresh(filing)
    assert filing.state is FilingState.initial_rejected
    client.post("/auth/logout")
    login(people["applicant"])
    page = client.get(f"/filings/{filing.id}").get_data(as_text=True)
    assert "地址须到门牌号" in page and "请修改通信地址" in page and "电话未接通" not in page
    fixed = {**SUBJECT_FORM, "mailing_address": "浙江省杭州市西湖区文三路 1 号 5 楼 501 室"}
    client.post(f"/filings/{filing.id}/subject", data=fixed)
    db.session.refresh(filing)
    client.post(f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"})
    db.session.refresh(filing)
    assert filing.state is FilingState.submitted


def _to_re_review(client, login, people):
    filing = submitted(client, login, people)
    as_reviewer(client, login, people["reviewer"])
    claim_and_decide(client, filing, Action.initial_approve)
    db.session.refresh(filing)
    transitions.apply(filing, Action.submit_materials, people["applicant"])
    db.session.commit()
    return filing


def test_the_whole_way_to_approval_updates_the_registry(client, login, people):
    filing = _to_re_review(client, login, people)
    assert claim_and_decide(client, filing, Action.re_approve).status_code == 302
    db.session.refresh(filing)
    assert filing.state is FilingState.bureau_pending
    claim_and_decide(client, filing, Action.submit_to_bureau)
    db.session.refresh(filing)
    assert filing.state is FilingState.sms_pending
    challenge = db.session.scalar(select(SmsChallenge).where(SmsChallenge.filing_id == filing.id))
    assert challenge.mobile == "13800138001"
    transitions.apply(filing, Action.sms_verify, None)
    db.session.commit()
    claim_and_decide(
        client, filing, Action.bureau_approve, receipt="ZJ-2026-0001", note="管局审核通过"
    )
    db.session.refresh(filing)
    assert filing.state is FilingState.approved
    assert "BEIANDESK" in LocalRegistry().website_by_domain("qinghe.cn").provider_codes
    templates = db.session.scalars(
        select(OutboxMessage.template).where(OutboxMessage.filing_id == filing.id)
    ).all()
    assert "filing_approved" in templates and "sms_code" in templates
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.filing_id == filing.id, AuditEvent.action == "bureau_approve"
        )
    )
    assert event.data["receipt"] == "ZJ-2026-0001"


def test_a_bureau_approval_needs_the_receipt_number(client, login, people, make_filing):
    filing = make_filing(FilingState.bureau_review, reviewer=people["reviewer"])
    login(people["reviewer"])
    refused = claim_and_decide(client, filing, Action.bureau_approve)
    assert "请填写管局回执编号" in refused.get_data(as_text=True)
    db.session.refresh(filing)
    assert filing.state is FilingState.bureau_review


def test_a_missing_receipt_is_told_under_the_receipt_field(client, login, people, make_filing):
    filing = make_filing(FilingState.bureau_review, reviewer=people["reviewer"])
    login(people["reviewer"])
    refused = claim_and_decide(client, filing, Action.bureau_approve)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    errors = re.search(r'<ul class="errors" id="receipt-errors">(.*?)</ul>', page, re.S)
    assert errors and "请填写管局回执编号" in errors.group(1)
    assert 'id="action-errors"' not in page  # not under the decision select
    assert re.search(r'id="receipt"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="receipt"',
                     page)  # fmt: skip


def test_the_bureaus_receipt_is_shown_to_staff_and_the_applicant(
    client, login, people, make_filing
):
    filing = make_filing(
        FilingState.bureau_review, owner=people["applicant"], reviewer=people["reviewer"]
    )
    login(people["reviewer"])
    claim_and_decide(client, filing, Action.bureau_approve, receipt="ZJ2026-0042")
    db.session.refresh(filing)
    assert filing.state is FilingState.approved
    shown = "管局回执编号：ZJ2026-0042"
    trail = client.get(f"/review/filings/{filing.id}").get_data(as_text=True)
    assert shown in trail.split("审计记录")[1]
    as_reviewer(client, login, people["admin"])
    assert shown in client.get(f"/admin/audit?filing={filing.id}").get_data(as_text=True)
    as_reviewer(client, login, people["applicant"])
    status = client.get(f"/filings/{filing.id}").get_data(as_text=True)
    assert re.search(r'<p id="bureau-receipt">\s*' + shown, status)


def test_bureau_reject_needs_the_bureaus_reason(client, login, people):
    filing = _to_re_review(client, login, people)
    claim_and_decide(client, filing, Action.re_approve)
    claim_and_decide(client, filing, Action.submit_to_bureau)
    db.session.refresh(filing)
    transitions.apply(filing, Action.sms_verify, None)
    db.session.commit()
    refused = claim_and_decide(client, filing, Action.bureau_reject)
    assert refused.status_code == 422
    assert (
        decide(client, filing, Action.bureau_reject, note="网站名称与内容不符").status_code == 302
    )
    db.session.refresh(filing)
    assert filing.state is FilingState.bureau_rejected


def test_re_reject_and_mail_in_province(client, login, people):
    db.session.get(ProvinceRule, "33").mail_required = True
    db.session.commit()
    filing = _to_re_review(client, login, people)
    response = claim_and_decide(client, filing, Action.re_approve)
    assert response.status_code == 422  # this province needs the mail-in step
    assert decide(client, filing, Action.re_approve_mail).status_code == 302
    db.session.refresh(filing)
    assert filing.state is FilingState.mail_pending
    claim_and_decide(client, filing, Action.confirm_mail, receipt="SF123")
    db.session.refresh(filing)
    assert filing.state is FilingState.bureau_pending


def test_re_reject_returns_to_the_applicant(client, login, people):
    filing = _to_re_review(client, login, people)
    claim_and_decide(
        client,
        filing,
        Action.re_reject,
        **{"reasons-0-field": "materials", "reasons-0-code": "documents"},
    )
    db.session.refresh(filing)
    assert filing.state is FilingState.re_rejected


def test_sms_failure_and_resubmission_with_a_new_code(client, login, people):
    filing = _to_re_review(client, login, people)
    claim_and_decide(client, filing, Action.re_approve)
    claim_and_decide(client, filing, Action.submit_to_bureau)
    db.session.refresh(filing)
    with time_machine.travel(utcnow() + timedelta(hours=25)):
        result = client.application.test_cli_runner().invoke(args=["sweep"])
    assert "1 SMS verifications expired" in result.output
    db.session.refresh(filing)
    assert filing.state is FilingState.sms_failed
    claim_and_decide(client, filing, Action.submit_to_bureau)
    db.session.refresh(filing)
    assert filing.state is FilingState.sms_pending
    open_codes = db.session.scalars(
        select(SmsChallenge).where(
            SmsChallenge.filing_id == filing.id, SmsChallenge.closed_at.is_(None)
        )
    ).all()
    assert len(open_codes) == 1


def test_applicant_cannot_use_the_dashboard(client, login, people):
    filing = submitted(client, login, people)
    login(people["applicant"])
    assert client.get("/review/").status_code == 403
    assert client.post(f"/review/filings/{filing.id}/claim").status_code == 403
    assert client.get(f"/review/filings/{filing.id}").status_code == 403


# --- outbox and audit ---------------------------------------------------------------------------


class FlakyGateway:
    def send(self, *args):
        raise ConnectionError("gateway down")


class RecordingSender:
    def __init__(self):
        self.sent = []

    def send(self, message):
        self.sent.append(message)


def test_outbox_send_delivers_and_forgets_sms_codes(client, login, people):
    filing = _to_re_review(client, login, people)
    claim_and_decide(client, filing, Action.re_approve)
    claim_and_decide(client, filing, Action.submit_to_bureau)
    sms, email = RecordingSender(), RecordingSender()
    sent, failed = notify.dispatch_pending(sms, email, policy=current_policy())
    assert sent >= 4 and failed == 0
    codes = [m for m in sms.sent if m.template == "sms_code"]
    assert codes and all(len(m.params["code"]) == 6 and m.params["code"].isdigit() for m in codes)
    assert all(m.params["code"] not in m.masked_text for m in codes)  # the log never sees it
    code_row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.template == "sms_code"))
    assert code_row.status == "sent" and code_row.context["code"] == "******"
    assert notify.dispatch_pending(sms, email, policy=current_policy()) == (0, 0)


def test_outbox_failures_are_retried_then_marked_failed(client, login, people):
    submitted(client, login, people)
    sms, email = FlakyGateway(), FlakyGateway()
    policy = current_policy()
    now = utcnow()
    for _ in range(policy.outbox_max_attempts):
        sent, _failed = notify.dispatch_pending(sms, email, policy=policy, now=now)
        assert sent == 0
        now += timedelta(seconds=policy.outbox_backoff_max_seconds)  # past any backoff
    row = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.template == "filing_submitted")
    )
    assert (
        row.status == "failed"
        and row.attempts == policy.outbox_max_attempts
        and "gateway down" in row.last_error
    )


def test_outbox_cli_and_page(client, login, people):
    submitted(client, login, people)
    result = client.application.test_cli_runner().invoke(args=["outbox", "send"])
    assert "sent" in result.output
    login(people["admin"])
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "已提交" in page and "sent" in page


def test_admin_searches_the_audit_log(client, login, people):
    filing = submitted(client, login, people)
    client.post("/auth/login", data={"email": people["applicant"].email, "password": "wrong-one1"})
    login(people["admin"])
    page = client.get(f"/admin/audit?filing={filing.id}").get_data(as_text=True)
    assert "提交" in page and "验证备案类型，创建草稿" in page
    failures = client.get("/admin/audit?action=login_failed").get_data(as_text=True)
    assert people["applicant"].email in failures


class RecordingBureau:
    submitted: list = []

    def submit(self, filing, now, policy):
        RecordingBureau.submitted.append(filing.id)


def test_a_provider_can_plug_in_its_own_bureau_gateway(client, login, people, app):
    app.config["BUREAU_GATEWAY"] = "tests.web.test_reviewer:RecordingBureau"
    runtime.install(app)  # the adapters are built once, at start: build them again
    filing = _to_re_review(client, login, people)
    claim_and_decide(client, filing, Action.re_approve)
    claim_and_decide(client, filing, Action.submit_to_bureau)
    assert RecordingBureau.submitted[-1] == filing.id
    assert (
        db.session.scalar(select(SmsChallenge).where(SmsChallenge.filing_id == filing.id)) is None
    )


def test_the_review_screen_and_a_decision_read_in_few_round_trips(client, login, people):
    """The filing's province rules and the claiming reviewer come with the filing's row
    or from the session, a website's domains with the websites, and whom a decision tells
    (the account, the responsible person) with the filing: none is asked for alone."""
    filing = submitted(client, login, people)
    as_reviewer(client, login, people["reviewer"])
    assert client.post(f"/review/filings/{filing.id}/claim").status_code == 302
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(" ".join(statement.split()).lower())

    def read(prefix: str) -> list[str]:
        return [s for s in statements if s.startswith(f"select {prefix}")]

    db.session.refresh(filing)
    filing_id, data = filing.id, {"version": filing.version, "action": "initial_approve"}
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        db.session.expunge_all()  # each request starts with an empty session, as when served
        assert client.get(f"/review/filings/{filing_id}").status_code == 200
        assert read("province_rules.") == [] and read("website_domains.") == []
        assert len(read("users.")) == 1  # the session's user, who also holds the claim
        statements.clear()
        db.session.expunge_all()
        assert client.post(f"/review/filings/{filing_id}/decide", data=data).status_code == 302
        assert len(read("users.")) == 1 and read("persons.") == [] and read("subjects.") == []
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert db.session.get(Filing, filing_id).state is FilingState.materials_pending
