"""Findings of a new-user trial: the individual's authorisation letter and the letters' print hint and
favicon, the subject step for an individual, one error for one empty field, the terms of service,
the Permissions-Policy features and the console pager's first page reached backwards."""

from __future__ import annotations

import re

import pytest

from domain.filing.filings import account_ips
from domain.lifecycle.states import FilingState, Role
from domain.support import outbox
from extensions import db
from models import Filing
from tests.conftest import PASSWORD
from tests.helpers.signup import confirm
from tests.wizard_helpers import filing_id_from

PRINT_HINT = "打印后用黑色签字笔签署，拍摄彩色照片上传（本提示不必打印）。"


# --- 1. the printable letters ------------------------------------------------------------------


@pytest.fixture
def due(applicant, make_filing):
    return make_filing(FilingState.materials_pending, owner=applicant)


def make_individual(filing: Filing) -> None:
    filing.subject.kind = "individual"
    filing.subject.name = "张伟"
    filing.subject.certificate_type = "resident_id"
    filing.subject.certificate_number = "330106199003071236"
    db.session.commit()


def test_a_company_authorisation_letter_is_stamped_and_signed_by_the_legal_representative(
    client, due
):
    letter = client.get(f"/filings/{due.id}/templates/authorisation_letter").get_data(as_text=True)
    assert "单位（盖章）：杭州青禾科技有限公司" in letter
    assert letter.index("单位（盖章）") < letter.index("法定代表人（签字）") < letter.index("日期")
    assert "委托人" not in letter


def test_an_individual_authorisation_letter_is_a_persons_authorisation(client, due):
    make_individual(due)
    letter = client.get(f"/filings/{due.id}/templates/authorisation_letter").get_data(as_text=True)
    assert "单位" not in letter and "法定代表人" not in letter and "盖章" not in letter
    assert "委托人：张伟" in letter
    assert letter.index("委托人（签字）") < letter.index("被委托人（签字）") < letter.index("日期")


@pytest.mark.parametrize("kind", ["authorisation_letter", "commitment_letter"])
def test_a_letter_has_the_favicon_and_a_print_hint_in_the_users_language(app, client, due, kind):
    path = f"/filings/{due.id}/templates/{kind}"
    chinese = client.get(path).get_data(as_text=True)
    assert PRINT_HINT in chinese
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in chinese
    client.get("/lang/en")
    page = client.get(path).get_data(as_text=True)
    assert PRINT_HINT not in page
    assert (
        '<p class="hint" lang="en">After printing, sign in black ink, take a colour photo and '
        "upload it (this note need not be printed).</p>"
    ) in page
    assert '<html lang="zh-CN">' in page and "签字" in page  # the letter itself stays Chinese


# --- 2. the subject step of an individual ------------------------------------------------------


