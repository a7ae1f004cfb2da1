"""Personal data: images kept no longer than the retention policy says (deleted by
`flask sweep`, audited), every staff look at an image or a review screen audited and searchable,
authenticated pages never cached, the headers that keep other origins out, CSV cells that cannot
run as formulas, /readyz, the webhook's settings checked at start, and gunicorn's Server header."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
import requests
from flask import current_app
from sqlalchemy import select

from app import create_app
from blueprints.hardening import spreadsheet_safe
from domain.filing import retention
from domain.lifecycle.states import FilingState, Role
from extensions import db
from models import AuditEvent, Filing, Material, utcnow
from runtime import storage_for
from tests.helpers.app import PASSWORD
from tests.helpers.live_server import LiveServer
from tests.helpers.wizard import image_bytes


def _material(filing: Filing, kind: str = "id_front", days_ago: float = 0) -> Material:
    """A stored image of `filing`, uploaded `days_ago` days ago."""
    key = f"{secrets.token_hex(16)}.png"
    data = image_bytes("PNG", size=(400, 300))
    storage_for(current_app.config).put(key, data, "image/png")
    material = Material(
        filing_id=filing.id, kind=kind, storage_key=key, content_type="image/png",
        size_bytes=len(data), width=400, height=300, sha256="0" * 64,
        uploaded_by_id=filing.account_id, created_at=utcnow() - timedelta(days=days_ago),
    )  # fmt: skip
    db.session.add(material)
    db.session.commit()
    return material


def _stored(material_key: str) -> bool:
    return storage_for(current_app.config).get(material_key) is not None


def test_retention_deletes_withdrawn_and_superseded_images_and_audits_it(app, make_filing):
    withdrawn = make_filing(FilingState.withdrawn)
    old_withdrawn = _material(withdrawn)
    withdrawn.state_entered_at = utcnow() - timedelta(days=31)
    recent = make_filing(FilingState.withdrawn, owner=withdrawn.account)
    kept_recent = _material(recent)  # withdrawn yesterday: kept for now
    recent.state_entered_at = utcnow() - timedelta(days=1)
    live = make_filing(FilingState.materials_pending, owner=withdrawn.account)
    replaced = _material(live, days_ago=40)
    newer = _material(live, days_ago=31)  # replaced the first 31 days ago
    newest_back = _material(live, kind="id_back", days_ago=40)  # never replaced
    db.session.commit()
    keys = {m.id: m.storage_key for m in (old_withdrawn, kept_recent, replaced, newer, newest_back)}

    result = retention.sweep(storage_for(app.config), utcnow(), 30, 30)
    db.session.commit()

    left = set(db.session.scalars(select(Material.id)))
    assert (result.withdrawn, result.superseded) == (1, 1)
    assert left == {kept_recent.id, newer.id, newest_back.id}
    assert not _stored(keys[old_withdrawn.id]) and not _stored(keys[replaced.id])
    assert _stored(keys[kept_recent.id]) and _stored(keys[newer.id])
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "images_deleted")
    ).all()
    assert sorted((e.filing_id, e.data["reason"], e.data["count"]) for e in events) == sorted(
        [(withdrawn.id, "withdrawn", 1), (live.id, "superseded", 1)]
    )
    assert all(e.actor_id is None and e.internal for e in events)
    # a second run finds nothing more to do
    assert retention.sweep(storage_for(app.config), utcnow(), 30, 30).filings == set()


def test_flask_sweep_runs_the_retention_policy(app, make_filing):
    withdrawn = make_filing(FilingState.withdrawn)
    material = _material(withdrawn)
    withdrawn.state_entered_at = utcnow() - timedelta(days=31)
    db.session.commit()
    output = app.test_cli_runner().invoke(args=["sweep"]).output
    assert "1 withdrawn filings' images deleted" in output, output
    assert "unconfirmed registry import files deleted" in output
    assert db.session.get(Material, material.id) is None


def test_every_staff_look_at_an_image_or_a_review_screen_is_audited(
    app, client, login, make_filing, make_user
):
    filing = make_filing(FilingState.re_review)
    material = _material(filing)
    login(filing.account)  # the owner's own look is not such an event
    assert client.get(f"/filings/{filing.id}/materials/{material.id}").status_code == 200
    client.post("/auth/logout")
    reviewer = make_user(Role.reviewer)
    login(reviewer)
    assert client.get(f"/review/filings/{filing.id}").status_code == 200
    assert client.get(f"/filings/{filing.id}/materials/{material.id}").status_code == 200
    views = db.session.execute(
        select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.filing_id, AuditEvent.internal)
        .where(AuditEvent.action.in_(["review_viewed", "material_viewed"]))
        .order_by(AuditEvent.id)
    ).all()
    assert [tuple(v) for v in views] == [
        ("review_viewed", reviewer.id, filing.id, True),
        ("material_viewed", reviewer.id, filing.id, True),
    ]
    # the trail on the review screen does not list the looks
    assert "查看审核页面" not in client.get(f"/review/filings/{filing.id}").get_data(as_text=True)
    client.post("/auth/logout")
    login(make_user(Role.admin))
    found = client.get(
        "/admin/audit", query_string={"filing": f"#{filing.id}", "action": "material_viewed"}
    ).get_data(as_text=True)
    assert reviewer.email in found and "查看资料图片" in found


def test_authenticated_pages_are_not_cached_and_cross_origin_headers_are_sent(
    client, login, make_user
):
    anonymous = client.get("/auth/login")
    assert "no-store" not in anonymous.headers.get("Cache-Control", "")
    login(make_user(Role.applicant))
    for path, headers in (("/filings/", {}), ("/filings/", {"HX-Request": "true"}),
                          ("/account/", {})):  # fmt: skip
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
        assert "geolocation=()" in response.headers["Permissions-Policy"]
    static = client.get("/static/app.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")
    static.close()


def test_csv_cells_cannot_run_as_formulas(client, login, make_user, make_filing):
    assert [spreadsheet_safe(v) for v in ("=1+1", "+86", "-2", "@SUM(A1)", "\tx", "ok", 3, -4)] == [
        "'=1+1", "'+86", "'-2", "'@SUM(A1)", "'\tx", "ok", 3, -4,
    ]  # fmt: skip
    reviewer = make_user(Role.reviewer)
    reviewer.display_name = '=HYPERLINK("http://evil.example","x")'
    db.session.commit()
    make_filing(FilingState.materials_pending, reviewer=reviewer)
    login(make_user(Role.admin))
    text = client.get("/admin/report.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text
    assert not any(cell.startswith("=") for line in text.splitlines() for cell in line.split(","))


def test_readyz_reports_the_database(client, tmp_path):
    assert client.get("/readyz").get_json() == {"status": "ok", "database": "ok"}
    broken = create_app({
        "TESTING": True, "SECRET_KEY": "x", "UPLOAD_FOLDER": str(tmp_path),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3",
    })  # fmt: skip
    with broken.app_context():
        response = broken.test_client().get("/readyz")
        assert response.status_code == 503
        assert response.get_json()["database"] == "unreachable"
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize(
    "url, secret, refused",
    [("https://console.example.cn/hook", "", True), ("file:///etc/passwd", "s", True),
     ("gopher://x", "s", True), ("https://console.example.cn/hook", "s", False),
     ("", "", False)],
)  # fmt: skip
def test_the_webhook_refuses_to_start_without_a_secret_or_an_http_url(
    tmp_path, url, secret, refused
):
    config = {"TESTING": True, "SECRET_KEY": "x", "UPLOAD_FOLDER": str(tmp_path),
              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/db.sqlite3",
              "WEBHOOK_URL": url, "WEBHOOK_SECRET": secret}  # fmt: skip
    if refused:
        with pytest.raises(RuntimeError, match="BEIAN_WEBHOOK"):
            create_app(config)
    else:
        create_app(config)


@pytest.mark.slow  # a gunicorn server
def test_gunicorn_sends_no_server_header_and_readyz_answers(tmp_path):
    server = LiveServer(f"sqlite:///{tmp_path}/live.sqlite3", tmp_path / "uploads", workers=1)
    server.start()
    try:
        response = requests.get(server.url + "/readyz", timeout=10)
        assert response.status_code == 200 and response.json()["database"] == "ok"
        assert "Server" not in response.headers, response.headers
    finally:
        server.stop()


def test_an_applicant_exports_their_data_and_images_as_a_zip(client, login, make_filing, make_user):
    import io
    import json
    import zipfile

    filing = make_filing(FilingState.re_review)
    material = _material(filing)
    other = make_user(Role.applicant)
    make_filing(FilingState.draft, owner=other)
    login(filing.account)
    assert "privacy-link" in client.get("/account/").get_data(as_text=True)
    response = client.post("/account/privacy/export")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("data.json"))
    assert data["account"]["email"] == filing.account.email
    assert [f["id"] for f in data["filings"]] == [filing.id]  # only their own
    exported = data["filings"][0]
    assert exported["subject"]["responsible_person"]["mobile"] == "13800138000"
    assert exported["websites"][0]["domains"][0]["domain"] == "qinghe.cn"
    assert exported["timeline"] and exported["materials"][0]["kind"] == "id_front"
    image = archive.read(exported["materials"][0]["file"])
    assert image == storage_for(current_app.config).get(material.storage_key)
    text = archive.read("data.json").decode()
    assert "hash" not in text and "totp" not in text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "data_exported"))
    assert event.actor_id == filing.account_id and event.data == {"filings": 1, "images": 1}


def test_deleting_an_account_removes_drafts_and_withdrawn_keeps_approved_and_anonymises(
    client, login, make_filing, make_user
):
    from sqlalchemy import func

    from domain.lifecycle import stage_counts
    from models import Subject, User

    owner = make_user(Role.applicant)
    draft = make_filing(FilingState.draft, owner=owner)
    withdrawn = make_filing(FilingState.withdrawn, owner=owner)
    scan = _material(withdrawn)
    approved = make_filing(FilingState.approved, owner=owner)
    ids = (draft.id, withdrawn.id, approved.id)
    email, key = owner.email, scan.storage_key
    login(owner)
    wrong = client.post("/account/privacy/delete", data={"password": "wrong-password"})
    assert wrong.status_code == 422 and "密码" in wrong.get_data(as_text=True)
    response = client.post("/account/privacy/delete", data={"password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert db.session.get(Filing, ids[0]) is None and db.session.get(Filing, ids[1]) is None
    kept = db.session.get(Filing, ids[2])
    assert kept is not None and kept.account_id == owner.id and kept.subject.name
    assert db.session.scalar(select(func.count(Subject.id))) == 1
    assert not _stored(key)
    account = db.session.get(User, owner.id)
    assert account.email.endswith("@deleted.invalid") and not account.is_enabled
    assert email not in account.email and account.display_name == ""
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account_deletion"))
    assert event.data["deleted_filings"] == [ids[0], ids[1]] and event.data["kept_filings"] == 1
    rows = dict(db.session.execute(select(Filing.state, func.count()).group_by(Filing.state)).all())
    assert stage_counts.read().get(FilingState.withdrawn, 0) == rows.get(FilingState.withdrawn, 0)
    assert client.get("/filings/").status_code == 302  # logged out
    relogin = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert relogin.status_code != 302


def test_an_account_with_a_filing_in_progress_is_not_deleted(client, login, make_filing):
    filing = make_filing(FilingState.materials_pending)
    login(filing.account)
    response = client.post("/account/privacy/delete", data={"password": PASSWORD})
    assert response.status_code == 422
    assert f"#{filing.id}" in response.get_data(as_text=True) and "仍在办理中" in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert db.session.get(Filing, filing.id).account.is_enabled
