"""The domain lookup (DOMAIN.md A5 v3): the type step's warnings, the two certificate types A5 reads
as bad input, the local domain table and its CSV import, R-D-2 and R-D-3 at every submission, and
the province's domain_min_days."""

from __future__ import annotations

import json
from datetime import date, timedelta

import idna
import pytest
from sqlalchemy import func, select

from demo.seed import EXPIRING_DOMAIN
from domain.accounts.accounts import find_user
from domain.filing import filings, new_domains
from domain.lifecycle.states import FilingType
from domain.lifecycle.workdays import shanghai_today
from domain.rulebook.domain_table import (
    DomainImportError,
    LocalDomainTable,
    import_domains,
    parse_domains_csv,
)
from domain.rulebook.filing_type import LookupInputError, verify_filing_type
from extensions import db
from models import DomainRecord, Filing, ProvinceRule, Website, WebsiteDomain
from runtime import current
from tests.helpers.domain_lookup import (
    NEW_COMPANY,
    NEW_COMPANY_NAME,
    FakeDomainLookup,
    registration,
)
from tests.helpers.wizard import load_demo

TODAY = date(2026, 11, 23)
QINGHE = "913301069755TH2H1L"
QINGHE_NAME = "杭州青禾科技有限公司"
A = "applicant@demo.beiandesk.cn"
HEADER = (
    "domain,holder_name,holder_certificate_type,holder_certificate_number,registrar,expires,"
    "real_name_verified\n"
)


@pytest.fixture
def demo(app):
    load_demo()  # demo/seed.py's data, committed (replayed after the first load)


def codes(verdict) -> list[str]:
    return [warning.code for warning in verdict.warnings]


def first_filing(domain: str, lookup: FakeDomainLookup, number: str = NEW_COMPANY, today=TODAY):
    return verify_filing_type("uscc", number, domain, "BEIANDESK", today, lookup=lookup)


# --- the type step's warnings ---------------------------------------------------------------------


def test_a_first_filing_answers_the_domain_typed_and_no_numbers(demo):
    lookup = FakeDomainLookup({"xinya-wenchuang.cn": registration()})
    verdict = first_filing("www.XINYA-wenchuang.cn", lookup)
    assert verdict.type is FilingType.first_filing and verdict.refusal is None
    assert (verdict.subject_number, verdict.website_number) == (None, None)
    assert verdict.domains == ["xinya-wenchuang.cn"]
    assert verdict.warnings == []  # verified, held by the certificate typed, years left
    assert lookup.asked == ["xinya-wenchuang.cn"]
    document = verdict.as_dict(lambda text: text)
    assert document["type"] == "first_filing" and document["warnings"] == []


def test_a_new_website_names_the_subject_but_no_website(demo):
    lookup = FakeDomainLookup(
        {"qinghe-shop.cn": registration("qinghe-shop.cn", holder_name=QINGHE_NAME,
                                        holder_certificate_number=QINGHE)}
    )  # fmt: skip
    verdict = verify_filing_type(
        "uscc", QINGHE, "qinghe-shop.cn", "BEIANDESK", TODAY, lookup=lookup
    )
    assert verdict.type is FilingType.new_website
    assert (verdict.subject_number, verdict.website_number) == ("浙ICP备2021000001号", None)
    assert verdict.domains == ["qinghe-shop.cn"] and verdict.warnings == []


@pytest.mark.parametrize(
    ("answer", "down", "want"),
    [
        (None, False, ["domain_unverified"]),  # the lookup has no answer
        (None, True, ["domain_unverified"]),  # the lookup did not answer
        (registration(real_name_verified=False), False, ["domain_unverified"]),
        (registration(real_name_verified=None), False, ["domain_unverified"]),  # RDAP: unknown
        (registration(holder_certificate_number="91330108MA7B2Q4X1C"), False,
         ["domain_holder_mismatch"]),
        (registration(expires=TODAY + timedelta(days=89)), False, ["domain_expiring"]),
        (registration(expires=TODAY + timedelta(days=90)), False, []),
        (registration(expires=TODAY - timedelta(days=1)), False, ["domain_expiring"]),
        # a first filing's subject is on no record: the holder's name is not compared
        (registration(holder_name="另一家公司"), False, []),
        # the certificate type is never compared (registrars word it their own way)
        (registration(holder_certificate_type="营业执照"), False, []),
        # a number the lookup does not publish is not compared
        (registration(holder_certificate_number="", holder_name=""), False, []),
        (registration(real_name_verified=False, holder_certificate_number="X1",
                      expires=TODAY + timedelta(days=10)), False,
         ["domain_unverified", "domain_holder_mismatch", "domain_expiring"]),
    ],
)  # fmt: skip
def test_first_filing_warnings_by_the_domain_lookup(demo, answer, down, want):
    lookup = FakeDomainLookup(
        {"xinya-wenchuang.cn": answer} if answer else {},
        {"xinya-wenchuang.cn"} if down else set(),
    )
    verdict = first_filing("xinya-wenchuang.cn", lookup)
    assert verdict.type is FilingType.first_filing  # warnings never change the answer
    assert codes(verdict) == want
    assert all(w.message.text for w in verdict.warnings)