def individual_filing(client, user) -> Filing:
    """张伟's filing (an individual of the demo registry) walked up to the subject step."""
    response = client.post(
        "/filings/new",
        data={"certificate_type": "resident_id", "certificate_number": "330106199003071236",
              "domain": "zhangwei-reading.cn"},
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    filing = db.session.get(Filing, filing_id_from(response.headers["Location"]))
    assert filing is not None
    base = f"/filings/{filing.id}"
    assert client.post(f"{base}/product", data={"ips": account_ips(user)}).status_code == 302
    assert client.post(f"{base}/password", data={"password": "Zhangwei22"}).status_code == 302
    return filing


def value_of(page: str, field_id: str) -> str:
    found = re.search(rf'<input[^>]*id="{field_id}"[^>]*value="([^"]*)"', page)
    assert found, field_id
    return found.group(1)


def test_an_individuals_responsible_person_is_the_individual(client, applicant):
    filing = individual_filing(client, applicant)
    page = client.get(f"/filings/{filing.id}/subject").get_data(as_text=True)
    assert "个人备案的负责人为本人" in page and "法定代表人" not in page
    assert value_of(page, "person_name") == "张伟"
    assert value_of(page, "person_id_number") == "330106199003071236"
    assert re.search(
        r'<option selected value="resident_id">|<option value="resident_id" selected>', page
    )


def test_what_the_individual_typed_is_kept(client, applicant):
    filing = individual_filing(client, applicant)
    data = {"certificate_address": "浙江省杭州市西湖区文三路 1 号",
            "mailing_address": "浙江省杭州市西湖区文三路 1 号", "person_name": "张伟伟",
            "person_id_type": "resident_id", "person_id_number": "",
            "person_mobile": "13757112345", "person_email": "zw@example.cn"}  # fmt: skip
    client.post(f"/filings/{filing.id}/subject", data=data)
    page = client.get(f"/filings/{filing.id}/subject").get_data(as_text=True)
    assert value_of(page, "person_name") == "张伟伟"  # typed: kept
    assert value_of(page, "person_id_number") == "330106199003071236"  # empty: the individual's


def test_a_company_is_told_about_its_legal_representative(client, applicant):
    response = client.post(
        "/filings/new",
        data={"certificate_type": "uscc", "certificate_number": "913301069755TH2H1L",
              "domain": "qinghe.cn"},
    )  # fmt: skip
    filing_id = filing_id_from(response.headers["Location"])
    page = client.get(f"/filings/{filing_id}/subject").get_data(as_text=True)
    assert "单位主体的负责人一般应为法定代表人。" in page and "个人备案" not in page
    assert value_of(page, "person_name") == ""


# --- 3. one error for one empty field ----------------------------------------------------------


def errors_of(page: str, name: str) -> list[str]:
    block = re.search(rf'<ul class="errors" id="{name}-errors">(.*?)</ul>', page, re.S)
    return re.findall(r"<li>(.*?)</li>", block.group(1)) if block else []


def test_an_empty_mailing_address_gets_only_its_required_error(client, applicant):
    filing = individual_filing(client, applicant)
    data = {"certificate_address": "浙江省杭州市", "mailing_address": "", "person_name": "张伟",
            "person_id_type": "resident_id", "person_id_number": "330106199003071236",
            "person_mobile": "13757112345", "person_email": "zw@example.cn"}  # fmt: skip
    response = client.post(f"/filings/{filing.id}/subject", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert errors_of(page, "mailing_address") == ["通信地址：必填"]
    assert errors_of(page, "certificate_address") == []  # R-P-13 is the mailing address's only
    checked = client.post(
        f"/filings/{filing.id}/subject/check?field=mailing_address", data=data
    ).get_data(as_text=True)
    assert errors_of(checked, "mailing_address") == ["通信地址：必填"]
    data["mailing_address"] = "浙江省杭州市"  # typed, without a house number: the rule speaks
    page = client.post(f"/filings/{filing.id}/subject", data=data).get_data(as_text=True)
    assert len(errors_of(page, "mailing_address")) == 1
    assert "门牌号" in errors_of(page, "mailing_address")[0]


# --- 4. the terms of service -------------------------------------------------------------------


def test_the_sign_up_checkbox_links_the_terms_in_a_new_tab(app, client):
    page = client.get("/auth/signup").get_data(as_text=True)
    label = re.search(r'<label class="check">(.*?)</label>', page, re.S).group(1)
    assert 'href="/terms" target="_blank" rel="noopener"' in label and "服务条款" in label
    assert 'name="agree"' in label
    terms = client.get("/terms")
    text = terms.get_data(as_text=True)
    assert terms.status_code == 200 and "<h1>服务条款</h1>" in text and "由服务商" in text
    client.get("/lang/en")
    text = client.get("/terms").get_data(as_text=True)  # the shipped English catalogue
    assert "<h1>Terms of service</h1>" in text and "This platform is provided by" in text
    assert "本平台" not in text  # the clauses follow the interface language


def test_signing_up_still_needs_the_tick(client):
    data = {"display_name": "新用户", "email": "new@example.cn", "password": PASSWORD,
            "confirm": PASSWORD}  # fmt: skip
    page = client.post("/auth/signup", data=data).get_data(as_text=True)
    assert "我已阅读并同意服务条款：须勾选后才能注册" in page
    assert client.post("/auth/signup", data={**data, "agree": "y"}).status_code == 200
    assert confirm(client, "new@example.cn").status_code == 302


# --- 5. Permissions-Policy ---------------------------------------------------------------------

# Features Chromium knows (an unknown one is logged on every page: "Unrecognized feature").
CHROMIUM_FEATURES = {"camera", "microphone", "geolocation", "payment", "usb", "serial",
                     "display-capture", "interest-cohort", "fullscreen", "autoplay"}  # fmt: skip


def test_the_permissions_policy_names_only_features_chromium_knows(client):
    policy = client.get("/").headers["Permissions-Policy"]
    features = {item.strip().split("=")[0] for item in policy.split(",")}
    assert "bluetooth" not in features and features <= CHROMIUM_FEATURES
    assert "camera=(self)" in policy and "geolocation=()" in policy


# --- 6. English punctuation and plurals (the second trial) -----------------------------------


def test_english_pages_use_half_width_brackets_and_plural_tries(client, make_user, login):
    admin = make_user(Role.admin)
    outbox.enqueue(None, "email", "a@example.cn", "filing_submitted", filing_id=1).attempts = 1
    outbox.enqueue(None, "email", "b@example.cn", "filing_submitted", filing_id=2).attempts = 3
    db.session.commit()
    login(admin)
    client.get("/lang/en")
    provinces = client.get("/admin/provinces").get_data(as_text=True)
    assert "Beijing (京)" in provinces and "（京）" not in provinces
    sent = client.get("/admin/outbox").get_data(as_text=True)
    assert "1 try" in sent and "3 tries" in sent and "1 tries" not in sent
    client.get("/lang/zh_Hans_CN")
    chinese = client.get("/admin/provinces").get_data(as_text=True)
    assert "北京（京）" in chinese
