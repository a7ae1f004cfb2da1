"""The printable letters: a company's authorisation letter is stamped and signed by the legal
representative, an individual's is a person's authorisation; each letter has the favicon and a
print hint in the user's language while the letter itself stays Chinese."""

from __future__ import annotations

import pytest

from domain.lifecycle.states import FilingState
from extensions import db
from models import Filing, Person

PRINT_HINT = "打印后用黑色签字笔签署，拍摄彩色照片上传（本提示不必打印）。"


@pytest.fixture
def due(applicant, make_filing):
    return make_filing(FilingState.materials_pending, owner=applicant)


def make_individual(filing: Filing) -> None:
    filing.subject.kind = "individual"
    filing.subject.name = "张伟"
    filing.subject.certificate_type = "resident_id"
    filing.subject.certificate_number = "330106199003071236"
    db.session.commit()


def test_a_company_authorisation_letter_is_stamped_and_signed_by_the_legal_representative(
    client, due
):
    letter = client.get(f"/filings/{due.id}/templates/authorisation_letter").get_data(as_text=True)
    assert "单位（盖章）：杭州青禾科技有限公司" in letter
    assert letter.index("单位（盖章）") < letter.index("法定代表人（签字）") < letter.index("日期")
    assert "委托人" not in letter


def test_an_individual_authorisation_letter_is_a_persons_authorisation(client, due):
    make_individual(due)
    letter = client.get(f"/filings/{due.id}/templates/authorisation_letter").get_data(as_text=True)
    assert "单位" not in letter and "法定代表人" not in letter and "盖章" not in letter
    assert "委托人：张伟" in letter
    assert letter.index("委托人（签字）") < letter.index("被委托人（签字）") < letter.index("日期")


@pytest.mark.parametrize("kind", ["authorisation_letter", "commitment_letter"])
def test_a_letter_has_the_favicon_and_a_print_hint_in_the_users_language(app, client, due, kind):
    path = f"/filings/{due.id}/templates/{kind}"
    chinese = client.get(path).get_data(as_text=True)
    assert PRINT_HINT in chinese
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in chinese
    client.get("/lang/en")
    page = client.get(path).get_data(as_text=True)
    assert PRINT_HINT not in page
    assert (
        '<p class="hint" lang="en">After printing, sign in black ink, take a colour photo and '
        "upload it (this note need not be printed).</p>"
    ) in page
    assert '<html lang="zh-CN">' in page and "签字" in page  # the letter itself stays Chinese


def test_the_authorisation_letter_names_the_website_person_it_authorises(client, due):
    website = due.websites[0]
    website.responsible_person = Person(
        name="李娜", id_type="resident_id", id_number="440106199508122241",
        mobile="13826001234", email="lina@example.cn",
    )  # fmt: skip
    db.session.commit()
    letter = client.get(
        f"/filings/{due.id}/templates/authorisation_letter?website={website.id}"
    ).get_data(as_text=True)
    assert (
        "兹授权 李娜（身份证号码：440106199508122241）为 杭州青禾科技有限公司 的网站负责人"
        in letter
    )
    assert "____________（身份证号码" not in letter
    assert website.name in letter
