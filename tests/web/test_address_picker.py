"""The address picker (省/市/区) of the subject's addresses: drawn hidden beside each address box
(shown by static/app.js), set from the places the address starts with or else the order's
province; each choice draws it again by htmx with the address to put in the box, the chosen
places in front of what followed the old ones. Without scripts the box works as it did."""

from __future__ import annotations

import html
import re

from domain.filing.filings import account_ips
from domain.lifecycle.states import Role
from extensions import db
from models import Filing
from tests.helpers.wizard import SUBJECT_FORM, filing_id_from, walk_to_confirm


def _at_subject_step(client, applicant) -> Filing:
    response = client.post(
        "/filings/new",
        data={"certificate_type": "uscc", "certificate_number": "913301069755TH2H1L",
              "domain": "qinghe.cn"},
    )  # fmt: skip
    filing = db.session.get(Filing, filing_id_from(response.headers["Location"]))
    client.post(f"/filings/{filing.id}/product", data={"ips": account_ips(applicant)})
    client.post(f"/filings/{filing.id}/password", data={"password": "Qinghe2021"})
    return filing


def _picker(page: str, field: str) -> str:
    start = page.index(f'id="place-{field}"')
    return page[page.rindex("<fieldset", 0, start) : page.index("</fieldset>", start)]


def _selected(picker: str, level: str) -> str | None:
    select = picker[picker.index(f'name="place_{level}"') :]
    select = select[: select.index("</select>")]
    found = re.search(r'<option value="(\w+)" selected>', select)
    return found.group(1) if found else None


def _address(picker: str) -> str:
    return html.unescape(re.search(r'data-address="([^"]*)"', picker).group(1))


def _ask(client, filing, field="certificate_address", address="", **chosen):
    query = {"field": field, field: address, **{f"place_{k}": v for k, v in chosen.items()}}
    return client.get(f"/filings/{filing.id}/places", query_string=query)


def test_each_address_has_a_hidden_picker_at_the_orders_province(client, applicant):
    filing = _at_subject_step(client, applicant)
    page = client.get(f"/filings/{filing.id}/subject").get_data(as_text=True)
    for field in ("certificate_address", "mailing_address"):
        picker = _picker(page, field)
        assert " hidden" in picker.split(">", 1)[0]  # shown by app.js: without scripts, no picker
        assert f'data-place-for="{field}"' in picker and 'hx-get="' in picker
        assert _selected(picker, "province") == filing.province == "33"  # 浙江 (the order's)
        assert _selected(picker, "city") is None and "data-address" not in picker
        assert ">杭州市</option>" in picker  # the province's cities are offered at once
    assert page.index('id="place-certificate_address"') < page.index('id="certificate_address"')


def test_the_picker_starts_at_the_places_an_address_names(client, applicant):
    filing = walk_to_confirm(client, applicant)  # 浙江省杭州市西湖区文三路 1 号
    client.post(
        f"/filings/{filing.id}/subject",
        data={**SUBJECT_FORM, "mailing_address": "北京市朝阳区建国路 1 号"},
    )
    page = client.get(f"/filings/{filing.id}/subject").get_data(as_text=True)
    certificate = _picker(page, "certificate_address")
    assert [_selected(certificate, level) for level in ("province", "city", "district")] == [
        "33", "3301", "330106"
    ]  # fmt: skip
    mailing = _picker(page, "mailing_address")  # a municipality: 北京市 → 北京市 → 朝阳区
    assert [_selected(mailing, level) for level in ("province", "city", "district")] == [
        "11", "1100", "110105"
    ]  # fmt: skip


def test_a_choice_puts_the_places_in_front_of_the_rest_of_the_address(client, applicant):
    filing = _at_subject_step(client, applicant)
    typed = "浙江省杭州市西湖区文三路 1 号"
    province = _ask(client, filing, province="32", city="3301", address=typed)
    assert province.status_code == 200
    picker = province.get_data(as_text=True)
    assert _address(picker) == "江苏省文三路 1 号"  # the old places gone, the street kept
    assert _selected(picker, "city") is None and ">南京市</option>" in picker  # 杭州 dropped
    district = _ask(client, filing, province="32", city="3201", district="320102",
                    address="江苏省文三路 1 号")  # fmt: skip
    assert _address(district.get_data(as_text=True)) == "江苏省南京市玄武区文三路 1 号"
    city_level = _ask(client, filing, province="42", city="429004", address="")  # 仙桃: no district
    picker = city_level.get_data(as_text=True)
    assert _address(picker) == "湖北省仙桃市"
    assert re.search(r'name="place_district"[^>]*disabled', picker)


def test_the_picker_answers_only_for_an_address_of_the_applicants_own_filing(
    client, applicant, make_user, login
):
    filing = _at_subject_step(client, applicant)
    assert _ask(client, filing, field="remark", province="33").status_code == 404
    client.post("/auth/logout")
    login(make_user(Role.applicant))
    assert _ask(client, filing, province="33").status_code == 404


def test_without_scripts_the_subject_step_saves_the_address_as_typed(client, applicant):
    filing = _at_subject_step(client, applicant)
    posted = {**SUBJECT_FORM, "certificate_address": "浙江省杭州市西湖区文三路 9 号",
              "place_province": "32", "place_city": "3201", "place_district": "320102"}  # fmt: skip
    assert client.post(f"/filings/{filing.id}/subject", data=posted).status_code == 302
    db.session.refresh(filing)
    assert filing.subject.certificate_address == "浙江省杭州市西湖区文三路 9 号"


def test_the_picker_reads_in_english(client, applicant):
    filing = _at_subject_step(client, applicant)
    client.get("/lang/en")
    page = client.get(f"/filings/{filing.id}/subject").get_data(as_text=True)
    picker = _picker(page, "certificate_address")
    assert "Certificate address: province, city, district" in picker
    assert ">District or county</option>" in picker


def test_a_picked_place_carries_its_province_for_the_subjects_province_field(client, applicant):
    """The picker drawn again names the picked province (A1 code) for static/app.js to put into the
    subject's province field (a 首次备案): the certificate address's whenever it differs, the
    mailing address's only into an empty field."""
    filing = _at_subject_step(client, applicant)
    picker = _ask(client, filing, address="文三路 1 号", province="44", city="4403").get_data(
        as_text=True
    )
    head = picker.split(">", 1)[0]
    assert 'data-province="44"' in head and 'data-province-when="differs"' in head
    mailing = _ask(client, filing, field="mailing_address", province="44").get_data(as_text=True)
    assert 'data-province-when="empty"' in mailing.split(">", 1)[0]
    page = client.get(f"/filings/{filing.id}/subject").get_data(as_text=True)
    assert "data-province=" not in page  # the page's own pickers change nothing
