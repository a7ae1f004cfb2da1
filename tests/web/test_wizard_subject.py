"""The subject step: an individual's responsible person is the individual (what the individual
typed is kept), a company is told about its legal representative, and one empty field gets one
error."""

from __future__ import annotations

import re

from domain.filing.filings import account_ips
from extensions import db
from models import Filing
from tests.helpers.wizard import filing_id_from

# --- an individual's subject step ------------------------------------------------------


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


# --- one error for one empty field ----------------------------------------------------------


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
