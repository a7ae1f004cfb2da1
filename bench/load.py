"""The load test (run with `make bench-load`; not a test): people's journeys under load, from sign-up
to an approved access order, against `make serve`'s gunicorn on PostgreSQL, driven by Locust
(bench/locustfile.py, headless). docs/performance.md argues the mix and the think times.

It makes a schema of its own in BENCH_DATABASE_URL (dropped at the end; `--keep` keeps it), loads
the registry subjects the applicants file for (one each: R-P-4 gives every subject its own mobile),
an IP pool, reviewers and an admin, then starts `make serve` (the same gunicorn.conf.py and worker
count, demo mode so that the codes an applicant reads on a phone show on the page) with the outbox
worker beside it, and runs Locust for BENCH_LOAD_SECONDS. Then an upload run: a 2 MB phone JPEG
posted as fast as the workers take it, for BENCH_UPLOAD_SECONDS. It reports filings completed per
hour, p50/p95/p99 per step, errors, the workers' CPU and RSS, uploads per second, and the goals
missed; the very last line is machine-readable (`bench-load: orders_per_hour=N ...`).

BENCH_LOAD_APPLICANTS / BENCH_LOAD_REVIEWERS: simulated people at once; BENCH_LOAD_PACE: the think
times' scale (1 = the times docs/performance.md argues; the run compresses them so that an hour's
orders pass in minutes; the offered rate is what the goals are about).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from bench import journeys  # noqa: E402
from extensions import db  # noqa: E402
from runtime import current  # noqa: E402
from tests.helpers.live_server import children, free_port  # noqa: E402

BASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "300"))
APPLICANTS = int(os.environ.get("BENCH_LOAD_APPLICANTS", "40"))
REVIEWERS = int(os.environ.get("BENCH_LOAD_REVIEWERS", "6"))
UPLOAD_SECONDS = int(os.environ.get("BENCH_UPLOAD_SECONDS", "20"))
UPLOAD_CLIENTS = 8
SECRET_KEY = "bench-load-secret"
# Goals (docs/performance.md): the busiest hour's orders end to end, each step's p95, uploads.
GOAL_ORDERS_PER_HOUR = 1000
GOAL_PAGE_P95_MS = 300
GOAL_UPLOAD_P95_MS = 1500
GOAL_UPLOADS_PER_S = 10
GOAL_RSS_MB = 150


def schema_url(schema: str) -> str:
    joiner = "&" if "?" in BASE_URL else "?"
    return f"{BASE_URL}{joiner}options=-csearch_path%3D{schema}"


def seed(url: str, subjects: int) -> float:
    """Migrate; the registry subjects, the IP pool, the staff. The seconds it took."""
    from flask_migrate import upgrade

    from domain.accounts import accounts
    from domain.lifecycle.states import Role
    from domain.rulebook.registry import import_registry, parse_registry_csv
    from domain.rulebook.seed_tables import seed_rule_tables
    from models import ProviderIP, utcnow

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        started = time.monotonic()
        seed_rule_tables()
        for number in range(REVIEWERS):
            accounts.register(journeys.reviewer_email(number), journeys.PASSWORD, f"审核员{number}",
                              Role.reviewer, hasher=current().hasher)  # fmt: skip
        admin = accounts.register(
            journeys.ADMIN_EMAIL, journeys.PASSWORD, "管理员", Role.admin, hasher=current().hasher
        )
        accounts.enable_totp_with_secret(admin, journeys.ADMIN_TOTP, SECRET_KEY, utcnow())
        db.session.add_all(
            ProviderIP(address=f"121.40.{n // 250}.{n % 250 + 1}") for n in range(2 * subjects + 10)
        )
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["subject_number", "subject_name", "subject_kind", "certificate_type",
                         "certificate_number", "province", "responsible_mobile", "filing_password",
                         "website_number", "website_name", "domains", "access_providers",
                         "change_in_progress"])  # fmt: skip
        for n in range(subjects):
            who = journeys.Subject(n)
            writer.writerow([who.subject_number, who.name, "enterprise", "uscc", who.uscc, "33",
                             who.registry_mobile, journeys.FILING_PASSWORD, who.website_number,
                             who.website_name, f"{who.domain}@2030-01-01", "ALIYUN", "0"])  # fmt: skip
        import_registry(parse_registry_csv(buffer.getvalue()), hasher=current().hasher)
        db.session.commit()
        took = time.monotonic() - started
        db.engine.dispose()
    return took


class Sampler(threading.Thread):
    """The gunicorn workers' CPU seconds and largest RSS, read from /proc once a second."""

    def __init__(self, master_pid: int) -> None:
        super().__init__(daemon=True)
        self.master_pid, self.stopped = master_pid, threading.Event()
        self.cpu: dict[int, float] = {}
        self.rss_mb = 0.0
        self.tick = os.sysconf("SC_CLK_TCK")

    def workers(self) -> list[int]:
        return children(self.master_pid)

    def run(self) -> None:
        while not self.stopped.wait(1.0):
            for pid in self.workers():
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                self.cpu[pid] = (int(fields[11]) + int(fields[12])) / self.tick
                rss = int(re.search(r"^VmRSS:\s+(\d+)", status, re.M).group(1)) / 1024
                self.rss_mb = max(self.rss_mb, rss)

    def cpu_seconds(self) -> float:
        return sum(self.cpu.values())


