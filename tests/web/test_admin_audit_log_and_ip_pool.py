"""The admin console in the user's language: the audit log's filter names actions in words and
pages both ways, an IP CSV's header row is no bad IP, assigning and releasing an IP says so,
province names follow the language."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from domain import audit
from domain.lifecycle.states import FilingState, Role
from domain.operator.ip_pool import addresses_from_csv
from extensions import db
from models import ProviderIP, utcnow


@pytest.fixture
def admin(app, client, make_user, login):
    user = make_user(Role.admin)
    login(user)
    return user


def test_the_audit_filter_names_actions_in_words(client, admin):
    audit.record("ips_added", admin, note="1")
    db.session.commit()
    page = client.get("/admin/audit").get_data(as_text=True)
    assert '<option value="ips_added" >添加 IP</option>' in page
    assert ">ips_added<" not in page


def link(page: str, element_id: str) -> str | None:
    found = re.search(rf'id="{element_id}" href="([^"]+)"', page)
    return found.group(1).replace("&amp;", "&") if found else None


def test_the_audit_log_pages_older_newer_and_first(client, admin):
    for number in range(audit.AUDIT_PAGE_SIZE * 2 + 5):
        audit.record("suffix_set", admin, note=f"n{number}")
    db.session.commit()
    first = client.get("/admin/audit?action=suffix_set").get_data(as_text=True)
    notes = re.findall(r"<td>n(\d+)</td>", first)
    assert len(notes) == audit.AUDIT_PAGE_SIZE and notes[0] == str(audit.AUDIT_PAGE_SIZE * 2 + 4)
    assert link(first, "page-previous") is None and link(first, "page-first") is None
    second = client.get(link(first, "page-next")).get_data(as_text=True)
    third = client.get(link(second, "page-next")).get_data(as_text=True)
    assert re.findall(r"<td>n(\d+)</td>", third) == ["4", "3", "2", "1", "0"]
    assert link(third, "page-next") is None and "action=suffix_set" in link(third, "page-first")
    back = client.get(link(third, "page-previous")).get_data(as_text=True)
    assert re.findall(r"<td>n(\d+)</td>", back) == re.findall(r"<td>n(\d+)</td>", second)
    again = client.get(link(back, "page-previous")).get_data(as_text=True)
    assert re.findall(r"<td>n(\d+)</td>", again) == notes


@pytest.mark.parametrize(
    ("text", "addresses"),
    [
        ("address\n121.41.200.2\n", ["121.41.200.2"]),
        ("IP 地址,备注\n121.41.200.2,机房 A\n121.41.200.3,\n", ["121.41.200.2", "121.41.200.3"]),
        ("\ufeffip;note\n121.41.200.4;x\n", ["121.41.200.4"]),
        ("121.41.200.5,first row is data\n121.41.200.6\n", ["121.41.200.5", "121.41.200.6"]),
        ("121.41.200.x\n", ["121.41.200.x"]),  # a typo is no header: it is reported
        ("", []),
    ],
)
def test_an_ip_csv_gives_its_first_column_without_the_header(text, addresses):
    assert addresses_from_csv(text) == addresses


def test_an_ip_csv_with_a_header_and_notes_imports_without_complaint(client, admin):
    csv = io.BytesIO("IP 地址,备注\n121.41.200.2,机房 A\n".encode())
    page = client.post(
        "/admin/ips", data={"addresses": "", "csv": (csv, "ips.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)  # fmt: skip
    assert "已添加 1 个 IP" in page and "flash-bad" not in page


def test_assigning_and_releasing_an_ip_says_so(client, admin, make_user):
    ip = ProviderIP(address="121.41.200.9")
    db.session.add(ip)
    db.session.commit()
    applicant = make_user(Role.applicant)
    page = client.post(f"/admin/ips/{ip.id}/assign", data={"email": applicant.email},
                       follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert f"已将 121.41.200.9 分配给 {applicant.email}" in page
    page = client.post(f"/admin/ips/{ip.id}/assign", data={"email": ""},
                       follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "已释放" not in page and "请填写申请人邮箱" in page  # a blank e-mail releases nothing
    assert db.session.scalar(select(ProviderIP.account_id).where(ProviderIP.id == ip.id))
    page = client.post(f"/admin/ips/{ip.id}/assign", data={"email": "", "release": "1"},
                       follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "已释放 121.41.200.9" in page  # the 释放 button
    assert db.session.scalar(select(ProviderIP.account_id).where(ProviderIP.id == ip.id)) is None


def _product_ip_of(account_id: int) -> ProviderIP:
    """121.41.100.10 (the test filings' product IP) assigned to the account, committed."""
    ip = db.session.scalar(select(ProviderIP).where(ProviderIP.address == "121.41.100.10"))
    if ip is None:
        ip = ProviderIP(address="121.41.100.10")
        db.session.add(ip)
    ip.account_id, ip.assigned_at = account_id, utcnow()
    db.session.commit()
    return ip


def test_an_ip_shared_by_several_filings_lists_each_of_them(client, admin, make_filing):
    first = make_filing(FilingState.submitted)
    second = make_filing(FilingState.approved, owner=first.account)  # the same product IP
    ip = _product_ip_of(first.account_id)
    row = client.get("/admin/ips").get_data(as_text=True).split(f'id="ip-{ip.id}"')[1]
    row = row.split("</tr>")[0]
    assert f'href="/review/filings/{first.id}">#{first.id}<' in row
    assert f'href="/review/filings/{second.id}">#{second.id}<' in row


def test_province_names_follow_the_language(client, admin):
    assert "11 北京" in client.get("/admin/provinces").get_data(as_text=True)
    client.get("/lang/en")
    page = client.get("/admin/provinces").get_data(as_text=True)
    assert "11 Beijing" in page and "Inner Mongolia" in page and "11 北京" not in page


def test_an_ip_row_is_one_form_with_one_confirmation_and_release_beside_assign(
    client, admin, make_filing
):
    """Not two 确认（正被备案使用） boxes per row, one for each of two forms."""
    from domain.lifecycle.states import FilingState

    filing = make_filing(FilingState.submitted)
    ip = _product_ip_of(filing.account_id)
    page = client.get("/admin/ips").get_data(as_text=True)
    row = page.split(f'id="ip-{ip.id}"')[1].split("</tr>")[0]
    assert row.count("<form") == 1 and row.count('name="confirm"') == 1
    assert 'name="release" value="1" formnovalidate' in row
    email = filing.account.email
    refused = client.post(f"/admin/ips/{ip.id}/assign", data={"email": email, "release": "1"},
                          follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "已释放" not in refused  # in use: the confirmation is asked
    page = client.post(f"/admin/ips/{ip.id}/assign",
                       data={"email": email, "release": "1", "confirm": "1"},
                       follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "已释放 121.41.100.10" in page
