"""The status poll's short path (204 after one lookup) lets through exactly whom the full path
lets through: every other role, a disabled owner and a logged-out client get the full path's
answer, never a 204."""

from __future__ import annotations

from extensions import db
from models import Filing
from tests.helpers.access import ROLES, client_as
from tests.helpers.wizard import image_bytes, multipart

HTMX = {"HX-Request": "true"}


def test_only_the_owner_gets_the_short_answer(app, world):
    filing = db.session.get(Filing, world["values"]["filing_id"])
    current = f"/filings/{filing.id}/status?version={filing.version}"
    full = f"/filings/{filing.id}/status"
    for role in ROLES:
        client = client_as(app, role, world["users"])
        short_answer = client.get(current, headers=HTMX).status_code
        full_answer = client.get(full, headers=HTMX).status_code
        if role == "owner":
            assert (short_answer, full_answer) == (204, 200)
        else:
            assert short_answer == full_answer and full_answer in (302, 401, 403, 404), role


def test_a_disabled_owner_loses_the_short_answer_at_once(app, world):
    filing = db.session.get(Filing, world["values"]["filing_id"])
    owner = world["users"]["owner"]
    client = client_as(app, "owner", world["users"])
    url = f"/filings/{filing.id}/status?version={filing.version}"
    assert client.get(url, headers=HTMX).status_code == 204
    owner.is_enabled = False
    db.session.commit()
    assert client.get(url, headers=HTMX).status_code in (302, 401)
    with client.session_transaction() as session:
        assert session.get("_user_id") == str(owner.id)  # still the owner's cookie


def test_a_logged_out_session_loses_the_short_answer(app, world):
    filing = db.session.get(Filing, world["values"]["filing_id"])
    client = client_as(app, "owner", world["users"])
    url = f"/filings/{filing.id}/status?version={filing.version}"
    assert client.get(url, headers=HTMX).status_code == 204
    client.post("/auth/logout")
    assert client.get(url, headers=HTMX).status_code in (302, 401)


def test_posted_row_ids_that_are_not_ids_are_refused_without_a_server_error(app, world):
    """Hidden id fields take any text: a material's website, a deny-list word."""
    filing_id = world["values"]["filing_id"]
    owner = client_as(app, "owner", world["users"])
    admin = client_as(app, "admin", world["users"])
    for odd in ("abc", "-1", "99999999999", "2147483648"):
        body, content_type = multipart(
            {"kind": "id_front", "website_id": odd}, "file", image_bytes("PNG"), "a.png"
        )
        upload = owner.post(f"/filings/{filing_id}/materials", data=body, content_type=content_type)
        word = admin.post("/admin/tables/deny-words/remove", data={"word_id": odd})
        assert (upload.status_code, word.status_code) == (404, 302), odd