def test_a_new_website_compares_the_holder_name_with_the_subject_on_record(demo):
    other_name = registration("qinghe-shop.cn", holder_name="杭州青禾网络有限公司",
                              holder_certificate_number=QINGHE)  # fmt: skip
    same_name = registration("qinghe-shop.cn", holder_name=" 杭州青禾科技有限公司 ",
                             holder_certificate_number=QINGHE.lower())  # fmt: skip
    for answer, want in ((other_name, ["domain_holder_mismatch"]), (same_name, [])):
        lookup = FakeDomainLookup({"qinghe-shop.cn": answer})
        verdict = verify_filing_type(
            "uscc", QINGHE, "qinghe-shop.cn", "BEIANDESK", TODAY, lookup=lookup
        )
        assert verdict.type is FilingType.new_website and codes(verdict) == want


def test_an_access_type_warns_of_every_domain_of_the_website_by_the_registry_dates(demo):
    lookup = FakeDomainLookup()
    near = date(2029, 3, 1)  # qinghe.cn and qinghe.com.cn expire on 2029-05-20: 80 days left
    verdict = verify_filing_type("uscc", QINGHE, "qinghe.cn", "BEIANDESK", near, lookup=lookup)
    assert verdict.type is FilingType.new_access
    assert codes(verdict) == ["domain_expiring", "domain_expiring"]
    assert [w.message.params["domain"] for w in verdict.warnings] == ["qinghe.cn", "qinghe.com.cn"]
    assert lookup.asked == []  # an access type is judged by the registry, not the lookup
    far = verify_filing_type("uscc", QINGHE, "qinghe.cn", "BEIANDESK", TODAY, lookup=lookup)
    assert far.warnings == []


def test_the_local_domain_table_is_the_default_lookup(demo):
    verdict = verify_filing_type("uscc", NEW_COMPANY, "chunfeng-tea.cn", "BEIANDESK", TODAY)
    assert verdict.type is FilingType.first_filing
    assert codes(verdict) == ["domain_holder_mismatch"]  # held by 杭州春风茶业 (demo table)
    unverified = verify_filing_type("uscc", QINGHE, "qinghe-lab.cn", "BEIANDESK", TODAY)
    assert unverified.type is FilingType.new_website and codes(unverified) == ["domain_unverified"]
    assert isinstance(current().domain_lookup, LocalDomainTable)


def test_an_open_first_filing_of_the_certificate_refuses_a_second_order(demo, make_filing):
    from domain.lifecycle.states import FilingState  # noqa: PLC0415 - only here

    filing = make_filing(FilingState.submitted)
    filing.subject.certificate_type = "uscc"
    filing.subject.certificate_number = NEW_COMPANY  # an order for a subject on no record
    db.session.commit()
    verdict = verify_filing_type("uscc", NEW_COMPANY, "xinya-wenchuang.cn", "BEIANDESK", TODAY)
    assert verdict.refusal == "open_order_exists" and verdict.warnings == []
    again = verify_filing_type(
        "uscc", NEW_COMPANY, "xinya-wenchuang.cn", "BEIANDESK", TODAY, exclude_filing_id=filing.id
    )
    assert again.type is FilingType.first_filing


