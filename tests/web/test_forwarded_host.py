"""Behind the shipped nginx (BEIAN_BEHIND_PROXY=true) a client's own Host or X-Forwarded-Host
never reaches a link or a redirect: the phone page's QR link is built from BEIAN_PUBLIC_URL, and the
language switch goes back to a path on this site."""

from __future__ import annotations

import re

import pytest

from domain.lifecycle.states import Action, Role
from extensions import db
from tests.helpers import transitions
from tests.helpers.wizard import walk_to_confirm

PUBLIC_URL = "https://beian.example.cn"
ATTACKER = {"X-Forwarded-Host": "attacker.example"}


@pytest.fixture
def app_config() -> dict:
    return {"BEHIND_PROXY": True, "PUBLIC_URL": PUBLIC_URL}


def test_the_qr_link_uses_the_public_url_whatever_host_the_request_names(
    client, applicant, make_user
):
    filing = walk_to_confirm(client, applicant)
    client.post(f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"})
    db.session.refresh(filing)
    transitions.apply(filing, Action.initial_approve, make_user(Role.reviewer))
    db.session.commit()
    website = filing.websites[0]
    url = f"/filings/{filing.id}/websites/{website.id}/authenticity"
    html = client.post(url, headers={**ATTACKER, "HX-Request": "true"}).get_data(as_text=True)
    links = re.findall(r'href="([^"]*/verify/[^"]+)"', html)
    assert links and all(link.startswith(f"{PUBLIC_URL}/verify/") for link in links)
    assert "attacker.example" not in html


@pytest.mark.parametrize("extra", [{}, {"Host": "attacker.example"}])
def test_the_language_switch_never_redirects_to_the_forwarded_host(client, extra):
    response = client.get(
        "/lang/en",
        headers={**ATTACKER, **extra, "Referer": "http://attacker.example/filings/?page=2"},
    )
    location = response.headers["Location"]
    assert response.status_code == 302 and location.startswith("/") and "attacker" not in location


def test_the_language_switch_returns_to_the_page_it_came_from(client):
    response = client.get("/lang/en", headers={"Referer": "http://localhost/terms?x=1"})
    assert response.headers["Location"] == "/terms?x=1"