def cpu_with_children(pid: int) -> float:
    """A process's CPU seconds with its reaped children's (the outbox worker's Tesseract runs)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def gunicorn_master(make_pid: int) -> int:
    """The gunicorn master under `make serve` (make, then perhaps a shell, then gunicorn)."""
    todo = [make_pid]
    while todo:
        pid = todo.pop()
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if b"gunicorn" in command:
            return pid
        todo += children(pid)
    raise RuntimeError("no gunicorn under make serve")


def serve(url: str, port: int, folder: Path) -> tuple[subprocess.Popen, subprocess.Popen, int]:
    """`make serve` and the outbox worker beside it, as production runs them."""
    env = {
        **os.environ, "DATABASE_URL": url, "BEIAN_SECRET_KEY": SECRET_KEY,
        "BEIAN_UPLOAD_FOLDER": str(folder / "uploads"), "BEIAN_DEMO_MODE": "true",
        "BEIAN_PUBLIC_URL": f"http://127.0.0.1:{port}", "BEIAN_BEHIND_PROXY": "true",
        "BEIAN_SMS_GATEWAY": "log", "HOST": "127.0.0.1", "PORT": str(port),
    }  # fmt: skip
    log = open(folder / "serve.log", "ab")  # noqa: SIM115 (closed with the process)
    server = subprocess.Popen(["make", "-s", "serve"], cwd=ROOT, env=env, stdout=log, stderr=log,
                              start_new_session=True)  # fmt: skip
    worker_log = open(folder / "outbox.log", "ab")  # noqa: SIM115
    outbox = subprocess.Popen([str(ROOT / ".venv/bin/flask"), "--app", "app", "outbox", "work"],
                              cwd=ROOT, env=env, stdout=worker_log, stderr=worker_log,
                              start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 300  # the migration, then five workers importing the app
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=30).status_code == 200:
                return server, outbox, gunicorn_master(server.pid)
        except requests.RequestException:
            time.sleep(0.2)
    stop(outbox)
    stop(server)
    raise RuntimeError((folder / "serve.log").read_text()[-3000:])


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def run_locust(host: str, folder: Path, first_subject: int) -> dict:
    """Locust headless for SECONDS; its per-step figures from the CSV it writes."""
    users = APPLICANTS + REVIEWERS + 1
    env = {**os.environ, "BENCH_LOAD_FIRST_SUBJECT": str(first_subject),
           "BENCH_LOAD_HOLD": str(UPLOAD_CLIENTS),
           "BENCH_LOAD_REVIEWERS": str(REVIEWERS), "BENCH_LOAD_APPLICANTS": str(APPLICANTS)}  # fmt: skip
    command = [
        str(ROOT / ".venv/bin/locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
        "--host", host, "-u", str(users), "-r", str(max(1, users // 10)), "-t", f"{SECONDS}s",
        "--csv", str(folder / "locust"), "--only-summary", "--stop-timeout", "5",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    subprocess.run(command, cwd=ROOT / "bench", env=env, check=False,
                   stdout=open(folder / "locust.log", "wb"), stderr=subprocess.STDOUT)  # fmt: skip
    steps = {}
    with open(folder / "locust_stats.csv", newline="") as stats:
        for row in csv.DictReader(stats):
            if row["Name"] == "Aggregated":
                continue
            steps[row["Name"]] = {
                "count": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                "p50": float(row["50%"]), "p95": float(row["95%"]), "p99": float(row["99%"]),
            }  # fmt: skip
    return steps


def completed(url: str, since: float) -> tuple[int, int, list[float]]:
    """Access orders approved since `since` (epoch), orders submitted since, and the minutes
    each approved one took from its submission."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT submitted_at, approved_at FROM filings WHERE state = 'approved' "
                    "AND approved_at >= to_timestamp(:since)"), {"since": since}
        ).all()  # fmt: skip
        submitted = connection.scalar(
            sa.text("SELECT count(*) FROM filings WHERE submitted_at >= to_timestamp(:since)"),
            {"since": since},
        )
    engine.dispose()
    return len(rows), submitted, [(done - sent).total_seconds() / 60 for sent, done in rows]


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmRSS:\s+(\d+)", status, re.M).group(1)) / 1024


