"""The catalogue found once per request (i18n.py) answers as Flask-Babel would: it follows the
locale when it changes within a request (force_locale for an e-mail, refresh after a language
switch), escapes only where the template escapes, and formats plurals; English admin pages use
half-width brackets and plural words."""

from __future__ import annotations

from pathlib import Path

from flask import render_template_string, session
from flask_babel import force_locale, refresh
from markupsafe import Markup

import i18n
from domain.lifecycle.states import Role
from domain.support import outbox
from extensions import db


def test_gettext_follows_force_locale_and_back(app):
    with app.test_request_context("/"):
        assert i18n.gettext("省份") == "省份"
        with force_locale("en"):
            assert i18n.gettext("省份") == "Province"
        assert i18n.gettext("省份") == "省份"


def test_gettext_follows_a_language_switch_within_the_request(app):
    with app.test_request_context("/"):
        assert i18n.gettext("省份") == "省份"
        session["lang"] = "en"
        refresh()
        assert i18n.gettext("省份") == "Province"


def test_outside_a_request_the_msgid_itself(app):
    assert i18n.gettext("省份") == "省份"  # no app context at all


def test_templates_escape_variables_only_where_autoescape_is_on(app):
    with app.test_request_context("/"):
        html = app.jinja_env.from_string("{{ _('%(label)s：%(value)s', label='<b>', value='x') }}")
        text = app.jinja_env.from_string(
            "{% autoescape false %}{{ _('%(label)s：%(value)s', label='<b>', value='x') }}"
            "{% endautoescape %}"
        )
        assert html.render() == "&lt;b&gt;：x"
        assert text.render() == "<b>：x"


def test_template_plurals_and_trans_blocks_in_english(app):
    with app.test_request_context("/"):
        with force_locale("en"):
            one = render_template_string(
                '{{ ngettext("已尝试 %(num)s 次", "已尝试 %(num)s 次", 1) }}'
            )
            three = render_template_string(
                '{{ ngettext("已尝试 %(num)s 次", "已尝试 %(num)s 次", 3) }}'
            )
            assert (one, three) == ("1 try", "3 tries")
            assert render_template_string("{% trans %}省份{% endtrans %}") == "Province"


def test_lazy_strings_are_translated_when_shown(app):
    label = i18n.lazy_gettext("省份")
    with app.test_request_context("/"):
        assert str(label) == "省份"
        with force_locale("en"):
            assert str(label) == "Province"
            assert Markup("{}").format(label) == "Province"


def test_the_catalogue_is_found_once_per_locale_not_at_every_string(app, monkeypatch):
    found = []
    real = i18n.get_translations
    monkeypatch.setattr(i18n, "get_translations", lambda: found.append(1) or real())
    with app.test_request_context("/"):
        render_template_string("{% for i in range(50) %}{{ _('省份') }}{% endfor %}")
        for _ in range(50):
            i18n.gettext("省份")
        assert len(found) == 1  # the fast path holds: Flask-Babel's locale object is kept
        with force_locale("en"):
            assert [i18n.gettext("省份") for _ in range(3)] == ["Province"] * 3
        assert len(found) == 2
        i18n.gettext("省份")
        assert len(found) == 3  # back to Chinese: looked up again, once


def test_only_flask_babels_public_api_is_used():
    source = Path(i18n.__file__).read_text(encoding="utf-8")
    assert "_flask_babel" not in source and "babel_locale" not in source


def test_english_pages_use_half_width_brackets_and_plural_tries(client, make_user, login):
    admin = make_user(Role.admin)
    outbox.enqueue(None, "email", "a@example.cn", "filing_submitted", filing_id=1).attempts = 1
    outbox.enqueue(None, "email", "b@example.cn", "filing_submitted", filing_id=2).attempts = 3
    db.session.commit()
    login(admin)
    client.get("/lang/en")
    provinces = client.get("/admin/provinces").get_data(as_text=True)
    assert "Beijing (京)" in provinces and "（京）" not in provinces
    sent = client.get("/admin/outbox").get_data(as_text=True)
    assert "1 try" in sent and "3 tries" in sent and "1 tries" not in sent
    client.get("/lang/zh_Hans_CN")
    chinese = client.get("/admin/provinces").get_data(as_text=True)
    assert "北京（京）" in chinese
