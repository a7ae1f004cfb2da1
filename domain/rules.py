"""Filing rules as pure functions (DOMAIN.md A4, Part B 3). Each returns a message or None.

Messages are Simplified Chinese msgids marked with N_(); callers translate them for display.
"""

from __future__ import annotations

import re
from datetime import date

from stdnum.cn import ric, uscc

from domain.i18n import N_
from domain.provinces import BY_ABBR, BY_CODE

_ABBRS = "".join(BY_ABBR)
ICP_SUBJECT_RE = re.compile(rf"^([{_ABBRS}])ICP备(\d{{6}}|\d{{8}}|\d{{10}})号$")
ICP_WEBSITE_RE = re.compile(rf"^([{_ABBRS}])ICP备(\d{{6}}|\d{{8}}|\d{{10}})号-([1-9]\d*)$")
USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
RESIDENT_ID_RE = re.compile(r"^\d{17}[\dX]$")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def check_icp_subject_number(number: str) -> str | None:
    """R-ID-1: `<abbr>ICP备<6, 8 or 10 digits>号` with a province abbreviation of A1."""
    if not ICP_SUBJECT_RE.match(number or ""):
        return N_("主体备案号格式不正确，应为“省份简称ICP备数字号”，如 浙ICP备2021000001号")
    return None


def check_icp_website_number(number: str, subject_number: str) -> str | None:
    """R-ID-2: `<subject number>-<n>` (n >= 1, no leading zero) under the subject's own number."""
    if not ICP_WEBSITE_RE.match(number or ""):
        return N_("网站备案号格式不正确，应为“主体备案号-序号”，如 浙ICP备2021000001号-1")
    if number.rsplit("-", 1)[0] != subject_number:
        return N_("网站备案号必须以主体备案号开头")
    return None


def check_uscc(number: str) -> str | None:
    """R-ID-4: 18 characters of the USCC alphabet with the GB 32100 check character."""
    if not USCC_RE.match(number or ""):
        return N_("统一社会信用代码应为 18 位数字或大写字母（不含 I、O、S、V、Z）")
    if uscc.calc_check_digit(number[:17]) != number[17]:
        return N_("统一社会信用代码校验位错误，请核对")
    return None


def check_resident_id(number: str) -> str | None:
    """R-ID-3: 18 characters, GB 11643 check digit, a real birth date, a known province code."""
    if not RESIDENT_ID_RE.match(number or ""):
        return N_("居民身份证号码应为 18 位，最后一位可为大写 X")
    if ric.calc_check_digit(number[:17]) != number[17]:
        return N_("居民身份证号码校验位错误，请核对")
    if number[:2] not in BY_CODE:
        return N_("居民身份证号码的地区码不正确")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return N_("居民身份证号码中的出生日期不正确")
    if birth > date.today() or birth.year < 1900:
        return N_("居民身份证号码中的出生日期不正确")
    return None


def check_mobile(number: str) -> str | None:
    """R-PH-1: a mainland mobile number, 11 digits starting 13-19."""
    if not MOBILE_RE.match(number or ""):
        return N_("手机号码应为 11 位中国大陆手机号")
    return None
