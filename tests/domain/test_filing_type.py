"""Filing-type verification: every row of the DOMAIN.md A5 table against the demo registry, via the
service, the CLI and the API; and the filing-password try limit."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from domain.accounts.accounts import find_user
from domain.filing.filing_password import (
    TooManyPasswordFailures,
    check_filing_password,
    remaining_tries,
)
from domain.lifecycle.states import FilingType
from domain.rulebook.filing_type import LookupInputError, verify_filing_type
from extensions import db
from models import RegistrySubject, utcnow
from runtime import current
from tests.helpers.wizard import load_demo

TODAY = date(2026, 11, 23)
QINGHE = "913301069755TH2H1L"
UNKNOWN_USCC = "91330106MA2B3C4D5D"  # valid (GB 32100 check character), on no registry record
A = "applicant@demo.beiandesk.cn"
B = "applicant2@demo.beiandesk.cn"


@pytest.fixture
def demo(app):
    load_demo()  # demo/seed.py's data, committed (replayed after the first load)


def cert_of(subject_number: str) -> str:
    return db.session.scalar(
        select(RegistrySubject.certificate_number).where(
            RegistrySubject.subject_number == subject_number
        )
    )


# (A5 v3 row, subject number or None for an unknown certificate, domain, account, type, refusal)
ROWS = [
    (1, None, "qinghe.cn", None, None, "domain_filed_elsewhere"),
    (2, "浙ICP备2021000001号", "yunfan-net.com", None, None, "domain_subject_mismatch"),
    (3, "沪ICP备2019012345号", "yunfan-net.com", None, None, "already_accessed"),
    (4, "京ICP备18034567号", "mingyuanedu.cn", None, None, "change_in_progress"),
    (5, "粤ICP备2020098765号", "haichuan-trade.com", None, None, "domain_expired"),
    (6, "蜀ICP备07004665号", "jincheng-soft.com", A, None, "open_order_exists"),
    (6, "蜀ICP备07004665号", "jincheng-soft.com", B, None, "open_order_exists"),  # any account
    (6, "蜀ICP备07004665号", "jincheng-blog.cn", A, None, "open_order_exists"),  # a new website too
    (7, "陇ICP备15000343号", "feiyi-longyuan.cn", A, None, "subject_owned_by_other_account"),
    (7, "陇ICP备15000343号", "feiyi-longyuan.cn", None, None, "subject_owned_by_other_account"),
    (7, "陇ICP备15000343号", "longyuan-new.cn", A, None, "subject_owned_by_other_account"),
    (8, None, "xinya-wenchuang.cn", None, FilingType.first_filing, None),
    (9, "浙ICP备2021000001号", "qinghe-shop.cn", A, FilingType.new_website, None),
    (9, "陇ICP备15000343号", "longyuan-new.cn", B, FilingType.new_website, None),
    (10, "沪ICP备2019012345号", "yfdocs.cn", None, FilingType.continued_access, None),
    (10, "陇ICP备15000343号", "feiyi-longyuan.cn", B, FilingType.continued_access, None),
    (11, "浙ICP备2021000001号", "qinghe.cn", A, FilingType.new_access, None),
    (11, "浙ICP备2020033333号", "数字文化.公益", None, FilingType.new_access, None),
]


@pytest.mark.parametrize(
    ("row", "subject_number", "domain", "account", "want_type", "want_refusal"), ROWS
)
def test_a5_rows(demo, row, subject_number, domain, account, want_type, want_refusal):
    cert_type = "uscc"
    number = cert_of(subject_number) if subject_number else UNKNOWN_USCC
    user = find_user(account) if account else None
    verdict = verify_filing_type(cert_type, number, domain, "BEIANDESK", TODAY, account=user)
    assert (verdict.type, verdict.refusal) == (want_type, want_refusal)
    assert verdict.message.text
    if want_refusal:
        assert verdict.warnings == []  # a refusal carries an empty list


def test_a_verdict_lists_all_domains_of_the_website(demo):
    verdict = verify_filing_type("uscc", QINGHE, "QINGHE.com.cn", "BEIANDESK", TODAY)
    assert verdict.type is FilingType.new_access
    assert (verdict.subject_number, verdict.website_number) == (
        "浙ICP备2021000001号",
        "浙ICP备2021000001号-1",
    )
    assert verdict.domains == ["qinghe.cn", "qinghe.com.cn"]


def test_certificate_numbers_are_normalised(demo):
    verdict = verify_filing_type(
        "uscc", " " + QINGHE.lower() + " ", "qinghe.cn", "BEIANDESK", TODAY
    )
    assert verdict.type is FilingType.new_access


def test_personal_subject_with_resident_id(demo):
    number = cert_of("浙ICP备2022011111号")
    verdict = verify_filing_type("resident_id", number, "zhangwei-reading.cn", "BEIANDESK", TODAY)
    assert verdict.type is FilingType.new_access
    # the subject's own domain typed under another certificate type: not a 首次备案 (A5 v3 row 1)
    wrong_type = verify_filing_type("passport", number, "zhangwei-reading.cn", "BEIANDESK", TODAY)
    assert wrong_type.refusal == "domain_filed_elsewhere"
    assert wrong_type.warnings == []


def test_domain_expiring_today_is_still_valid_and_yesterday_is_not(demo):
    number = cert_of("粤ICP备2020098765号")
    expired_on = date(2025, 3, 1)
    on_the_day = verify_filing_type("uscc", number, "haichuan-trade.com", "BEIANDESK", expired_on)
    assert on_the_day.type is FilingType.new_access
    day_after = verify_filing_type(
        "uscc", number, "haichuan-trade.com", "BEIANDESK", expired_on + timedelta(days=1)
    )
    assert day_after.refusal == "domain_expired"
    assert "haichuan.cn" in day_after.message.params["domain"]


def test_another_provider_code_changes_rows_4_and_9(demo):
    number = cert_of("沪ICP备2019012345号")
    verdict = verify_filing_type("uscc", number, "yunfan-net.com", "OTHERCLOUD", TODAY)
    assert verdict.type is FilingType.new_access


def test_invalid_domain_is_refused_as_bad_input(demo):
    with pytest.raises(LookupInputError) as caught:
        verify_filing_type("uscc", QINGHE, "qin_ghe..cn", "BEIANDESK", TODAY)
    assert [name for name, _ in caught.value.problems] == ["domain"]


# --- A5 v2: input folding, the registrable domain, bad input ----------------------------------


@pytest.mark.parametrize(
    ("typed", "looked_up"),
    [
        ("www.qinghe.cn", "qinghe.cn"),
        ("a.b.qinghe.com.cn", "qinghe.com.cn"),
        ("QINGHE.CN.", "qinghe.cn"),
        (
            "  ｗｗｗ．ｑｉｎｇｈｅ．ｃｎ ",
            "qinghe.cn",
        ),  # full-width, as a Chinese input method types
        ("www.数字文化.公益", "数字文化.公益"),
    ],
)
def test_the_registrable_domain_is_looked_up(demo, typed, looked_up):
    number = QINGHE if "qinghe" in looked_up else cert_of("浙ICP备2020033333号")
    verdict = verify_filing_type("uscc", number, typed, "BEIANDESK", TODAY)
    assert verdict.type is FilingType.new_access
    assert verdict.domain == looked_up
    assert verdict.as_dict(lambda text: text)["domain"] == looked_up


def test_certificate_is_folded_and_upper_cased(demo):
    typed = " " + QINGHE.lower().replace("9", "９") + " "
    verdict = verify_filing_type("uscc", typed, "qinghe.cn", "BEIANDESK", TODAY)
    assert verdict.type is FilingType.new_access


@pytest.mark.parametrize(
    ("cert_type", "number", "domain", "field"),
    [
        ("licence", QINGHE, "qinghe.cn", "cert_type"),
        ("uscc", "913301069755TH2H1X", "qinghe.cn", "cert_number"),  # wrong check character
        ("uscc", "12345", "qinghe.cn", "cert_number"),
        ("resident_id", "330106800101123", "qinghe.cn", "cert_number"),  # a 15-digit ID
        ("resident_id", "330106198001011234", "qinghe.cn", "cert_number"),  # wrong check digit
        ("uscc", QINGHE, "qinghe", "domain"),
        ("uscc", QINGHE, "com.cn", "domain"),
        ("uscc", QINGHE, "http://qinghe.cn/x", "domain"),
        ("uscc", QINGHE, "qinghe.cn:8080", "domain"),
        ("uscc", QINGHE, "", "domain"),
    ],
)
def test_bad_input_is_refused_never_answered_with_a_type(demo, cert_type, number, domain, field):
    with pytest.raises(LookupInputError) as caught:
        verify_filing_type(cert_type, number, domain, "BEIANDESK", TODAY)
    assert [name for name, _ in caught.value.problems] == [field]


def test_api_and_cli_refuse_bad_input_with_the_field(app, client, demo):
    body = {"cert_type": "uscc", "cert_number": "913301069755TH2H1X", "domain": "qinghe"}
    answer = client.post("/api/v1/filing-type", json=body)
    assert answer.status_code == 400 and answer.json["ok"] is False and answer.json["error"]
    assert [p["field"] for p in answer.json["problems"]] == ["cert_number", "domain"]
    assert "校验位" in answer.json["problems"][0]["message"]
    result = app.test_cli_runner().invoke(
        args=["filing", "type", "--cert-type", "resident_id", "--cert-number", "12345",
              "--domain", "qinghe.cn"]
    )  # fmt: skip
    assert result.exit_code == 2 and "--cert-number" in result.stderr


# --- CLI and API --------------------------------------------------------------------------------


def test_cli_answers_each_row(app, demo):
    runner = app.test_cli_runner()
    for row, subject_number, domain, account, want_type, want_refusal in ROWS:
        number = cert_of(subject_number) if subject_number else UNKNOWN_USCC
        args = [
            "filing",
            "type",
            "--cert-type",
            "uscc",
            "--cert-number",
            number,
            "--domain",
            domain,
        ]
        if account:
            args += ["--account", account]
        result = runner.invoke(args=args)
        document = json.loads(result.stdout)
        assert (document["type"], document["refusal"]) == (
            want_type and want_type.value,
            want_refusal,
        ), row
        assert result.exit_code == (0 if want_type else 1)
        assert set(document) == {
            "type",
            "refusal",
            "message",
            "subject_number",
            "website_number",
            "domains",
            "domain",
            "warnings",
        }
        assert isinstance(document["warnings"], list)


def test_cli_bad_input_exits_2(app, demo):
    runner = app.test_cli_runner()
    bad_domain = runner.invoke(
        args=["filing", "type", "--cert-type", "uscc", "--cert-number", QINGHE, "--domain", "a..b"]
    )
    assert bad_domain.exit_code == 2 and "--domain" in bad_domain.stderr
    no_account = runner.invoke(
        args=[
            "filing",
            "type",
            "--cert-type",
            "uscc",
            "--cert-number",
            QINGHE,
            "--domain",
            "qinghe.cn",
            "--account",
            "ghost@example.cn",
        ]
    )
    assert no_account.exit_code == 2


def test_api_filing_type_uses_the_logged_in_account(client, demo):
    number = cert_of("陇ICP备15000343号")
    body = {"cert_type": "uscc", "cert_number": number, "domain": "feiyi-longyuan.cn"}
    anonymous = client.post("/api/v1/filing-type", json=body)
    assert (
        anonymous.status_code == 200
        and anonymous.json["refusal"] == "subject_owned_by_other_account"
    )
    client.post("/auth/login", data={"email": B, "password": "Apply12345"})
    owner = client.post("/api/v1/filing-type", json=body)
    assert owner.json["type"] == "continued_access"
    assert owner.json["domains"] == ["feiyi-longyuan.cn"]


def test_api_filing_type_english_and_bad_input(client, demo):
    body = {"cert_type": "uscc", "cert_number": UNKNOWN_USCC, "domain": "qinghe.cn"}
    english = client.post("/api/v1/filing-type", json=body, headers={"Accept-Language": "en"})
    assert english.json["refusal"] == "domain_filed_elsewhere"
    assert "filed under another certificate" in english.json["message"]
    assert client.post("/api/v1/filing-type", json={**body, "x": 1}).status_code == 400
    assert client.post("/api/v1/filing-type", json={"cert_type": "uscc"}).status_code == 400
    assert (
        client.post("/api/v1/filing-type", json={**body, "cert_type": "licence"}).status_code == 400
    )
    assert client.post("/api/v1/filing-type", json={**body, "domain": "a..b"}).status_code == 400
    assert (
        client.post(
            "/api/v1/filing-type", data=b"nope", content_type="application/json"
        ).status_code
        == 400
    )


# --- filing password -----------------------------------------------------------------------------


def test_filing_password_allows_five_wrong_tries_per_account_and_hour(demo):
    subject = db.session.scalar(
        select(RegistrySubject).where(RegistrySubject.subject_number == "浙ICP备2021000001号")
    )
    owner = find_user(A)
    registry = current().registry  # as the wizard passes it
    start = utcnow()
    for attempt in range(5):
        at = start + timedelta(minutes=attempt)
        assert check_filing_password(subject, "wrong", owner, now=at, registry=registry) is False
    assert remaining_tries(subject, owner, now=start + timedelta(minutes=5)) == 0
    with pytest.raises(TooManyPasswordFailures) as caught:
        check_filing_password(
            subject, "Qinghe2021", owner, now=start + timedelta(minutes=10), registry=registry
        )
    assert caught.value.retry_at == start + timedelta(hours=1)
    # an hour after the first failure one try is free again, and the right password passes
    assert check_filing_password(
        subject, "Qinghe2021", owner, now=start + timedelta(minutes=61), registry=registry
    )


def test_filing_password_limit_is_per_account_and_subject(demo):
    subjects = db.session.scalars(
        select(RegistrySubject).order_by(RegistrySubject.id).limit(2)
    ).all()
    owner, stranger = find_user(A), find_user(B)
    registry = current().registry
    for _ in range(5):
        check_filing_password(subjects[0], "wrong", stranger, registry=registry)
    assert remaining_tries(subjects[1], stranger) == 5  # another subject: untouched
    assert remaining_tries(subjects[0], owner) == 5  # the stranger's tries do not lock the owner
    db.session.commit()
    with pytest.raises(TooManyPasswordFailures):
        check_filing_password(subjects[0], "wrong", stranger, registry=registry)
