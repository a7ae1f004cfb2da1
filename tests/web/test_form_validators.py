"""WTForms validators adapt the same rule functions as the pre-check, so they agree to the letter."""

from __future__ import annotations

import pytest
from flask_babel import gettext
from werkzeug.datastructures import MultiDict
from wtforms import Form, StringField

from domain import rules
from forms.validators import (
    DomainName,
    Email,
    IcpSubjectNumber,
    Mobile,
    PublicIp,
    ResidentId,
    Uscc,
    WebsiteName,
)


class SubjectForm(Form):
    kind = StringField()
    uscc = StringField("统一社会信用代码", [Uscc()])
    resident_id = StringField("身份证号码", [ResidentId()])
    mobile = StringField("手机号码", [Mobile()])
    email = StringField("电子邮箱", [Email()])
    icp = StringField("主体备案号", [IcpSubjectNumber()])
    domain = StringField("域名", [DomainName()])
    ip = StringField("IP", [PublicIp()])
    site_name = StringField("网站名称", [WebsiteName(lambda form: form.kind.data)])


GOOD = {
    "kind": "enterprise", "uscc": "913301069755TH2H1L", "resident_id": "330106199003071236",
    "mobile": "13800138000", "email": "a@example.cn", "icp": "浙ICP备2021000001号",
    "domain": "qinghe.cn", "ip": "121.40.55.12", "site_name": "青禾科技官网",
}  # fmt: skip


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
        ("uscc", "913301069755TH2H1M", lambda v: rules.check_uscc(v)),
        ("resident_id", "330106199003071237", lambda v: rules.check_resident_id(v)),
        ("mobile", "12800138000", lambda v: rules.check_mobile(v)),
        ("email", "a@", lambda v: rules.check_email(v)),
        ("icp", "浙ICP备123号", lambda v: rules.check_icp_subject_number(v)),
        ("domain", "www.qinghe.cn", lambda v: rules.check_domain_form(v)),
        ("ip", "10.0.0.1", lambda v: rules.check_public_ip(v)),
        ("site_name", "中国青禾", lambda v: rules.check_website_name_prefix(v, "enterprise")),
    ],
)
def test_form_error_is_the_rules_own_message(app, field, value, check):
    errors = validate(app, **{field: value})
    with app.test_request_context():
        assert errors == {field: [check(value).render(gettext)]}


def test_domain_validator_reads_the_suffix_table(app):
    assert "未获工信部批准" in validate(app, domain="qinghe.io")["domain"][0]


def test_form_errors_in_english(app):
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        form = SubjectForm(MultiDict({**GOOD, "mobile": "123"}))
        form.validate()
        assert form.errors["mobile"] == [
            "The mobile number must be an 11-digit mainland China mobile number"
        ]


def test_blank_optional_field_is_not_judged(app):
    assert validate(app, email="") == {}
