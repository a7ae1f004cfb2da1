"""The 31 provincial bureaus (DOMAIN.md A1): GB/T 2260 code, name, ICP-number abbreviation."""

from __future__ import annotations

from typing import NamedTuple, TypedDict


class Province(NamedTuple):
    code: str
    name: str
    abbr: str


PROVINCES: tuple[Province, ...] = tuple(
    Province(*row)
    for row in (
        ("11", "北京", "京"), ("12", "天津", "津"), ("13", "河北", "冀"), ("14", "山西", "晋"),
        ("15", "内蒙古", "蒙"), ("21", "辽宁", "辽"), ("22", "吉林", "吉"), ("23", "黑龙江", "黑"),
        ("31", "上海", "沪"), ("32", "江苏", "苏"), ("33", "浙江", "浙"), ("34", "安徽", "皖"),
        ("35", "福建", "闽"), ("36", "江西", "赣"), ("37", "山东", "鲁"), ("41", "河南", "豫"),
        ("42", "湖北", "鄂"), ("43", "湖南", "湘"), ("44", "广东", "粤"), ("45", "广西", "桂"),
        ("46", "海南", "琼"), ("50", "重庆", "渝"), ("51", "四川", "蜀"), ("52", "贵州", "黔"),
        ("53", "云南", "滇"), ("54", "西藏", "藏"), ("61", "陕西", "陕"), ("62", "甘肃", "陇"),
        ("63", "青海", "青"), ("64", "宁夏", "宁"), ("65", "新疆", "新"),
    )
)  # fmt: skip

BY_CODE = {province.code: province for province in PROVINCES}

# The full names an address starts with (A1 v2, R-P-12).
FULL_NAMES: dict[str, str] = dict(
    zip(
        BY_CODE,
        "北京市 天津市 河北省 山西省 内蒙古自治区 辽宁省 吉林省 黑龙江省 上海市 江苏省 浙江省 安徽省 "
        "福建省 江西省 山东省 河南省 湖北省 湖南省 广东省 广西壮族自治区 海南省 重庆市 四川省 贵州省 "
        "云南省 西藏自治区 陕西省 甘肃省 青海省 宁夏回族自治区 新疆维吾尔自治区".split(),
        strict=True,
    )
)
BY_ABBR = {province.abbr: province for province in PROVINCES}

# The names in English (Hanyu Pinyin, as the State Council's own English pages and
# the GB/T 2260 English list write them; Inner Mongolia by its usual English name), for the English UI.
PINYIN_NAMES: dict[str, str] = dict(
    zip(
        BY_CODE,
        ["Beijing", "Tianjin", "Hebei", "Shanxi", "Inner Mongolia", "Liaoning", "Jilin", "Heilongjiang",
         "Shanghai", "Jiangsu", "Zhejiang", "Anhui", "Fujian", "Jiangxi", "Shandong", "Henan",
         "Hubei", "Hunan", "Guangdong", "Guangxi", "Hainan", "Chongqing", "Sichuan", "Guizhou",
         "Yunnan", "Xizang", "Shaanxi", "Gansu", "Qinghai", "Ningxia", "Xinjiang"],
        strict=True,
    )
)  # fmt: skip


class RuleSeed(TypedDict, total=False):
    """Seed values for the editable columns of a province's rule row (models.ProvinceRule)."""

    sms_required: bool
    mail_required: bool
    copyright_footer: bool
    local_mobile_required: bool
    min_age: int
    bureau_review_workdays: int
    notes: str
    domain_certificate_required: bool


# Seed values of the editable province rules (DOMAIN.md A1 and Part B 3.5, 3.10, 3.11); the notes
# are read by staff and applicants, so they say the rule in words, without the spec's rule codes.
RULE_SEEDS: dict[str, RuleSeed] = {
    "32": {
        "copyright_footer": True,
        "local_mobile_required": True,
        "notes": "江苏：页脚须显示备案号链接及版权所有者；手机号须为本省号码。",
    },
    "33": {
        "bureau_review_workdays": 30,
        "notes": "浙江：管局审核最长 30 个工作日；网站名称须与网站实际显示一致。",
    },
    "37": {"notes": "山东：未满 17 周岁不予备案；本系统默认以 18 周岁为下限，可在此调整。"},
    "44": {"notes": "广东：每个备案须提供法定代表人或个人签字的《互联网信息服务备案承诺书》。"},
    "46": {"notes": "海南：营业执照须加盖海南市场监管登记章。"},
}


def registered_in(certificate_type: str, certificate_number: str) -> str:
    """The province a unified social credit code was issued in (its characters 3–8 are the
    registering authority's GB/T 2260 division, whose first two digits name the province), or ""
    for another certificate or an unknown code: a first guess for 主体所在省份, the applicant's to
    change. (A resident ID's division is where it was issued, often not where the person lives.)"""
    if certificate_type != "uscc" or len(certificate_number) != 18:
        return ""
    code = certificate_number[2:4]
    return code if code in BY_CODE else ""
