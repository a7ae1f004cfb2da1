"""Filing rules as pure functions (DOMAIN.md A4, Part B 3): no Flask, no database.

Each `check_*` returns None when the value passes, or a Message: a Simplified Chinese msgid marked
with N_() plus its %-parameters; callers translate it for display. The rule id a check enforces is
the first word of its docstring. Tables the rules need (approved suffixes, deny-lists) are passed in.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from datetime import date
from urllib.parse import urlsplit

import idna
import tldextract
from email_validator import EmailNotValidError, validate_email
from stdnum.cn import uscc

from domain.rulebook import mobile_regions, places
from domain.rulebook.provinces import BY_ABBR, BY_CODE, FULL_NAMES
from domain.support.i18n import N_, Labels, Message

_ABBRS = "".join(BY_ABBR)
ICP_SUBJECT_RE = re.compile(rf"^[{_ABBRS}]ICP备([0-9]{{6}}|[0-9]{{8}}|[0-9]{{10}})号$")
ICP_SEQUENCE_RE = re.compile(r"^[1-9][0-9]*$")
USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")
RESIDENT_ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")
MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
CHINESE = "\u3400-\u4dbf\u4e00-\u9fff"
WEBSITE_NAME_RE = re.compile(rf"^[{CHINESE}A-Za-z0-9]+$")
HAS_CHINESE_RE = re.compile(rf"[{CHINESE}]")
DOMAIN_IN_TEXT_RE = re.compile(
    rf"[{CHINESE}A-Za-z0-9-]+(?:\.[{CHINESE}A-Za-z0-9-]+)*\.[{CHINESE}A-Za-z]{{2,}}"
)
PRE_APPROVAL_NUMBER_RE = re.compile(rf"^[A-Za-z0-9{CHINESE}\-._()（）\[\]【】〔〕#,，]{{2,50}}$")

UNIT_KINDS = frozenset(
    {"enterprise", "government", "institution", "social_org", "individual_business"}
)
PERSONAL_CERTIFICATES = frozenset(
    {"resident_id", "passport", "hk_mo_permit", "tw_permit", "hk_mo_tw_residence",
     "foreign_permanent_residence"}
)  # fmt: skip
# Certificates that carry a GB 11643 number with a birth date (R-ID-3, R-P-6, A2 v3).
HK_MO_TW_REGIONS = ("810000", "820000", "830000")  # 港澳台居民居住证: Hong Kong, Macao, Taiwan
FOREIGN_OLD_RE = re.compile(r"^[A-Z]{3}[0-9]{12}$")  # 外国人永久居留身份证 before 2023
# R-ID-7: the USCC's registration-authority code (characters 1-2) and the subject kind it means.
AUTHORITY_KINDS = {
    "11": "government", "19": "government", "12": "institution", "13": "social_org",
    "51": "social_org", "52": "social_org", "53": "social_org", "59": "social_org",
    "91": "enterprise", "93": "enterprise", "92": "individual_business",
}  # fmt: skip
KIND_LABELS = {
    "enterprise": N_("企业"), "individual": N_("个人"), "government": N_("政府机关"),
    "institution": N_("事业单位"), "social_org": N_("社会团体"), "individual_business": N_("个体工商户"),
}  # fmt: skip
VALIDITY_DAYS = 90  # R-P-9: an ID valid for more than 3 months
LONG_TERM = "长期"
ISO_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# R-P-14 (warning): words that name a government body.
GOVERNMENT_BODY_WORDS = ("人民政府", "委员会", "管理局", "工商局", "市场监督管理局")
INSTITUTION_SUFFIXES = (
    "cn",
    idna.encode("中国").decode("ascii"),
    idna.encode("公益").decode("ascii"),
)
# The pre-approval categories by their Chinese labels (B 3.7), as the forms show them.
PRE_APPROVAL_LABELS = {
    "news": N_("新闻"), "publishing": N_("出版"), "education": N_("教育"),
    "healthcare": N_("医疗保健"), "drugs_devices": N_("药品和医疗器械"), "culture": N_("文化"),
    "broadcasting": N_("广播电影电视节目"), "bbs": N_("电子公告服务"),
    "ride_hailing": N_("网络预约车"), "finance": N_("金融"), "games": N_("游戏"),
}  # fmt: skip
SERVICE_TYPES = frozenset({"website", "email", "file", "data", "app", "wechat"})
# 网站语言 as BCP 47 tags: the MIIT form's list (简体中文, 繁体中文, 英语, minority and foreign languages).
LANGUAGES = frozenset(
    "zh-Hans zh-Hant en ja ko fr de ru es pt it ar mn bo ug kk ky ii za vi th ms id other".split()
)
PRE_APPROVAL_CATEGORIES = frozenset(
    "news publishing education healthcare drugs_devices culture broadcasting bbs ride_hailing "
    "finance games".split()
)
# 网站服务内容: the MIIT content codes in their order (A2 v2), and those an individual may choose.
CONTENT_TYPES: dict[str, str] = {
    "instant_messaging": N_("即时通信"), "search_engine": N_("搜索引擎"), "portal": N_("综合门户"),
    "webmail": N_("网上邮局"), "news": N_("网络新闻"), "blog": N_("博客/个人空间"),
    "advertising": N_("网络广告/信息"), "organization_portal": N_("单位门户网站"),
    "shopping": N_("网络购物"), "payment": N_("网上支付"), "banking": N_("网上银行"),
    "securities": N_("网上炒股/股票基金"), "games": N_("网络游戏"), "music": N_("网络音乐"),
    "video": N_("网络影视"), "images": N_("网络图片"), "software_download": N_("网络软件/下载"),
    "jobs": N_("网上求职"), "dating": N_("网上交友/婚介"), "real_estate": N_("网上房产"),
    "education": N_("网络教育"), "web_building": N_("网站建设"), "wap": N_("WAP"), "other": N_("其他"),
}  # fmt: skip
INDIVIDUAL_CONTENT_TYPES = ("blog", "other")
NATIONAL_REGION = "100000"  # USCC characters 3-8 of a national-level body
HOUSE_NUMBER_RE = re.compile(
    r"[0-9０-９一二三四五六七八九十百千零〇]+\s*(号|號|弄|栋|幢|座|室|楼|层|单元|组)"
)
RESERVED_NAME_PREFIXES = ("中国", "中华", "中央", "国家", "人民", "人大", "反腐", "纪检", "监察", "信访", "维权", "投诉")  # fmt: skip
GOVERNMENT_SUFFIXES = ("gov.cn", idna.encode("政务").decode("ascii"))

_PSL = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


# --- identifiers ----------------------------------------------------------------------------


def check_icp_subject_number(number: str) -> Message | None:
    """R-ID-1: `<abbr>ICP备<6, 8 or 10 digits>号` with a province abbreviation of A1; (v3) an
    empty number (not filed yet) is not judged."""
    if number and not ICP_SUBJECT_RE.match(number):
        return Message(
            N_("主体备案号格式不正确，应为“省份简称ICP备数字号”，如 浙ICP备2021000001号")
        )
    return None


def check_icp_website_number(number: str, subject_number: str) -> Message | None:
    """R-ID-2: `<subject number>-<n>` (n >= 1, no leading zero) with the subject's number as prefix;
    (v3) an empty number is not judged, but a number needs its subject's."""
    if not number:
        return None
    if not subject_number:
        return Message(N_("主体尚未备案（主体备案号为空）时，网站备案号也应为空"))
    prefix, dash, sequence = number.rpartition("-")
    if not dash or not ICP_SEQUENCE_RE.match(sequence):
        return Message(N_("网站备案号格式不正确，应为“主体备案号-序号”，如 浙ICP备2021000001号-1"))
    if prefix != subject_number:
        return Message(N_("网站备案号必须以本主体的备案号开头"))
    return None


