"""A refused province-rule save shows the admin's own input again, with the error under its field."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from domain.lifecycle.states import Role
from extensions import db
from models import AuditEvent, ProvinceRule

HTMX = {"HX-Request": "true"}


class Inputs(HTMLParser):
    """The form controls of a page: name -> value (checkboxes: checked), and ids -> error texts."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.values: dict[str, str | bool] = {}
        self.attrs_of: dict[str, dict[str, str | None]] = {}
        self.errors: dict[str, str] = {}  # the id of an error list -> its text
        self._textarea: str | None = None
        self._errors: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        name = found.get("name") or ""
        if tag == "input" and found.get("type") == "checkbox":
            self.values[name] = "checked" in found
        elif tag == "input":
            self.values[name] = found.get("value") or ""
        elif tag == "textarea":
            self._textarea, self.values[name] = name, ""
        elif tag == "ul" and "errors" in (found.get("class") or ""):
            self._errors = found["id"] or ""
            self.errors[self._errors] = ""
        if tag in ("input", "textarea"):
            self.attrs_of[name] = found

    def handle_endtag(self, tag):
        if tag == "textarea":  # a browser drops the newline WTForms writes after <textarea>
            text = str(self.values[self._textarea or ""])
            self.values[self._textarea or ""] = text.removeprefix("\r\n").removeprefix("\n")
            self._textarea = None
        elif tag == "ul":
            self._errors = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] = str(self.values[self._textarea]) + data
        if self._errors:
            self.errors[self._errors] += data.strip()


@pytest.fixture
def admin(app, client, make_user, login):
    user = make_user(Role.admin)
    login(user)
    return user


def stored(code: str = "33") -> tuple:
    db.session.expire_all()
    rule = db.session.get(ProvinceRule, code)
    return (rule.sms_required, rule.min_age, rule.bureau_review_workdays, rule.notes)


def audited() -> int:
    count = select(func.count()).where(AuditEvent.action == "province_rule_changed")
    return db.session.scalar(count)


def error_of(form: Inputs, name: str) -> str:
    """The error text the control `name` points at (aria-describedby)."""
    assert form.attrs_of[name]["aria-invalid"] == "true"
    return form.errors[form.attrs_of[name]["aria-describedby"] or ""]


TYPED = {"sms_required": "on", "min_age": "17", "notes": "我刚输入的备注"}


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"bureau_review_workdays": "400"}, "bureau_review_workdays",
         "管局审核工作日：应在 1–90 之间"),
        ({"bureau_review_workdays": "abc"}, "bureau_review_workdays", "管局审核工作日：请输入整数"),
        ({"bureau_review_workdays": "20", "min_age": "101"}, "min_age",
         "最低年龄：应在 0–100 之间"),
        ({"bureau_review_workdays": "20", "notes": "长" * 2001}, "notes", "备注：最多 2000 个字符"),
    ],
)  # fmt: skip
def test_refused_inline_save_shows_what_was_typed_and_the_error_under_its_field(
    client, admin, changes, field, error
):
    before = stored()
    typed = TYPED | changes
    response = client.post("/admin/provinces/33", data=typed, headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.lstrip().startswith('<tr id="province-33" class="editing">')
    form = Inputs(html)
    assert form.values == {
        "sms_required": True,  # typed on; stored off
        "mail_required": False,
        "copyright_footer": False,
        "local_mobile_required": False,
        "domain_certificate_required": False,  # typed off; stored on
        "min_age": typed["min_age"],
        "bureau_review_workdays": typed["bureau_review_workdays"],
        "domain_min_days": "0",  # not typed: the stored value
        "notes": typed["notes"],
    }
    assert error_of(form, field) == error
    assert [name for name, attrs in form.attrs_of.items() if attrs["aria-invalid"] == "true"] == [
        field
    ]
    assert stored() == before and audited() == 0


def test_refused_page_save_shows_what_was_typed_and_the_error_under_its_field(client, admin):
    before = stored()
    typed = TYPED | {"bureau_review_workdays": "0", "mail_items": "营业执照复印件"}
    response = client.post("/admin/provinces/33", data=typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" in html
    form = Inputs(html)
    assert {name: form.values[name] for name in typed} == {
        "sms_required": True,
        "min_age": "17",
        "notes": "我刚输入的备注",
        "bureau_review_workdays": "0",
        "mail_items": "营业执照复印件",
    }
    assert form.values["domain_certificate_required"] is False
    message = error_of(form, "bureau_review_workdays")
    assert message == "管局审核工作日：应在 1–90 之间"
    assert stored() == before and audited() == 0


def test_good_inline_save_stores_and_shows_the_row(client, admin):
    response = client.post(
        "/admin/provinces/33",
        data=TYPED | {"bureau_review_workdays": "20"},
        headers=HTMX,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<tr id="province-33">')
    assert "我刚输入的备注" in html and "<input" not in html
    assert stored() == (True, 17, 20, "我刚输入的备注") and audited() == 1


def test_good_page_save_stores_and_goes_back_to_the_table(client, admin):
    data = TYPED | {"bureau_review_workdays": "20", "mail_items": "营业执照复印件"}
    response = client.post("/admin/provinces/33", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/provinces")
    assert stored() == (True, 17, 20, "我刚输入的备注") and audited() == 1
    assert db.session.get(ProvinceRule, "33").mail_items == "营业执照复印件"


def test_the_edit_form_starts_from_the_stored_rule(client, admin):
    for headers in (HTMX, {}):
        form = Inputs(client.get("/admin/provinces/33", headers=headers).get_data(as_text=True))
        sms, min_age, workdays, notes = stored()
        assert form.values["sms_required"] is sms and form.values["min_age"] == str(min_age)
        assert form.values["bureau_review_workdays"] == str(workdays)
        assert form.values["notes"] == notes and not form.errors
