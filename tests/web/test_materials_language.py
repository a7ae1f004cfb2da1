"""Materials: upload on pick (the slot answers with a thumbnail; refusals name the
material), example pictures, the province's hints, the letter's signature lines, a pending QR code
kept over a reload, and the phone page naming who takes the photo."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from domain.filing import authenticity
from domain.lifecycle.states import FilingState
from extensions import db
from models import AuditEvent, Material, Person, ProvinceRule, utcnow
from tests.helpers.wizard import image_bytes, upload_material

HTMX = {"HX-Request": "true"}


@pytest.fixture
def app_config() -> dict:
    return {"MAIL_ADDRESS": "王收件 010-12345678 北京市海淀区测试路 1 号"}


@pytest.fixture
def due(applicant, make_filing):
    """The logged-in applicant's filing whose materials are due (浙江 unless a test says)."""
    return make_filing(FilingState.materials_pending, owner=applicant)


def uploads_of(filing) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Material).where(Material.filing_id == filing.id)
    )


# --- upload on pick ---------------------------------------------------------------------------


def test_an_htmx_upload_answers_its_slot_with_a_thumbnail_and_a_replace_button(client, due):
    response = upload_material(client, due, "business_licence", image_bytes("PNG"))
    html = response.get_data(as_text=True)
    material = db.session.scalar(select(Material).where(Material.filing_id == due.id))
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<div class="slot" id="material-business_licence-0">')
    image = f'src="/filings/{due.id}/materials/{material.id}"'
    assert image in html and 'alt="已上传：营业执照或单位证件"' in html
    assert 'data-pick-label="重新上传"' in html and 'hx-trigger="change"' in html
    assert 'hx-encoding="multipart/form-data"' in html and "<progress" in html


def test_a_website_material_slot_is_named_by_its_website(client, due):
    website = due.websites[0]
    html = upload_material(
        client, due, "commitment_letter", image_bytes("JPEG"), website_id=website.id
    ).get_data(as_text=True)
    assert f'id="material-commitment_letter-{website.id}"' in html
    assert f'name="website_id" value="{website.id}"' in html


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (image_bytes("GIF"), "只能上传 JPG 或 PNG 图片"),
        (image_bytes("PNG", size=(200, 200)), "图片太小，每边至少 300 像素"),
        (b"\x89PNG\r\n\x1a\n" + b"A" * (4 * 1024 * 1024 + 1), "文件超过 4 MB"),
    ],
)
def test_a_refused_file_is_named_under_its_material_keeping_the_stored_one(client, due, data, rule):
    upload_material(client, due, "id_front", image_bytes("PNG"))
    response = upload_material(client, due, "id_front", data, name="card.gif")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html
    error = re.search(
        r'<p class="slot-error" id="material-id_front-0-error" role="alert">([^<]*)<', html
    )
    assert error and error.group(1).startswith(f"负责人身份证人像面：{rule}")
    assert "<img" in html  # the image stored before is still shown
    assert uploads_of(due) == 1


def test_an_english_refusal_names_the_material_in_english(client, due):
    client.get("/lang/en")
    html = upload_material(client, due, "id_front", image_bytes("GIF")).get_data(as_text=True)
    error = re.search(r'id="material-id_front-0-error" role="alert">([^<]*)<', html).group(1)
    assert "身份证" not in error and "JPG" in error


def test_without_javascript_the_form_posts_and_the_page_shows_the_thumbnail(client, due):
    response = upload_material(client, due, "id_back", image_bytes("JPEG"), htmx=False)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    material = db.session.scalar(select(Material).where(Material.filing_id == due.id))
    assert f'src="/filings/{due.id}/materials/{material.id}"' in page
    assert "已上传：负责人身份证国徽面" in page  # the flash and the thumbnail's alt
    assert '<button type="submit" class="secondary">上传</button>' in page  # for no script


