"""The IP pool and the outbox page like the audit log (first, previous, next, keyset by id), and a
hostile page value is no server error."""

from __future__ import annotations

import re

import pytest

from domain import audit
from domain.lifecycle.states import Role
from domain.operator import ip_pool
from domain.support import outbox, sealing
from extensions import db
from models import ProviderIP
from runtime.policy import current_policy

HOSTILE = ["-1", "abc", "9" * 40, "１２", "0x10", "1e3", "<script>", "%00", " 3 ", "2.5"]


@pytest.fixture
def admin(app, client, make_user, login):
    user = make_user(Role.admin)
    login(user)
    return user


def link(page: str, element_id: str) -> str | None:
    found = re.search(rf'id="{element_id}" href="([^"]+)"', page)
    return found.group(1).replace("&amp;", "&") if found else None


def addresses(page: str) -> list[str]:
    return re.findall(r"<tr[^>]*><td>(121\.41\.200\.\d+)</td>", page)


def test_the_ip_pool_pages_next_previous_and_first(client, admin, monkeypatch):
    monkeypatch.setattr(ip_pool, "PAGE_SIZE", 5)
    db.session.add_all(ProviderIP(address=f"121.41.200.{n}") for n in range(1, 13))
    db.session.commit()
    first = client.get("/admin/ips").get_data(as_text=True)
    assert addresses(first) == [f"121.41.200.{n}" for n in range(1, 6)]
    assert link(first, "page-previous") is None and link(first, "page-first") is None
    second = client.get(link(first, "page-next")).get_data(as_text=True)
    assert addresses(second) == [f"121.41.200.{n}" for n in range(6, 11)]
    third = client.get(link(second, "page-next")).get_data(as_text=True)
    assert addresses(third) == ["121.41.200.11", "121.41.200.12"]
    assert link(third, "page-next") is None
    back = client.get(link(third, "page-previous")).get_data(as_text=True)
    assert addresses(back) == addresses(second)
    assert addresses(client.get(link(back, "page-first")).get_data(as_text=True)) == addresses(
        first
    )


def message_ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r"<tr>\s*<td>(\d+)</td>", page)]


def test_the_outbox_pages_newest_first_and_keeps_the_status_filter(client, admin, monkeypatch):
    monkeypatch.setattr(outbox, "CONSOLE_PAGE_SIZE", 4)
    sealed = sealing.seal("482913", current_policy().secret_key)
    messages = [
        outbox.enqueue(None, "sms", "13800138000", "sms_code", sealed_code=sealed, hours=24)
        for _ in range(10)
    ]
    db.session.commit()
    ids = [message.id for message in messages]
    first = client.get("/admin/outbox?status=pending").get_data(as_text=True)
    assert message_ids(first) == ids[::-1][:4]
    second = client.get(link(first, "page-next")).get_data(as_text=True)
    assert message_ids(second) == ids[::-1][4:8]
    assert "status=pending" in link(second, "page-next")
    assert "status=pending" in link(second, "page-previous")
    assert "status=pending" in link(second, "page-first")
    third = client.get(link(second, "page-next")).get_data(as_text=True)
    assert message_ids(third) == ids[::-1][8:] and link(third, "page-next") is None
    back = client.get(link(third, "page-previous")).get_data(as_text=True)
    assert message_ids(back) == message_ids(second)


@pytest.mark.parametrize("path", ["/admin/ips", "/admin/outbox", "/admin/audit"])
@pytest.mark.parametrize("name", ["after", "before"])
def test_hostile_page_values_are_no_server_error(client, admin, path, name):
    for value in HOSTILE:
        response = client.get(path, query_string={name: value, "status": value})
        assert response.status_code == 200, (name, value)


# --- the first page reached backwards (a new user's trial) ---------------------------------------


def test_the_first_ip_page_reached_backwards_has_no_first_or_previous_link(
    client, admin, monkeypatch
):
    monkeypatch.setattr(ip_pool, "PAGE_SIZE", 5)
    db.session.add_all(ProviderIP(address=f"121.41.200.{n}") for n in range(1, 13))
    db.session.commit()
    first = client.get("/admin/ips").get_data(as_text=True)
    second = client.get(link(first, "page-next")).get_data(as_text=True)
    back = client.get(link(second, "page-previous")).get_data(as_text=True)
    assert "121.41.200.1<" in back and "121.41.200.6<" not in back
    assert link(back, "page-first") is None and link(back, "page-previous") is None
    assert link(back, "page-next") == link(first, "page-next")
    last_id = max(ip.id for ip in db.session.query(ProviderIP))
    beyond = client.get(f"/admin/ips?before={last_id + 100}").get_data(as_text=True)
    assert "121.41.200.12<" in beyond and "121.41.200.7<" not in beyond  # the last page
    assert link(beyond, "page-next") is None and link(beyond, "page-first") is not None
    past = client.get(f"/admin/ips?after={last_id + 100}").get_data(as_text=True)
    assert link(past, "page-first") == "/admin/ips"  # an empty page: the way back only
    assert link(past, "page-previous") is None and link(past, "page-next") is None


def test_the_first_outbox_and_audit_pages_reached_backwards_have_no_first_link(
    client, admin, monkeypatch
):
    monkeypatch.setattr(outbox, "CONSOLE_PAGE_SIZE", 4)
    sealed = sealing.seal("482913", current_policy().secret_key)
    for _ in range(6):
        outbox.enqueue(None, "sms", "13800138000", "sms_code", sealed_code=sealed, hours=24)
    monkeypatch.setattr(audit, "AUDIT_PAGE_SIZE", 4)
    for number in range(6):
        audit.record("suffix_set", admin, note=f"n{number}")
    db.session.commit()
    for path in ("/admin/outbox?status=pending", "/admin/audit?action=suffix_set"):
        first = client.get(path).get_data(as_text=True)
        second = client.get(link(first, "page-next")).get_data(as_text=True)
        assert link(second, "page-first") is not None, path
        back = client.get(link(second, "page-previous")).get_data(as_text=True)
        assert link(back, "page-first") is None and link(back, "page-previous") is None, path
        assert link(back, "page-next") == link(first, "page-next"), path