def login(host: str, email: str) -> tuple[requests.Session, str]:
    """A logged-in applicant's session and its CSRF token."""
    session = requests.Session()
    page = session.get(host + "/auth/login", timeout=30).text
    answer = session.post(host + "/auth/login", allow_redirects=False, timeout=30, data={
        "email": email, "password": journeys.PASSWORD, "csrf_token": journeys.csrf(page),
    })  # fmt: skip
    assert answer.status_code == 302, answer.text[:300]
    return session, journeys.csrf(session.get(host + "/filings/", timeout=30).text)


def upload_run(host: str, url: str) -> dict:
    """UPLOAD_CLIENTS applicants whose orders wait for their materials (left so by the journeys),
    each posting 2 MB phone JPEGs (two pictures in turn: each a new upload) to its order as fast
    as the server answers, for UPLOAD_SECONDS."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        owners = connection.execute(sa.text(
            "SELECT f.id, u.email FROM filings f JOIN users u ON u.id = f.account_id "
            "WHERE f.state = 'materials_pending' ORDER BY f.id LIMIT :n"), {"n": UPLOAD_CLIENTS}
        ).all()  # fmt: skip
    engine.dispose()
    photos = [journeys.phone_jpeg(0), journeys.phone_jpeg(1)]
    clients = [(login(host, email), filing_id) for filing_id, email in owners]
    times: list[float] = []
    bad = [0]
    deadline = time.monotonic() + UPLOAD_SECONDS

    def post(client: tuple[requests.Session, str], filing_id: int) -> None:
        session, token = client
        turn = 0
        while time.monotonic() < deadline:
            turn += 1
            began = time.monotonic()
            answer = session.post(
                f"{host}/filings/{filing_id}/materials", headers={"HX-Request": "true"},
                files=journeys.multipart({"kind": "business_licence", "website_id": "",
                                          "csrf_token": token}, "file", photos[turn % 2],
                                         "IMG_0001.jpg"), timeout=60,
            )  # fmt: skip
            times.append(time.monotonic() - began)
            if answer.status_code != 200:
                bad[0] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=post, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.monotonic() - started
    times.sort()
    if not times:
        return {"per_s": 0.0, "count": 0, "bad": 1, "bytes": len(photos[0]), "p50": 0, "p95": 0}
    return {
        "per_s": len(times) / took, "count": len(times), "bad": bad[0], "bytes": len(photos[0]),
        "p50": 1000 * statistics.median(times),
        "p95": 1000 * times[int(0.95 * (len(times) - 1))],
    }  # fmt: skip


# Every adapter configured at once: the SDK platforms for SMS and identity verification (their
# endpoint a closed local port: nothing is sent), the DNS resolver, the page fetcher, Tesseract;
# the live photo's OpenCV is the main run's (BEIAN_IDENTITY_VERIFIER=photo).
EVERY_ADAPTER = {
    "SMS_GATEWAY": "aliyun", "SMS_ACCESS_KEY_ID": "bench", "SMS_ACCESS_KEY_SECRET": "bench",
    "SMS_ENDPOINT": "http://127.0.0.1:9", "IDENTITY_VERIFIER": "aliyun",
    "IDENTITY_ACCESS_KEY_ID": "bench", "IDENTITY_ACCESS_KEY_SECRET": "bench",
    "IDENTITY_ENDPOINT": "http://127.0.0.1:9", "IDENTITY_SCENE_ID": "1",
    "DNS_RESOLVER": "dnspython", "PAGE_FETCHER": "httpx", "OCR": "tesseract",
}  # fmt: skip


def rss_every_adapter(url: str, folder: Path) -> float:
    """The workers' largest RSS with every adapter configured, after a round of pages."""
    from tests.helpers.live_server import LiveServer

    port = int(os.environ.get("BENCH_LOAD_PORT", "0"))
    server = LiveServer(url, folder / "uploads-every", workers=2, port=port + 1 if port else 0,
                        **EVERY_ADAPTER).start(timeout=120)  # fmt: skip
    try:
        for _ in range(10):
            for path in ("/healthz", "/auth/login", "/auth/signup", "/"):
                requests.get(server.url + path, timeout=30)
        return max(rss_mb(pid) for pid in server.worker_pids())
    finally:
        server.stop()