def test_the_cli_and_the_api_answer_the_new_types_with_warnings(app, client, demo):
    args = ["filing", "type", "--cert-type", "uscc", "--cert-number", NEW_COMPANY,
            "--domain", "chunfeng-tea.cn"]  # fmt: skip
    result = app.test_cli_runner().invoke(args=args)
    document = json.loads(result.stdout)
    assert result.exit_code == 0 and document["type"] == "first_filing"
    assert [w["code"] for w in document["warnings"]] == ["domain_holder_mismatch"]
    assert document["domains"] == ["chunfeng-tea.cn"] and document["subject_number"] is None
    body = {"cert_type": "uscc", "cert_number": QINGHE, "domain": "qinghe-lab.cn"}
    answer = client.post("/api/v1/filing-type", json=body, headers={"Accept-Language": "en"})
    assert answer.status_code == 200 and answer.json["type"] == "new_website"
    assert answer.json["website_number"] is None
    assert [w["code"] for w in answer.json["warnings"]] == ["domain_unverified"]
    assert "real-name" in answer.json["warnings"][0]["message"]
    refused = client.post("/api/v1/filing-type", json={**body, "domain": "yunfan-net.com"})
    assert refused.json["refusal"] == "domain_subject_mismatch" and refused.json["warnings"] == []


def test_the_anonymous_api_refuses_a_subject_held_by_any_account(client, demo):
    body = {"cert_type": "uscc", "cert_number": "9162010237J3PLAR3C", "domain": "longyuan-new.cn"}
    answer = client.post("/api/v1/filing-type", json=body)
    assert answer.json["refusal"] == "subject_owned_by_other_account"


# --- the two certificate types A5 reads (R-ID-3) ---------------------------------------------------


@pytest.mark.parametrize(
    ("cert_type", "number"),
    [
        ("hk_mo_tw_residence", "810000199001010019"),  # Hong Kong
        ("hk_mo_tw_residence", "82000019850505002x"),  # Macao, a lower-case x folded
        ("foreign_permanent_residence", "933156198503120018"),  # the 2023 form
        ("foreign_permanent_residence", "USA330619850312"),  # the older form
    ],
)
def test_the_new_certificate_types_are_looked_up(demo, cert_type, number):
    verdict = verify_filing_type(cert_type, number, "xinya-wenchuang.cn", "BEIANDESK", TODAY)
    assert verdict.type is FilingType.first_filing


@pytest.mark.parametrize(
    ("cert_type", "number"),
    [
        ("hk_mo_tw_residence", "810000199001010018"),  # wrong check character
        ("hk_mo_tw_residence", "330106199003071236"),  # a mainland resident ID's address code
        ("hk_mo_tw_residence", "81000019901301001X"),  # month 13
        ("hk_mo_tw_residence", "81000019900101001"),  # 17 characters
        ("foreign_permanent_residence", "833156198503120018"),  # 18 characters not starting with 9
        ("foreign_permanent_residence", "933156198503120019"),  # wrong check character
        ("foreign_permanent_residence", "US3306198503121"),  # neither form
    ],
)
def test_a_bad_residence_number_is_bad_input(demo, client, cert_type, number):
    with pytest.raises(LookupInputError) as caught:
        verify_filing_type(cert_type, number, "xinya-wenchuang.cn", "BEIANDESK", TODAY)
    assert [name for name, _ in caught.value.problems] == ["cert_number"]
    body = {"cert_type": cert_type, "cert_number": number, "domain": "xinya-wenchuang.cn"}
    answer = client.post("/api/v1/filing-type", json=body)
    assert answer.status_code == 400 and answer.json["problems"][0]["field"] == "cert_number"


# --- the local table and its import -----------------------------------------------------------------


