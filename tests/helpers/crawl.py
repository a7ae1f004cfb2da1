"""What the hostile crawls share: the field names the app reads, the ticked flags, the routes left
out, and the settings under which a crawl runs."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from wtforms import Form
from wtforms.fields import FieldList, FormField
from wtforms.fields.core import UnboundField

import forms.admin
import forms.auth
import forms.filing
import forms.reviewer
from domain.operator import province_rules, settings

ROOT = Path(__file__).resolve().parents[2]
SKIP = {"static", "auth.logout"}
FLAGS = ("approved", "confirm", "agree", "is_workday", "write")  # ticked: what a tick lets through

# Errors take the production path (the 500 page, logged by Flask) instead of reaching the test;
# the anonymous API's limits are raised (not switched off: the limiter stays in the path), or
# it would answer 429 before the parser sees the body. Hostile logins are wrong passwords: the
# login throttle must not lock the crawl's own logins.
CRAWL_CONFIG = {
    "PROPAGATE_EXCEPTIONS": False,
    "API_PRECHECK_LIMIT": "100000 per minute", "API_FILING_TYPE_LIMIT": "100000 per minute",
    "LOGIN_CLIENT_MAX_FAILURES": 10**6, "LOGIN_ACCOUNT_MAX_FAILURES": 10**6,
    "LOGIN_MAX_FAILURES": 10**6,
}  # fmt: skip


def form_field_names() -> set[str]:
    """Every field name the app's forms read, nested lists as their first entry (`websites-0-…`)."""

    def names(form_class, prefix: str = "") -> set[str]:
        found: set[str] = set()
        for name, value in inspect.getmembers(form_class):
            if not isinstance(value, UnboundField):
                continue
            if value.field_class is FieldList:
                inner = value.args[0]
                if inner.field_class is FormField:
                    found |= names(inner.args[0], f"{prefix}{name}-0-")
                else:
                    found.add(f"{prefix}{name}-0")
            elif value.field_class is FormField:
                found |= names(value.args[0], f"{prefix}{name}-")
            else:
                found.add(prefix + name)
        return found

    fields: set[str] = set()
    for module in (forms.admin, forms.auth, forms.filing, forms.reviewer):
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Form) and cls.__module__ == module.__name__:
                fields |= names(cls)
    return fields


def view_argument_names() -> set[str]:
    """The names the views read straight from the request."""
    pattern = re.compile(
        r"""request\.(?:args|form|files|values)(?:\.get|\.getlist)?[(\[]["'](\w+)["']"""
    )
    found: set[str] = set()
    for path in (ROOT / "blueprints").rglob("*.py"):
        found |= set(pattern.findall(path.read_text(encoding="utf-8")))
    return found


FIELD_NAMES = sorted(
    form_field_names()
    | view_argument_names()
    | {"next", "filing", "after", "q"}
    | set(settings.EDITABLE)
    | set(province_rules.PROVINCE_FIELDS)  # read in a loop by the views
)


def string_arguments(rule) -> list[str]:
    converters = dict(rule._converters)  # noqa: SLF001 (werkzeug keeps them there)
    return [a for a in rule.arguments if type(converters[a]).__name__ == "UnicodeConverter"]
