"""The load test's people (run by bench/load.py, `make bench-load`): applicants who sign up, walk an
access order through every wizard step, upload its materials, take the live photo on a phone, poll
the status page and answer the bureau's SMS code; reviewers who take the next order of a queue,
open its review screen and decide; an admin now and then. docs/performance.md argues the mix and
the think times (here scaled by BENCH_LOAD_PACE so that an hour's orders pass in minutes)."""

from __future__ import annotations

import itertools
import os
import random
import re
import sys
import uuid
from pathlib import Path

import gevent
import pyotp
from locust import HttpUser, constant, events, task
from locust.clients import HttpSession

sys.path.insert(0, str(Path(__file__).resolve().parent))
import journeys  # noqa: E402

PACE = float(os.environ.get("BENCH_LOAD_PACE", "0.05"))  # 1: the think times of the docs
FIRST_SUBJECT = int(os.environ.get("BENCH_LOAD_FIRST_SUBJECT", "0"))
APPLICANTS = int(os.environ.get("BENCH_LOAD_APPLICANTS", "40"))
REVIEWERS = int(os.environ.get("BENCH_LOAD_REVIEWERS", "4"))
# the first orders stop at their materials: bench/load.py's upload run posts to them afterwards
HOLD = int(os.environ.get("BENCH_LOAD_HOLD", "0"))
RUN = uuid.uuid4().hex[:6]
# An open status page asks every BEIAN_STATUS_POLL_SECONDS (10 s) whether its order changed; the
# run polls every POLL_SECONDS of its compressed time (docs/performance.md: polls per order)
POLL_SECONDS = float(os.environ.get("BENCH_LOAD_POLL_SECONDS", "0.5"))
subjects = itertools.count(FIRST_SUBJECT)
reviewer_numbers = itertools.count()


def think(seconds: float) -> None:
    """A person reading or typing for about `seconds` (scaled by PACE), never exactly alike."""
    gevent.sleep(seconds * PACE * random.uniform(0.7, 1.3))


class Refused(Exception):
    """A page did not answer as a browser expects: the journey stops (counted as a failure)."""


def expect(response, *codes: int):
    if response.status_code not in codes:
        said = re.findall(
            r'class="[^"]*(?:error|bad)[^"]*"[^>]*>\s*([^<]{1,120})', response.text or ""
        )
        response.failure(f"{response.status_code}, expected {codes}: {' / '.join(said[:2])}")
        raise Refused(f"{response.request.method} {response.url}: {response.status_code}")
    response.success()
    return response


