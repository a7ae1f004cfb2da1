"""The wizard as a person on a phone or in a hurry meets it: mobile fields bring up the number pad,
the steps with typing are marked for the leave warning, the confirm page's findings link to the
step and field where they are fixed."""

from __future__ import annotations

import re

from extensions import db
from tests.helpers.wizard import walk_to_confirm


def test_mobile_fields_are_tel_with_a_number_pad(client, applicant):
    filing = walk_to_confirm(client, applicant)
    subject = client.get(f"/filings/{filing.id}/subject").get_data(as_text=True)
    mobile = re.search(r'<input[^>]*id="person_mobile"[^>]*>', subject).group(0)
    assert 'type="tel"' in mobile and 'inputmode="numeric"' in mobile
    email = re.search(r'<input[^>]*id="person_email"[^>]*>', subject).group(0)
    assert 'type="tel"' not in email
    checked = client.post(
        f"/filings/{filing.id}/subject/check?field=person_mobile", data={"person_mobile": "138"}
    ).get_data(as_text=True)  # the field as htmx swaps it in after a check
    assert 'type="tel"' in re.search(r'<input[^>]*id="person_mobile"[^>]*>', checked).group(0)
    websites = client.get(f"/filings/{filing.id}/websites").get_data(as_text=True)
    mobile = re.search(r'<input[^>]*id="websites-0-person_mobile"[^>]*>', websites).group(0)
    assert 'type="tel"' in mobile and 'inputmode="numeric"' in mobile


def test_the_steps_with_typing_are_marked_for_the_leave_warning(client, applicant):
    filing = walk_to_confirm(client, applicant)
    for step in ("subject", "websites"):
        page = client.get(f"/filings/{filing.id}/{step}").get_data(as_text=True)
        assert re.search(r"<form[^>]*data-unsaved", page), step


def test_the_confirm_page_links_a_finding_to_its_field(client, applicant):
    filing = walk_to_confirm(client, applicant)
    client.post(
        f"/filings/{filing.id}/subject",
        data={"certificate_address": "甘肃省兰州市城关区庆阳路 8 号",
              "mailing_address": "浙江省杭州市西湖区文三路 1 号 5 楼", "person_name": "王小明",
              "person_id_type": "resident_id", "person_id_number": "330106199003071236",
              "person_mobile": "13800138000", "person_email": "wangxm@qinghe.cn"},
    )  # fmt: skip
    page = client.get(f"/filings/{filing.id}/confirm").get_data(as_text=True)
    problems = page.split('<ul class="problems">')[1].split("</ul>")[0]
    assert (
        f'<a class="field-link" href="/filings/{filing.id}/subject#field-certificate_address">'
        "<strong>证件住所</strong></a>：" in problems
    )
    assert "R-P-12" not in problems and "subject.certificate_address" not in problems


def step_items(page: str) -> dict[str, str]:
    """The step bar's items: label -> the li's class plus "link" when it is a link."""
    bar = page.split('class="wizard-steps"')[1].split("</ol>")[0]
    items = {}
    for css, body in re.findall(r'<li class="([^"]*)"[^>]*>(.*?)</li>', bar, re.S):
        label = re.sub(r"<[^>]+>|\s", "", body)
        items[label] = css + (" link" if "<a " in body else "")
    return items


def test_the_step_bar_opens_and_ticks_the_steps_in_order(client, applicant):
    filing = walk_to_confirm(client, applicant)
    assert step_items(client.get(f"/filings/{filing.id}/confirm").get_data(as_text=True)) == {
        "验证备案类型": "done", "产品验证": "done link", "备案密码": "done link",
        "主体信息": "done link", "网站信息": "done link", "确认提交": "current",
    }  # fmt: skip
    filing.password_verified_at = None  # as if the password step had been skipped
    db.session.commit()
    items = step_items(client.get(f"/filings/{filing.id}/product").get_data(as_text=True))
    assert items["备案密码"] == " link"  # open: the step before it is done
    assert items["主体信息"] == "" and items["网站信息"] == ""  # neither ticked nor open


def test_the_confirm_page_shows_the_customers_own_numbers_whole(client, applicant):
    from tests.helpers.wizard import SUBJECT_FORM, walk_to_confirm

    filing = walk_to_confirm(client, applicant)
    page = client.get(f"/filings/{filing.id}/confirm").get_data(as_text=True)
    person = filing.subject.responsible_person
    for own in (filing.subject.certificate_number, person.id_number, person.mobile, person.email):
        assert own and own in page, own
    assert SUBJECT_FORM["person_mobile"] in page
    status = client.get(f"/filings/{filing.id}").get_data(as_text=True)  # masked elsewhere
    assert person.id_number not in status