def test_the_import_loads_the_table_and_updates_it_idempotently(app):
    text = (
        HEADER
        + "Example.CN,张三,居民身份证,330106199003071236,某注册商,2028-01-31,1\n"
        + "数字文化.中国,,统一社会信用代码,12330000849941AM6J,某注册商,2027-05-01,0\n"
    )
    summary = import_domains(parse_domains_csv(text))
    db.session.commit()
    assert (summary.created, summary.updated, summary.unchanged) == (2, 0, 0)
    found = LocalDomainTable().lookup("example.cn")
    assert found is not None and found.holder_name == "张三" and found.real_name_verified is True
    assert found.expires == date(2028, 1, 31) and found.holder_certificate_type == "居民身份证"
    idn = LocalDomainTable().lookup(idna.encode("数字文化.中国", uts46=True).decode("ascii"))
    assert idn is not None and idn.holder_name == "" and idn.real_name_verified is False
    again = import_domains(parse_domains_csv(text.replace("2028-01-31", "2028-02-29")))
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    assert LocalDomainTable().lookup("nothing.cn") is None


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("domain,holder\n", 1, "表头应为"),
        (HEADER, 0, "没有数据行"),
        (HEADER + "a.cn,甲,身份证,1,注册商,2028-01-01,1\nwww.b.cn,乙,身份证,2,注册商,2028-01-01,1\n",
         3, "domain"),
        (HEADER + "a.cn,甲,身份证,1,注册商,2028-01-01,1\nb.cn,乙,身份证,2,注册商,2028/01/01,1\n",
         3, "expires"),
        (HEADER + "a.cn,甲,身份证,1,注册商,2028-01-01,yes\n", 2, "real_name_verified"),
        (HEADER + "a.cn,甲,身份证,,注册商,2028-01-01,1\n", 2, "holder_certificate_number 为空"),
        (HEADER + "a.cn,甲,身份证,1,注册商,2028-01-01,1\nA.cn,甲,身份证,1,注册商,2028-01-01,1\n",
         3, "两次"),
        (HEADER + "a.cn,甲,身份证,1,注册商,2028-01-01\n", 2, "列数"),
        (HEADER + "com.cn,甲,身份证,1,注册商,2028-01-01,1\n", 2, "domain"),
    ],
)  # fmt: skip
def test_a_bad_row_is_reported_with_its_line_and_nothing_is_imported(app, text, line, reason):
    with pytest.raises(DomainImportError) as caught:
        import_domains(parse_domains_csv(text))
    assert caught.value.line == line and reason in caught.value.reason
    assert db.session.scalar(select(func.count()).select_from(DomainRecord)) == 0


def test_the_cli_imports_the_demo_sample_and_refuses_a_bad_file_whole(app, tmp_path):
    runner = app.test_cli_runner()
    good = runner.invoke(args=["domains", "import", "demo/domains.csv"])
    assert good.exit_code == 0 and "5 new" in good.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER
        + "fresh.cn,甲,身份证,1,注册商,2028-01-01,1\nbad..cn,乙,身份证,2,注册商,2028-01-01,1\n",
        encoding="utf-8",
    )
    refused = runner.invoke(args=["domains", "import", str(bad)])
    assert refused.exit_code == 2 and "line 3" in refused.stderr
    assert "nothing imported" in refused.stderr
    assert db.session.get(DomainRecord, "fresh.cn") is None
    assert db.session.scalar(select(func.count()).select_from(DomainRecord)) == 5


def test_the_demo_table_has_a_domain_with_twenty_days_left_and_zhejiang_asks_for_90(demo):
    record = db.session.get(DomainRecord, EXPIRING_DOMAIN)
    assert record.expires_on == shanghai_today() + timedelta(days=20)
    assert db.session.get(ProvinceRule, "33").domain_min_days == 90
    assert db.session.get(ProvinceRule, "11").domain_min_days == 0


# --- R-D-2 and R-D-3 at submission ------------------------------------------------------------------


def with_new_domain(filing: Filing, domain: str, website_index: int = 0) -> str:
    """Give the filing's website a domain on no registry website (as a 首次备案's or 新增网站's new
    domain); returns its field path."""
    website: Website = filing.websites[website_index]
    website.domains.append(WebsiteDomain(domain=domain))
    db.session.flush()
    return f"websites[{website_index}].domains[{len(website.domains) - 1}]"


@pytest.fixture
def drafted(demo):
    """The demo applicant's 青禾 draft (an access order), filled in as the wizard does, in a
    Zhejiang that refuses only expired domains."""
    from demo.seed import filled_in_filing  # noqa: PLC0415 - the demo's own helper

    filing = filled_in_filing(find_user(A), QINGHE, "qinghe.cn", "Qinghe2021", "13800138001")
    db.session.get(ProvinceRule, "33").domain_min_days = 0  # the demo's 90: set where tested
    db.session.commit()
    return filing


def rules_on(findings, field: str) -> list[str]:
    return [breach.rule for breach in findings if breach.field == field]


def test_a_verified_new_domain_of_the_subject_passes(drafted):
    field = with_new_domain(drafted, "qinghe-shop.cn")
    lookup = FakeDomainLookup({"qinghe-shop.cn": registration(
        "qinghe-shop.cn", holder_name=QINGHE_NAME, holder_certificate_number=QINGHE)})  # fmt: skip
    found = filings.submission_problems(drafted, TODAY, "BEIANDESK", lookup=lookup)
    assert rules_on(found.breaches, field) == [] and rules_on(found.warnings, field) == []