class Applicant(HttpUser):
    """One access order per journey, from a new account to approval."""

    weight = APPLICANTS
    wait_time = constant(0)

    def call(self, method: str, path: str, name: str, *codes: int, **kwargs):
        with self.client.request(method, path, name=name, catch_response=True,
                                 allow_redirects=False, **kwargs) as response:  # fmt: skip
            return expect(response, *codes)

    def page(self, path: str, name: str) -> str:
        return self.call("GET", path, name, 200).text

    def form(self, path: str, name: str, data: dict, *codes: int, **kwargs):
        return self.call("POST", path, name, *(codes or (302,)),
                         data={**data, "csrf_token": self.token}, **kwargs)  # fmt: skip

    @task
    def journey(self) -> None:
        self.client.cookies.clear()
        subject = journeys.Subject(next(subjects))
        # each applicant from an address of its own, as nginx passes it on (BEIAN_BEHIND_PROXY)
        self.client.headers["X-Forwarded-For"] = journeys.address(subject.n)
        try:
            self.sign_up(subject)
            filing = self.wizard(subject)
            self.wait_for(filing, "materials_pending")
            if subject.n < FIRST_SUBJECT + HOLD:
                return
            self.materials(filing)
            self.wait_for(filing, "sms_pending")
            self.sms(filing)
            self.wait_for(filing, "approved")
        except Refused:
            gevent.sleep(5)  # a person who met an error does not start again at once

    def sign_up(self, subject: journeys.Subject) -> None:
        page = self.page("/auth/signup", "signup page")
        self.token = journeys.csrf(page)
        think(40)  # name, e-mail, password twice, the terms
        email = journeys.applicant_email(subject.n, RUN)
        sent = self.form("/auth/signup", "signup", {
            "display_name": f"申请人{subject.n}", "email": email, "password": journeys.PASSWORD,
            "confirm": journeys.PASSWORD, "agree": "y",
        }, 200).text  # fmt: skip
        link = re.search(r"/auth/confirm/[A-Za-z0-9._-]+", sent)
        if not link:
            raise Refused("no confirmation link on the page")
        think(60)  # to the mailbox and back
        page = self.page(link.group(0), "signup confirm page")
        self.token = journeys.csrf(page)
        self.form(link.group(0), "signup confirm", {})
        self.token = journeys.csrf(self.page("/filings/", "my filings"))

    def wizard(self, subject: journeys.Subject) -> int:
        page = self.page("/filings/new", "wizard new page")
        think(30)
        answer = self.form("/filings/new", "wizard new", {
            "certificate_type": "uscc", "certificate_number": subject.uscc,
            "domain": subject.domain,
        })  # fmt: skip
        filing = int(re.search(r"/filings/(\d+)", answer.headers["Location"]).group(1))
        base = f"/filings/{filing}"
        page = self.page(f"{base}/product", "wizard product page")
        ips = re.findall(r'name="ips"[^>]*value="([^"]+)"', page)
        think(10)
        self.form(f"{base}/product", "wizard product", {"ips": ips[:1]})
        self.page(f"{base}/password", "wizard password page")
        think(15)
        self.form(f"{base}/password", "wizard password", {"password": journeys.FILING_PASSWORD})
        self.page(f"{base}/subject", "wizard subject page")
        think(120)  # addresses, the responsible person, an ID number
        self.form(f"{base}/subject", "wizard subject", subject.subject_form())
        page = self.page(f"{base}/websites", "wizard websites page")
        think(90)
        self.form(f"{base}/websites", "wizard websites", {
            "websites-0-website_id": journeys.hidden(page, "websites-0-website_id"),
            "websites-0-ips": ips[0], "websites-0-service_types": "website",
            "websites-0-content_types": "organization_portal", "websites-0-languages": "zh-Hans",
            "websites-0-person_mode": "same", "websites-0-pre_approvals-0-category": "",
            "websites-0-person_id_type": "resident_id",
        })  # fmt: skip
        page = self.page(f"{base}/confirm", "wizard confirm page")
        code = re.search(r"手机号验证码：(\d{6})", page)
        if code:  # BEIAN_VERIFY_MOBILES: the code the person's phone got
            think(30)
            self.form(f"{base}/mobiles/verify", "wizard mobile code", {
                "mobile": subject.mobile, "code": code.group(1), "back": "confirm",
            })  # fmt: skip
            page = self.page(f"{base}/confirm", "wizard confirm page")
        think(30)
        self.form(f"{base}/submit", "wizard submit", {  # the commitment ticked, as a person must
            "version": journeys.hidden(page, "version"), "commitment": "y",
        })  # fmt: skip
        self.status_page = self.page(base, "status page")
        return filing

    def wait_for(self, filing: int, state: str) -> None:
        """The status page open, polled as htmx does, until it shows `state`."""
        page = self.status_page
        while not journeys.shows(page, state):
            url = journeys.poll_url(page)
            if url is None:
                raise Refused(f"filing {filing} stopped before {state}")
            gevent.sleep(POLL_SECONDS * random.uniform(0.8, 1.2))
            with self.client.get(url, name="status poll", headers={"HX-Request": "true"},
                                 catch_response=True) as answer:  # fmt: skip
                expect(answer, 200, 204, 286)
            if answer.status_code != 204:
                page = answer.text
        self.status_page = self.page(f"/filings/{filing}", "status page")

    def materials(self, filing: int) -> None:
        base = f"/filings/{filing}"
        page = self.page(f"{base}/materials", "materials page")
        htmx = {"HX-Request": "true"}
        website = None
        for kind, website_id in journeys.upload_slots(page):
            think(60)  # take the picture, pick it
            self.form(f"{base}/materials", "upload material", {}, 200,
                      files=journeys.multipart({"kind": kind, "website_id": website_id},
                                               "file", journeys.card_jpeg(kind), f"{kind}.jpg"),
                      headers=htmx)  # fmt: skip
            website = website or website_id
        website = website or re.search(r"/websites/(\d+)/authenticity", page).group(1)
        think(20)
        answer = self.form(f"{base}/websites/{website}/authenticity", "authenticity start", {},
                           200, headers=htmx).text  # fmt: skip
        link = re.search(r"https?://[^\"'<\s]+/verify/[A-Za-z0-9_-]+", answer)
        if not link:
            raise Refused("no verification link")
        self.phone(link.group(0))
        seen = re.search(r"seen=([0-9-]+)", answer)
        with self.client.get(
            f"{base}/websites/{website}/authenticity" + (f"?seen={seen.group(1)}" if seen else ""),
            name="authenticity poll", headers=htmx, catch_response=True,
        ) as polled:  # fmt: skip
            expect(polled, 286)
        page = self.page(f"{base}/materials", "materials page")
        think(10)
        self.form(f"{base}/materials/submit", "materials submit",
                  {"version": journeys.hidden(page, "version")})  # fmt: skip
        self.status_page = self.page(base, "status page")

    def phone(self, link: str) -> None:
        """The responsible person's phone opens the QR code's link and takes the live photo."""
        phone = HttpSession(self.host, self.environment.events.request, self)
        with phone.get(link, name="phone page", catch_response=True) as page:
            expect(page, 200)
        think(30)
        with phone.post(link, name="live photo", catch_response=True,
                        files=journeys.multipart({"csrf_token": journeys.csrf(page.text)}, "photo",
                                                 journeys.face_jpeg(), "selfie.jpg")) as done:  # fmt: skip
            expect(done, 200)
            if "核验完成" not in done.text:
                done.failure("the live photo was refused")
                raise Refused("live photo refused")

    def sms(self, filing: int) -> None:
        page = self.page(f"/filings/{filing}/sms", "sms page")
        code = re.search(r"验证码：(\d{6})", page)
        if not code:
            raise Refused("no SMS code shown")
        think(40)
        self.form(f"/filings/{filing}/sms", "sms answer", {
            "challenge_id": journeys.hidden(page, "challenge_id"), "code": code.group(1),
        })  # fmt: skip
        self.status_page = self.page(f"/filings/{filing}", "status page")


