"""The benchmark (run with `make bench`; not a test): 100 000 filings in every state and
20 000 applicants in PostgreSQL, gunicorn with 2 workers, wrk at concurrency 16, side by side:
a bare route (the ceiling), the reviewer queue partial (page 1 and a deep page), the applicant's
status partial as the browser polls it (nothing changed: 204) and when it has changed (the panel
rendered), the review screen and a decision (a write); the access gate's check for a filed and an unfiled
host with 100 000 registry websites listing this provider (and the time of its export). Prints
requests/s, p50/p95/p99, the ratio of each to the bare route, and the workers' RSS; the last line is
machine-readable.

BENCH_DATABASE_URL (default: the test database on 127.0.0.1) names the server; the run works in a
schema of its own and drops it at the end (`--keep` keeps it; BENCH_SCHEMA=name reuses it).
BENCH_SECONDS and BENCH_ROUNDS set the length of each run and how many rounds are taken.
"""

from __future__ import annotations

import html
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from domain.duties import gate  # noqa: E402
from domain.lifecycle.states import FilingState  # noqa: E402
from domain.review import reviewing  # noqa: E402
from extensions import db  # noqa: E402
from models import Filing  # noqa: E402
from runtime import current  # noqa: E402
from tests.helpers.live_server import LiveServer  # noqa: E402

BASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SECONDS = int(os.environ.get("BENCH_SECONDS", "3"))  # per run; each is run ROUNDS times
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
CONCURRENCY = 16
# filings:applicants of each run, side by side: a figure that grows with the data shows in the ratio
DEFAULT_SIZES = "100000:20000,1000000:200000"
GATE_WEBSITES = 100_000  # registry websites listing this provider, one domain each
PASSWORD = "Bench12345"


def schema_url(schema: str) -> str:
    joiner = "&" if "?" in BASE_URL else "?"
    return f"{BASE_URL}{joiner}options=-csearch_path%3D{schema}"


