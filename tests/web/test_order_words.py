"""What people read on orders on records: each kind ends with words of its own (变更成功, 已取消接入,
not 接入成功), and its one staff review says 审核 in the badge, the actions and the trail; and the
English texts a new user tripped over."""

from __future__ import annotations

import pytest

from domain.lifecycle import workflow
from domain.lifecycle.states import Action, FilingState, OrderKind, action_label
from domain.rulebook.provinces import PINYIN_NAMES
from models import AuditEvent, Filing

S, K = FilingState, OrderKind


@pytest.mark.parametrize(
    ("kind", "state", "words"),
    [
        (K.access, S.approved, "接入成功"),
        (K.change_access, S.approved, "变更成功"),
        (K.cancel_access, S.approved, "已取消接入"),
        (K.access, S.submitted, "待初审"),
        (K.change_access, S.submitted, "待审核"),
        (K.cancel_access, S.initial_rejected, "审核驳回"),
    ],
)
def test_each_kind_of_order_reads_its_own_state(kind, state, words):
    assert workflow.shown_label(Filing(kind=kind, state=state, returned=False)) == words


def test_an_order_on_records_is_rejected_in_the_words_of_its_one_review(app):
    assert action_label(Action.initial_reject, K.access) == "初审驳回"
    assert action_label(Action.initial_reject, K.cancel_access) == "审核驳回"
    assert action_label(Action.review_approve, K.cancel_access) == "审核通过"
    event = AuditEvent(action="initial_reject", filing_id=1)
    event.filing = Filing(kind=K.change_access)
    assert event.action_label == "审核驳回"


def test_english_names_inner_mongolia_and_counts_one_session(app, client, make_user, login):
    assert PINYIN_NAMES["15"] == "Inner Mongolia"
    user = make_user()
    login(user)
    client.get("/lang/en")
    page = client.get("/account/").get_data(as_text=True)
    assert "1 session<" in page and "1 sessions" not in page


def test_a_pasted_url_is_cleaned_to_its_domain_in_the_web_form_and_said_so(app, client, applicant):
    from tests.helpers.wizard import QINGHE_USCC

    response = client.post("/filings/new", data={
        "certificate_type": "uscc", "certificate_number": QINGHE_USCC,
        "domain": "https://www.qinghe.cn/",
    })  # fmt: skip
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已将粘贴的网址 https://www.qinghe.cn/ 整理为域名 www.qinghe.cn" in page
    api = app.test_client().post("/api/v1/filing-type", json={
        "cert_type": "uscc", "cert_number": QINGHE_USCC, "domain": "https://www.qinghe.cn/",
    })  # fmt: skip
    assert api.status_code == 400  # the API keeps refusing a URL (DOMAIN.md A5)


def test_the_approval_page_says_once_from_when_the_domain_may_point_here(
    client, login, make_filing
):
    from domain.lifecycle.states import FilingType
    from extensions import db

    filing = make_filing(FilingState.approved)
    filing.filing_type = FilingType.new_access
    db.session.commit()
    login(filing.account)
    page = client.get(f"/filings/{filing.id}").get_data(as_text=True)
    note = page.split('id="dns-note"')[1].split("</li>")[0]
    assert "自初审通过起" in note and "现在可以解析" not in note and "（新增接入" not in note
