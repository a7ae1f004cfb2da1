"""The request's translations, for Python code and templates: Flask-Babel's catalogue for the
request's locale, found once per request instead of at every string.

Flask-Babel finds the catalogue anew at every gettext (the app context's namespace, the domain,
the locale's name, a cache lookup: about 7 µs, and 14 µs from a template through Jinja's alias and
wrapper); the review screen says some 150 things and spent a tenth of its time there.
Here the catalogue is kept on `g` beside the locale Flask-Babel chose (its public `get_locale()`),
and found again whenever that locale is another object (`refresh()` at each request,
`force_locale()` for an e-mail in the recipient's language). Same results as Flask-Babel's
functions of the same names; only Flask-Babel's public API is used.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString  # type: ignore[import-untyped]
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup


def translations():
    """The catalogue of the current locale (Flask-Babel's, looked up when the locale changed)."""
    locale = get_locale()  # Flask-Babel's choice, made once per request (None: no app context)
    if locale is None:
        return get_translations()
    namespace = g._get_current_object()  # the proxy resolved once, not at every attribute
    kept = getattr(namespace, "_i18n_catalogue", None)
    if kept is not None and kept[0] is locale:
        return kept[1]
    catalogue = get_translations()
    namespace._i18n_catalogue = (locale, catalogue)
    return catalogue


def gettext(string: str, **variables: Any) -> str:
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables: Any) -> LazyString:
    """Translated when shown (form labels made at import time)."""
    return LazyString(gettext, string, **variables)


@pass_context
def _template_gettext(context: Context, string: str, **variables: Any) -> str:
    """Jinja's "new style" gettext (escaping, then `%` with the variables), without its alias
    and wrapper each calling through the template context once more."""
    text = translations().ugettext(string)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


@pass_context
def _template_ngettext(
    context: Context, singular: str, plural: str, num: int, **variables: Any
) -> str:
    variables.setdefault("num", num)
    text = translations().ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


def install(app: Flask) -> None:
    """Templates' `_`, `gettext` and `ngettext` (after Flask-Babel installed its own)."""
    app.jinja_env.globals.update(
        _=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext
    )
