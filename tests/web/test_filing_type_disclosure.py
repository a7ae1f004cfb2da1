"""What a caller of POST /api/v1/filing-type learns: the verdict and the domains, but the subject's
and the website's MIIT numbers only masked (a certificate number, a personal ID number included, is
not mapped to its filing for anyone who asks; an applicant account is one sign-up away, so only
the provider's staff see them whole)."""

from __future__ import annotations

from domain.lifecycle.states import Role
from tests.helpers.wizard import QINGHE_USCC, load_demo

BODY = {"cert_type": "uscc", "cert_number": QINGHE_USCC, "domain": "www.qinghe.cn"}


def test_an_anonymous_caller_gets_the_verdict_with_the_numbers_masked(app, client):
    load_demo()
    answer = client.post("/api/v1/filing-type", json=BODY)
    assert answer.status_code == 200
    document = answer.get_json()
    assert document["type"] == "new_access" and document["domain"] == "qinghe.cn"
    assert document["subject_number"] == "浙ICP备20******01号"
    assert document["website_number"].startswith("浙ICP备20******01号-")
    assert "2021000001" not in answer.get_data(as_text=True)


def test_an_applicant_account_gets_them_masked_too(app, client, make_user, login):
    load_demo()
    login(make_user(Role.applicant))
    document = client.post("/api/v1/filing-type", json=BODY).get_json()
    assert document["subject_number"] == "浙ICP备20******01号"


def test_staff_get_the_numbers_whole(app, client, make_user, login):
    load_demo()
    login(make_user(Role.reviewer))
    document = client.post("/api/v1/filing-type", json=BODY).get_json()
    assert document["subject_number"] == "浙ICP备2021000001号"
    assert document["website_number"].startswith("浙ICP备2021000001号-")
