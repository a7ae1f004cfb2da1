"""What an experienced reviewer catches by hand, caught by the pre-check (DOMAIN.md A2, A4): the
certificate types of residents of Hong Kong, Macao, Taiwan and foreigners, a USCC of another kind
of unit, an address in another province by any place name, a finance name without its
pre-approval, a .gov.cn domain of an enterprise, the approved suffixes 网址/xin/ren, emergency
mobiles, ID validity and the investor; every breach at once with its field, in the CLI and the API
alike, in both languages."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest
from flask_babel import force_locale, gettext

from domain.rulebook import rule_tables, rules
from domain.rulebook.application import ApplicationFormatError, parse_application
from domain.rulebook.precheck import precheck
from extensions import db
from models import PreApprovalKeyword

OK = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "application_ok.json").read_text("utf-8")
)
TODAY = date(2026, 12, 6)
HK_RESIDENCE = "810000199001011230"
INSTITUTION_USCC = "12330100470000012H"


def check(document: dict):
    return precheck(parse_application(document), rule_tables.load(), TODAY)


def pairs(entries) -> list[tuple[str, str]]:
    return [(entry.field, entry.rule) for entry in entries]


def doc() -> dict:
    document = copy.deepcopy(OK)
    document["websites"][1]["languages"] = ["zh-Hans"]
    return document


def individual(certificate_type: str, number: str) -> dict:
    document = doc()
    document["subject"].update(
        kind="individual", name="陈大文", certificate_type=certificate_type,
        certificate_number=number, investor="陈大文",
        responsible_person={"name": "陈大文", "id_type": certificate_type, "id_number": number,
                            "mobile": "13800138000", "email": "chen@qinghe.cn"},
    )  # fmt: skip
    document["websites"] = [
        {**document["websites"][0], "name": "大文随笔", "content_types": ["blog"]}
    ]
    return document


def test_the_ok_document_stays_clean(app):
    findings = check(doc())
    assert findings.breaches == [] and findings.warnings == []


@pytest.mark.parametrize(
    ("certificate_type", "number"),
    [("hk_mo_tw_residence", HK_RESIDENCE), ("foreign_permanent_residence", "931586198506150018"),
     ("foreign_permanent_residence", "USA110012345678")],
)  # fmt: skip
def test_a_residence_permit_or_foreign_card_holder_files_as_an_individual(
    app, certificate_type, number
):
    findings = check(individual(certificate_type, number))
    assert findings.breaches == []


def test_a_wrong_residence_permit_number_is_r_id_3_on_subject_and_person(app):
    wrong = HK_RESIDENCE[:17] + "9"
    assert pairs(check(individual("hk_mo_tw_residence", wrong)).breaches) == [
        ("subject.certificate_number", "R-ID-3"),
        ("subject.responsible_person.id_number", "R-ID-3"),
    ]


def test_a_minor_holding_a_residence_permit_is_r_p_6(app):
    minor = "830000" + "20150101" + "123"
    minor += rules.resident_id_check_char(minor)
    assert ("subject.certificate_number", "R-P-6") in pairs(
        check(individual("hk_mo_tw_residence", minor)).breaches
    )


def test_an_enterprise_typing_an_institutions_credit_code_is_r_id_7(app):
    document = doc()
    document["subject"]["certificate_number"] = INSTITUTION_USCC
    assert pairs(check(document).breaches) == [("subject.certificate_number", "R-ID-7")]
    document["subject"]["kind"] = "institution"
    assert pairs(check(document).breaches) == []


def test_a_zhejiang_subject_with_a_shanghai_address_is_r_p_12(app):
    document = doc()
    document["subject"]["certificate_address"] = "上海浦东新区张江路 1 号"
    document["subject"]["mailing_address"] = "杭州西湖区文三路 1 号"
    assert pairs(check(document).breaches) == [("subject.certificate_address", "R-P-12")]
    document["subject"]["certificate_address"] = "朝阳区建国路 1 号"  # 北京 or 长春: not judged
    assert pairs(check(document).breaches) == []


def test_a_finance_name_without_its_pre_approval_warns_naming_the_category(app):
    document = doc()
    document["websites"][0]["name"] = "青禾理财"
    findings = check(document)
    assert findings.ok
    assert pairs(findings.warnings) == [("websites[0].pre_approvals", "R-W-3")]
    assert "金融" in findings.warnings[0].message.render(gettext)
    with force_locale("en"):
        assert "Finance" in findings.warnings[0].message.render(gettext)
    document["websites"][0]["pre_approvals"] = [
        {"category": "finance", "number": "浙金许〔2024〕12号"}
    ]
    assert check(document).warnings == []


def test_the_keyword_table_is_the_admins(app):
    document = doc()
    document["websites"][0]["name"] = "青禾理财"
    db.session.execute(db.delete(PreApprovalKeyword).where(PreApprovalKeyword.keyword == "理财"))
    assert check(document).warnings == []


def test_an_enterprise_with_a_gov_cn_domain_is_r_d_4_and_an_institution_is_warned(app):
    document = doc()
    document["websites"][0]["domains"] = ["qinghe.gov.cn"]
    assert pairs(check(document).breaches) == [("websites[0].domains[0]", "R-D-4")]
    document["subject"].update(kind="institution", certificate_number=INSTITUTION_USCC)
    document["websites"][0]["domains"] = ["qinghe.com"]
    findings = check(document)
    assert findings.ok and pairs(findings.warnings) == [("websites[0].domains[0]", "R-D-4")]


@pytest.mark.parametrize(
    "domain", ["qinghe.网址", "qinghe.xin", "qinghe.ren", "qinghe.商城", "qinghe.中文网"]
)
def test_the_suffixes_added_to_the_approved_table_pass(app, domain):
    document = doc()
    document["websites"][0]["domains"] = [domain]
    assert check(document).breaches == []


def test_emergency_mobiles_and_validity(app):
    document = doc()
    subject_person = document["subject"]["responsible_person"]
    site_person = document["websites"][1]["responsible_person"]
    subject_person.update(emergency_mobile="13700137000", id_valid_until="长期")
    site_person.update(emergency_mobile="13700137000", id_valid_until="2027-01-01")
    assert pairs(check(document).breaches) == [
        ("websites[1].responsible_person.id_valid_until", "R-P-9"),
        ("websites[1].responsible_person.emergency_mobile", "R-P-3"),  # the pair, once
    ]
    subject_person.update(emergency_mobile="13800138000")  # her own mobile
    site_person.update(emergency_mobile="1390013900", id_valid_until="")
    assert pairs(check(document).breaches) == [
        ("subject.responsible_person.emergency_mobile", "R-P-3"),
        ("websites[1].responsible_person.emergency_mobile", "R-PH-1"),
    ]


def test_optional_keys_absent_null_or_empty_are_not_given(app):
    document = doc()
    person = document["subject"]["responsible_person"]
    person.update(emergency_mobile=None, id_valid_until="")
    document["subject"]["investor"] = None
    assert check(document).breaches == []
    person["emergency_mobile"] = 13700137000
    with pytest.raises(ApplicationFormatError) as caught:
        parse_application(document)
    assert caught.value.problems[0][0] == "subject.responsible_person.emergency_mobile"


def test_r_p_14_the_investor_of_an_individual_is_the_individual(app):
    document = individual("hk_mo_tw_residence", HK_RESIDENCE)
    document["subject"]["investor"] = "陈小文"
    assert pairs(check(document).breaches) == [("subject.investor", "R-P-14")]
    document = doc()
    document["subject"]["investor"] = "杭州市西湖区人民政府"
    findings = check(document)
    assert findings.ok and pairs(findings.warnings) == [("subject.investor", "R-P-14")]


def test_empty_icp_numbers_are_not_filed_yet(app):
    document = doc()
    document["subject"]["icp_number"] = ""
    for website in document["websites"]:
        website["icp_number"] = ""
    assert check(document).breaches == []
    document["websites"][0]["icp_number"] = "浙ICP备2021000001号-1"
    assert pairs(check(document).breaches) == [("websites[0].icp_number", "R-ID-2")]


def everything_wrong() -> dict:
    document = doc()
    document["subject"].update(
        certificate_number=INSTITUTION_USCC, certificate_address="上海浦东新区张江路 1 号"
    )
    document["subject"]["responsible_person"].update(emergency_mobile="13800138000")
    document["websites"][0].update(name="青禾理财", domains=["qinghe.gov.cn", "qinghe.网址"])
    document["websites"][1]["responsible_person"].update(id_valid_until="2026-12-31")
    return document


EXPECTED_BREACHES = [
    {"field": "subject.certificate_number", "rule": "R-ID-7"},
    {"field": "subject.certificate_address", "rule": "R-P-12"},
    {"field": "subject.responsible_person.emergency_mobile", "rule": "R-P-3"},
    {"field": "websites[0].domains[0]", "rule": "R-D-4"},
    {"field": "websites[1].responsible_person.id_valid_until", "rule": "R-P-9"},
]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_cli_and_the_api_answer_them_all_at_once(app, client, tmp_path, language):
    path = tmp_path / "a.json"
    path.write_text(json.dumps(everything_wrong(), ensure_ascii=False), encoding="utf-8")
    result = app.test_cli_runner().invoke(
        args=["filing", "precheck", str(path), "--lang", language]
    )
    api = client.post(
        "/api/v1/precheck", json=everything_wrong(), headers={"Accept-Language": language}
    )
    assert result.exit_code == 1 and api.status_code == 200
    assert json.loads(result.stdout) == api.json
    shown = [{"field": b["field"], "rule": b["rule"]} for b in api.json["breaches"]]
    assert shown == EXPECTED_BREACHES
    assert [(w["field"], w["rule"]) for w in api.json["warnings"]] == [
        ("websites[0].pre_approvals", "R-W-3")
    ]
    messages = " ".join(b["message"] for b in api.json["breaches"] + api.json["warnings"])
    assert ("金融" in messages) is (language == "zh")
    assert ("Finance" in messages) is (language == "en")