def check_icp_province(number: str, province: str) -> Message | None:
    """R-ID-5: a subject number (valid by R-ID-1) starts with the abbreviation of its province."""
    if ICP_SUBJECT_RE.match(number or "") and province in BY_CODE:
        expected = BY_CODE[province]
        if number[0] != expected.abbr:
            return Message(
                N_("主体备案号以“%(abbr)s”开头，属于%(other)s；本主体所在省份为%(province)s，应以“%(expected)s”开头"),
                {"abbr": number[0], "other": BY_ABBR[number[0]].name,
                 "province": expected.name, "expected": expected.abbr},
            )  # fmt: skip
    return None


def check_resident_id(number: str) -> Message | None:
    """R-ID-3: 18 characters, GB 11643 check digit, a real birth date, a known province code."""
    if not RESIDENT_ID_RE.match(number or ""):
        return Message(N_("居民身份证号码应为 18 位，最后一位可为大写 X"))
    if number[:2] not in BY_CODE:
        return Message(N_("居民身份证号码的地区码不正确"))
    birth = birth_date(number)
    if birth is None or birth > date.today() or birth.year < 1900:
        return Message(N_("居民身份证号码中的出生日期不正确"))
    if resident_id_check_char(number[:17]) != number[17]:
        return Message(N_("居民身份证号码校验位错误，请核对"))
    return None