def test_without_javascript_a_refusal_shows_the_page_with_the_error_under_the_material(client, due):
    response = upload_material(client, due, "id_back", image_bytes("GIF"), htmx=False)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" in page
    assert re.search(
        r'id="material-id_back-0-error" role="alert">负责人身份证国徽面：只能上传', page
    )


def test_the_same_file_sent_twice_is_one_current_upload(client, due):
    scan = image_bytes("JPEG", color=(10, 120, 30))
    first = upload_material(client, due, "id_front", scan)
    second = upload_material(client, due, "id_front", scan)  # a double pick, a second click
    assert first.status_code == second.status_code == 200
    assert uploads_of(due) == 1
    audited = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.filing_id == due.id, AuditEvent.action == "upload")
    )
    assert audited == 1
    upload_material(client, due, "id_front", image_bytes("JPEG", color=(200, 200, 30)))  # replaced
    assert uploads_of(due) == 2


# --- example pictures (示例图) ---------------------------------------------------------------


def test_each_material_has_an_example_picture_opened_inline(client, due):
    page = client.get(f"/filings/{due.id}/materials").get_data(as_text=True)
    assert page.count('<details class="example">') == 5  # licence, ID ×2, domain, letter
    for picture in ("business_licence", "id_front", "id_back", "domain_certificate", "letter"):
        assert f"/static/examples/{picture}" in page
    assert 'alt="示例图：负责人身份证人像面"' in page
    assert "四角完整" in page and "单位须加盖公章" in page
    svg = client.get("/static/examples/id_front.svg")
    assert svg.status_code == 200 and b"<svg" in svg.data
    svg.close()


# --- the province's hints ----------------------------------------------------------------------


def test_hints_come_from_the_province_rule(client, applicant, make_filing):
    filing = make_filing(FilingState.materials_pending, owner=applicant, province="32")
    rule = db.session.get(ProvinceRule, "32")
    rule.mail_required, rule.mail_items = True, "承诺书原件一份（盖章）"
    rule.domain_certificate_required = False
    db.session.commit()
    page = client.get(f"/filings/{filing.id}/materials").get_data(as_text=True)
    assert "江苏管局的要求" in page
    assert "本省要求邮寄资料原件：承诺书原件一份（盖章）" in page
    assert "邮寄地址：王收件 010-12345678 北京市海淀区测试路 1 号" in page
    assert "本省无需上传域名证书。" in page and "域名证书（实名信息截图）" not in page
    assert "本省要求负责人的手机号码为本省号码。" in page  # 江苏's seeded rules
    assert "页脚显示备案号" in page
    assert "R-A-1" not in page and "R-P-5" not in page  # the staff's notes stay with the staff


def test_a_province_without_those_rules_shows_only_what_it_asks(client, due):
    page = client.get(f"/filings/{due.id}/materials").get_data(as_text=True)
    assert "浙江管局的要求" in page
    assert "本省要求上传域名证书（实名信息截图）。" in page
    assert "邮寄" not in page and "本省号码" not in page and "页脚" not in page


# --- the printable letter ----------------------------------------------------------------------


def test_a_company_commitment_letter_ends_with_the_stamp_and_date_lines(client, due):
    letter = client.get(f"/filings/{due.id}/templates/commitment_letter").get_data(as_text=True)
    signature = letter[letter.index("接入服务商") :]
    assert (
        signature.index("网站负责人（签字）")
        < signature.index("单位盖章")
        < signature.index("日期")
    )
    assert "本人签字" not in letter


def test_an_individual_commitment_letter_ends_with_the_own_signature_and_date(client, due):
    due.subject.kind = "individual"
    db.session.commit()
    letter = client.get(f"/filings/{due.id}/templates/commitment_letter").get_data(as_text=True)
    assert "本人签字" in letter and "日期" in letter and "单位盖章" not in letter


# --- a pending QR code survives a reload --------------------------------------------------------


def link_in(html: str) -> str | None:
    found = re.search(r'class="verify-link">(http://localhost/verify/[^<]+)<', html)
    return found.group(1) if found else None


