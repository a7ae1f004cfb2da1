"""The identity, contact, domain and keyword rules that DOMAIN.md A4 adds for what a reviewer
catches by hand: R-ID-3 for 港澳台居民居住证 and 外国人永久居留身份证, R-ID-7, R-P-9, R-P-3 with
emergency numbers, R-P-14, R-D-4 for non-government subjects, R-W-3."""

from __future__ import annotations

from datetime import date

import pytest

from domain.rulebook import rules

TODAY = date(2026, 12, 6)
HK_RESIDENCE = "810000199001011230"
TW_RESIDENCE = "830000200002290015"
FOREIGN_2023 = "931586198506150018"


@pytest.mark.parametrize("number", [HK_RESIDENCE, TW_RESIDENCE, "820000199001011231"[:17] + "X"])
def test_hk_mo_tw_residence_permits_pass_where_valid(number):
    if number.startswith("82"):  # build a valid Macao number with its own check character
        number = number[:17] + rules.resident_id_check_char(number[:17])
    assert rules.check_hk_mo_tw_residence(number) is None
    assert rules.check_identity_number("hk_mo_tw_residence", number) is None


@pytest.mark.parametrize(
    "number",
    [
        "330106199003071236",  # a mainland resident ID: address code not 81/82/83 0000
        "810000199001011231",  # wrong check character
        "810000199002301234",  # no 30 February
        "81000019900101123",  # 17 characters
        "",
    ],
)
def test_hk_mo_tw_residence_permits_fail(number):
    assert rules.check_hk_mo_tw_residence(number) is not None


def test_a_residence_permit_is_no_resident_id_and_a_resident_id_no_residence_permit():
    assert rules.check_resident_id(HK_RESIDENCE) is not None  # 81 is no province code
    assert rules.check_identity_number("resident_id", HK_RESIDENCE) is not None


@pytest.mark.parametrize("number", [FOREIGN_2023, "USA110012345678", "CAN850615000001"])
def test_foreign_permanent_residence_cards_of_both_forms_pass(number):
    assert rules.check_foreign_permanent_residence(number) is None


@pytest.mark.parametrize(
    "number",
    [
        "931586198506150017",
        "831586198506150018",
        "US1100123456789",
        "usa110012345678",
        "931586198513150018",
    ],
)
def test_foreign_permanent_residence_cards_fail(number):
    assert rules.check_foreign_permanent_residence(number) is not None


def test_age_is_judged_on_both_eighteen_character_forms():
    minor = "810000" + "20150101" + "123"
    minor += rules.resident_id_check_char(minor)
    assert rules.check_hk_mo_tw_residence(minor) is None
    assert rules.check_minimum_age(minor, TODAY) is not None
    assert rules.check_minimum_age(FOREIGN_2023, TODAY) is None


def test_new_types_are_personal_certificates():
    for kind in ("hk_mo_tw_residence", "foreign_permanent_residence"):
        assert rules.check_certificate_type_fits_kind("individual", kind) is None
        assert rules.check_certificate_type_fits_kind("enterprise", kind) is not None


@pytest.mark.parametrize(
    ("number", "kind", "breach"),
    [
        ("12330100470000012H", "enterprise", True),  # an institution's code typed by an enterprise
        ("12330100470000012H", "institution", False),
        ("11330100002498611X", "government", False),
        ("11330100002498611X", "social_org", True),
        ("92330106MA2C00001E", "individual_business", False),
        ("92330106MA2C00001E", "enterprise", True),
        ("51330100MJ87654327", "social_org", False),
        ("91330106MA2700000H", "enterprise", False),
        ("91330106MA2700000H", "government", True),
        ("12330100470000012X", "enterprise", False),  # no valid USCC: R-ID-4's, not judged here
        ("91330106MA2700000H", "individual", False),  # not a unit: R-ID-6's
    ],
)
def test_r_id_7_registration_authority_code_fits_the_kind(number, kind, breach):
    assert (rules.check_uscc_authority(number, kind) is not None) is breach