def check_hk_mo_tw_residence(number: str) -> Message | None:
    """R-ID-3 (v3): a 港澳台居民居住证 number: 18 characters, GB 11643 check character, a real
    birth date, address code 810000 (Hong Kong), 820000 (Macao) or 830000 (Taiwan)."""
    if not RESIDENT_ID_RE.match(number or ""):
        return Message(N_("港澳台居民居住证号码应为 18 位，最后一位可为大写 X"))
    if number[:6] not in HK_MO_TW_REGIONS:
        return Message(N_("港澳台居民居住证号码应以 810000、820000 或 830000 开头"))
    if not _real_birth_date(number):
        return Message(N_("港澳台居民居住证号码中的出生日期不正确"))
    if resident_id_check_char(number[:17]) != number[17]:
        return Message(N_("港澳台居民居住证号码校验位错误，请核对"))
    return None


def check_foreign_permanent_residence(number: str) -> Message | None:
    """R-ID-3 (v3): a 外国人永久居留身份证 number: the 2023 form (18 characters starting with 9, GB
    11643 check character, a real birth date) or the older form (three capital letters, 12 digits)."""
    number = number or ""
    if FOREIGN_OLD_RE.match(number):
        return None
    if not RESIDENT_ID_RE.match(number) or number[0] != "9":
        return Message(
            N_("外国人永久居留身份证号码应为以 9 开头的 18 位号码，或 3 位大写字母加 12 位数字")
        )
    if not _real_birth_date(number):
        return Message(N_("外国人永久居留身份证号码中的出生日期不正确"))
    if resident_id_check_char(number[:17]) != number[17]:
        return Message(N_("外国人永久居留身份证号码校验位错误，请核对"))
    return None


def check_identity_number(id_type: str, number: str) -> Message | None:
    """R-ID-3 for the certificate types that carry a checkable number (resident ID, 港澳台居民居住证,
    外国人永久居留身份证); None for the others (passports and permits are not judged)."""
    check = IDENTITY_CHECKS.get(id_type)
    return check(number) if check is not None else None


def _real_birth_date(number: str) -> bool:
    birth = birth_date(number)
    return birth is not None and birth <= date.today() and birth.year >= 1900


RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id_check_char(first17: str) -> str:
    """GB 11643 check character of the first 17 digits: "10X98765432"[sum(d_i * w_i) mod 11]."""
    total = sum(
        int(digit) * weight for digit, weight in zip(first17, RESIDENT_ID_WEIGHTS, strict=True)
    )
    return "10X98765432"[total % 11]


def birth_date(resident_id: str) -> date | None:
    """The birth date in characters 7-14 of a resident ID, or None when it is not a date."""
    try:
        return date(int(resident_id[6:10]), int(resident_id[10:12]), int(resident_id[12:14]))
    except ValueError:
        return None


def check_uscc(number: str) -> Message | None:
    """R-ID-4: 18 characters of the USCC alphabet with the GB 32100 check character."""
    if not USCC_RE.match(number or ""):
        return Message(N_("统一社会信用代码应为 18 位数字或大写字母（不含 I、O、S、V、Z）"))
    if uscc.calc_check_digit(number[:17]) != number[17]:
        return Message(N_("统一社会信用代码校验位错误，请核对"))
    return None


