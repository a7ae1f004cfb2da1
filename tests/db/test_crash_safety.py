"""SIGKILL in the middle of writes, 50 times: the server's workers are killed while applicants
open and submit filings and a reviewer decides, then the master forks new ones and the load goes
on. Afterwards: no half-written filing, every acknowledged write is there, and every filing's
audit trail ends in its state (and the queue counters equal the rows)."""

from __future__ import annotations

import random
import re
import threading
import time

import pytest
import requests
from sqlalchemy import func, select, update

from domain.lifecycle import stage_counts
from domain.lifecycle.states import FilingState, Role
from extensions import db
from models import AuditEvent, Filing, ProviderIP, Subject, Website, WebsiteDomain, utcnow
from tests.helpers.app import PASSWORD
from tests.helpers.live_server import LiveServer
from tests.helpers.wizard import load_demo, walk_to_confirm

pytestmark = pytest.mark.slow

KILLS, APPLICANTS, DECISIONS = 50, 8, 500
# Complete drafts to submit: one demo registry subject each (an open order blocks a second one).
SUBMITTING = [("qinghe.cn", "913301069755TH2H1L", "Qinghe2021"), ("zijin-zhizao.cn", "9132010266GBWJLW71", "Zijin2025"),
              ("shancheng-logistics.com", "91500112426LNXFE2N", "Shancheng21"),
              ("jiangcheng-data.com", "9142010641NDG7A581", "Jiangcheng23"), ("tianshanguoye.cn", "9165010282TDYP143M", "Tianshan20"),
              ("zjsia.org.cn", "5133000067LXGQHM4D", "Zjsia2018"), ("lijimeishi.cn", "9244010666P1HGTL58", "Liji2023"),
              ("xhdata.gov.cn", "1133010667MRN780XH", "Xihu2019")]  # fmt: skip
# Drafts opened meanwhile (opening copies the registry record into a filing: many rows at once).
OPENINGS = [("resident_id", "440106199508122241", "lina-photo.cn"), ("resident_id", "430104198811200469", "wangfang-craft.cn"),
            ("resident_id", "330106199003071236", "zhangwei-reading.cn"), ("uscc", "9131011566P50L230K", "yfdocs.cn"),
            ("uscc", "12330000849941AM6J", "zjdcri.cn")]  # fmt: skip


