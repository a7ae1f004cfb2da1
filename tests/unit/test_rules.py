"""Every rule of DOMAIN.md A4 with passing and failing values (table-driven), plus check digits."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc  # stdnum: the independent implementation to compare with

from domain.rulebook import rules

VALID_USCC = "913301069755TH2H1L"
VALID_RID = "330106199003071236"
TODAY = date(2026, 11, 23)
APPROVED = frozenset({"cn", "com.cn", "gov.cn", "com", "xn--fiqs8s", "xn--55qw42g", "xn--zfr164b"})
NEVER = frozenset({"hk", "io"})

# (rule id, callable taking one value, values that pass, values that fail)
TABLE = [
    (
        "R-ID-1",
        rules.check_icp_subject_number,
        [
            "浙ICP备2021000001号",
            "蜀ICP备07004665号",
            "陇ICP备150003号",
            "",
        ],  # "": not filed yet (v3)
        [
            "浙ICP备202100000号",
            "川ICP备07004665号",
            "甘ICP备15000343号",
            "京ICP证000007号",
            "浙ICP备2021000001号-1",
        ],
    ),
    (
        "R-ID-2",
        lambda n: rules.check_icp_website_number(n, "浙ICP备2021000001号"),
        ["浙ICP备2021000001号-1", "浙ICP备2021000001号-11", ""],  # "": not filed yet (v3)
        [
            "浙ICP备2021000001号-0",
            "浙ICP备2021000001号-01",
            "浙ICP备2021000002号-1",
            "浙ICP备2021000001号",
        ],
    ),
    (
        "R-ID-3",
        rules.check_resident_id,
        [VALID_RID, "11010519491231002X"],
        [
            "330106199003071237",
            "33010619900307123x",
            "9901061990030712" + "3" + "1",
            "330106199002301230",
            "33010619900307123",
        ],
    ),
    (
        "R-ID-4",
        rules.check_uscc,
        [VALID_USCC, "91350100M000100Y43"],
        ["913301069755TH2H1M", "913301069755TH2H1", "91330106975OTH2H1L", "913301069755th2h1l"],
    ),
    (
        "R-ID-6",
        lambda pair: rules.check_certificate_type_fits_kind(*pair),
        [
            ("enterprise", "uscc"),
            ("individual", "resident_id"),
            ("individual", "passport"),
            ("government", "uscc"),
        ],
        [
            ("enterprise", "resident_id"),
            ("individual", "uscc"),
            ("individual_business", "passport"),
        ],
    ),
    (
        "R-P-8",
        lambda pair: rules.check_uscc_province(*pair),
        [(VALID_USCC, "33")],
        [(VALID_USCC, "31"), (VALID_USCC, "44")],
    ),
    (
        "R-P-6",
        lambda n: rules.check_minimum_age(n, TODAY, 18),
        [VALID_RID, "330106200811230018"],
        ["330106200811240013", "330106201501010014"],
    ),
    (
        "R-P-3",
        lambda args: rules.check_contact_not_shared(*args),
        [("13900000000", "13800000000", False), ("13800000000", "13800000000", True)],
        [("13800000000", "13800000000", False), ("A@example.cn", "a@example.cn", False)],
    ),
    (
        "R-PH-1",
        rules.check_mobile,
        ["13800000000", "19912345678"],
        ["12800000000", "1380000000", "+8613800000000", "138-0000-0000"],
    ),
    (
        "R-EM-1",
        rules.check_email,
        ["a@example.cn", "wang.xm@qinghe.com.cn"],
        ["a@", "example.cn", "a b@example.cn", ""],
    ),
    (
        "R-N-1",
        rules.check_website_name_form,
        ["青禾科技官网", "青禾Cloud2", "青禾云"],
        ["青禾", "Qinghe Cloud", "12345", "青禾 科技", "青禾-科技"],
    ),
    (
        "R-N-2",
        lambda name: rules.check_website_name_prefix(name, "enterprise"),
        ["青禾中国站", "科技中华"],
        ["中国青禾网", "国家青禾平台", "投诉青禾"],
    ),
    (
        "R-N-3",
        lambda name: rules.check_website_name_has_no_domain(name, ["qinghe.cn"]),
        ["青禾科技官网", "青禾2.0版"],
        ["qinghe.cn", "青禾qinghe.cn官网", "青禾.中国"],
    ),
    (
        "R-N-4",
        lambda name: rules.check_website_name_sensitive(name, frozenset({"赌博", "色情"})),
        ["青禾科技官网"],
        ["青禾赌博网"],
    ),
    (
        "R-N-7",
        lambda name: rules.check_personal_website_name(
            name, "individual", frozenset({"官网", "论坛"})
        ),
        ["张伟读书笔记"],
        ["张伟论坛", "张伟官网"],
    ),
    (
        "R-D-1",
        lambda d: rules.check_domain_suffix(d, APPROVED, NEVER),
        ["qinghe.cn", "qinghe.com.cn", "青禾.中国", "foo.zj.cn"],
        ["qinghe.hk", "qinghe.io", "qinghe.dev", "qinghe.com.hk"],
    ),
    (
        "R-D-4",
        lambda d: rules.check_government_domain(d, "government"),
        ["xhdata.gov.cn", "西湖.政务"],
        ["xhdata.cn", "xhdata.gov.cn.example.com"],
    ),
    (
        "R-D-5",
        rules.check_domain_form,
        ["qinghe.cn", "青禾.中国", "qinghe.com.cn"],
        [
            "http://qinghe.cn",
            "qinghe.cn/about",
            "qinghe.cn:8080",
            "www.qinghe.cn",
            "*.qinghe.cn",
            "blog.qinghe.cn",
            "qin_ghe.cn",
            "qinghe",
            "",
        ],
    ),
    (
        "R-IP-1",
        rules.check_public_ip,
        ["121.40.55.12", "2408:4002:1f00::1"],
        [
            "10.0.0.1",
            "192.168.1.1",
            "127.0.0.1",
            "172.16.0.1",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "::1",
            "fe80::1",
            "300.1.1.1",
            "121.40.55",
            "abc",
        ],
    ),
    (
        "R-W-2",
        rules.check_pre_approval_number,
        ["京新闻许字(2020)第001号", "ICP-2020.01#3"],
        [None, "", "a", "x" * 51, "许可证<001>"],
    ),
    (
        "R-W-7",
        lambda values: rules.check_choices(values, rules.SERVICE_TYPES),
        [["website"], ["website", "app"]],
        [[], ["blog"], ["website", "forum"]],
    ),
]


def _cases():
    for rule, check, good, bad in TABLE:
        for value in good:
            yield pytest.param(check, value, True, id=f"{rule}-pass-{value!r}")
        for value in bad:
            yield pytest.param(check, value, False, id=f"{rule}-fail-{value!r}")


@pytest.mark.parametrize(("check", "value", "passes"), list(_cases()))
def test_rule(check, value, passes):
    result = check(value)
    assert (result is None) is passes, result
    if result is not None:
        assert isinstance(result.text, str) and result.text


def test_every_a4_rule_id_is_in_the_table():
    a4 = {
        "R-ID-1",
        "R-ID-2",
        "R-ID-3",
        "R-ID-4",
        "R-ID-6",
        "R-P-8",
        "R-P-6",
        "R-P-3",
        "R-PH-1",
        "R-EM-1",
        "R-N-1",
        "R-N-2",
        "R-N-3",
        "R-N-4",
        "R-N-7",
        "R-D-1",
        "R-D-4",
        "R-D-5",
        "R-IP-1",
        "R-W-2",
        "R-W-7",
    }
    assert {row[0] for row in TABLE} == a4


def test_government_name_prefix_is_allowed_for_government():
    assert rules.check_website_name_prefix("中国西湖数据", "government") is None


def test_personal_deny_list_does_not_apply_to_units():
    assert rules.check_personal_website_name("青禾官网", "enterprise", frozenset({"官网"})) is None


def test_age_on_birthday_and_leap_day():
    assert rules.age_on(date(2008, 11, 23), date(2026, 11, 23)) == 18
    assert rules.age_on(date(2008, 11, 24), date(2026, 11, 23)) == 17
    assert rules.age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert rules.age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18


USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@given(
    st.text(alphabet="0123456789", min_size=8, max_size=8),
    st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
    st.integers(0, 17),
    st.sampled_from(USCC_ALPHABET),
)
def test_uscc_with_any_single_character_changed_is_refused(head, body, position, replacement):
    number = head + body
    valid = number + uscc.calc_check_digit(number)
    assert rules.check_uscc(valid) is None
    changed = valid[:position] + replacement + valid[position + 1 :]
    if changed != valid:
        assert rules.check_uscc(changed) is not None


@given(
    st.dates(date(1930, 1, 1), date(2000, 12, 31)),
    st.integers(0, 999),
    st.sampled_from(["110105", "330106", "440106", "510107", "650102"]),
    st.integers(0, 17),
    st.sampled_from("0123456789X"),
)
def test_resident_id_with_any_single_character_changed_is_refused(
    birth, sequence, region, position, replacement
):
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    valid = body + ric.calc_check_digit(body + "?")  # stdnum reads the first 17 of 18 characters
    assert rules.check_resident_id(valid) is None
    changed = valid[:position] + replacement + valid[position + 1 :]
    if changed != valid:
        assert rules.check_resident_id(changed) is not None


QINGHE = "913301069755TH2H1L"


@pytest.mark.parametrize(
    ("check_fn", "good", "full_width"),
    [
        (rules.check_icp_subject_number, "浙ICP备2021000001号", "浙ICP备２０２１０００００１号"),
        (rules.check_mobile, "13800138000", "13８00138000"),
        (rules.check_resident_id, "330106199003071236", "33010619900307123６"),
        (rules.check_uscc, QINGHE, "９13301069755TH2H1L"),
        (rules.check_domain_form, "qinghe1.cn", "qinghe１.cn"),
    ],
)
def test_a_digit_is_an_ascii_digit(check_fn, good, full_width):
    assert check_fn(good) is None
    assert check_fn(full_width) is not None


def test_a_full_width_website_number_breaks_r_id_2():
    subject = "浙ICP备2021000001号"
    assert rules.check_icp_website_number(subject + "-1", subject) is None
    assert rules.check_icp_website_number(subject + "-１", subject) is not None


@pytest.mark.parametrize(
    ("kind", "values", "breach"),
    [
        ("enterprise", None, False),  # not chosen yet: not checked
        ("enterprise", ["organization_portal", "shopping"], False),
        ("enterprise", [], True),
        ("enterprise", ["organization_portal", "fishing"], True),
        ("individual", ["blog", "other"], False),
        ("individual", ["blog", "shopping"], True),
    ],
)
def test_r_w_1_content_types(kind, values, breach):
    assert (rules.check_content_types(values, kind) is not None) is breach


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("浙网文〔2020〕1234-056号", True),
        ("京ICP证【2019】第0001号", True),
        ("沪B2-20200001，增值", True),
        ("x", False),
        ("含有<尖括号>的文号", False),
    ],
)
def test_r_w_2_brackets_of_official_numbers(number, ok):
    assert (rules.check_pre_approval_number(number) is None) is ok
