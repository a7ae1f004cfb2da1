"""The rules of DOMAIN.md A4 as the pre-check applies them: each with a passing and a failing case
(field path, rule id, warning or breach), with its Chinese and English message; the pure functions'
own cases are in tests/unit/test_rules.py."""

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
from models import ProvinceRule

OK = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "application_ok.json").read_text("utf-8")
)
TODAY = date(2026, 11, 24)
QINGHE = "913301069755TH2H1L"
NATIONAL = "12100000400000624D"  # a national-level institution: region 100000


def check(document: dict):
    return precheck(parse_application(document), rule_tables.load(), TODAY)


def pairs(entries) -> list[tuple[str, str]]:
    return [(entry.field, entry.rule) for entry in entries]


def doc(**subject) -> dict:
    document = copy.deepcopy(OK)
    document["subject"].update(subject)
    document["websites"][1]["languages"] = ["zh-Hans"]  # no R-W-8 warning unless a test adds it
    return document


def english(message) -> str:
    with force_locale("en"):
        return message.render(gettext)


# --- ASCII digits -------------------------------------------------------------------------------


def test_full_width_numbers_in_an_application_are_breaches(app):
    document = doc(icp_number="浙ICP备２０２１０００００１号")
    document["subject"]["responsible_person"]["mobile"] = "13８00138000"
    assert ("subject.icp_number", "R-ID-1") in pairs(check(document).breaches)
    assert ("subject.responsible_person.mobile", "R-PH-1") in pairs(check(document).breaches)


# --- R-ID-5 ------------------------------------------------------------------------------------


def test_r_id_5_the_number_starts_with_the_subject_province(app):
    assert rules.check_icp_province("浙ICP备2021000001号", "33") is None
    problem = rules.check_icp_province("苏ICP备2021000001号", "33")
    assert problem is not None and "江苏" in problem.render(str) and "浙" in problem.render(str)
    assert "Jiangsu" in english(problem) or "苏" in english(problem)
    assert rules.check_icp_province("浙ICP备202100001号", "31") is None  # R-ID-1 reports it
    found = check(doc(icp_number="苏ICP备2021000001号"))
    assert ("subject.icp_number", "R-ID-5") in pairs(found.breaches)


# --- R-P-12, R-P-13: addresses ------------------------------------------------------------------


def test_r_p_12_both_addresses_in_the_subject_province(app):
    assert rules.check_address_province("浙江省杭州市文三路 1 号", "33") is None
    assert (
        rules.check_address_province("杭州市文三路 1 号", "33") is None
    )  # no full name: not judged
    assert rules.check_address_province("  北京市海淀区中关村 1 号", "33") is not None
    assert rules.check_address_province("内蒙古自治区呼和浩特市 1 号", "15") is None
    found = check(
        doc(certificate_address="北京市海淀区中关村 1 号", mailing_address="上海市浦东新区 1 号")
    )
    assert pairs(found.breaches) == [
        ("subject.certificate_address", "R-P-12"),
        ("subject.mailing_address", "R-P-12"),
    ]
    message = found.breaches[0].message
    assert "北京市" in message.render(str) and "浙江省" in message.render(str)
    assert "same province" in english(message)


@pytest.mark.parametrize(
    ("address", "remark", "breach"),
    [
        ("浙江省杭州市西湖区文三路 1 号", "", False),
        ("浙江省杭州市西湖区文三路一百号", "", False),
        ("浙江省杭州市西湖区某小区 3 栋 502 室", "", False),
        ("浙江省杭州市西湖区文三路", "", True),
        ("浙江省杭州市西湖区文三路", "   ", True),
        ("浙江省杭州市西湖区文三路", "园区内，无门牌号", False),
    ],
)
def test_r_p_13_house_number_or_a_remark(app, address, remark, breach):
    assert (rules.check_house_number(address, remark) is not None) is breach
    found = check(doc(mailing_address=address, remark=remark))
    assert (("subject.mailing_address", "R-P-13") in pairs(found.breaches)) is breach


def test_r_p_13_message_in_both_languages(app):
    message = rules.check_house_number("浙江省杭州市西湖区文三路", "")
    assert "备注" in message.render(str)
    assert "remark" in english(message).lower()


# --- R-PH-2: local mobiles (Jiangsu) -----------------------------------------------------------


def jiangsu(mobile: str) -> dict:
    document = doc(
        province="32", certificate_number="91320100MA1MXXXX09", certificate_address="江苏省南京市 1 号",
        mailing_address="江苏省南京市 1 号", icp_number="苏ICP备2021000001号",
    )  # fmt: skip
    document["subject"]["responsible_person"]["mobile"] = mobile
    for index, website in enumerate(document["websites"]):
        website["icp_number"] = f"苏ICP备2021000001号-{index + 1}"
    return document


