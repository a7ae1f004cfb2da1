"""The 31 province rules as the admin edits them: which fields there are, their ranges, and the
audited change of one province."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select

from domain import audit
from domain.errors import DomainError
from domain.support.i18n import N_, Message
from domain.support.numbers import INTEGER_MAX, parse_whole_number
from extensions import db
from models import ProvinceRule, User, utcnow

PROVINCE_FIELDS: dict[str, type[bool | int | str]] = {
    "sms_required": bool, "mail_required": bool, "copyright_footer": bool,
    "local_mobile_required": bool, "min_age": int, "bureau_review_workdays": int, "notes": str,
    "mail_items": str, "domain_certificate_required": bool, "domain_min_days": int,
}  # fmt: skip


# The ranges a province's numbers must keep, and the longest text (notes, items to mail).
PROVINCE_RANGES = {
    "min_age": (0, 100), "bureau_review_workdays": (1, 90), "domain_min_days": (0, 3650),
}  # fmt: skip
PROVINCE_TEXT_MAX = 2000


def _whole_number(name: str, raw: object) -> int:
    """A province's number field as typed, within its range."""
    number = parse_whole_number(raw, low=-INTEGER_MAX, high=INTEGER_MAX)
    if number is None:
        raise DomainError(Message(N_("请输入整数")), field=name)
    low, high = PROVINCE_RANGES[name]
    if not low <= number <= high:
        raise DomainError(
            Message(N_("应在 %(low)s–%(high)s 之间"), {"low": low, "high": high}), field=name
        )
    return number


def update_province_rule(
    rule: ProvinceRule, values: Mapping[str, str | bool | None], actor: User
) -> list[str]:
    """Change a province's rules; returns the names of the fields that changed (audited).

    :raises DomainError: a number outside its range or a text too long, naming its field.
    """
    changed: dict[str, list[object]] = {}
    for name, kind in PROVINCE_FIELDS.items():
        if name not in values:
            continue
        raw = values[name]
        value: str | bool | int | None = raw
        if kind is int:
            value = _whole_number(name, raw)
        elif kind is str:
            value = str(raw or "").strip()
            if len(value) > PROVINCE_TEXT_MAX:
                raise DomainError(
                    Message(N_("最多 %(n)s 个字符"), {"n": PROVINCE_TEXT_MAX}), field=name
                )
        if getattr(rule, name) != value:
            changed[name] = [getattr(rule, name), value]
            setattr(rule, name, value)
    if changed:
        rule.updated_at = utcnow()
        audit.record(
            "province_rule_changed",
            actor,
            note=rule.name,
            data={"code": rule.code, "changes": changed},
        )
    db.session.flush()
    return list(changed)


def all_rules() -> list[ProvinceRule]:
    """Every province's rules, by province code."""
    return list(db.session.scalars(select(ProvinceRule).order_by(ProvinceRule.code)))