def test_a_reload_shows_the_same_pending_qr_code_with_its_remaining_time(client, due):
    website = due.websites[0]
    started = client.post(
        f"/filings/{due.id}/websites/{website.id}/authenticity", headers=HTMX
    ).get_data(as_text=True)
    link = link_in(started)
    assert link and "剩余约 30 分钟" in started
    page = client.get(f"/filings/{due.id}/materials").get_data(as_text=True)
    assert link_in(page) == link and "<svg" in page and "重新生成二维码" in page
    with time_machine.travel(utcnow() + timedelta(minutes=12)):
        later = client.get(f"/filings/{due.id}/materials").get_data(as_text=True)
        assert link_in(later) == link and "剩余约 18 分钟" in later
        phone = client.application.test_client()
        assert phone.get(link.replace("http://localhost", "")).status_code == 200
    with time_machine.travel(utcnow() + authenticity.VALID_FOR + timedelta(seconds=5)):
        expired = client.get(f"/filings/{due.id}/materials").get_data(as_text=True)
        assert link_in(expired) is None and "生成核验二维码" in expired


def test_regenerating_gives_a_new_code_and_the_old_one_stops_working(client, due):
    website = due.websites[0]
    url = f"/filings/{due.id}/websites/{website.id}/authenticity"
    first = link_in(client.post(url, headers=HTMX).get_data(as_text=True))
    second = link_in(client.post(url, headers=HTMX).get_data(as_text=True))
    assert first != second
    phone = client.application.test_client()
    assert phone.get(first.replace("http://localhost", "")).status_code == 404
    assert link_in(client.get(f"/filings/{due.id}/materials").get_data(as_text=True)) == second


def test_polling_a_pending_code_answers_204_until_something_changes(client, due):
    website = due.websites[0]
    url = f"/filings/{due.id}/websites/{website.id}/authenticity"
    started = client.post(url, headers=HTMX).get_data(as_text=True)
    poll = re.search(r'class="poll" hx-get="([^"]+)"', started).group(1).replace("&amp;", "&")
    assert client.get(poll).status_code == 204
    with time_machine.travel(utcnow() + timedelta(minutes=3)):
        moved = client.get(poll)
        assert moved.status_code == 200 and link_in(moved.get_data(as_text=True))


def test_a_link_that_cannot_be_shown_again_says_so_and_offers_a_new_one(client, due):
    website = due.websites[0]
    authenticity.start(website)  # a random token (as before this change): not derivable again
    db.session.commit()
    page = client.get(f"/filings/{due.id}/materials").get_data(as_text=True)
    assert link_in(page) is None and "无法再次显示" in page and "重新生成二维码" in page


# --- the phone page names who takes the photo -----------------------------------------------


def test_the_phone_page_names_the_person_who_must_take_the_photo_masked(client, due):
    website = due.websites[0]
    started = client.post(
        f"/filings/{due.id}/websites/{website.id}/authenticity", headers=HTMX
    ).get_data(as_text=True)
    assert "网站负责人（即主体负责人）王**" in started  # the desktop says it too
    phone = client.application.test_client()
    html = phone.get(link_in(started).replace("http://localhost", "")).get_data(as_text=True)
    assert "请网站负责人（即主体负责人）王**本人拍照" in html
    assert "王小明" not in html and "拍摄本人正面照片" in html


def test_a_website_with_its_own_responsible_person_names_that_person(client, due):
    website = due.websites[0]
    website.responsible_person = Person(name="欧阳娜娜", mobile="13900139000")
    db.session.commit()
    started = client.post(
        f"/filings/{due.id}/websites/{website.id}/authenticity", headers=HTMX
    ).get_data(as_text=True)
    html = client.application.test_client().get(link_in(started).replace("http://localhost", ""))
    text = html.get_data(as_text=True)
    assert "请网站负责人欧***本人拍照" in text and "欧阳娜娜" not in text