def seed(app, filings: int, applicants: int) -> float:
    """Migrate, then generate the data in the server; the seconds the data took."""
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from domain.accounts import accounts
    from domain.lifecycle import stage_counts
    from domain.lifecycle.states import Role

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        started = time.monotonic()
        password_hash = generate_password_hash(PASSWORD, "pbkdf2:sha256:1000")
        states = [state.value for state in FilingState]
        sql = (ROOT / "bench" / "seed.sql").read_text()
        with db.engine.begin() as connection:
            raw = connection.connection.driver_connection
            with raw.cursor() as cursor:
                for statement in _statements(sql):
                    cursor.execute(
                        statement.replace("%", "%%")
                        .replace(":applicants", str(applicants))
                        .replace(":filings", str(filings))
                        .replace(":password_hash", "%(hash)s")
                        .replace(":states", "%(states)s::text[]"),
                        {"hash": password_hash, "states": states},
                    )
        stage_counts.recount()  # the rows were made by SQL, not by transitions
        reviewer = accounts.register(
            "reviewer@bench.example.cn", PASSWORD, "审核员", Role.reviewer, hasher=current().hasher
        )
        db.session.commit()
        took = time.monotonic() - started
        print(f"seeded {filings} filings and {applicants} applicants in {took:.1f} s", flush=True)
        # Every waiting filing of the first stage is claimed by the reviewer: the decision run
        # approves them one after another (version 1, as seeded).
        db.session.execute(
            sa.update(Filing)
            .where(Filing.state == FilingState.submitted)
            .values(claimed_by_id=reviewer.id, claimed_at=sa.func.now())
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        return took


def vacuum(app) -> None:
    """VACUUM ANALYZE the schema's tables, as autovacuum would have done to a server's tables
    long before (the test server runs without it): the visibility map set, so that PostgreSQL
    plans index-only scans as it would there, and the claims' dead rows gone."""
    with app.app_context():
        tables = db.session.scalars(
            sa.text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        ).all()
        db.session.remove()
        started = time.monotonic()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE " + ", ".join(f'"{t}"' for t in tables)))
        print(f"vacuumed {len(tables)} tables in {time.monotonic() - started:.1f} s", flush=True)


GATE_SEED = f"""
INSERT INTO registry_subjects (subject_number, name, kind, certificate_type, certificate_number,
                               province, filing_password_hash)
VALUES ('浙ICP备2099000001号', '基准测试网络有限公司', 'enterprise', 'uscc', '91330106GATEBENCH1', '33', 'x');
INSERT INTO registry_websites (subject_id, website_number, name, responsible_mobile, access_providers,
                               change_in_progress)
SELECT s.id, '浙ICP备2099000001号-' || g, '基准测试网站' || g, '13800138000', 'BEIANDESK', false
FROM generate_series(1, {GATE_WEBSITES}) AS g,
     (SELECT id FROM registry_subjects WHERE subject_number = '浙ICP备2099000001号') AS s;
INSERT INTO registry_domains (website_id, domain, expires_on)
SELECT w.id, 'gate' || substr(w.website_number, length('浙ICP备2099000001号-') + 1) || '.cn', '2030-01-01'
FROM registry_websites AS w WHERE w.website_number LIKE '浙ICP备2099000001号-%';
UPDATE change_counters SET value = value + 1 WHERE name = 'gate'
"""


def seed_gate(app) -> dict:
    """The registry websites of the gate's measurement (once per schema); the export's time."""
    with app.app_context():
        present = db.session.scalar(
            sa.text(
                "SELECT count(*) FROM registry_subjects WHERE subject_number = '浙ICP备2099000001号'"
            )
        )
        if not present:
            with db.engine.begin() as connection:
                for statement in _statements(GATE_SEED):
                    connection.execute(sa.text(statement))
            vacuum(app)  # the last rows of a new schema are in
        times = []
        for _ in range(3):  # the median of three, as every figure here
            started = time.monotonic()
            made = gate.export_now(app.config["PROVIDER_CODE"])
            text = made.render("nginx-map")
            gate.write_atomically(Path(tempfile.mkdtemp(prefix="beian-gate-")) / "gate.map", text)
            times.append(time.monotonic() - started)
            db.session.rollback()
        took = statistics.median(times)
        db.session.remove()
        print(
            f"gate export: {len(made.domains)} domains as an nginx map in {took:.2f} s (median of 3)"
        )
        return {"domains": len(made.domains), "export_s": took}


def measurement_ids(app) -> dict:
    """The filings each measurement uses."""
    with app.app_context():
        to_decide = db.session.scalars(
            sa.select(Filing.id).where(Filing.state == FilingState.submitted).order_by(Filing.id)
        ).all()
        deep = db.session.scalars(
            sa.select(Filing)
            .where(Filing.state == FilingState.re_review)
            .order_by(Filing.state_entered_at, Filing.id)
            .offset(200 * reviewing.PAGE_SIZE)
            .limit(1)
        ).one()
        watched = db.session.scalars(
            sa.select(Filing)
            .where(Filing.state == FilingState.re_review)
            .order_by(Filing.id)
            .limit(1)
        ).one()
        return {
            "to_decide": to_decide,
            "deep_cursor": reviewing.encode_cursor(deep),
            "watched": (watched.id, f"applicant{watched.account_id}@bench.example.cn"),
            "review_id": to_decide[-1],
        }


def _statements(sql: str) -> list[str]:
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]


def wrk(url: str, cookie: str, headers: dict, expected: str, bodies: Path | None = None) -> dict:
    """One wrk run; `expected` lists the status codes that count as answered ("200,302")."""
    command = ["wrk", "-t1", f"-c{CONCURRENCY}", f"-d{SECONDS}s", "--timeout", "10s",
               "-s", str(ROOT / "bench" / "report.lua")]  # fmt: skip
    if cookie:  # the gate's caller (the edge) sends none
        command += ["-H", f"Cookie: {cookie}"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command += [url, "--", expected]
    if bodies:
        command.append(str(bodies))
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"RESULT (.*)", output)
    if not match:
        raise RuntimeError(output)
    return {
        key: float(value) for key, value in (pair.split("=") for pair in match.group(1).split())
    }


