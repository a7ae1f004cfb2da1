"""The applicant's message centre (消息中心): every SMS and e-mail sent about their filings, newest
first, the same text; an unread count in the header; mark as read; only their own."""

from __future__ import annotations

import re

from sqlalchemy import select

from adapters.console import LogEmailSender, LogSmsGateway
from domain.lifecycle.states import FilingState, Role
from extensions import db
from models import OutboxMessage, utcnow
from runtime import notify
from runtime.policy import current_policy
from tests.helpers.wizard import load_demo


def _ids(page: str) -> list[int]:
    return [int(found) for found in re.findall(r'id="message-(\d+)"', page)]


def _unread_badge(page: str) -> str:
    found = re.search(r'<span id="unread-count">(.*?)</span></a>', page, re.S)
    assert found, "the header has an unread count"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_an_applicant_reads_their_messages_newest_first_in_the_words_sent(
    app, client, login, make_user, make_filing
):
    owner = make_user(Role.applicant)
    filing = make_filing(FilingState.approved, owner=owner)
    notify.dispatch_pending(LogSmsGateway(), LogEmailSender(), policy=current_policy())
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.account_id == owner.id).order_by(OutboxMessage.id)
    ).all()
    assert len(rows) >= 5  # submitted, materials, bureau, sms, approved (e-mail and SMS)
    login(owner)

    page = client.get("/messages/").get_data(as_text=True)
    approved = [row for row in rows if row.template == "filing_approved"]
    assert sorted(row.channel for row in approved) == ["email", "sms"]  # one notice, two channels
    notices = len(rows) - 1
    assert _ids(page) == [row.id for row in reversed(rows) if row is not approved[1]]
    card = page.split(f'id="message-{approved[0].id}"')[1].split("</article>")[0]
    assert card.count('class="badge badge-muted"') == 2 and "短信内容（发送至 138****8000）" in card
    for row in rows:  # the same text that went out (the e-mail's text part, the SMS text)
        rendered = notify.render(row, current_policy())
        assert rendered.subject in page
        assert rendered.text.splitlines()[0] in page or rendered.text.splitlines()[-1] in page
    assert f"/filings/{filing.id}" in page
    assert "138****8000" in page and "13800138000" not in page  # the SMS number masked
    assert _unread_badge(page) == str(notices)
    assert _unread_badge(client.get("/filings/").get_data(as_text=True)) == str(notices)
    client.post(f"/messages/{approved[0].id}/read")  # the notice: both of its channels
    assert all(row.read_at is not None for row in approved)
    assert _unread_badge(client.get("/messages/").get_data(as_text=True)) == str(notices - 1)


def test_marking_read_lowers_the_count_one_by_one_and_all_at_once(
    app, client, login, make_user, make_filing
):
    owner = make_user(Role.applicant)
    make_filing(FilingState.materials_pending, owner=owner)  # two e-mails
    first, second = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.account_id == owner.id).order_by(OutboxMessage.id)
    ).all()
    login(owner)
    response = client.post(f"/messages/{first.id}/read", headers={"HX-Request": "true"})
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and f'id="message-{first.id}"' in fragment
    assert "未读" not in fragment.split('id="unread-count"')[0]  # the row no longer says unread
    assert 'id="unread-count" hx-swap-oob="true"' in fragment and ">1<" in fragment
    assert _unread_badge(client.get("/messages/").get_data(as_text=True)) == "1"

    assert client.post(f"/messages/{first.id}/read").status_code == 302  # again: no change
    assert client.post("/messages/read").status_code == 302
    assert _unread_badge(client.get("/messages/").get_data(as_text=True)) == ""
    db.session.refresh(second)
    assert second.read_at is not None


def test_an_applicant_sees_only_their_own_messages(app, client, login, make_user, make_filing):
    owner, other = make_user(Role.applicant), make_user(Role.applicant)
    make_filing(FilingState.submitted, owner=owner)
    theirs = make_filing(FilingState.initial_rejected, owner=other)
    other_ids = db.session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.account_id == other.id)
    ).all()
    assert other_ids
    login(owner)
    page = client.get("/messages/").get_data(as_text=True)
    assert len(_ids(page)) == 1 and not set(_ids(page)) & set(other_ids)
    assert f"#{theirs.id} " not in page
    for message_id in other_ids:  # another's message: as if it did not exist, and left unread
        assert client.post(f"/messages/{message_id}/read").status_code == 404
    assert client.post("/messages/read").status_code == 302
    assert (
        db.session.scalar(
            select(OutboxMessage.id).where(
                OutboxMessage.account_id == other.id, OutboxMessage.read_at.is_not(None)
            )
        )
        is None
    )
    assert client.post("/messages/99999999999/read").status_code == 404


def test_staff_have_no_message_centre(app, client, login, make_user):
    for role in (Role.reviewer, Role.admin):
        login(make_user(role))
        assert client.get("/messages/").status_code == 403
        assert "消息中心" not in client.get("/review/").get_data(as_text=True)


def test_a_verification_code_shows_masked_in_the_message_centre(
    app, client, login, make_user, make_filing
):
    load_demo()  # the registry: the code goes to the mobile on the MIIT record
    owner = make_user(Role.applicant)
    filing = make_filing(FilingState.sms_pending, owner=owner)
    login(owner)
    page = client.get("/messages/").get_data(as_text=True)
    assert "验证码：******" in page
    row = db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.filing_id == filing.id, OutboxMessage.template == "sms_code"
        )
    )
    code = notify.sms_params(row, current_policy())["code"]
    assert len(code) == 6 and code not in page


def test_a_notice_is_never_split_between_two_pages(
    app, client, login, make_user, make_filing, monkeypatch
):
    from domain.support import outbox

    owner = make_user(Role.applicant)
    make_filing(FilingState.approved, owner=owner)
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.account_id == owner.id)
        .order_by(OutboxMessage.id.desc())
    ).all()  # fmt: skip
    assert rows[0].template == rows[1].template == "filing_approved"  # its e-mail and SMS
    monkeypatch.setattr(outbox, "PAGE_SIZE", 3)
    first, before = outbox.inbox_page(owner)
    assert [n.id for n in first] == [rows[1].id] and len(first[0].messages) == 2
    second, _more = outbox.inbox_page(owner, before)
    assert second[0].id == rows[2].id and len(second[0].messages) == 1


def test_the_header_counts_up_to_99_unread_notices_then_says_99_plus(app, client, login, make_user):
    owner = make_user(Role.applicant)
    login(owner)
    for number in range(100):  # a hundred notices, each one e-mail and one SMS
        for channel in ("email", "sms"):
            db.session.add(OutboxMessage(
                account_id=owner.id, channel=channel, recipient="x", template="filing_approved",
                context={"number": number}, status="sent", sent_at=utcnow(),
            ))  # fmt: skip
    db.session.commit()
    assert _unread_badge(client.get("/filings/").get_data(as_text=True)) == "99+"
    db.session.execute(
        OutboxMessage.__table__.delete().where(OutboxMessage.context["number"].as_integer() < 2)
    )  # fmt: skip
    db.session.commit()
    assert _unread_badge(client.get("/filings/").get_data(as_text=True)) == "98"
