"""The application document of DOMAIN.md A2: parsing and shape checks (not the filing rules).

Input that is not A2 (not an object, an unknown or missing key, a wrong type, a value outside an
enumeration that no filing rule covers) raises ApplicationFormatError naming every bad key path.
Values that a rule of A4 judges (numbers, names, domains, service types...) are kept as given.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

from domain.errors import DomainError
from domain.rulebook.provinces import BY_CODE
from domain.support.i18n import N_, Message

MAX_BYTES = 1_000_000
SUBJECT_KINDS = ("enterprise", "individual", "government", "institution", "social_org", "individual_business")  # fmt: skip
SUBJECT_KIND_LABELS = {
    "enterprise": N_("企业"),
    "individual": N_("个人"),
    "government": N_("政府机关"),
    "institution": N_("事业单位"),
    "social_org": N_("社会团体"),
    "individual_business": N_("个体工商户"),
}
CERTIFICATE_TYPES = (
    "uscc", "resident_id", "passport", "hk_mo_permit", "tw_permit", "hk_mo_tw_residence",
    "foreign_permanent_residence",
)  # fmt: skip
PRE_APPROVAL_CATEGORIES = (
    "news", "publishing", "education", "healthcare", "drugs_devices", "culture", "broadcasting",
    "bbs", "ride_hailing", "finance", "games",
)  # fmt: skip


class ApplicationFormatError(DomainError):
    """The input is not an A2 application; `problems` lists (key path, Message)."""

    def __init__(self, problems: list[tuple[str, Message]]) -> None:
        super().__init__(Message(N_("不是有效的备案申请文件")))
        self.problems = problems

    def as_list(self, gettext: Callable[[str], str]) -> list[dict[str, str]]:
        """[{"field": key path, "message": what is wrong, translated}]."""
        return [{"field": path, "message": what.render(gettext)} for path, what in self.problems]


Problem: TypeAlias = tuple[str, Message]  # a key path and what is wrong there
Expected: TypeAlias = type | tuple[type, ...]  # the type(s) a key's value must be an instance of

UNKNOWN_KEY = Message(N_("未知的键"))
MISSING_KEY = Message(N_("缺少该键"))


def must_be(kind: str) -> Message:
    return Message(N_("类型错误：应为%(kind)s"), {"kind": kind})


@dataclass
class PersonData:
    name: str
    id_type: str
    id_number: str
    mobile: str
    email: str
    emergency_mobile: str = ""  # 应急联系电话 (A2 v3); "": not given
    id_valid_until: str = ""  # 证件有效期至: YYYY-MM-DD or 长期 (A2 v3); "": not given


@dataclass
class PreApproval:
    category: str
    number: str | None


@dataclass
class WebsiteData:
    name: str
    icp_number: str
    domains: list[str]
    ips: list[str]
    service_types: list[str]
    languages: list[str]
    pre_approvals: list[PreApproval] = field(default_factory=list)
    responsible_person: PersonData | None = None
    content_types: list[str] | None = None  # None: not chosen yet (A2 v2)


@dataclass
class SubjectData:
    kind: str
    name: str
    certificate_type: str
    certificate_number: str
    province: str
    certificate_address: str
    mailing_address: str
    icp_number: str
    responsible_person: PersonData
    remark: str = ""  # 备注 (A2 v2)
    investor: str = ""  # 投资人或主管单位 (A2 v3); "": not given


@dataclass
class Application:
    subject: SubjectData
    websites: list[WebsiteData]


PERSON_KEYS: dict[str, Expected] = {
    "name": str, "id_type": str, "id_number": str, "mobile": str, "email": str,
    "emergency_mobile": (str, type(None)), "id_valid_until": (str, type(None)),
}  # fmt: skip
# Optional keys (A2 v3): absent, null or "" is "not given".
OPTIONAL_PERSON_KEYS: dict[str, object] = {"emergency_mobile": "", "id_valid_until": ""}
SUBJECT_KEYS: dict[str, Expected] = {
    "kind": str, "name": str, "certificate_type": str, "certificate_number": str, "province": str,
    "certificate_address": str, "mailing_address": str, "icp_number": str,
    "responsible_person": dict, "remark": str, "investor": (str, type(None)),
}  # fmt: skip
OPTIONAL_SUBJECT_KEYS: dict[str, object] = {"remark": "", "investor": ""}
REMARK_MAX = 200
WEBSITE_KEYS: dict[str, Expected] = {
    "name": str, "icp_number": str, "domains": list, "ips": list, "service_types": list,
    "content_types": (list, type(None)), "languages": list, "pre_approvals": list,
    "responsible_person": (dict, type(None)),
}  # fmt: skip
OPTIONAL_WEBSITE_KEYS: dict[str, object] = {
    "pre_approvals": [], "responsible_person": None, "content_types": None,
}  # fmt: skip
TYPE_NAMES: dict[Expected, str] = {
    str: "string", dict: "object", list: "list", (dict, type(None)): "object | null",
    (list, type(None)): "list | null", (str, type(None)): "string | null",
}  # fmt: skip


def loads_application(raw: bytes | str) -> Application:
    """Parse A2 JSON text (at most 1 MB).

    :raises ApplicationFormatError: not JSON, too large, or not of the A2 shape.
    """
    size = len(raw.encode("utf-8") if isinstance(raw, str) else raw)
    if size > MAX_BYTES:
        raise ApplicationFormatError([("$", Message(N_("内容超过 1 MB")))])
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApplicationFormatError([("$", Message(N_("不是有效的 UTF-8 JSON")))]) from exc
    except RecursionError as exc:  # "[[[[…" deeper than the parser's stack
        raise ApplicationFormatError([("$", Message(N_("JSON 嵌套层数过多")))]) from exc
    return parse_application(data)


def parse_application(data: object) -> Application:
    """Check the shape of decoded A2 JSON and build an Application.

    :raises ApplicationFormatError: every unknown, missing or mistyped key, with its path.
    """
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise ApplicationFormatError([("$", must_be("JSON object"))])
    _check_keys(data, {"subject": dict, "websites": list}, "", problems)
    if problems:
        raise ApplicationFormatError(problems)
    subject = _parse_subject(data["subject"], problems)
    if not data["websites"]:
        problems.append(("websites", Message(N_("至少填写一个网站"))))
    websites = [
        _parse_website(item, f"websites[{i}]", problems) for i, item in enumerate(data["websites"])
    ]
    if problems:
        raise ApplicationFormatError(problems)
    # A part that is not an object parses to None, always beside a recorded problem: none is left.
    assert subject is not None
    return Application(
        subject=subject, websites=[website for website in websites if website is not None]
    )


def _check_keys(
    data: dict[str, object],
    spec: dict[str, Expected],
    path: str,
    problems: list[Problem],
    optional: dict[str, object] | None = None,
) -> None:
    prefix = f"{path}." if path else ""
    for key in data:
        if key not in spec:
            problems.append((f"{prefix}{key}", UNKNOWN_KEY))
    for key, expected in spec.items():
        if key not in data:
            if optional is None or key not in optional:
                problems.append((f"{prefix}{key}", MISSING_KEY))
        elif not isinstance(data[key], expected) or isinstance(data[key], bool):
            problems.append((f"{prefix}{key}", must_be(TYPE_NAMES[expected])))


def _enum(value: object, allowed: Sequence[str], path: str, problems: list[Problem]) -> None:
    if isinstance(value, str) and value not in allowed:
        problems.append(
            (path, Message(N_("取值无效，应为：%(values)s"), {"values": ", ".join(allowed)}))
        )


def _string_list(value: object, path: str, problems: list[Problem]) -> list[str]:
    if not isinstance(value, list):
        return []
    for index, item in enumerate(value):
        if not isinstance(item, str):
            problems.append((f"{path}[{index}]", must_be("string")))
    return [item for item in value if isinstance(item, str)]


def _parse_person(data: object, path: str, problems: list[Problem]) -> PersonData | None:
    if not isinstance(data, dict):
        return None
    _check_keys(data, PERSON_KEYS, path, problems, optional=OPTIONAL_PERSON_KEYS)
    _enum(data.get("id_type"), CERTIFICATE_TYPES, f"{path}.id_type", problems)
    return PersonData(**{key: _text(data.get(key)) for key in PERSON_KEYS})


def _parse_subject(data: dict[str, object], problems: list[Problem]) -> SubjectData | None:
    _check_keys(data, SUBJECT_KEYS, "subject", problems, optional=OPTIONAL_SUBJECT_KEYS)
    remark = data.get("remark", "")
    if isinstance(remark, str) and len(remark) > REMARK_MAX:
        problems.append(("subject.remark", Message(N_("最多 %(n)s 个字符"), {"n": REMARK_MAX})))
    _enum(data.get("kind"), SUBJECT_KINDS, "subject.kind", problems)
    _enum(data.get("certificate_type"), CERTIFICATE_TYPES, "subject.certificate_type", problems)
    _enum(data.get("province"), tuple(BY_CODE), "subject.province", problems)
    person = _parse_person(data.get("responsible_person"), "subject.responsible_person", problems)
    values = {key: _text(data.get(key)) for key in SUBJECT_KEYS if key != "responsible_person"}
    if person is None:  # not an object: _check_keys has recorded the problem
        return None
    return SubjectData(**values, responsible_person=person)


def _parse_website(data: object, path: str, problems: list[Problem]) -> WebsiteData | None:
    if not isinstance(data, dict):
        problems.append((path, must_be("object")))
        return None
    _check_keys(data, WEBSITE_KEYS, path, problems, optional=OPTIONAL_WEBSITE_KEYS)
    pre_approvals: list[PreApproval] = []
    raw_approvals = data.get("pre_approvals", [])
    for index, item in enumerate(raw_approvals if isinstance(raw_approvals, list) else []):
        item_path = f"{path}.pre_approvals[{index}]"
        if not isinstance(item, dict):
            problems.append((item_path, must_be("object")))
            continue
        for key in item:
            if key not in ("category", "number"):
                problems.append((f"{item_path}.{key}", UNKNOWN_KEY))
        if not isinstance(item.get("category"), str):
            problems.append(
                (
                    f"{item_path}.category",
                    MISSING_KEY if "category" not in item else must_be("string"),
                )
            )
        _enum(item.get("category"), PRE_APPROVAL_CATEGORIES, f"{item_path}.category", problems)
        number = item.get("number")
        if number is not None and not isinstance(number, str):
            problems.append((f"{item_path}.number", must_be("string | null")))
        pre_approvals.append(
            PreApproval(_text(item.get("category")), number if isinstance(number, str) else None)
        )
    person = data.get("responsible_person")
    content_types = data.get("content_types")
    return WebsiteData(
        name=_text(data.get("name")),
        icp_number=_text(data.get("icp_number")),
        domains=_string_list(data.get("domains"), f"{path}.domains", problems),
        ips=_string_list(data.get("ips"), f"{path}.ips", problems),
        service_types=_string_list(data.get("service_types"), f"{path}.service_types", problems),
        languages=_string_list(data.get("languages"), f"{path}.languages", problems),
        content_types=_string_list(content_types, f"{path}.content_types", problems)
        if isinstance(content_types, list)
        else None,
        pre_approvals=pre_approvals,
        responsible_person=_parse_person(person, f"{path}.responsible_person", problems)
        if person is not None
        else None,
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