def check_certificate_type_fits_kind(kind: str, certificate_type: str) -> Message | None:
    """R-ID-6: units file with a USCC; individuals with a resident ID, passport, permit, residence
    permit (港澳台居民居住证) or foreign permanent residence card (A2 v3)."""
    if kind in UNIT_KINDS and certificate_type != "uscc":
        return Message(N_("单位主体的证件类型须为统一社会信用代码"))
    if kind == "individual" and certificate_type not in PERSONAL_CERTIFICATES:
        return Message(
            N_(
                "个人主体的证件类型须为居民身份证、护照、港澳台通行证、港澳台居民居住证或外国人永久居留身份证"
            )
        )
    return None


def check_uscc_authority(number: str, kind: str) -> Message | None:
    """R-ID-7 (v3): a unit's valid USCC whose registration-authority code (characters 1-2) belongs
    to its kind (11/19 government, 12 institution, 13/51/52/53/59 social_org, 91/93 enterprise, 92
    individual_business); a code outside this list is not judged."""
    if kind not in UNIT_KINDS or check_uscc(number) is not None:
        return None
    meant = AUTHORITY_KINDS.get(number[:2])
    if meant is not None and meant != kind:
        return Message(
            N_("统一社会信用代码以“%(code)s”开头，属于%(meant)s，与主体性质（%(kind)s）不符"),
            {"code": number[:2], "meant": Labels((KIND_LABELS[meant],)),
             "kind": Labels((KIND_LABELS[kind],))},
        )  # fmt: skip
    return None


def is_national_body(certificate_type: str, number: str) -> bool:
    """A national-level body: a USCC whose characters 3-8 are 100000 (A4 v2, R-P-8 and R-N-2)."""
    return certificate_type == "uscc" and (number or "")[2:8] == NATIONAL_REGION


def check_uscc_province(number: str, province: str) -> Message | None:
    """R-P-8: a unit files in the province of its USCC region code (characters 3-4); a national-level
    body (region 100000) files where it chooses."""
    if (
        USCC_RE.match(number or "")
        and number[2:4] != province
        and not is_national_body("uscc", number)
    ):
        return Message(
            N_("单位须在证件登记地所在省份备案：统一社会信用代码显示为%(province)s"),
            {"province": BY_CODE[number[2:4]].name if number[2:4] in BY_CODE else number[2:4]},
        )
    return None


def check_minimum_age(resident_id: str, today: date, min_age: int = 18) -> Message | None:
    """R-P-6: the holder of a (valid) resident ID is at least `min_age` on the day of the check."""
    birth = birth_date(resident_id) if RESIDENT_ID_RE.match(resident_id or "") else None
    if birth is None:
        return None
    if age_on(birth, today) < min_age:
        return Message(N_("证件持有人未满 %(age)s 周岁，不能备案"), {"age": min_age})
    return None


def age_on(birth: date, today: date) -> int:
    """Full years from `birth` to `today` (a 29 February birthday counts from 1 March)."""
    had_birthday = (today.month, today.day) >= (birth.month, birth.day)
    return today.year - birth.year - (0 if had_birthday else 1)


# --- addresses ------------------------------------------------------------------------------


def address_province(address: str) -> str | None:
    """The code of the province of the place the address starts with (A1 v2 full names and, v3,
    short province names, prefecture-level and county-level cities, the municipalities' districts,
    by the GB/T 2260 names of `places`), or None where that place is not judged."""
    return places.address_province(address)


def check_address_province(address: str, province: str) -> Message | None:
    """R-P-12 (v3): an address that starts with a place of another province than the subject's
    (证件住所与通讯地址须在同一省份); an unrecognised or ambiguous first place is not judged."""
    found = address_province(address)
    if found is not None and found != province and province in BY_CODE:
        return Message(
            N_("地址位于%(found)s，与主体所在省份（%(province)s）不一致：证件住所与通信地址须在同一省份"),
            {"found": FULL_NAMES[found], "province": FULL_NAMES[province]},
        )  # fmt: skip
    return None


