"""Filing rules as pure functions (DOMAIN.md A4, Part B 3): no Flask, no database.

Each `check_*` returns None when the value passes, or a Message: a Simplified Chinese msgid marked
with N_() plus its %-parameters; callers translate it for display. The rule id a check enforces is
the first word of its docstring. Tables the rules need (approved suffixes, deny-lists) are passed in.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import date
from urllib.parse import urlsplit

import idna
import tldextract
from email_validator import EmailNotValidError, validate_email
from stdnum.cn import uscc

from domain.rulebook.provinces import BY_ABBR, BY_CODE
from domain.support.i18n import N_, Message

_ABBRS = "".join(BY_ABBR)
ICP_SUBJECT_RE = re.compile(rf"^[{_ABBRS}]ICP备(\d{{6}}|\d{{8}}|\d{{10}})号$")
ICP_SEQUENCE_RE = re.compile(r"^[1-9]\d*$")
USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
RESIDENT_ID_RE = re.compile(r"^\d{17}[\dX]$")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
CHINESE = "\u3400-\u4dbf\u4e00-\u9fff"
WEBSITE_NAME_RE = re.compile(rf"^[{CHINESE}A-Za-z0-9]+$")
HAS_CHINESE_RE = re.compile(rf"[{CHINESE}]")
DOMAIN_IN_TEXT_RE = re.compile(
    rf"[{CHINESE}A-Za-z0-9-]+(?:\.[{CHINESE}A-Za-z0-9-]+)*\.[{CHINESE}A-Za-z]{{2,}}"
)
PRE_APPROVAL_NUMBER_RE = re.compile(rf"^[A-Za-z0-9{CHINESE}\-._()（）\[\]#,]{{2,50}}$")

UNIT_KINDS = frozenset(
    {"enterprise", "government", "institution", "social_org", "individual_business"}
)
PERSONAL_CERTIFICATES = frozenset({"resident_id", "passport", "hk_mo_permit", "tw_permit"})
SERVICE_TYPES = frozenset({"website", "email", "file", "data", "app", "wechat"})
# 网站语言 as BCP 47 tags: the MIIT form's list (简体中文, 繁体中文, 英语, minority and foreign languages).
LANGUAGES = frozenset(
    "zh-Hans zh-Hant en ja ko fr de ru es pt it ar mn bo ug kk ky ii za vi th ms id other".split()
)
PRE_APPROVAL_CATEGORIES = frozenset(
    "news publishing education healthcare drugs_devices culture broadcasting bbs ride_hailing "
    "finance games".split()
)
RESERVED_NAME_PREFIXES = ("中国", "中华", "中央", "国家", "人民", "人大", "反腐", "纪检", "监察", "信访", "维权", "投诉")  # fmt: skip
GOVERNMENT_SUFFIXES = ("gov.cn", idna.encode("政务").decode("ascii"))

_PSL = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


# --- identifiers ----------------------------------------------------------------------------


def check_icp_subject_number(number: str) -> Message | None:
    """R-ID-1: `<abbr>ICP备<6, 8 or 10 digits>号` with a province abbreviation of A1."""
    if not ICP_SUBJECT_RE.match(number or ""):
        return Message(
            N_("主体备案号格式不正确，应为“省份简称ICP备数字号”，如 浙ICP备2021000001号")
        )
    return None


def check_icp_website_number(number: str, subject_number: str) -> Message | None:
    """R-ID-2: `<subject number>-<n>` (n >= 1, no leading zero) with the subject's number as prefix."""
    prefix, dash, sequence = (number or "").rpartition("-")
    if not dash or not ICP_SEQUENCE_RE.match(sequence):
        return Message(N_("网站备案号格式不正确，应为“主体备案号-序号”，如 浙ICP备2021000001号-1"))
    if prefix != subject_number:
        return Message(N_("网站备案号必须以本主体的备案号开头"))
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
    """R-ID-6: units file with a USCC; individuals with a resident ID, passport or permit."""
    if kind in UNIT_KINDS and certificate_type != "uscc":
        return Message(N_("单位主体的证件类型须为统一社会信用代码"))
    if kind == "individual" and certificate_type not in PERSONAL_CERTIFICATES:
        return Message(N_("个人主体的证件类型须为居民身份证、护照或港澳台通行证"))
    return None


def check_uscc_province(number: str, province: str) -> Message | None:
    """R-P-8: a unit files in the province of its USCC region code (characters 3-4)."""
    if USCC_RE.match(number or "") and number[2:4] != province:
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


# --- persons --------------------------------------------------------------------------------


def check_mobile(number: str) -> Message | None:
    """R-PH-1: a mainland mobile number, 11 digits: 1, then 3-9, then nine digits."""
    if not MOBILE_RE.match(number or ""):
        return Message(N_("手机号码应为 11 位中国大陆手机号"))
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


def check_website_name_prefix(name: str, subject_kind: str) -> Message | None:
    """R-N-2: only a government subject's site name may start with 中国, 中华, 国家 and the like."""
    if subject_kind != "government":
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
    if value.startswith("*") or value.lower().startswith("www."):
        return Message(N_("只填写顶级域名（如 example.cn），不要带 www. 或 *"))
    host = _to_ascii(value)
    if host is None or "." not in host:
        return Message(N_("域名格式不正确"))
    parts = _PSL(host)
    if parts.suffix and (not parts.domain or parts.subdomain):
        return Message(N_("只填写顶级域名（如 example.cn），不要填写子域名"))
    return None


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
    """R-D-4: a government subject's domains end in .gov.cn or .政务."""
    host = domain_host(value)
    if (
        subject_kind == "government"
        and host
        and not host.endswith(tuple("." + s for s in GOVERNMENT_SUFFIXES))
    ):
        return Message(N_("党政机关网站须使用 .gov.cn 或 .政务 域名"))
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
    """R-W-2: a pre-approval number of 2-50 letters, digits, Chinese or -._()（）[]#, characters."""
    if not number:
        return Message(N_("涉及前置审批的，须填写审批文号"))
    if not PRE_APPROVAL_NUMBER_RE.match(number):
        return Message(N_("审批文号应为 2–50 位字母、数字、中文或 -._()（）[]#, 符号"))
    return None


def check_choices(values: list[str], allowed: frozenset[str]) -> Message | None:
    """R-W-7: at least one value, each from the allowed set (service types, languages)."""
    if not values:
        return Message(N_("至少选择一项"))
    unknown = [value for value in values if value not in allowed]
    if unknown:
        return Message(N_("不支持的取值：%(values)s"), {"values": ", ".join(map(str, unknown))})
    return None