def test_sigkill_during_submissions_and_decisions(
    app, client, make_user, make_filing, login, tmp_path
):
    load_demo()
    db.session.add_all(ProviderIP(address=f"121.41.201.{n}") for n in range(1, 2 * APPLICANTS + 1))
    db.session.commit()
    applicants = [make_user(Role.applicant) for _ in range(APPLICANTS)]
    ready = []  # complete drafts, one per applicant
    for index, (applicant, (domain, certificate, password)) in enumerate(
        zip(applicants, SUBMITTING, strict=True)
    ):
        client.post("/auth/logout")
        login(applicant)
        # a mobile per subject (R-P-4), a Jiangsu one where the province asks for it (R-PH-2)
        mobile = ("1391234" if certificate[2:4] == "32" else "1390013") + f"{index:04d}"
        ready.append(
            walk_to_confirm(
                client, applicant, domain=domain, cert=certificate, password=password, mobile=mobile
            )
        )
    reviewer = make_user(Role.reviewer)
    waiting = [make_filing(FilingState.submitted, owner=applicants[0], reviewer=reviewer)
               for _ in range(DECISIONS)]  # fmt: skip
    db.session.execute(
        update(Filing).where(Filing.id.in_([f.id for f in waiting]))
        .values(claimed_by_id=reviewer.id, claimed_at=utcnow())
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    db.session.commit()
    versions = {f.id: f.version for f in waiting}
    # plain values for the load threads (ORM objects belong to the test's session)
    reviewer_email = reviewer.email
    applicant_emails = [a.email for a in applicants]
    ready_drafts = [(d.id, d.version) for d in ready]
    server = LiveServer(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "uploads", workers=2,
                        preload=True).start()  # fmt: skip
    acknowledged = {"decided": [], "opened": [], "submitted": []}
    stop = threading.Event()

    def logged_in(email):
        while True:
            try:
                browser = server.session(email, PASSWORD)
                return browser, server.csrf(browser, "/filings/")
            except requests.RequestException:
                time.sleep(0.05)  # killed during the login: again

    def reviewer_load():
        browser, token = logged_in(reviewer_email)
        for filing_id in versions:
            while not stop.is_set():
                try:
                    response = browser.post(
                        f"{server.url}/review/filings/{filing_id}/decide", allow_redirects=False,
                        data={"csrf_token": token, "version": versions[filing_id], "action": "initial_approve"},
                        timeout=30,
                    )  # fmt: skip
                except requests.RequestException:
                    continue  # no answer: not acknowledged; the next try may find it decided
                if (
                    response.status_code == 302
                    and "/review/?stage=" in response.headers["Location"]
                ):
                    acknowledged["decided"].append(filing_id)
                break

    def applicant_load(index: int):
        """Applicant `index` submits its complete draft at some point and opens drafts meanwhile."""
        browser, token = logged_in(applicant_emails[index])
        draft, rng = ready_drafts[index], random.Random(index)
        while not stop.is_set():
            try:
                if draft is not None and rng.random() < 0.05:
                    draft_id, version = draft
                    response = browser.post(f"{server.url}/filings/{draft_id}/submit", allow_redirects=False,
                                            data={"csrf_token": token, "version": version, "commitment": "y"}, timeout=30)  # fmt: skip
                    if response.status_code == 302 and response.headers["Location"].endswith(
                        f"/filings/{draft_id}"
                    ):
                        acknowledged["submitted"].append(draft_id)
                        draft = None
                    continue
                kind, number, domain = rng.choice(OPENINGS)
                response = browser.post(
                    f"{server.url}/filings/new", allow_redirects=False, timeout=30,
                    data={"csrf_token": token, "certificate_type": kind, "certificate_number": number, "domain": domain},
                )  # fmt: skip
                match = re.search(r"/filings/(\d+)/", response.headers.get("Location", ""))
                if response.status_code == 302 and match:
                    acknowledged["opened"].append(int(match.group(1)))
            except requests.RequestException:
                continue

    threads = [threading.Thread(target=reviewer_load)] + [
        threading.Thread(target=applicant_load, args=(i,)) for i in range(APPLICANTS)
    ]
    killed = 0
    try:
        for thread in threads:
            thread.start()
        rng = random.Random(50)
        for _ in range(KILLS):
            # a kill only after the last one let a decision through (on a busy machine the workers
            # take longer to come back), then at a random moment: writes in flight; each kill
            # finds the master's workers forked anew
            _wait_for_a_decision(acknowledged["decided"], threads[0])
            time.sleep(rng.uniform(0.05, 0.35))
            killed += server.kill_workers()
            server.wait_for_new_workers()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        server.stop()

    db.session.expire_all()
    filings = db.session.scalars(select(Filing)).all()
    half_written = [f.id for f in filings if not _whole(f)]
    lost = [
        i
        for i in acknowledged["decided"]
        if db.session.get(Filing, i).state is not FilingState.materials_pending
    ]
    lost += [i for i in acknowledged["opened"] if db.session.get(Filing, i) is None]
    lost += [
        i
        for i in acknowledged["submitted"]
        if db.session.get(Filing, i).state is not FilingState.submitted
    ]
    mismatched = [f.id for f in filings if _last_state(f.id) != f.state.value]
    twice = db.session.scalar(
        select(func.count()).select_from(
            select(AuditEvent.filing_id).where(AuditEvent.action == "initial_approve")
            .group_by(AuditEvent.filing_id).having(func.count() > 1).subquery()
        )
    )  # fmt: skip
    print(f"\ncrash safety: {KILLS} SIGKILLs ({killed} worker processes) during "
          f"{len(acknowledged['opened'])} openings, {len(acknowledged['submitted'])} submissions and "
          f"{len(acknowledged['decided'])} decisions acknowledged: {len(half_written)} half-written "
          f"filings, {len(lost)} lost acknowledged writes, {len(mismatched)} audit trails not matching "
          f"the state, {twice} double decisions")  # fmt: skip
    assert killed >= KILLS * 2
    assert (
        len(acknowledged["decided"]) > 20 and acknowledged["opened"] and acknowledged["submitted"]
    )
    assert half_written == [] and lost == [] and mismatched == [] and twice == 0
    assert stage_counts.read() == {
        state: n for state, n in db.session.execute(
            select(Filing.state, func.count()).where(Filing.state != FilingState.draft).group_by(Filing.state)
        ).all()
    }  # fmt: skip


def _wait_for_a_decision(decided: list[int], reviewer: threading.Thread) -> None:
    """Until one more decision is acknowledged, the reviewer is done, or 20 s have passed."""
    seen, deadline = len(decided), time.monotonic() + 20
    while len(decided) == seen and reviewer.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)


def _whole(filing: Filing) -> bool:
    """A filing with its subject, the subject's responsible person, and websites with domains."""
    subject = db.session.get(Subject, filing.subject_id)
    websites = db.session.scalars(select(Website).where(Website.filing_id == filing.id)).all()
    return (
        subject is not None
        and subject.responsible_person is not None
        and bool(websites)
        and all(
            db.session.scalar(select(func.count()).where(WebsiteDomain.website_id == w.id))
            for w in websites
        )
    )


def _last_state(filing_id: int) -> str:
    """The state the audit trail says the filing is in (draft before any transition)."""
    last = db.session.scalar(
        select(AuditEvent.to_state)
        .where(AuditEvent.filing_id == filing_id, AuditEvent.to_state.is_not(None))
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    return last or "draft"