@pytest.mark.parametrize(
    ("value", "breach"),
    [
        ("", False),
        ("长期", False),
        ("2027-03-06", False),  # exactly 90 days after 2026-12-06
        ("2027-03-05", True),
        ("2026-01-01", True),
        ("2030-02-30", True),
        ("2030/01/01", True),
        ("２０３０-01-01", True),
        ("永久", True),
    ],
)
def test_r_p_9_validity_more_than_three_months(value, breach):
    assert (rules.check_id_valid_until(value, TODAY) is not None) is breach


def test_r_p_3_emergency_numbers():
    assert rules.check_emergency_not_own("13800138000", "13800138000") is not None
    assert rules.check_emergency_not_own("13900139000", "13800138000") is None
    assert rules.check_emergency_not_own("", "13800138000") is None
    site, subject = ("13700137000", "13600136000"), ("13500135000", "13700137000")
    mobile, emergency = rules.check_numbers_not_shared(site, subject, same_person=False)
    assert mobile is not None and emergency is None  # site mobile = subject emergency
    mobile, emergency = rules.check_numbers_not_shared(
        ("13700137000", "13500135000"), ("13500135000", "13400134000"), same_person=False
    )
    assert mobile is None and emergency is not None  # site emergency = subject mobile
    assert rules.check_numbers_not_shared(site, subject, same_person=True) == (None, None)


def test_r_p_14_investor():
    assert rules.check_investor("张三", "individual", "张三") is None
    assert rules.check_investor("李四", "individual", "张三") is not None
    assert rules.check_investor("", "individual", "张三") is None
    assert rules.check_investor("王五", "enterprise", "杭州青禾科技有限公司") is None
    assert rules.warn_government_investor("杭州市西湖区人民政府", "enterprise") is not None
    assert rules.warn_government_investor("杭州市市场监督管理局", "institution") is not None
    assert rules.warn_government_investor("杭州市西湖区人民政府", "government") is None
    assert rules.warn_government_investor("王五", "enterprise") is None


@pytest.mark.parametrize(
    ("domain", "kind", "breach", "warning"),
    [
        ("qinghe.gov.cn", "enterprise", True, False),
        ("qinghe.政务", "social_org", True, False),
        ("qinghe.gov.cn", "government", False, False),
        ("qinghe.cn", "government", True, False),
        ("qinghe.gov.cn", "institution", True, False),
        ("qinghe.cn", "institution", False, False),
        ("qinghe.公益", "institution", False, False),
        ("qinghe.中国", "institution", False, False),
        ("qinghe.com", "institution", False, True),
        ("qinghe.com", "enterprise", False, False),
    ],
)
def test_r_d_4_gov_domains_for_governments_only(domain, kind, breach, warning):
    assert (rules.check_government_domain(domain, kind) is not None) is breach
    assert (rules.warn_institution_domain(domain, kind) is not None) is warning


KEYWORDS = frozenset(
    [("finance", "理财"), ("finance", "p2p"), ("finance", "支付"), ("healthcare", "医疗"),
     ("drugs_devices", "医疗器械"), ("games", "游戏"), ("news", "新闻")]
)  # fmt: skip


def categories(name, domains=(), chosen=()):
    found = rules.warn_pre_approval_keywords(name, list(domains), list(chosen), KEYWORDS)
    return [message.params["category"].msgids[0] for message in found]


def test_r_w_3_keywords_warn_per_missing_category():
    assert categories("青禾理财") == ["金融"]
    assert categories("青禾理财", chosen=["finance"]) == []
    assert categories("青禾理财支付", ["licai.cn"]) == ["金融"]  # one warning per category
    assert categories("青禾笔记", ["P2Pchina.cn"]) == ["金融"]  # case ignored, first label
    assert categories("青禾笔记", ["qinghe.p2p.cn"]) == []  # only the first label
    assert categories("青禾游戏新闻") == ["新闻", "游戏"]


def test_r_w_3_the_longer_keyword_counts_where_one_holds_another():
    assert categories("青禾医疗器械") == ["药品和医疗器械"]
    assert categories("青禾医疗器械医疗") == ["医疗保健", "药品和医疗器械"]