def test_r_ph_2_by_libphonenumber_data(app):
    assert rules.mobile_home_province("13912345678") == "32"  # 江苏省常州市
    assert rules.mobile_home_province("13800138000") == "11"  # 北京市
    assert rules.mobile_home_province("19900000000") is None  # only "中国" is known
    assert rules.check_local_mobile("13912345678", "32", True) is None
    problem = rules.check_local_mobile("13800138000", "32", True)
    assert problem is not None and "北京" in problem.render(str)
    assert rules.check_local_mobile("13800138000", "32", False) is None  # the rule is off
    assert rules.check_local_mobile("13800138000", "33", False) is None


def test_r_ph_2_reads_the_province_rule(app):
    assert ("subject.responsible_person.mobile", "R-PH-2") in pairs(
        check(jiangsu("13800138000")).breaches
    )
    assert ("subject.responsible_person.mobile", "R-PH-2") not in pairs(
        check(jiangsu("13912345678")).breaches
    )
    unknown = check(jiangsu("19900000000"))
    assert ("subject.responsible_person.mobile", "R-PH-2") not in pairs(unknown.breaches)
    assert ("subject.responsible_person.mobile", "R-PH-2") in pairs(unknown.warnings)
    db.session.get(ProvinceRule, "32").local_mobile_required = False  # the admin turns it off
    db.session.flush()
    assert ("subject.responsible_person.mobile", "R-PH-2") not in pairs(
        check(jiangsu("13800138000")).breaches
    )


# --- national-level bodies (R-P-8, R-N-2) -------------------------------------------------------


def test_a_national_level_body_files_where_it_chooses_and_may_use_reserved_prefixes(app):
    assert rules.is_national_body("uscc", NATIONAL)
    assert not rules.is_national_body("uscc", QINGHE)
    assert rules.check_uscc_province(NATIONAL, "11") is None
    assert rules.check_uscc_province(QINGHE, "11") is not None
    assert rules.check_website_name_prefix("中国文化网", "institution", national=True) is None
    assert rules.check_website_name_prefix("中国文化网", "institution") is not None
    document = doc(kind="institution", certificate_number=NATIONAL, province="33")
    document["websites"][0]["name"] = "中国青禾文化"
    assert pairs(check(document).breaches) == []


# --- R-W-1, R-W-2, R-W-8 ------------------------------------------------------------------------


def test_r_w_1_names_the_values_once_per_list(app):
    document = doc()
    document["websites"][0]["content_types"] = ["fishing", "hunting"]
    found = check(document)
    assert pairs(found.breaches) == [("websites[0].content_types", "R-W-1")]
    assert "fishing, hunting" in found.breaches[0].message.render(str)
    individual = rules.check_content_types(["shopping", "blog"], "individual")
    assert individual.render(str).endswith("不能选择网络购物")  # named by its label
    assert "shopping" in english(individual).lower() and "blog" in english(individual).lower()


def test_content_types_is_optional_and_typed(app):
    document = doc()
    document["websites"][0]["content_types"] = None
    assert check(document).ok
    document["websites"][0]["content_types"] = "blog"
    with pytest.raises(ApplicationFormatError) as caught:
        parse_application(document)
    assert caught.value.problems[0][0] == "websites[0].content_types"


def test_r_w_8_many_languages_is_a_warning_not_a_breach(app):
    document = doc()
    document["websites"][0]["languages"] = ["zh-Hans", "en"]
    found = check(document)
    assert found.ok and pairs(found.warnings) == [("websites[0].languages", "R-W-8")]
    assert rules.warn_many_languages(["zh-Hans"]) is None
    assert "language" in english(found.warnings[0].message).lower()


# --- A2 v2: remark ------------------------------------------------------------------------------


def test_remark_is_optional_and_at_most_200_characters(app):
    without = doc()
    without["subject"].pop("remark", None)
    assert parse_application(without).subject.remark == ""
    assert parse_application(doc(remark="园区内无门牌号")).subject.remark == "园区内无门牌号"
    with pytest.raises(ApplicationFormatError) as caught:
        parse_application(doc(remark="长" * 201))
    assert caught.value.problems[0][0] == "subject.remark"


def test_cli_and_api_answer_warnings_and_agree(app, client, tmp_path):
    document = doc(certificate_address="北京市海淀区 1 号")
    document["websites"][0]["languages"] = ["zh-Hans", "en"]
    path = tmp_path / "a.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["filing", "precheck", str(path)])
    api = client.post("/api/v1/precheck", json=document)
    assert result.exit_code == 1 and api.status_code == 200
    assert json.loads(result.stdout) == api.json
    assert [w["rule"] for w in api.json["warnings"]] == ["R-W-8"]
    assert [b["rule"] for b in api.json["breaches"]] == ["R-P-12"]