class Reviewer(HttpUser):
    """Works the queues: takes the next order of the farthest stage that has one, opens its review
    screen, decides (approves: the load test follows the orders that pass)."""

    weight = REVIEWERS
    fixed_count = REVIEWERS
    wait_time = constant(0)

    def on_start(self) -> None:
        email = journeys.reviewer_email(next(reviewer_numbers) % REVIEWERS)
        login(self, email)

    @task
    def work(self) -> None:
        for stage, action in journeys.STAGE_ACTIONS.items():
            with self.client.post(f"/review/next?stage={stage}", name="review take next",
                                  data={"csrf_token": self.token}, allow_redirects=False,
                                  catch_response=True) as taken:  # fmt: skip
                try:
                    expect(taken, 302)
                except Refused:
                    return
            location = taken.headers["Location"]
            if "/review/filings/" not in location:
                continue
            with self.client.get(location, name="review screen", catch_response=True) as screen:
                try:
                    expect(screen, 200)
                except Refused:
                    return
            think(90 if stage in ("submitted", "re_review") else 20)  # reading the order
            data = {"csrf_token": self.token, "version": journeys.hidden(screen.text, "version"),
                    "action": action, "note": "", "internal_note": ""}  # fmt: skip
            if action == "bureau_approve":
                data["receipt"] = f"ZJ-2026-{random.randrange(10**6):06d}"
            with self.client.post(location + "/decide", name="review decide", data=data,
                                  allow_redirects=False, catch_response=True) as decided:  # fmt: skip
                try:
                    expect(decided, 302)
                except Refused:
                    return
            return
        with self.client.get("/review/?stage=submitted", name="review queue",
                             headers={"HX-Request": "true"}, catch_response=True) as queue:  # fmt: skip
            try:
                expect(queue, 200)
            except Refused:
                return
        think(30)  # nothing waiting: look again in a while


class Admin(HttpUser):
    """Now and then: the dashboard and the accounts."""

    weight = 1
    fixed_count = 1
    wait_time = constant(0)

    def on_start(self) -> None:
        login(self, journeys.ADMIN_EMAIL, totp=journeys.ADMIN_TOTP)

    @task
    def look(self) -> None:
        think(300)
        for path, name in (
            ("/admin/", "admin dashboard"),
            ("/admin/applicants", "admin applicants"),
        ):
            with self.client.get(path, name=name, catch_response=True) as page:
                try:
                    expect(page, 200)
                except Refused:
                    return
            think(20)


def login(user: HttpUser, email: str, totp: str = "") -> None:
    page = user.client.get("/auth/login", name="login page").text
    token = journeys.csrf(page)
    answer = user.client.post("/auth/login", name="login", allow_redirects=False,
                              data={"email": email, "password": journeys.PASSWORD,
                                    "csrf_token": token})  # fmt: skip
    if totp and "second-factor" in answer.headers.get("Location", ""):
        page = user.client.get("/auth/second-factor", name="login second factor page").text
        user.client.post("/auth/second-factor", name="login second factor", allow_redirects=False,
                         data={"code": pyotp.TOTP(totp).now(), "csrf_token": journeys.csrf(page)})  # fmt: skip
    user.token = journeys.csrf(user.client.get("/", name="home").text)


@events.quitting.add_listener
def _quitting(environment, **_kwargs) -> None:
    environment.process_exit_code = 0  # failures are reported by bench/load.py, not by the exit