@pytest.mark.parametrize(
    ("answer", "breaches", "warnings"),
    [
        ({"real_name_verified": False}, ["R-D-3"], []),
        ({"holder_name": "杭州青禾网络有限公司"}, ["R-D-3"], []),
        ({"holder_certificate_number": NEW_COMPANY}, ["R-D-3"], []),
        ({"holder_certificate_type": "营业执照"}, [], []),  # the type is not compared
        ({"holder_name": ""}, [], []),  # an unpublished name is not compared
        ({"expires": TODAY - timedelta(days=1)}, ["R-D-2"], []),
        ({"expires": TODAY}, [], ["R-D-2"]),  # its last day: not expired, a warning
        ({"expires": TODAY + timedelta(days=30)}, [], ["R-D-2"]),
        ({"real_name_verified": None}, [], ["R-D-3"]),  # unknown (RDAP): domain_unverified
    ],
)
def test_r_d_2_and_r_d_3_judge_each_new_domain_at_submission(drafted, answer, breaches, warnings):
    field = with_new_domain(drafted, "qinghe-shop.cn")
    base = {"holder_name": QINGHE_NAME, "holder_certificate_number": QINGHE}
    lookup = FakeDomainLookup(
        {"qinghe-shop.cn": registration("qinghe-shop.cn", **{**base, **answer})}
    )
    found = filings.submission_problems(drafted, TODAY, "BEIANDESK", lookup=lookup)
    assert rules_on(found.breaches, field) == breaches
    assert rules_on(found.warnings, field) == warnings
    assert field == "websites[0].domains[2]"  # the new domain's own field, after the two on record


def test_a_new_domain_without_an_answer_is_a_warning_for_the_reviewer(drafted):
    field = with_new_domain(drafted, "unknown-new.cn")
    for lookup in (FakeDomainLookup(), FakeDomainLookup(down={"unknown-new.cn"})):
        found = filings.submission_problems(drafted, TODAY, "BEIANDESK", lookup=lookup)
        assert rules_on(found.breaches, field) == []
        assert rules_on(found.warnings, field) == ["R-D-3"]
        assert "域名证书" in next(w for w in found.warnings if w.field == field).message.text


def test_the_province_domain_min_days_refuses_a_domain_with_fewer_days_left(drafted):
    field = with_new_domain(drafted, "qinghe-shop.cn")
    answer = registration("qinghe-shop.cn", holder_name=QINGHE_NAME,
                          holder_certificate_number=QINGHE, expires=TODAY + timedelta(days=20))  # fmt: skip
    lookup = FakeDomainLookup({"qinghe-shop.cn": answer})
    db.session.get(ProvinceRule, "33").domain_min_days = 0
    assert (
        rules_on(
            filings.submission_problems(drafted, TODAY, "BEIANDESK", lookup=lookup).breaches, field
        )
        == []
    )
    db.session.get(ProvinceRule, "33").domain_min_days = 90
    found = filings.submission_problems(drafted, TODAY, "BEIANDESK", lookup=lookup)
    breach = next(b for b in found.breaches if b.field == field)
    assert breach.rule == "R-D-2" and breach.message.params == {
        "domain": "qinghe-shop.cn", "left": 20, "days": 90,
    }  # fmt: skip


def test_submit_refuses_a_new_domain_that_breaks_r_d_3(drafted):
    from domain.filing.filings import FilingError  # noqa: PLC0415
    from runtime import current_policy  # noqa: PLC0415

    drafted.websites[0].content_types = ["organization_portal"]
    with_new_domain(drafted, "chunfeng-tea.cn")  # held by 杭州春风茶业 in the demo table
    with pytest.raises(FilingError):
        filings.submit(
            drafted, find_user(A), current_policy(), shanghai_today(), None, committed=True
        )


def test_registry_domains_warn_only_of_their_expiry(drafted):
    lookup = FakeDomainLookup()
    near = date(2029, 3, 1)
    found = new_domains.domain_findings(drafted, near, lookup=lookup)
    assert [f.on_registry for f in found] == [True, True] and lookup.asked == []
    assert [w.rule for f in found for w in f.warnings] == ["R-D-2", "R-D-2"]
    assert all(not f.breaches for f in found)


def test_the_new_company_of_the_demo_files_a_first_filing(demo):
    verdict = verify_filing_type("uscc", NEW_COMPANY, "xinya-wenchuang.cn", "BEIANDESK", TODAY)
    assert verdict.type is FilingType.first_filing and verdict.warnings == []
    assert NEW_COMPANY_NAME == LocalDomainTable().lookup("xinya-wenchuang.cn").holder_name