def settle(server: LiveServer) -> None:
    """Wait until the workers are idle again (a run leaves the requests queued when wrk stopped;
    the gate reloads its set after the decisions): the bare route answers in under 0.2 s."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        started = time.monotonic()
        requests.get(server.url + "/healthz", timeout=60)
        if time.monotonic() - started < 0.2:
            return


def worker_rss_mb(server: LiveServer) -> float:
    """The largest resident set of the server's worker processes, in MB."""
    sizes = []
    for pid in server.worker_pids():
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"^VmRSS:\s+(\d+)", status, re.M).group(1)))
    return max(sizes, default=0) / 1024


def main() -> None:
    if subprocess.run(["which", "wrk"], capture_output=True).returncode:
        sys.exit("bench: wrk is missing (apt-get install wrk)")
    reuse = os.environ.get("BENCH_SCHEMA", "")  # a schema seeded by an earlier run (--keep)
    sizes = [
        tuple(int(n) for n in size.split(":"))
        for size in os.environ.get("BENCH_SIZES", DEFAULT_SIZES).split(",")
    ]
    if reuse:
        sizes = sizes[:1]
    measured = [measure_size(filings, applicants, reuse) for filings, applicants in sizes]
    if not measured[0]:  # BENCH_ONLY: the figures asked for, no goals
        return
    compare(measured)


def measure_size(filings: int, applicants: int, reuse: str) -> dict:
    """Seed `filings` and `applicants` in a schema of their own, start gunicorn, measure."""
    keep = "--keep" in sys.argv or bool(reuse)
    schema = reuse or f"bench_{uuid.uuid4().hex[:8]}"
    admin_engine = sa.create_engine(BASE_URL)
    if not reuse:
        with admin_engine.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = schema_url(schema)
    folder = Path(tempfile.mkdtemp(prefix="beian-bench-"))
    server = None
    print(f"\n== {filings} filings, {applicants} applicants ==", flush=True)
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                          "UPLOAD_FOLDER": str(folder / "uploads")})  # fmt: skip
        seed_s = seed(app, filings, applicants) if not reuse else 0.0
        ids = measurement_ids(app)
        ids["gate"] = seed_gate(app)
        with app.app_context():
            db.engine.dispose()
        # production settings: the console settings are re-read every 30 s, not on every request
        server = LiveServer(
            url, folder / "uploads", workers=2, port=int(os.environ.get("BENCH_PORT", "0")),
            SETTINGS_REFRESH_SECONDS=30,
        ).start(timeout=120)  # fmt: skip
        results = run(server, ids, folder, filings, applicants)
        if results:
            results["seed_s"] = seed_s
            results["filings"] = filings
        return results
    finally:
        if server is not None:
            server.stop()
        if keep:
            print(f"kept the data: BENCH_SCHEMA={schema} make bench")
        else:
            with admin_engine.begin() as connection:
                connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin_engine.dispose()


