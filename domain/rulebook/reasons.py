"""The reviewer's reason picker: common rejection reasons (DOMAIN.md B 3.12, from HW-reject and
TC-reject), each a code and a Chinese label, and the reasons that apply to each field."""

import re

from domain.support.i18n import N_

# Each reason says one thing, so the applicant knows which applies (a compound reason of the
# first build named four faults at once). "other" is the reviewer's own words only.
OTHER = "other"
REJECTION_REASONS: dict[str, str] = {
    "domain_unverified": N_("域名未实名认证"),
    "domain_holder": N_("域名持有者与主体不一致"),
    "domain_not_synced": N_("域名实名信息尚未同步至工信部，请稍后再提交"),
    "domain_suffix": N_("域名后缀或注册商未获工信部批准"),
    "domain_expired": N_("域名已过期或即将过期"),
    "website_name": N_("网站名称不符合命名规范"),
    "cross_province": N_("跨省备案：单位住所与所选省份不一致"),
    "address_incomplete": N_("地址不详细（须写到门牌号）"),
    "address_mismatch": N_("地址与证件上的住所不符"),
    "site_reachable": N_("未备案网站在审核期间可以访问"),
    "filed_site_down": N_("已备案网站无法访问"),
    "filed_site_number": N_("已备案网站未在底部展示备案号"),
    "filed_site_content": N_("已备案网站的内容与主体不符"),
    "pre_approval_missing": N_("内容涉及前置审批，但未提供审批文件"),
    "pre_approval_invalid": N_("前置审批文件已过期或不清晰"),
    "legal_representative": N_("主体负责人不是法定代表人（本省要求时）"),
    "phone_province": N_("电话不是本省号码（本省要求时）"),
    "phone_unreachable": N_("电话无法接通"),
    "phone_taken": N_("电话已用于其他主体的备案"),
    "contacts_repeated": N_("两位负责人的电话或邮箱重复"),
    "documents": N_("证件无效：复印件、屏幕翻拍、反光、不完整或有效期不足 3 个月"),
    "wrong_type": N_("备案类型有误：名称或证件号码填写错误，或主体已以其他证件备案"),
    "open_order": N_("该主体另有未完成的备案订单（本服务商或其他服务商）"),
    "shell_subject": N_("空壳主体：网站均已注销，请注销主体后重新备案"),
    "face_check": N_("真实性核验未通过（光线、背景，或非本人）"),
    OTHER: N_("其他（请在补充说明中写明）"),
}
# Codes no longer offered, kept to show the reasons stored with them.
RETIRED_REASONS: dict[str, str] = {
    "domain_real_name": N_("域名未实名认证、持有者与主体不一致，或实名信息尚未同步至工信部"),
    "filed_sites": N_("已备案网站无法访问、未展示备案号或内容与主体不符"),
    "pre_approval": N_("内容涉及前置审批但未提供，或审批文件过期、不清晰"),
    "phone": N_("电话非本省、无法接通或已用于其他主体；两位负责人电话或邮箱重复"),
}
# What the applicant reads for a code: "other" says nothing of its own (the reviewer's words do).
REASON_LABELS: dict[str, str] = {**REJECTION_REASONS, **RETIRED_REASONS, OTHER: ""}

# The reasons that apply to each kind of field a reason can name (a field path without its
# website's index: websites[0].domains is websites.domains); the picker lists them first. The
# filing as a whole ("") takes every reason, and "other" applies everywhere.
_PERSON = ("phone_province", "phone_unreachable", "phone_taken", "contacts_repeated", "documents")
_ADDRESS = ("address_incomplete", "address_mismatch", "cross_province")
_MATERIAL = ("documents", "pre_approval_missing", "pre_approval_invalid")
FIELD_REASONS: dict[str, tuple[str, ...]] = {
    "subject.name": ("wrong_type", "open_order", "shell_subject", "cross_province"),
    "subject.certificate_number": ("wrong_type", "documents", "open_order"),
    "subject.certificate_address": _ADDRESS,
    "subject.mailing_address": _ADDRESS,
    "subject.responsible_person": ("legal_representative", *_PERSON),
    "materials": _MATERIAL,
    "websites.name": (
        "website_name", "pre_approval_missing", "pre_approval_invalid", "filed_site_content",
    ),
    "websites.domains": (
        "domain_unverified", "domain_holder", "domain_not_synced", "domain_suffix",
        "domain_expired", "site_reachable", "filed_site_down", "filed_site_number",
        "filed_site_content",
    ),
    "websites.responsible_person": _PERSON,
    "websites.authenticity": ("face_check",),
    "websites.materials": _MATERIAL,
}  # fmt: skip


def reasons_for(field: str) -> tuple[str, ...]:
    """The codes of the reasons that apply to a field (every code for the filing as a whole or
    a field not listed), "other" last."""
    kind = re.sub(r"\[\d+\]", "", field)
    if kind.startswith("materials."):
        kind = "materials"
    elif kind.startswith("websites.materials."):
        kind = "websites.materials"
    codes = FIELD_REASONS.get(kind)
    if codes is None:
        return tuple(REJECTION_REASONS)
    return (*codes, OTHER)
