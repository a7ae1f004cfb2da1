"""The status panel's polling: 204 while nothing changed since the version the page shows, the new
panel (with its new version) after any change, 286 once final."""

from __future__ import annotations

import html
import re

from sqlalchemy import event

from domain.lifecycle.states import Action, Role
from domain.review import reviewing
from extensions import db
from runtime.policy import current_policy
from tests.helpers import transitions
from tests.helpers.wizard import walk_to_confirm

HTMX = {"HX-Request": "true"}


def poll_url(page: str) -> str:
    """The URL the panel in `page` polls, as the browser would read it."""
    match = re.search(r'hx-get="([^"]*/status[^"]*)"', page)
    assert match, "the panel does not poll"
    return html.unescape(match.group(1))


def test_poll_is_204_until_the_filing_changes(client, applicant, make_user):
    filing = walk_to_confirm(client, applicant)
    client.post(f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"})
    db.session.refresh(filing)
    url = poll_url(client.get(f"/filings/{filing.id}").get_data(as_text=True))
    assert url.endswith(f"?version={filing.version}")

    unchanged = client.get(url, headers=HTMX)
    assert unchanged.status_code == 204 and unchanged.get_data() == b""

    reviewer = make_user(Role.reviewer)
    assert reviewing.claim(filing, reviewer, current_policy())
    db.session.commit()
    db.session.refresh(filing)
    after_claim = client.get(url, headers=HTMX)
    assert after_claim.status_code == 200
    new_url = poll_url(after_claim.get_data(as_text=True))
    assert new_url.endswith(f"?version={filing.version}") and new_url != url
    assert client.get(new_url, headers=HTMX).status_code == 204

    reasons = [{"field": "subject.mailing_address", "reason": "通信地址须详细到门牌号"}]
    transitions.apply(filing, Action.initial_reject, reviewer, note="", data={"reasons": reasons})
    db.session.commit()
    rejected = client.get(new_url, headers=HTMX)
    assert rejected.status_code == 200
    assert "通信地址须详细到门牌号" in rejected.get_data(as_text=True)


def test_poll_of_a_final_filing_stops_even_with_an_old_version(client, applicant):
    filing = walk_to_confirm(client, applicant)
    url = poll_url(client.get(f"/filings/{filing.id}").get_data(as_text=True))
    client.post(f"/filings/{filing.id}/withdraw", data={"version": filing.version})
    final = client.get(url, headers=HTMX)
    assert final.status_code == 286 and "hx-get" not in final.get_data(as_text=True)


def test_odd_versions_take_the_full_path(client, applicant):
    filing = walk_to_confirm(client, applicant)
    for version in ("0", "-1", "abc", str(2**31), "99999999999999999999"):
        response = client.get(f"/filings/{filing.id}/status?version={version}", headers=HTMX)
        assert response.status_code == 200, version
    huge = client.get("/filings/99999999999/status?version=1", headers=HTMX)
    assert huge.status_code == 404


def test_ids_beyond_an_integer_column_are_404_not_500(client, applicant):
    """Every `<int:...>` route: the number never reaches PostgreSQL's INTEGER comparison."""
    for url in (
        "/filings/99999999999",
        "/filings/99999999999/status",
        "/review/filings/2147483648",
    ):
        assert client.get(url).status_code == 404, url


def test_the_rendered_panel_asks_the_database_once(client, applicant):
    """The filing, its owner and its province's rules (the step bar's SMS step) in one query."""
    filing = walk_to_confirm(client, applicant)
    client.post(f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"})
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(" ".join(statement.split()).lower())

    filing_id = filing.id
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        db.session.expunge_all()  # each request starts with an empty session, as when served
        panel = client.get(f"/filings/{filing_id}/status", headers=HTMX)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert panel.status_code == 200 and 'class="lifecycle"' in panel.get_data(as_text=True)
    # the tests' settings are read at every request (a server's every 30 s): not the panel's
    asked = [s for s in statements if "from app_settings" not in s]
    assert len(asked) == 1 and "join province_rules" in asked[0]
