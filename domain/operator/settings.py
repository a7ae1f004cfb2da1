"""Settings that belong in the console (provider name, review deadlines, claim timeout, the SMS
signature): stored in the database; the web layer lays them over the configuration
(runtime/policy.py)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from domain import audit
from domain.errors import DomainError
from domain.support.i18n import N_, Labels, Message
from domain.support.numbers import parse_whole_number
from extensions import db
from models import AppSetting, User

# key -> (label msgid, type, minimum, maximum)
EDITABLE: dict[str, tuple[str, type[int | str], int, int]] = {
    "PROVIDER_NAME": (N_("服务商名称"), str, 1, 32),
    "INITIAL_REVIEW_WORKDAYS": (N_("初审时限（工作日）"), int, 1, 10),
    "RE_REVIEW_WORKDAYS": (N_("复审时限（工作日）"), int, 1, 10),
    "BUREAU_SUBMIT_WORKDAYS": (N_("提交管局时限（工作日）"), int, 1, 10),
    "CLAIM_TIMEOUT_MINUTES": (N_("领取超时（分钟）"), int, 5, 480),
    "MAIL_ADDRESS": (N_("资料邮寄地址（收件人、电话、地址）"), str, 0, 200),
    "SMS_SIGN_NAME": (N_("短信签名（须经短信平台审核；留空用服务商名称）"), str, 0, 12),
}


class SettingError(DomainError):
    """A submitted setting is refused."""


def parse(key: str, raw: str) -> int | str:
    """The typed value of a submitted setting.

    :raises SettingError: unknown key, or a value outside its range.
    """
    if key not in EDITABLE:
        raise SettingError(Message(N_("未知的设置项")))
    label, kind, low, high = EDITABLE[key]
    raw = (raw or "").strip()
    if kind is int:
        number = parse_whole_number(raw, low=low, high=high)
        if number is None:
            raise SettingError(
                Message(
                    N_("%(label)s应为 %(low)s–%(high)s 的整数"),
                    {"label": Labels((label,)), "low": low, "high": high},
                )
            )
        return number
    if not low <= len(raw) <= high:
        raise SettingError(
            Message(
                N_("%(label)s应为 %(low)s–%(high)s 个字符"),
                {"label": Labels((label,)), "low": low, "high": high},
            )
        )
    return raw


def save(key: str, raw: str, old: object, actor: User) -> None:
    """Store a setting, audited with its value before (`old`). Flushes; it takes effect in every
    process once the caller commits (the web layer's settings reader reads committed rows only).

    :raises SettingError: unknown key, or a value outside its range.
    """
    value = parse(key, raw)
    row = db.session.get(AppSetting, key) or AppSetting(key=key)
    row.value = {"value": value}
    db.session.add(row)
    audit.record("setting_changed", actor, note=key, data={"key": key, "from": old, "to": value})
    db.session.flush()


def check_changes(
    submitted: Mapping[str, str], current: object
) -> tuple[dict[str, str], dict[str, Message]]:
    """The submitted settings that differ from `current` (a policy: one attribute per key, in
    lower case), as typed, and for each refused one why (nothing is stored)."""
    changes: dict[str, str] = {}
    errors: dict[str, Message] = {}
    for key in EDITABLE:
        raw = submitted.get(key)
        if raw is None or raw.strip() == str(getattr(current, key.lower())):
            continue
        try:
            parse(key, raw)
        except SettingError as exc:
            errors[key] = exc.message
        changes[key] = raw
    return changes, errors


def save_changes(changes: Mapping[str, str], current: object, actor: User) -> None:
    """Store every checked change (see check_changes), each audited with its value before.

    :raises SettingError: unknown key, or a value outside its range.
    """
    for key, raw in changes.items():
        save(key, raw, getattr(current, key.lower()), actor)


def stored() -> dict[str, object] | None:
    """The settings stored from the console; None when the database does not answer (not migrated
    yet, or down: the caller keeps what it knew, and the caller's transaction is left alone)."""
    try:
        rows = db.session.execute(select(AppSetting.key, AppSetting.value)).all()
    except SQLAlchemyError:
        return None
    return {key: value["value"] for key, value in rows if key in EDITABLE}