def check_house_number(address: str, remark: str) -> Message | None:
    """R-P-13: a mailing address has a house number (号, 弄, 栋, 室…), or the remark explains why."""
    if not HOUSE_NUMBER_RE.search(address or "") and not (remark or "").strip():
        return Message(
            N_("通信地址没有详细门牌号（如 1 号、5 栋 302 室），请补充，或在备注中说明原因")
        )
    return None


# --- persons --------------------------------------------------------------------------------


def check_mobile(number: str) -> Message | None:
    """R-PH-1: a mainland mobile number, 11 digits: 1, then 3-9, then nine digits."""
    if not MOBILE_RE.match(number or ""):
        return Message(N_("手机号码应为 11 位中国大陆手机号"))
    return None


def mobile_home_province(number: str) -> str | None:
    """The province a mainland mobile is registered in, by libphonenumber's Chinese geocoder data
    (mobile_regions); None where its data knows only the country (or the number is not valid)."""
    return mobile_regions.home_province(number)


def check_local_mobile(number: str, province: str, local_required: bool) -> Message | None:
    """R-PH-2: where the province asks for local mobiles, a mobile whose home province is known is
    from that province (a valid R-PH-1 number only)."""
    if not local_required or not MOBILE_RE.match(number or "") or province not in BY_CODE:
        return None
    home = mobile_home_province(number)
    if home is not None and home != province:
        return Message(
            N_("%(province)s要求使用本省手机号码，该号码归属%(home)s"),
            {"province": BY_CODE[province].name, "home": BY_CODE[home].name},
        )
    return None


def warn_unknown_mobile_province(
    number: str, province: str, local_required: bool
) -> Message | None:
    """R-PH-2 (warning): the province asks for local mobiles and the number's home province is
    unknown, so a reviewer confirms it."""
    if not local_required or not MOBILE_RE.match(number or "") or province not in BY_CODE:
        return None
    if mobile_home_province(number) is None:
        return Message(
            N_("%(province)s要求使用本省手机号码，无法确定该号码的归属地，请审核人员核实"),
            {"province": BY_CODE[province].name},
        )
    return None


def check_email(address: str) -> Message | None:
    """R-EM-1: a valid e-mail address (syntax only, no deliverability check)."""
    try:
        validate_email(address or "", check_deliverability=False)
    except EmailNotValidError:
        return Message(N_("电子邮箱格式不正确"))
    return None


def check_contact_not_shared(
    website_value: str, subject_value: str, same_person: bool
) -> Message | None:
    """R-P-3: a website person other than the subject's may not share their mobile or e-mail."""
    if (
        not same_person
        and website_value
        and website_value.strip().lower() == (subject_value or "").strip().lower()
    ):
        return Message(N_("网站负责人与主体负责人不是同一人时，手机号码和电子邮箱不能相同"))
    return None


def check_emergency_not_own(emergency: str, mobile: str) -> Message | None:
    """R-P-3 (v3): a person's emergency mobile is not their own mobile."""
    if emergency and emergency.strip() == (mobile or "").strip():
        return Message(N_("应急联系电话不能与本人手机号码相同"))
    return None


def check_numbers_not_shared(
    website_numbers: tuple[str, str], subject_numbers: tuple[str, str], same_person: bool
) -> tuple[Message | None, Message | None]:
    """R-P-3 (v3): a website person other than the subject's shares no number (mobile or emergency)
    with the subject's person; (problem of the website person's mobile, of their emergency mobile):
    each equal pair is reported once, on the website person's field. Mobile against mobile is the
    v1 rule (check_contact_not_shared)."""
    if same_person:
        return None, None
    theirs = {n.strip() for n in subject_numbers if n and n.strip()}
    mobile, emergency = (n.strip() if n else "" for n in website_numbers)
    shared = Message(N_("网站负责人与主体负责人不是同一人时，手机号码和应急联系电话不能重复"))
    mobile_problem = shared if mobile and mobile == (subject_numbers[1] or "").strip() else None
    emergency_problem = shared if emergency and emergency in theirs else None
    return mobile_problem, emergency_problem


