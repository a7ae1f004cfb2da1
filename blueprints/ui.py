"""Template filters: Shanghai time, masking, translated labels."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_babel import gettext

from domain.masking import mask_certificate, mask_phone
from domain.workdays import SHANGHAI


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An aware datetime shown in Asia/Shanghai."""
    return value.astimezone(SHANGHAI).strftime(fmt) if value else ""


def idn(domain: str) -> str:
    """A stored (punycode) domain as people read it."""
    from domain.filing_type import unicode_domain

    return unicode_domain(domain)


def province_name(code: str) -> str:
    """北京 for 11; the code itself when unknown."""
    from domain.provinces import BY_CODE

    return BY_CODE[code].name if code in BY_CODE else code


def register_filters(app: Flask) -> None:
    app.add_template_filter(idn, "idn")
    app.add_template_filter(province_name, "province_name")
    app.add_template_filter(lambda message: message.render(gettext), "msg")
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(mask_certificate, "mask_cert")
    app.add_template_filter(mask_phone, "mask_phone")
    app.add_template_filter(lambda enum_member: gettext(enum_member.label), "label")
