"""Settings that belong in the console (provider name, review deadlines, claim timeout): stored in
the database and laid over the config on every host, refreshed every SETTINGS_REFRESH_SECONDS."""

from __future__ import annotations

import time

from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from domain.i18n import N_
from domain.rules import Message
from extensions import db
from models import AppSetting, AuditEvent, User

# key -> (label msgid, type, minimum, maximum)
EDITABLE = {
    "PROVIDER_NAME": (N_("服务商名称"), str, 1, 32),
    "INITIAL_REVIEW_WORKDAYS": (N_("初审时限（工作日）"), int, 1, 10),
    "RE_REVIEW_WORKDAYS": (N_("复审时限（工作日）"), int, 1, 10),
    "BUREAU_SUBMIT_WORKDAYS": (N_("提交管局时限（工作日）"), int, 1, 10),
    "CLAIM_TIMEOUT_MINUTES": (N_("领取超时（分钟）"), int, 5, 480),
}
_loaded_at: dict[int, float] = {}


class SettingError(Exception):
    def __init__(self, message: Message):
        super().__init__(message.text)
        self.message = message


def parse(key: str, raw: str):
    """The typed value of a submitted setting.

    :raises SettingError: unknown key, or a value outside its range.
    """
    if key not in EDITABLE:
        raise SettingError(Message(N_("未知的设置项")))
    label, kind, low, high = EDITABLE[key]
    raw = (raw or "").strip()
    if kind is int:
        if not raw.isdigit() or not low <= int(raw) <= high:
            raise SettingError(
                Message(
                    N_("%(label)s应为 %(low)s–%(high)s 的整数"),
                    {"label": label, "low": low, "high": high},
                )
            )
        return int(raw)
    if not low <= len(raw) <= high:
        raise SettingError(
            Message(
                N_("%(label)s应为 %(low)s–%(high)s 个字符"),
                {"label": label, "low": low, "high": high},
            )
        )
    return raw


def save(app: Flask, key: str, raw: str, actor: User) -> None:
    """Store a setting (audited) and apply it in this process at once."""
    value = parse(key, raw)
    row = db.session.get(AppSetting, key) or AppSetting(key=key)
    old = row.value.get("value") if row.value else app.config.get(key)
    row.value = {"value": value}
    db.session.add(row)
    db.session.add(AuditEvent(actor_id=actor.id, actor_role=actor.role, action="setting_changed",
                              note=key, data={"key": key, "from": old, "to": value}))  # fmt: skip
    db.session.flush()
    app.config[key] = value


def refresh(app: Flask) -> None:
    """Lay the stored settings over the config (at most every SETTINGS_REFRESH_SECONDS)."""
    interval = app.config.get("SETTINGS_REFRESH_SECONDS", 30)
    now = time.monotonic()
    if now - _loaded_at.get(id(app), -1e9) < interval:
        return
    _loaded_at[id(app)] = now
    try:
        rows = db.session.execute(select(AppSetting.key, AppSetting.value)).all()
    except SQLAlchemyError:  # not migrated yet: the config stands
        db.session.rollback()
        return
    for key, value in rows:
        if key in EDITABLE:
            app.config[key] = value["value"]