def check_id_valid_until(value: str, today: date) -> Message | None:
    """R-P-9 (v3): an ID valid for more than 3 months: a date at least 90 days after the day of the
    check, or 长期; a malformed value is a breach."""
    value = value or ""
    if not value or value == LONG_TERM:
        return None
    try:
        until = date.fromisoformat(value) if ISO_DATE_RE.match(value) else None
    except ValueError:
        until = None
    if until is None:
        return Message(N_("证件有效期应为 YYYY-MM-DD 格式的日期，或填写“长期”"))
    if (until - today).days < VALIDITY_DAYS:
        return Message(N_("证件有效期须大于 3 个月（有效期至 %(date)s）"), {"date": value})
    return None


def check_investor(investor: str, subject_kind: str, subject_name: str) -> Message | None:
    """R-P-14 (v3): an individual's investor (投资人) is the individual."""
    investor = (investor or "").strip()
    if investor and subject_kind == "individual" and investor != (subject_name or "").strip():
        return Message(N_("个人主体的投资人须为本人（%(name)s）"), {"name": subject_name})
    return None


def warn_government_investor(investor: str, subject_kind: str) -> Message | None:
    """R-P-14 (v3, warning): a subject that is not a government names a government body as its
    investor or competent authority."""
    investor = investor or ""
    if subject_kind != "government" and any(w in investor for w in GOVERNMENT_BODY_WORDS):
        return Message(N_("投资人或主管单位为政府部门，请确认主体性质是否应为政府机关"))
    return None


# --- website name ---------------------------------------------------------------------------


def check_website_name_form(name: str) -> Message | None:
    """R-N-1: at least 3 characters, with Chinese, of Chinese, ASCII letters and digits only."""
    name = name or ""
    if len(name) < 3:
        return Message(N_("网站名称至少 3 个字"))
    if not HAS_CHINESE_RE.search(name):
        return Message(N_("网站名称须包含中文，不能是纯数字或纯字母"))
    if not WEBSITE_NAME_RE.match(name):
        return Message(N_("网站名称只能包含中文、英文字母和数字，不能含空格或符号"))
    return None


def check_website_name_prefix(
    name: str, subject_kind: str, national: bool = False
) -> Message | None:
    """R-N-2: only a government subject's (or a national-level body's) site name may start with
    中国, 中华, 国家 and the like."""
    if subject_kind != "government" and not national:
        for prefix in RESERVED_NAME_PREFIXES:
            if (name or "").startswith(prefix):
                return Message(N_("非政府主体的网站名称不能以“%(prefix)s”开头"), {"prefix": prefix})
    return None


def check_website_name_has_no_domain(name: str, domains: list[str]) -> Message | None:
    """R-N-3: a website name is not, and does not contain, a domain name."""
    name = name or ""
    lowered = name.lower()
    if DOMAIN_IN_TEXT_RE.search(name) or any(
        d and d.lower() in lowered for d in domains if "." in d
    ):
        return Message(N_("网站名称不能是域名或包含域名"))
    return None


def check_website_name_sensitive(name: str, sensitive_words: frozenset[str]) -> Message | None:
    """R-N-4: a website name contains no word of the sensitive-word table."""
    for word in sorted(sensitive_words):
        if word in (name or ""):
            return Message(N_("网站名称含有敏感词“%(word)s”"), {"word": word})
    return None


def check_personal_website_name(
    name: str, subject_kind: str, personal_words: frozenset[str]
) -> Message | None:
    """R-N-7: an individual's site name contains no word of the personal deny-list."""
    if subject_kind == "individual":
        for word in sorted(personal_words):
            if word in (name or ""):
                return Message(
                    N_("个人网站名称不能含有“%(word)s”等企业、行业或经营性词语"), {"word": word}
                )
    return None


# --- domains and IPs ------------------------------------------------------------------------


def domain_host(value: str) -> str | None:
    """The host part of what was typed (scheme, path and port removed), in ASCII; None if invalid."""
    value = (value or "").strip()
    host = urlsplit(value if "://" in value else "//" + value).hostname if value else None
    return _to_ascii(host) if host else None


