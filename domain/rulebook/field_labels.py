"""What an applicant reads for a field path of A2 (`websites[0].responsible_person.mobile` ->
"青禾科技官网 · 网站负责人 · 手机号码"): paths and rule ids are for the API and reviewers only."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from domain.support.i18n import N_

SUBJECT = {
    "kind": N_("主体性质"), "name": N_("主体名称"), "certificate_type": N_("主体证件类型"),
    "certificate_number": N_("主体证件号码"), "province": N_("所在省份"),
    "certificate_address": N_("证件住所"), "mailing_address": N_("通信地址"),
    "icp_number": N_("主体备案号"), "remark": N_("备注"), "responsible_person": N_("主体负责人"),
    "investor": N_("投资人或主管单位"),
}  # fmt: skip
PERSON = {  # and the other parts below a subject's or a website's field
    "name": N_("姓名"), "id_type": N_("证件类型"), "id_number": N_("证件号码"),
    "mobile": N_("手机号码"), "email": N_("电子邮箱"), "number": N_("审批文号"),
    "emergency_mobile": N_("应急联系电话"), "id_valid_until": N_("证件有效期至"),
}  # fmt: skip
WEBSITE = {
    "name": N_("网站名称"), "icp_number": N_("网站备案号"), "domains": N_("域名"), "ips": N_("网站 IP"),
    "service_types": N_("服务类型"), "content_types": N_("网站服务内容"), "languages": N_("网站语言"),
    "pre_approvals": N_("前置审批"), "responsible_person": N_("网站负责人"),
    "authenticity": N_("真实性核验"), "materials": N_("资料"), "remark": N_("备注"),
}  # fmt: skip
FILING = {
    "product_ips": N_("产品验证"), "password": N_("工信部备案密码"), "materials": N_("资料"),
    "subject": N_("主体信息"),
}  # fmt: skip
_PART = re.compile(r"([a-z_]+)(?:\[(\d+)\])?")


def describe_field(path: str, website_names: Sequence[str], gettext: Callable[[str], str]) -> str:
    """The labels along `path`, joined by " · "; a website is named by its name. Parts without a
    label (an index into a list, a material kind) are left out; "" when nothing is known."""
    parts = [m.groups() for m in _PART.finditer(path or "")]
    if not parts:
        return ""
    shown: list[str] = []
    head, index = parts[0]
    if head == "websites" and index is not None:
        number = int(index)
        shown.append(website_names[number] if number < len(website_names) else f"#{number + 1}")
        table = WEBSITE
    elif head == "subject":
        table = SUBJECT
    else:
        return gettext(FILING[head]) if head in FILING else ""
    for name, _index in parts[1:]:
        label = table.get(name) or PERSON.get(name)
        if label:
            shown.append(gettext(label))
        table = PERSON
    return " · ".join(shown)


# Where an applicant fixes a field: the wizard step (or the materials page) and the id of the
# field's element there (`field-<id>`). A website's parts are named by their form field below
# `websites-<i>-`; a locked value (from the MIIT record) has an id of the same shape.
SUBJECT_FORM = {"certificate_address", "mailing_address", "remark"}
SUBJECT_LOCKED = {
    "name",
    "certificate_number",
    "icp_number",
    "kind",
    "certificate_type",
    "province",
}
WEBSITE_FORM = {
    "ips": "ips", "service_types": "service_types", "content_types": "content_types",
    "languages": "languages", "pre_approvals": "pre_approvals-0-category",
    "responsible_person": "person_mode", "name": "name", "domains": "domains",
    "icp_number": "name", "remark": "remark",
}  # fmt: skip
PERSON_FORM = {
    "name",
    "id_type",
    "id_number",
    "mobile",
    "email",
    "emergency_mobile",
    "id_valid_until",
}


def field_place(path: str) -> tuple[str, str] | None:
    """The step ("product", "password", "subject", "websites", "materials") where the field of
    `path` is filled in, and its element id there ("" for the page as a whole); None when no page
    holds it."""
    parts = [m.groups() for m in _PART.finditer(path or "")]
    if not parts:
        return None
    (head, index), rest = parts[0], [name for name, _index in parts[1:]]
    if head == "product_ips":
        return "product", "ips"
    if head == "password":
        return "password", "password"
    if head == "materials" or (
        head == "websites" and rest[:1] in (["materials"], ["authenticity"])
    ):
        return "materials", ""
    if head == "subject":
        return _subject_place(rest)
    if head == "websites" and index is not None:
        if rest[:1] == ["pre_approvals"] and len(parts) > 2 and parts[1][1] is not None:
            return "websites", f"websites-{index}-pre_approvals-{parts[1][1]}-{rest[1]}"
        return _website_place(int(index), rest)
    return None


def _subject_place(rest: list[str]) -> tuple[str, str]:
    if not rest:
        return "subject", ""
    if rest[0] == "responsible_person":
        name = rest[1] if len(rest) > 1 and rest[1] in PERSON_FORM else "name"
        return "subject", f"person_{name}"
    if rest[0] in SUBJECT_FORM:
        return "subject", rest[0]
    return "subject", f"subject-{rest[0]}" if rest[0] in SUBJECT_LOCKED else ""


def _website_place(index: int, rest: list[str]) -> tuple[str, str]:
    prefix = f"websites-{index}-"
    if not rest or rest[0] not in WEBSITE_FORM:
        return "websites", ""
    if rest[0] == "responsible_person" and len(rest) > 1 and rest[1] in PERSON_FORM:
        return "websites", f"{prefix}person_{rest[1]}"
    return "websites", prefix + WEBSITE_FORM[rest[0]]
