"""The pre-check (DOMAIN.md A3): all breaches at once with field paths and rule ids; the CLI exit
codes; the API status codes and languages."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from domain.lifecycle.workdays import shanghai_today
from domain.rulebook import rule_tables
from domain.rulebook.application import parse_application
from domain.rulebook.precheck import precheck

OK_FILE = Path(__file__).resolve().parents[1] / "data" / "application_ok.json"
OK = json.loads(OK_FILE.read_text(encoding="utf-8"))


def planted() -> dict:
    """The good application with one mistake per rule where a rule can be broken in it."""
    app = copy.deepcopy(OK)
    subject, site0, site1 = app["subject"], app["websites"][0], app["websites"][1]
    subject["province"] = "31"  # R-P-8: a Zhejiang USCC filed in Shanghai
    subject["icp_number"] = "浙ICP备202100001号"  # R-ID-1: 9 digits
    subject["responsible_person"]["mobile"] = "12800138000"  # R-PH-1
    site0["icp_number"] = "浙ICP备2021000001号-01"  # R-ID-2 (leading zero)
    site0["name"] = "中国青禾"  # R-N-2
    site0["domains"] = [
        "qinghe.cn",
        "www.qinghe.com.cn",
        "qinghe.io",
        "qinghe.cn",
    ]  # R-D-5, R-D-1, R-D-5 dup
    site0["ips"] = ["192.168.1.10"]  # R-IP-1
    site0["service_types"] = []  # R-W-7
    site0["content_types"] = ["shopping", "fishing"]  # R-W-1: not one of the 24 codes
    site1["name"] = "青禾赌博"  # R-N-4
    site1["languages"] = ["klingon"]  # R-W-7
    site1["pre_approvals"] = [{"category": "news", "number": "x"}]  # R-W-2
    site1["responsible_person"]["email"] = (
        "wangxm@qinghe.cn"  # R-P-3 (differs from subject's person)
    )
    site1["responsible_person"]["id_number"] = "330106201501010014"  # R-P-6 (born 2015)
    return app


EXPECTED = [
    ("subject.province", "R-P-8"),
    ("subject.certificate_address", "R-P-12"),  # 浙江省… while the subject is in Shanghai
    ("subject.mailing_address", "R-P-12"),
    ("subject.icp_number", "R-ID-1"),
    ("subject.responsible_person.mobile", "R-PH-1"),
    ("websites[0].icp_number", "R-ID-2"),
    ("websites[0].name", "R-N-2"),
    ("websites[0].domains[1]", "R-D-5"),
    ("websites[0].domains[2]", "R-D-1"),
    ("websites[0].domains[3]", "R-D-5"),
    ("websites[0].ips[0]", "R-IP-1"),
    ("websites[0].service_types", "R-W-7"),
    ("websites[0].content_types", "R-W-1"),
    ("websites[1].icp_number", "R-ID-2"),
    ("websites[1].name", "R-N-4"),
    ("websites[1].languages", "R-W-7"),
    ("websites[1].pre_approvals[0].number", "R-W-2"),
    ("websites[1].responsible_person.id_number", "R-P-6"),
    ("websites[1].responsible_person.email", "R-P-3"),
]


# The good application's second website is in Chinese and English: a warning, never a breach.
R_W_8 = {
    "field": "websites[1].languages",
    "rule": "R-W-8",
    "message": "网站语言不建议多选，请确认网站确实提供所选的每种语言",
}


def findings(app_doc: dict):
    return precheck(parse_application(app_doc), rule_tables.load(), shanghai_today())


def run(app_doc: dict):
    return findings(app_doc).breaches


def test_good_application_has_no_breach(app):
    assert run(OK) == []


def test_all_planted_mistakes_are_reported_at_once(app):
    got = [(b.field, b.rule) for b in run(planted())]
    # websites[1].icp_number: -2 stays valid only under the subject's own (now wrong) number
    assert got == EXPECTED


def test_messages_are_chinese_by_default(app):
    from flask_babel import gettext

    breaches = [b.as_dict(gettext) for b in run(planted())]
    by_rule = {b["rule"]: b["message"] for b in breaches}
    assert by_rule["R-D-1"] == "该域名后缀（.io）未获工信部批准，无法备案"
    assert "中国" in by_rule["R-N-2"]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda a: a["subject"].update(kind="government"),
            [
                ("subject.certificate_number", "R-ID-7"),  # an enterprise's USCC (91…), v3
                ("websites[0].domains[0]", "R-D-4"),
                ("websites[0].domains[1]", "R-D-4"),
                ("websites[1].domains[0]", "R-D-4"),
            ],
        ),
        (
            lambda a: a["subject"].update(kind="individual"),
            [
                ("subject.certificate_type", "R-ID-6"),
                ("websites[0].name", "R-N-7"),
                ("websites[0].content_types", "R-W-1"),  # 单位门户网站 is no individual's content
                ("websites[1].content_types", "R-W-1"),
            ],  # fmt: skip
        ),
        (
            lambda a: a["subject"].update(certificate_number="913301069755TH2H1M"),
            [("subject.certificate_number", "R-ID-4")],
        ),
        (
            lambda a: a["subject"]["responsible_person"].update(id_number="330106199003071237"),
            [("subject.responsible_person.id_number", "R-ID-3")],
        ),
        (
            lambda a: a["websites"][1]["responsible_person"].update(mobile="13800138000"),
            [("websites[1].responsible_person.mobile", "R-P-3")],
        ),
        (
            lambda a: a["websites"][1]["responsible_person"].update(mobile="1390013900"),
            [("websites[1].responsible_person.mobile", "R-PH-1")],
        ),
        (
            lambda a: a["websites"][1]["responsible_person"].update(email="lina@"),
            [("websites[1].responsible_person.email", "R-EM-1")],
        ),
        (
            lambda a: a["websites"][0].update(name="qinghe.cn"),
            [("websites[0].name", "R-N-1"), ("websites[0].name", "R-N-3")],
        ),
        (
            lambda a: a["websites"][1]["pre_approvals"][0].update(number=None),
            [("websites[1].pre_approvals[0].number", "R-W-2")],
        ),
    ],
)
def test_single_mistakes(app, mutate, expected):
    document = copy.deepcopy(OK)
    mutate(document)
    assert [(b.field, b.rule) for b in run(document)] == expected


def test_same_person_may_share_contacts(app):
    document = copy.deepcopy(OK)
    document["websites"][1]["responsible_person"] = dict(document["subject"]["responsible_person"])
    assert run(document) == []


def test_individual_with_resident_id_is_age_checked(app):
    document = copy.deepcopy(OK)
    document["subject"].update(
        kind="individual", certificate_type="resident_id", certificate_number="330106201501010014"
    )
    document["websites"] = [
        dict(
            document["websites"][1],
            name="张伟读书笔记",
            responsible_person=None,
            content_types=["blog"],
        )  # fmt: skip
    ]
    document["websites"][0]["icp_number"] = document["subject"]["icp_number"] + "-1"
    assert [(b.field, b.rule) for b in run(document)] == [("subject.certificate_number", "R-P-6")]


# --- CLI --------------------------------------------------------------------------------------


def _cli(app, tmp_path, content: bytes | str, *extra):
    path = tmp_path / "application.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return app.test_cli_runner().invoke(args=["filing", "precheck", str(path), *extra])


def test_cli_exit_0_for_a_good_application(app, tmp_path):
    result = _cli(app, tmp_path, json.dumps(OK, ensure_ascii=False))
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"ok": True, "breaches": [], "warnings": [R_W_8]}


def test_cli_exit_1_lists_every_breach_in_chinese(app, tmp_path):
    result = _cli(app, tmp_path, json.dumps(planted(), ensure_ascii=False))
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert [(b["field"], b["rule"]) for b in document["breaches"]] == EXPECTED
    assert "未获工信部批准" in result.stdout


def test_cli_english(app, tmp_path):
    result = _cli(app, tmp_path, json.dumps(planted(), ensure_ascii=False), "--lang", "en")
    assert "is not approved by the MIIT" in result.stdout


def test_cli_exit_2_names_the_key(app, tmp_path):
    result = _cli(app, tmp_path, json.dumps({**OK, "colour": "blue"}))
    assert result.exit_code == 2
    assert "colour" in result.stderr and "未知的键" in result.stderr
    assert _cli(app, tmp_path, b"\xff\xfe not json").exit_code == 2


# --- API --------------------------------------------------------------------------------------


def test_api_200_with_breaches(client):
    response = client.post("/api/v1/precheck", json=planted())
    assert response.status_code == 200
    assert [(b["field"], b["rule"]) for b in response.json["breaches"]] == EXPECTED
    assert response.json["ok"] is False


def test_api_200_ok(client):
    response = client.post("/api/v1/precheck", json=OK)
    assert response.status_code == 200
    assert response.json == {"ok": True, "breaches": [], "warnings": [R_W_8]}


def test_api_answers_in_english_with_accept_language(client):
    response = client.post("/api/v1/precheck", json=planted(), headers={"Accept-Language": "en"})
    messages = {b["rule"]: b["message"] for b in response.json["breaches"]}
    assert (
        messages["R-D-1"]
        == "The suffix .io is not approved by the MIIT; the domain cannot be filed"
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", "$"),
        (json.dumps({**OK, "extra": 1}).encode(), "extra"),
        (b"{" + b" " * 1_100_000 + b"}", "$"),
    ],
)
def test_api_400_for_input_that_is_not_a2(client, body, field):
    response = client.post("/api/v1/precheck", data=body, content_type="application/json")
    assert response.status_code == 400
    assert field in [problem["field"] for problem in response.json["problems"]]


def test_api_needs_no_csrf_token_but_only_post(app, tmp_path, database_url):
    from tests.helpers.app import make_test_app

    strict = make_test_app(database_url, tmp_path, WTF_CSRF_ENABLED=True)
    with strict.app_context():
        client = strict.test_client()
        assert client.post("/api/v1/precheck", json=OK).status_code == 200
        assert client.get("/api/v1/precheck").status_code == 405
        from extensions import db

        db.session.remove()
        db.engine.dispose()
