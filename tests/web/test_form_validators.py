"""WTForms validators adapt the same rule functions as the pre-check, so they agree to the letter."""

from __future__ import annotations

import pytest
from flask_babel import gettext
from werkzeug.datastructures import MultiDict
from wtforms import Form, StringField

from domain.rulebook import rules
from forms.validators import (
    Email,
    Mobile,
)


class SubjectForm(Form):
    mobile = StringField("手机号码", [Mobile()])
    email = StringField("电子邮箱", [Email()])


GOOD = {"mobile": "13800138000", "email": "a@example.cn"}


def validate(app, **changes):
    with app.test_request_context():
        form = SubjectForm(MultiDict({**GOOD, **changes}))
        form.validate()
        return form.errors


def test_good_values_pass(app):
    assert validate(app) == {}


@pytest.mark.parametrize(
    ("field", "value", "check"),
    [
        ("mobile", "12800138000", lambda v: rules.check_mobile(v)),
        ("email", "a@", lambda v: rules.check_email(v)),
    ],
)
def test_form_error_is_the_rules_own_message(app, field, value, check):
    errors = validate(app, **{field: value})
    with app.test_request_context():
        assert errors == {field: [check(value).render(gettext)]}


def test_form_errors_in_english(app):
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        form = SubjectForm(MultiDict({**GOOD, "mobile": "123"}))
        form.validate()
        assert form.errors["mobile"] == [
            "The mobile number must be an 11-digit mainland China mobile number"
        ]


def test_blank_optional_field_is_not_judged(app):
    assert validate(app, email="") == {}