def run(server: LiveServer, ids: dict, folder: Path, filings: int, applicants: int) -> dict:
    reviewer = server.session("reviewer@bench.example.cn", PASSWORD)
    watched_id, watched_email = ids["watched"]
    applicant = server.session(watched_email, PASSWORD)
    token = server.csrf(reviewer, "/review/")  # stored in the session: read the cookie after it
    cookie = "session=" + reviewer.cookies["session"]
    applicant_cookie = "session=" + applicant.cookies["session"]
    # one file of decisions per round, each on filings nobody decided yet (the review screen's
    # filing, the last, is left alone)
    decidable = ids["to_decide"][:-1]
    share = len(decidable) // ROUNDS
    bodies = []
    for number in range(ROUNDS):
        path = folder / f"decisions-{number}.txt"
        path.write_text("".join(
            f"/review/filings/{filing_id}/decide csrf_token={token}&version=1&action=initial_approve\n"
            for filing_id in decidable[number * share : (number + 1) * share]
        ))  # fmt: skip
        bodies.append(path)
    htmx = {"HX-Request": "true"}
    base = server.url
    for warm in ("/healthz", "/review/?stage=re_review", f"/filings/{watched_id}/status"):
        (applicant if "filings" in warm else reviewer).get(base + warm, headers=htmx, timeout=30)
    # The status partial as the browser polls it: the URL in the status page's panel (it carries
    # the version shown, so while nothing changes the answer is 204); "panel" is the same partial
    # when something changed: the panel rendered anew.
    status_page = applicant.get(f"{base}/filings/{watched_id}", timeout=30).text
    poll = html.unescape(re.search(r'hx-get="([^"]*/status\?version=\d+)"', status_page).group(1))
    runs = [
        ("hello", base + "/healthz", cookie, {}, "200", None),
        ("queue", base + "/review/?stage=re_review", cookie, htmx, "200", None),
        ("deep", base + f"/review/?stage=re_review&after={ids['deep_cursor']}", cookie, htmx, "200",
         None),
        ("status", base + poll, applicant_cookie, htmx, "204", None),
        ("panel", base + f"/filings/{watched_id}/status", applicant_cookie, htmx, "200", None),
        ("review", base + f"/review/filings/{ids['review_id']}", cookie, {}, "200", None),
        ("decide", base + "/", cookie, {}, "302", bodies),  # a file per round
        ("gate_ok", base + "/gate/check?host=www.gate54321.cn", "", {}, "204", None),
        ("gate_no", base + "/gate/check?host=www.unfiled-bench.cn", "", {}, "403", None),
    ]  # fmt: skip
    only = os.environ.get("BENCH_ONLY", "")  # e.g. "hello,queue" while profiling
    runs = [run for run in runs if not only or run[0] in only.split(",") or run[0] == "hello"]
    if any(name.startswith("gate") for name, *_ in runs):
        # each worker reads the whole allowed set at its first check (seconds at 1 000 000
        # filings), then only what changed: the figures are of the checks after that
        wrk(base + "/gate/check?host=www.gate54321.cn", "", {}, "204", None)
        settle(server)
    # The machine's speed drifts over a minute: each figure is the median of ROUNDS short runs,
    # and the runs of one round follow each other, so the ratios compare like with like.
    rounds: dict[str, list[dict]] = {name: [] for name, *_ in runs}
    for number in range(ROUNDS):
        for name, url, jar, headers, expected, body_files in runs:
            body_file = body_files[number] if body_files else None
            rounds[name].append(wrk(url, jar, headers, expected, body_file))
            print(f"round {number + 1}: {name} {rounds[name][-1]['rps']:.0f} req/s", flush=True)
            settle(server)
    results = {
        name: {key: statistics.median(r[key] for r in measured) for key in measured[0]}
        | {"bad": sum(r["bad"] for r in measured), "errors": sum(r["errors"] for r in measured)}
        for name, measured in rounds.items()
    }
    rss = worker_rss_mb(server)
    hello = results["hello"]["rps"] or 1e-9  # a round that answered nothing
    print(f"\n{'':8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'ratio':>8}{'bad':>6}")
    for name, figures in results.items():
        print(f"{name:8}{figures['rps']:9.0f}{figures['p50']:9.1f}{figures['p95']:9.1f}"
              f"{figures['p99']:9.1f}{figures['rps'] / hello:8.2f}{figures['bad'] + figures['errors']:6.0f}")  # fmt: skip
    print(f"worker RSS (largest of 2): {rss:.0f} MB; {filings} filings, {applicants} applicants, "
          f"wrk -c{CONCURRENCY}, median of {ROUNDS} runs of {SECONDS} s each")  # fmt: skip
    figures = ids["gate"]
    gate_ratios = " ".join(
        f"{name}_ratio={results[name]['rps'] / hello:.2f}" for name in ("gate_ok", "gate_no")
        if name in results
    )  # fmt: skip
    print(f"gate: {figures['domains']} allowed domains, export {figures['export_s']:.2f} s "
          f"(goal < 2 s); {gate_ratios} (goal >= 0.90)")  # fmt: skip
    if only:
        return {}
    return results | {"rss": rss, "gate": figures}