def main() -> None:
    keep = "--keep" in sys.argv
    schema = f"bench_load_{uuid.uuid4().hex[:8]}"
    admin_engine = sa.create_engine(BASE_URL)
    with admin_engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = schema_url(schema)
    folder = Path(tempfile.mkdtemp(prefix="beian-load-"))
    port = int(os.environ.get("BENCH_LOAD_PORT", "0")) or free_port()
    host = f"http://127.0.0.1:{port}"
    # enough subjects for every journey the run may start (a journey takes a minute or more)
    subjects = APPLICANTS * (SECONDS // 10 + 10)
    server = outbox = None
    try:
        seed_s = seed(url, subjects)
        print(
            f"seeded {subjects} registry subjects, {2 * subjects} IPs in {seed_s:.1f} s", flush=True
        )
        server, outbox, master = serve(url, port, folder)
        workers = children(master)
        rss_idle = max(rss_mb(pid) for pid in workers)
        sampler = Sampler(master)
        sampler.start()
        outbox_before = cpu_with_children(outbox.pid)
        locust_before, postgres_before = children_cpu(), postgres_cpu()
        started_at = time.time()
        started = time.monotonic()
        steps = run_locust(host, folder, 0)
        took = time.monotonic() - started
        postgres_after = postgres_cpu()
        others = {"locust": children_cpu() - locust_before,
                  "postgres": None if postgres_after is None else postgres_after - postgres_before}  # fmt: skip
        sampler.stopped.set()
        sampler.join()
        cpu = sampler.cpu_seconds()
        outbox_cpu = cpu_with_children(outbox.pid) - outbox_before
        # the run's steady part: from the first approval on (the pipeline fills first)
        done, submitted, minutes = completed(url, started_at)
        first_done = fill_time(url, started_at)
        steady = max(1.0, took - first_done)
        orders_per_hour = done / steady * 3600
        uploads = upload_run(host, url)
        uploads["outbox_cpu"] = cpu_with_children(outbox.pid) - outbox_before - outbox_cpu
        rss_after = max(rss_mb(pid) for pid in children(master))
        for process in (outbox, server):
            stop(process)
        rss_every = rss_every_adapter(url, folder)
        report(steps, done, submitted, minutes, orders_per_hour, took, first_done, cpu, sampler,
               rss_idle, rss_after, rss_every, uploads, len(workers), outbox_cpu, others)  # fmt: skip
    finally:
        for process in (outbox, server):
            if process is not None:
                stop(process)
        if keep:
            print(f"kept: schema {schema}, files {folder}")
        else:
            with admin_engine.begin() as connection:
                connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin_engine.dispose()


def fill_time(url: str, since: float) -> float:
    """Seconds from the start until the first order was approved (the pipeline's fill)."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        first = connection.scalar(
            sa.text("SELECT extract(epoch FROM min(approved_at)) FROM filings "
                    "WHERE approved_at >= to_timestamp(:since)"), {"since": since}
        )  # fmt: skip
    engine.dispose()
    return float(first) - since if first is not None else 0.0


def postgres_cpu() -> float | None:
    """PostgreSQL's CPU seconds on this machine (None: it runs elsewhere): every postgres
    process's, with the postmaster's reaped children (the backends of closed connections)."""
    stats = {}
    for entry in Path("/proc").iterdir():
        try:
            text = (entry / "stat").read_text() if entry.name.isdigit() else ""
        except OSError:
            continue
        if text[text.find("(") + 1 : text.rfind(")")] == "postgres":
            stats[entry.name] = text.rsplit(")", 1)[1].split()
    if not stats:
        return None
    ticks = 0
    for fields in stats.values():
        ticks += int(fields[11]) + int(fields[12])
        if fields[1] not in stats:  # the postmaster: its exited backends' time too
            ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    """This process's reaped children's CPU seconds (Locust, once it has ended)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def report(steps, done, submitted, minutes, orders_per_hour, took, fill, cpu, sampler, rss_idle,
           rss_after, rss_every, uploads, workers, outbox_cpu, others) -> None:  # fmt: skip
    print(f"\n{'step':28}{'count':>7}{'fail':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for name, figures in sorted(steps.items()):
        print(f"{name:28}{figures['count']:7d}{figures['failures']:6d}{figures['p50']:9.0f}"
              f"{figures['p95']:9.0f}{figures['p99']:9.0f}")  # fmt: skip
    errors = sum(figures["failures"] for figures in steps.values()) + uploads["bad"]
    pages = {n: f for n, f in steps.items() if not n.startswith(journeys.UPLOAD_STEPS)}
    upload_steps = {n: f for n, f in steps.items() if n.startswith(journeys.UPLOAD_STEPS)}
    page_p95 = max((f["p95"] for f in pages.values()), default=0)
    worst_page = max(pages, key=lambda n: pages[n]["p95"], default="")
    upload_p95 = max((f["p95"] for f in upload_steps.values()), default=0)
    requests_total = sum(f["count"] for f in steps.values())
    print(f"\n{took:.0f} s of load, {workers} workers: {done} access orders approved "
          f"({submitted} submitted), the first after {fill:.0f} s; {orders_per_hour:.0f} per hour "
          f"from then on; {requests_total} requests ({requests_total / took:.1f}/s)")  # fmt: skip
    if minutes:
        print(f"submission to approval: median {statistics.median(minutes):.1f} min, "
              f"longest {max(minutes):.1f} min (compressed think times)")  # fmt: skip
    print(f"workers' CPU: {cpu:.0f} s in {took:.0f} s ({cpu / took:.2f} cores of 2), "
          f"{1000 * cpu / max(1, done):.0f} ms per approved order; RSS idle {rss_idle:.0f} MB, "
          f"largest under load {sampler.rss_mb:.0f} MB, after the upload run {rss_after:.0f} MB")  # fmt: skip
    print(f"outbox worker's CPU, its OCR readings included: {outbox_cpu:.0f} s in the load "
          f"({outbox_cpu / took:.2f} cores), {uploads['outbox_cpu']:.0f} s in the upload run")  # fmt: skip
    database = ("not on this machine" if others["postgres"] is None
                else f"{others['postgres']:.0f} s ({others['postgres'] / took:.2f} cores)")  # fmt: skip
    print(f"the rest of the machine in the load: the load generator (Locust) {others['locust']:.0f} s "
          f"({others['locust'] / took:.2f} cores), PostgreSQL {database}")  # fmt: skip
    print(f"uploads: {uploads['per_s']:.1f}/s of a {uploads['bytes'] / 1e6:.1f} MB phone JPEG "
          f"({UPLOAD_CLIENTS} clients, {UPLOAD_SECONDS} s, p50 {uploads['p50']:.0f} ms, "
          f"p95 {uploads['p95']:.0f} ms, {uploads['bad']} refused)")  # fmt: skip
    print(f"worker RSS with every adapter configured (SMS and identity SDKs, DNS, HTTP, OCR), "
          f"idle after a round of pages: {rss_every:.0f} MB")  # fmt: skip
    rss = max(sampler.rss_mb, rss_after, rss_every)
    missed = []
    if orders_per_hour < GOAL_ORDERS_PER_HOUR:
        missed.append(f"orders_per_hour {orders_per_hour:.0f} < {GOAL_ORDERS_PER_HOUR}")
    if page_p95 >= GOAL_PAGE_P95_MS:
        missed.append(f"page p95 {page_p95:.0f} ms ({worst_page}) >= {GOAL_PAGE_P95_MS}")
    if upload_p95 >= GOAL_UPLOAD_P95_MS:
        missed.append(f"upload p95 {upload_p95:.0f} ms >= {GOAL_UPLOAD_P95_MS}")
    if errors:
        missed.append(f"errors {errors} > 0")
    if uploads["per_s"] < GOAL_UPLOADS_PER_S:
        missed.append(f"uploads {uploads['per_s']:.1f}/s < {GOAL_UPLOADS_PER_S}")
    if rss >= GOAL_RSS_MB:
        missed.append(f"rss {rss:.0f} MB >= {GOAL_RSS_MB}")
    print("goals: " + ("all met" if not missed else "missed: " + ", ".join(missed)))
    print(
        f"bench-load: orders_per_hour={orders_per_hour:.0f} page_p95_ms={page_p95:.0f} "
        f"upload_p95_ms={upload_p95:.0f} errors={errors} approved={done} submitted={submitted} "
        f"uploads_per_s={uploads['per_s']:.1f} upload_2mb_p95_ms={uploads['p95']:.0f} "
        f"worker_cpu_cores={cpu / took:.2f} outbox_cpu_cores={outbox_cpu / took:.2f} "
        f"locust_cpu_cores={others['locust'] / took:.2f} "
        f"postgres_cpu_cores={(others['postgres'] or 0) / took:.2f} "
        f"rss_mb={rss:.0f} rss_every_adapter_mb={rss_every:.0f} "
        f"seconds={took:.0f}"
    )
    json.dump({"steps": steps}, open(Path(tempfile.gettempdir()) / "bench-load-last.json", "w"))


if __name__ == "__main__":
    main()
