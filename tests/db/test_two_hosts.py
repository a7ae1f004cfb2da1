"""Two app hosts on one PostgreSQL and one object store: two
gunicorn servers, each with its own folder (uploads, import previews, log) and port, on one
PostgreSQL schema and moto's S3 server, walk one filing across them. Created and its images
uploaded on A; in B's queue, decided on B, its images served by B with the same bytes; a setting
saved on A shown by B within the refresh; then `flask sweep` and `flask outbox send` run on both
hosts at once (two processes each time): every reminder, expiry and image deletion happens once,
and every message is delivered exactly once. Nothing lands in either host's upload folder."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select, update

from adapters.storage import S3Storage
from domain.lifecycle.states import Action, FilingState, Role
from domain.review.stale import REMINDER
from domain.support import outbox
from extensions import db
from models import AuditEvent, Filing, Material, OutboxMessage, utcnow
from tests.helpers.app import PASSWORD
from tests.helpers.live_server import ROOT, LiveServer
from tests.helpers.postgres import postgres_url
from tests.helpers.s3 import CREDENTIALS as S3
from tests.helpers.s3 import s3_server
from tests.helpers.wizard import image_bytes, load_demo, multipart, walk_to_confirm

pytestmark = pytest.mark.slow

BUCKET = "beian-two-hosts"
REFRESH = 2  # BEIAN_SETTINGS_REFRESH_SECONDS on both hosts
STALE, OVERDUE, WITHDRAWN, BATCH = 30, 5, 5, 300


@pytest.fixture(scope="module")
def database_url(postgres_schema):
    """PostgreSQL only (skipped, with the reason, where no server answers): SQLite is one file on
    one machine."""
    return postgres_url(postgres_schema)


@pytest.fixture(scope="module")
def s3_endpoint():
    with s3_server(BUCKET) as endpoint:
        yield endpoint


class Browser:
    """A requests session on one host with the Flask test client's post()/get() shape, so that the
    wizard helpers drive the real server (the CSRF token goes in the X-CSRFToken header)."""

    def __init__(self, server: LiveServer, session: requests.Session, token: str) -> None:
        self.server, self.session, self.token = server, session, token

    @classmethod
    def login(cls, server: LiveServer, email: str) -> Browser:
        session = server.session(email, PASSWORD)
        return cls(server, session, server.csrf(session, "/"))

    def on(self, server: LiveServer) -> Browser:
        """The same cookies on another host (as a load balancer without sticky sessions would)."""
        return Browser(server, self.session, self.token)

    def get(self, path: str) -> Answer:
        return Answer(self.session.get(self.server.url + path, allow_redirects=False, timeout=30))

    def post(self, path, data=None, content_type=None, headers=None) -> Answer:
        headers = {**(headers or {}), "X-CSRFToken": self.token}
        if content_type:
            headers["Content-Type"] = content_type
        return Answer(
            self.session.post(
                self.server.url + path,
                data=data,
                headers=headers,
                allow_redirects=False,
                timeout=30,
            )  # fmt: skip
        )


class Answer:
    """A requests response as a Flask test response looks."""

    def __init__(self, response: requests.Response) -> None:
        self.status_code, self.headers, self.data = (
            response.status_code, response.headers, response.content,
        )  # fmt: skip

    def get_data(self, as_text: bool = False) -> bytes | str:
        return self.data.decode("utf-8", "replace") if as_text else self.data


def run_on_both(hosts: list[LiveServer], *command: str) -> list[str]:
    """`flask --app app <command>` on every host at once (each with its host's environment and
    folder); their outputs (stdout and log), after all exited 0."""
    processes, logs = [], []
    for host in hosts:
        log = host.log.parent / f"{command[0]}-{host.port}.log"
        logs.append(log)
        with open(log, "wb") as out:
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "flask", "--app", "app", *command],
                    cwd=ROOT,
                    env=host.env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )  # fmt: skip
            )
    for process, log in zip(processes, logs, strict=True):
        assert process.wait(timeout=60) == 0, log.read_text()[-3000:]
    return [log.read_text() for log in logs]


def total(outputs: list[str], pattern: str) -> list[int]:
    """The number `pattern` finds in each output."""
    found = [re.search(pattern, output) for output in outputs]
    assert all(found), outputs
    return [int(match.group(1)) for match in found if match]


def files_in(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def test_one_filing_walked_across_two_hosts(app, make_user, make_filing, s3_endpoint, tmp_path):
    started = time.monotonic()
    load_demo()
    applicant, reviewer, admin = (
        make_user(role) for role in (Role.applicant, Role.reviewer, Role.admin)
    )
    settings = {
        "STORAGE_BACKEND": "s3", "S3_BUCKET": BUCKET, "S3_ENDPOINT_URL": s3_endpoint,
        "S3_REGION": "us-east-1", "S3_ACCESS_KEY": "test", "S3_SECRET_KEY": "test",
        "SETTINGS_REFRESH_SECONDS": REFRESH, "ADMIN_TOTP_REQUIRED": "false",
    }  # fmt: skip
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    hosts = [LiveServer(url, tmp_path / name / "uploads", workers=2, **settings) for name in "ab"]
    for host in hosts:
        host.log.parent.mkdir(parents=True)
    host_a, host_b = (host.start() for host in hosts)
    try:
        # A: the applicant files through the wizard, submits, later uploads the images.
        on_a = Browser.login(host_a, applicant.email)
        filing = walk_to_confirm(on_a, applicant)
        assert (
            on_a.post(
                f"/filings/{filing.id}/submit", data={"version": filing.version, "commitment": "y"}
            ).status_code
            == 302
        )
        # B: the filing is in the reviewer's queue; claimed and approved there.
        on_b = Browser.login(host_b, reviewer.email)
        assert f"/review/filings/{filing.id}" in on_b.get("/review/").get_data(as_text=True)
        assert on_b.post(f"/review/filings/{filing.id}/claim").status_code == 302
        db.session.refresh(filing)
        decided = on_b.post(
            f"/review/filings/{filing.id}/decide",
            data={"version": filing.version, "action": Action.initial_approve.value},
        )
        assert decided.status_code == 302 and "/review/?stage=" in decided.headers["Location"]
        db.session.refresh(filing)
        assert filing.state is FilingState.materials_pending
        images = {
            kind: image_bytes("PNG", color=(n * 40, 30, 30))
            for n, kind in enumerate(("id_front", "id_back"))
        }
        for kind, data in images.items():
            body, content_type = multipart({"kind": kind, "website_id": ""}, "file", data, "a.png")
            answer = on_a.post(
                f"/filings/{filing.id}/materials", body, content_type, {"HX-Request": "true"}
            )
            assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
        materials = list(
            db.session.scalars(select(Material).where(Material.filing_id == filing.id))
        )
        assert sorted(m.kind for m in materials) == sorted(images)
        # B serves A's uploads from the bucket: the same bytes the applicant gets from A.
        bucket = S3Storage(BUCKET, "materials/", endpoint_url=s3_endpoint, **S3)
        for material in materials:
            path = f"/filings/{filing.id}/materials/{material.id}"
            served_b, served_a = on_b.get(path), on_a.get(path)
            assert served_b.status_code == 200 and served_a.status_code == 200
            assert served_b.data == served_a.data == bucket.get(material.storage_key)
            assert hashlib.sha256(served_b.data).hexdigest() == material.sha256
        # A setting saved on A (the admin's cookie is good on B too: one secret key).
        admin_a = Browser.login(host_a, admin.email)
        name = "双机测试云"
        assert admin_a.post("/admin/settings", data={"PROVIDER_NAME": name}).status_code == 302
        saved = time.monotonic()
        admin_b = admin_a.on(host_b)
        while name not in admin_b.get("/admin/settings").get_data(as_text=True):
            assert time.monotonic() - saved < REFRESH + 5, "B never showed the setting saved on A"
            time.sleep(0.1)
        seen_after = time.monotonic() - saved
        assert seen_after <= REFRESH + 5

        # Work for the sweep: stale filings to remind, SMS verifications past their 24 hours,
        # withdrawn filings' images past their retention.
        now = utcnow()
        stale = [
            make_filing(FilingState.materials_pending, owner=applicant, reviewer=reviewer).id
            for _ in range(STALE)
        ]
        overdue = [
            make_filing(FilingState.sms_pending, owner=applicant, reviewer=reviewer).id
            for _ in range(OVERDUE)
        ]
        withdrawn = [
            make_filing(FilingState.withdrawn, owner=applicant, reviewer=reviewer).id
            for _ in range(WITHDRAWN)
        ]
        keys = []
        for number, filing_id in enumerate(withdrawn):
            key = f"{number:032x}.png"
            bucket.put(key, images["id_front"], "image/png")
            db.session.add(Material(
                filing_id=filing_id, kind="id_front", storage_key=key, content_type="image/png",
                size_bytes=len(images["id_front"]), width=800, height=600, sha256="0" * 64,
                uploaded_by_id=applicant.id,
            ))  # fmt: skip
            keys.append(key)
        long_ago = now - timedelta(days=40)
        for ids, column, when in ((stale, Filing.state_entered_at, now - timedelta(days=10)),
                                  (overdue, Filing.due_at, now - timedelta(hours=1)),
                                  (withdrawn, Filing.state_entered_at, long_ago)):  # fmt: skip
            db.session.execute(update(Filing).where(Filing.id.in_(ids)).values({column: when}))
        db.session.execute(
            update(AuditEvent).where(AuditEvent.filing_id.in_(stale))
            .values(created_at=now - timedelta(days=10))
        )  # fmt: skip
        db.session.commit()

        swept = run_on_both(hosts, "sweep")
        reminded = total(swept, r"(\d+) stale filings reminded")
        assert sum(reminded) == STALE
        assert sum(total(swept, r"(\d+) SMS verifications expired")) == OVERDUE
        assert sum(total(swept, r"and (\d+) withdrawn filings' images deleted")) == WITHDRAWN
        db.session.rollback()
        reminders = Counter(
            db.session.scalars(select(AuditEvent.filing_id).where(AuditEvent.action == REMINDER))
        )
        assert reminders == Counter(stale)  # each stale filing reminded once
        reminder_mails = Counter(db.session.scalars(
            select(OutboxMessage.filing_id).where(OutboxMessage.template == "filing_reminder")
        ))  # fmt: skip
        assert reminder_mails == Counter(stale)
        states = set(db.session.scalars(select(Filing.state).where(Filing.id.in_(overdue))))
        assert states == {FilingState.sms_failed}
        deletions = Counter(db.session.scalars(
            select(AuditEvent.filing_id).where(AuditEvent.action == "images_deleted")
        ))  # fmt: skip
        assert deletions == Counter(withdrawn)
        assert not db.session.scalar(select(func.count()).where(Material.filing_id.in_(withdrawn)))
        assert all(bucket.get(key) is None for key in keys)

        # A batch of e-mail, then `outbox send` on both hosts at once: each message once.
        for number in range(BATCH):
            outbox.enqueue(filing, "email", f"batch{number:04d}@example.cn", "filing_submitted",
                           filing_id=filing.id)  # fmt: skip
        db.session.commit()
        pending = db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending")
        )
        sent = run_on_both(hosts, "outbox", "send", "--limit", str(BATCH))
        per_host = total(sent, r"(\d+) sent, 0 failed for good")
        assert sum(per_host) == pending
        delivered = Counter(re.findall(r"e-mail to (batch\d{4}@example\.cn)", "".join(sent)))
        assert len(delivered) == BATCH and set(delivered.values()) == {1}
        db.session.rollback()
        rows = db.session.execute(select(OutboxMessage.status, OutboxMessage.attempts)).all()
        assert len(rows) == pending and set(rows) == {("sent", 1)}  # taken by one host, once

        # Nothing on either host's disk: the images live in the bucket only.
        for host in hosts:
            assert files_in(host.log.parent / "uploads") == []
    finally:
        for host in hosts:
            host.stop()
    print(
        f"\ntwo hosts: settings seen on B {seen_after:.1f} s after the save on A (refresh {REFRESH} s); "
        f"sweep {STALE} reminders ({reminded[0]} by A, {reminded[1]} by B), {OVERDUE} expiries, {WITHDRAWN} filings' images once each; "
        f"outbox {pending} messages sent once, {per_host[0]} by A and {per_host[1]} by B; "
        f"{time.monotonic() - started:.1f} s"
    )