# The goals of each figure: its ratio to the bare route (the deep page: to page 1), in one run.
GOALS = {"queue": ("hello", 0.35), "deep": ("queue", 0.90), "status": ("hello", 0.50),
         "panel": ("hello", 0.35), "gate_ok": ("hello", 0.90), "gate_no": ("hello", 0.90)}  # fmt: skip
SCALED = ("queue", "deep", "status", "panel", "review", "decide", "gate_ok", "gate_no")
SCALE_GOAL = 0.90  # each figure at the largest size, of the same figure at the smallest


def compare(measured: list[dict]) -> None:
    """Each figure at every size as its ratio to the bare route of the same rounds, and the
    largest size's ratio over the smallest's; the goals missed."""
    small, large = measured[0], measured[-1]

    def ratio(results: dict, name: str) -> float:
        return results[name]["rps"] / (results[GOALS.get(name, ("hello",))[0]]["rps"] or 1e-9)

    sizes = [f"{m['filings'] // 1000}k" for m in measured]
    print(f"\n{'':8}" + "".join(f"{s + ' req/s':>13}{s + ' p95':>10}{s + ' ratio':>11}" for s in sizes)
          + f"{'scale':>8}")  # fmt: skip
    scale = {}
    for name in SCALED:
        scale[name] = ratio(large, name) / ratio(small, name)
        print(f"{name:8}" + "".join(
            f"{m[name]['rps']:13.0f}{m[name]['p95']:10.1f}{ratio(m, name):11.2f}" for m in measured
        ) + f"{scale[name]:8.2f}")  # fmt: skip
    for m in measured:
        print(f"{m['filings']} filings: seeded in {m['seed_s']:.0f} s, worker RSS {m['rss']:.0f} MB, "
              f"gate export {m['gate']['export_s']:.2f} s of {m['gate']['domains']} domains")  # fmt: skip
    missed = []
    for m in measured:
        size = f"{m['filings'] // 1000}k"
        missed += [f"{name}@{size} {ratio(m, name):.2f} < {goal}" for name, (_, goal) in GOALS.items()
                   if ratio(m, name) < goal]  # fmt: skip
        missed += [f"rss@{size} {m['rss']:.0f} MB >= 150"] if m["rss"] >= 150 else []
        if m["gate"]["export_s"] >= 2:
            missed.append(f"gate export@{size} {m['gate']['export_s']:.2f} s >= 2")
    if len(measured) > 1:
        missed += [f"{name} scale {value:.2f} < {SCALE_GOAL}" for name, value in scale.items()
                   if value < SCALE_GOAL]  # fmt: skip
    print("goals: " + ("all met" if not missed else "missed: " + ", ".join(missed)))
    hello = large["hello"]["rps"]
    print(
        f"bench: filings={large['filings']} hello_rps={hello:.0f} "
        + " ".join(f"{name}_ratio={ratio(large, name):.2f}" for name in SCALED)
        + " "
        + " ".join(f"{name}_scale={value:.2f}" for name, value in scale.items())
        + f" queue_p95_ms={large['queue']['p95']:.0f} rss_mb={large['rss']:.0f}"
        + f" seed_s={large['seed_s']:.0f} gate_export_s={large['gate']['export_s']:.2f}"
    )


if __name__ == "__main__":
    main()
