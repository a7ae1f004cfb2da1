"""The access gate's routes (DOMAIN.md A9): /gate/check for the edge (204, 403, 400; no session,
cookie or body; its callers limited), /gate/export and `flask gate export`, the block page in both
languages, and the admin's 未备案访问 list and allow-list."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from domain.lifecycle.states import Role
from extensions import db
from models import GateAllowedDomain, GateRefusal
from tests.helpers.gate import registry_site

TOKEN = "edge-secret-token"


@pytest.fixture
def app_config() -> dict:
    return {"GATE_TOKEN": TOKEN, "GATE_LOG_FLUSH_SECONDS": 0}


def check(client, host: str, address: str = "127.0.0.1", **headers):
    return client.get("/gate/check", query_string={"host": host},
                      environ_base={"REMOTE_ADDR": address}, headers=headers)  # fmt: skip


def test_the_check_answers_204_403_400_without_body_or_cookie(app, client):
    registry_site(1, ["qinghe.cn"])
    for host, status in (("www.qinghe.cn", 204), ("qinghe.cn:443", 204), ("unfiled.cn", 403),
                         ("121.41.100.10", 403), ("http://qinghe.cn/", 400), ("", 400)):  # fmt: skip
        response = check(client, host)
        assert response.status_code == status, host
        assert response.data == b"" and "Set-Cookie" not in response.headers


def test_only_the_allowed_clients_or_a_token_may_ask(app, client):
    registry_site(1, ["qinghe.cn"])
    assert check(client, "qinghe.cn", "::1").status_code == 204
    assert check(client, "qinghe.cn", "203.0.113.9").status_code == 403
    assert check(client, "qinghe.cn", "203.0.113.9", **{"X-Gate-Token": "wrong"}).status_code == 403
    assert check(client, "qinghe.cn", "203.0.113.9", **{"X-Gate-Token": TOKEN}).status_code == 204
    export = client.get("/gate/export", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert export.status_code == 403 and export.data == b""


def test_a_refused_host_is_counted_under_its_domain(app, client):
    for host in ("www.unfiled.cn", "shop.unfiled.cn:8080", "www.unfiled.cn"):
        assert check(client, host).status_code == 403
    row = db.session.scalar(select(GateRefusal))
    assert (row.domain, row.count, row.last_host) == ("unfiled.cn", 3, "www.unfiled.cn")


def test_the_export_in_each_format_with_its_version(app, client):
    registry_site(1, ["qinghe.cn", "xn--2lzs91d.xn--fiqs8s"])
    answer = client.get("/gate/export")
    body = json.loads(answer.data)
    assert answer.mimetype == "application/json" and body["domains"] == [
        "qinghe.cn",
        "xn--2lzs91d.xn--fiqs8s",
    ]
    assert answer.headers["ETag"] == f'"{body["version"]}"'
    assert (
        client.get("/gate/export", headers={"If-None-Match": answer.headers["ETag"]}).status_code
        == 304
    )
    nginx = client.get("/gate/export?format=nginx-map").get_data(as_text=True)
    assert ".qinghe.cn 1;" in nginx and body["version"] in nginx.splitlines()[0]
    assert (
        client.get("/gate/export?format=text")
        .get_data(as_text=True)
        .endswith("xn--2lzs91d.xn--fiqs8s\n")
    )
    assert client.get("/gate/export?format=yaml").status_code == 400
    registry_site(2, ["yunfan.cn"])
    again = client.get("/gate/export", headers={"If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 200 and json.loads(again.data)["version"] != body["version"]


def test_the_cli_writes_the_export_atomically_and_only_when_it_changed(app, tmp_path):
    registry_site(1, ["qinghe.cn"])
    target = tmp_path / "gate.map"
    runner = app.test_cli_runner()
    first = runner.invoke(args=["gate", "export", "--format", "nginx-map", "--output", str(target)])
    assert first.exit_code == 0 and "written" in first.stderr
    assert ".qinghe.cn 1;" in target.read_text()
    again = runner.invoke(args=["gate", "export", "--format", "nginx-map", "--output", str(target)])
    assert "unchanged" in again.stderr
    as_json = runner.invoke(args=["gate", "export", "--format", "json"])
    assert json.loads(as_json.stdout)["domains"] == ["qinghe.cn"]


def test_the_block_page_in_chinese_and_in_english(app, client):
    zh = client.get("/gate/blocked?host=www.Unfiled.cn:80")
    page = zh.get_data(as_text=True)
    assert zh.status_code == 200 and "网站暂时无法访问" in page and "www.unfiled.cn" in page
    assert "测试云" in page and "http://localhost/auth/signup" in page
    assert "default-src 'none'" in zh.headers["Content-Security-Policy"]
    assert "/static/" not in page  # the app's files are blocked on the customer's host too
    en = client.get("/gate/blocked?host=www.unfiled.cn", headers={"Accept-Language": "en-US,en"})
    assert "cannot be reached" in en.get_data(as_text=True)
    assert "cannot be reached" in client.get("/gate/blocked?host=x.cn&lang=en").get_data(
        as_text=True
    )
    odd = client.get("/gate/blocked?host=<script>").get_data(as_text=True)
    assert "<script>" not in odd and "该域名未在测试云备案接入" in odd


def test_the_admin_sees_refused_hosts_and_keeps_the_allow_list(app, client, make_user, login):
    for host in ("www.unfiled.cn", "www.other.cn"):
        check(client, host)
    login(make_user(Role.admin))
    page = client.get("/admin/gate").get_data(as_text=True)
    assert page.index("other.cn") < page.index("unfiled.cn")  # newest first
    found = client.get("/admin/gate?q=UNFILED").get_data(as_text=True)
    assert "unfiled.cn" in found and "other.cn" not in found
    refused = client.post("/admin/gate/allow-list", data={"domains": "example-cloud.cn\nwww.x.cn"})
    assert refused.status_code == 422 and "www.x.cn" in refused.get_data(as_text=True)
    entry = db.session.scalar(select(GateAllowedDomain))
    assert entry.domain == "example-cloud.cn"
    assert check(client, "console.example-cloud.cn").status_code == 204
    assert client.post(f"/admin/gate/allow-list/{entry.id}/remove").status_code == 302
    assert check(client, "console.example-cloud.cn").status_code == 403
    assert (
        "example-cloud.cn"
        not in client.get("/admin/gate/allow-list").get_data(as_text=True).split("<tbody>")[1]
    )


def test_the_gate_console_is_for_admins(app, client, make_user, login):
    login(make_user(Role.reviewer))
    assert client.get("/admin/gate").status_code in (302, 403)
    assert client.post("/admin/gate/allow-list", data={"domains": "x.cn"}).status_code in (302, 403)
    assert db.session.scalar(select(GateAllowedDomain)) is None


def test_a_refused_line_stays_in_the_box_with_the_note(app, client, make_user, login):
    """The allow-list form keeps what was typed when a line is refused: the refused lines to
    correct and the note; the lines added are not typed again."""
    login(make_user(Role.admin))
    data = {"domains": "example-cloud.cn\nhttps://WWW.x.cn/path", "note": "控制台域名"}
    page = client.post("/admin/gate/allow-list", data=data).get_data(as_text=True)
    box = page.split('<textarea id="domains"')[1].split("</textarea>")[0]
    assert "https://WWW.x.cn/path" in box and "example-cloud.cn" not in box
    assert 'value="控制台域名"' in page