def check_domain_form(value: str) -> Message | None:
    """R-D-5: a registrable domain: no scheme, path, port, `www.` or `*` prefix; valid IDNA."""
    value = value or ""
    if not value.strip():
        return Message(N_("请填写域名"))
    if value != value.strip() or re.search(r"://|[/:?#@\s]", value):
        return Message(N_("只填写域名本身，不要包含 http://、路径、端口或空格"))
    if unicodedata.normalize("NFKC", value) != value:
        return Message(N_("域名中含有全角字符，请用半角字母和数字填写"))
    if value.startswith("*") or value.lower().startswith("www."):
        return Message(N_("只填写顶级域名（如 example.cn），不要带 www. 或 *"))
    host = _to_ascii(value)
    if host is None or "." not in host:
        return Message(N_("域名格式不正确"))
    parts = _PSL(host)
    if parts.suffix and (not parts.domain or parts.subdomain):
        return Message(N_("只填写顶级域名（如 example.cn），不要填写子域名"))
    return None


def registrable_part(ascii_host: str) -> str | None:
    """The registrable domain of an ASCII host name by the public suffix list, or None when it has
    no registrable part (`qinghe`, `com.cn`)."""
    parts = _PSL(ascii_host)
    if not parts.suffix or not parts.domain:
        return None
    return f"{parts.domain}.{parts.suffix}"


def _to_ascii(value: str) -> str | None:
    try:
        return idna.encode(value.strip().rstrip("."), uts46=True, std3_rules=True).decode("ascii")
    except idna.IDNAError:
        return None


def matched_suffix(host: str, listed: set[str] | frozenset[str]) -> str | None:
    """The longest suffix from `listed` (ASCII forms) that `host` ends with, or None."""
    labels = host.split(".")
    for start in range(1, len(labels)):
        candidate = ".".join(labels[start:])
        if candidate in listed:
            return candidate
    return None


def check_domain_suffix(
    value: str, approved: frozenset[str], never: frozenset[str]
) -> Message | None:
    """R-D-1: the domain's suffix (longest listed match) is on the approved-suffix table."""
    host = domain_host(value)
    if host is None or "." not in host:
        return None  # R-D-5 reports it
    suffix = matched_suffix(host, approved | never)
    if suffix is None or suffix not in approved:
        shown = idna.decode(suffix) if suffix else host.rsplit(".", 1)[-1]
        return Message(N_("该域名后缀（.%(suffix)s）未获工信部批准，无法备案"), {"suffix": shown})
    return None


def check_government_domain(value: str, subject_kind: str) -> Message | None:
    """R-D-4: a government subject's domains end in .gov.cn or .政务; (v3) no other subject's do."""
    host = domain_host(value)
    if not host:
        return None
    government_domain = host.endswith(tuple("." + s for s in GOVERNMENT_SUFFIXES))
    if subject_kind == "government" and not government_domain:
        return Message(N_("党政机关网站须使用 .gov.cn 或 .政务 域名"))
    if subject_kind != "government" and government_domain:
        return Message(N_(".gov.cn 和 .政务 域名仅限党政机关使用"))
    return None


def warn_institution_domain(value: str, subject_kind: str) -> Message | None:
    """R-D-4 (v3, warning): an institution's domain ends in .cn, .中国 or .公益."""
    host = domain_host(value)
    if (
        subject_kind == "institution"
        and host
        and not host.endswith(tuple("." + s for s in INSTITUTION_SUFFIXES))
    ):
        return Message(N_("事业单位网站一般应使用 .cn、.中国 或 .公益 域名，请确认"))
    return None


def check_public_ip(value: str) -> Message | None:
    """R-IP-1: a public IPv4 or IPv6 address (not private, loopback, reserved or malformed)."""
    try:
        address = ipaddress.ip_address((value or "").strip())
    except ValueError:
        return Message(N_("IP 地址格式不正确"))
    if (
        not address.is_global
        or address.is_multicast
        or address.is_reserved
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
    ):
        return Message(N_("须为公网 IP 地址，不能是内网、回环或保留地址"))
    return None


# --- website details ------------------------------------------------------------------------


def check_pre_approval_number(number: str | None) -> Message | None:
    """R-W-2: a pre-approval number of 2-50 letters, digits, Chinese or -._()（）[]【】〔〕#,，
    characters."""
    if not number:
        return Message(N_("涉及前置审批的，须填写审批文号"))
    if not PRE_APPROVAL_NUMBER_RE.match(number):
        return Message(N_("审批文号应为 2–50 位字母、数字、中文或 -._()（）[]【】〔〕#,， 符号"))
    return None


def check_content_types(values: list[str] | None, subject_kind: str) -> Message | None:
    """R-W-1: chosen content types (None: not chosen yet) are at least one of the 24 codes, and an
    individual's website offers only 博客/个人空间 or 其他 (网站内容须与主办单位性质相符)."""
    if values is None:
        return None
    if not values:
        return Message(N_("请至少选择一项网站服务内容"))
    unknown = [value for value in values if value not in CONTENT_TYPES]
    if unknown:
        return Message(N_("不支持的取值：%(values)s"), {"values": ", ".join(map(str, unknown))})
    if subject_kind == "individual":
        refused = [value for value in values if value not in INDIVIDUAL_CONTENT_TYPES]
        if refused:
            return Message(
                N_("网站内容须与主办单位性质相符：个人网站只能选择博客/个人空间或其他，不能选择%(values)s"),
                {"values": Labels(tuple(CONTENT_TYPES[value] for value in refused))},
            )  # fmt: skip
    return None


def pre_approval_keywords_found(
    texts: list[str], keywords: frozenset[tuple[str, str]]
) -> dict[str, str]:
    """The categories whose keywords occur in the texts, each with the first keyword found; letter
    case is ignored, and where one keyword holds another at a place (医疗器械, 医疗) only the
    longer one counts there."""
    found: dict[str, str] = {}
    for text in texts:
        lowered = (text or "").lower()
        hits = []  # (start, end, keyword, category)
        for category, keyword in keywords:
            word = keyword.lower()
            start = lowered.find(word) if word else -1
            while start >= 0:
                hits.append((start, start + len(word), keyword, category))
                start = lowered.find(word, start + 1)
        for start, end, keyword, category in sorted(hits):
            held = any(s <= start and end <= e and (e - s) > (end - start) for s, e, _k, _c in hits)
            if not held:
                found.setdefault(category, keyword)
    return found


def warn_pre_approval_keywords(
    name: str, domains: list[str], categories: list[str], keywords: frozenset[tuple[str, str]]
) -> list[Message]:
    """R-W-3 (v3, warning): the website's name or the first label of a domain holds a keyword of a
    pre-approval category that is not among its pre-approvals; one message per category."""
    texts = [name or ""] + [_first_label(domain) for domain in domains]
    found = pre_approval_keywords_found(texts, keywords)
    order = list(PRE_APPROVAL_LABELS)
    return [
        Message(
            N_("网站名称或域名含有“%(keyword)s”，可能涉及%(category)s前置审批；如涉及，请添加该前置审批"),
            {"keyword": keyword, "category": Labels((PRE_APPROVAL_LABELS[category],))},
        )
        for category, keyword in sorted(found.items(), key=lambda kv: _position(order, kv[0]))
        if category not in categories and category in PRE_APPROVAL_LABELS
    ]  # fmt: skip


def _position(order: list[str], value: str) -> int:
    return order.index(value) if value in order else len(order)


def _first_label(domain: str) -> str:
    """The first label of a domain in the form people read (xn--… decoded)."""
    host = domain_host(domain)
    if not host:
        return (domain or "").split(".")[0]
    label = host.split(".")[0]
    try:
        return idna.decode(label)
    except idna.IDNAError:
        return label


def warn_many_languages(languages: list[str]) -> Message | None:
    """R-W-8 (warning): more than one website language (网站语言不建议多选)."""
    if len(set(languages)) > 1:
        return Message(N_("网站语言不建议多选，请确认网站确实提供所选的每种语言"))
    return None


def check_choices(values: list[str], allowed: frozenset[str]) -> Message | None:
    """R-W-7: at least one value, each from the allowed set (service types, languages)."""
    if not values:
        return Message(N_("至少选择一项"))
    unknown = [value for value in values if value not in allowed]
    if unknown:
        return Message(N_("不支持的取值：%(values)s"), {"values": ", ".join(map(str, unknown))})
    return None


IDENTITY_CHECKS = {
    "resident_id": check_resident_id,
    "hk_mo_tw_residence": check_hk_mo_tw_residence,
    "foreign_permanent_residence": check_foreign_permanent_residence,
}
