"""The registry import's cost (`make bench-import`, not a test): an admin uploads a CSV of
10 000 websites of 10 000 subjects (every row a new subject: the most passwords to hash), previews
it, confirms it, and uploads the same file again, through the web routes as a browser would.
Goal: each request well within gunicorn's 60 s worker timeout. For comparison, the cost of one
scrypt hash with werkzeug's default (what every row cost before) is measured and multiplied.

Runs on SQLite in a temporary folder, and on PostgreSQL too when BENCH_DATABASE_URL (default: the
local test database) answers (in a schema of its own, dropped afterwards). BENCH_IMPORT_ROWS sets
the number of rows.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stdnum.cn import uscc  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from app import create_app  # noqa: E402
from domain.accounts import accounts  # noqa: E402
from domain.lifecycle.states import Role  # noqa: E402
from extensions import db  # noqa: E402
from models import RegistryWebsite  # noqa: E402
from runtime import current  # noqa: E402

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "10000"))
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
HEADER = (
    "subject_number,subject_name,subject_kind,certificate_type,certificate_number,province,"
    "responsible_mobile,filing_password,website_number,website_name,domains,access_providers,"
    "change_in_progress"
)


def registry_csv(rows: int) -> str:
    """`rows` websites of as many subjects, valid check digits, one domain each."""
    lines = [HEADER]
    for i in range(rows):
        number = f"浙ICP备2020{i:06d}号"
        stem = f"91330106MA{i:07d}"
        certificate = stem + uscc.calc_check_digit(stem)
        lines.append(
            f"{number},杭州测试{i}科技有限公司,enterprise,uscc,{certificate},33,"
            f"138{i:08d},Pass{i:06d},{number}-1,测试网站{i},bench{i}.cn@2030-01-01,OTHER,0"
        )
    return "\n".join(lines) + "\n"


def timed(label: str, call) -> float:
    start = time.perf_counter()
    response = call()
    seconds = time.perf_counter() - start
    print(f"  {label}: {seconds:.1f} s (HTTP {response.status_code})")
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:500]
    return seconds


def run(database_url: str, folder: Path, text: str) -> dict[str, float]:
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
        "UPLOAD_FOLDER": str(folder / "uploads"), "ADMIN_TOTP_REQUIRED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # the admin's own login, not measured
    })  # fmt: skip
    figures = {}
    with app.app_context():
        db.create_all()
        accounts.register(
            "admin@bench.cn", "Bench12345", "admin", Role.admin, hasher=current().hasher
        )
        db.session.commit()
        client = app.test_client()
        client.post("/auth/login", data={"email": "admin@bench.cn", "password": "Bench12345"})
        data = text.encode()

        def upload():
            return client.post(
                "/admin/registry", data={"csv": (io.BytesIO(data), "registry.csv")},
                content_type="multipart/form-data",
            )  # fmt: skip

        tokens: list[str] = []

        def preview():
            response = upload()
            body = response.get_data(as_text=True)
            tokens.append(body.split("/admin/registry/")[1][:32])
            return response

        figures["preview"] = timed("preview (upload)", preview)
        figures["import"] = timed(
            "confirm (import)", lambda: client.post(f"/admin/registry/{tokens[-1]}")
        )
        imported = db.session.scalar(sa.select(sa.func.count(RegistryWebsite.id)))
        db.session.rollback()
        assert imported == ROWS, f"{imported} websites imported, {ROWS} expected"
        figures["preview_again"] = timed("preview of the same file again", preview)
        figures["reimport"] = timed(
            "confirm again (nothing changed)", lambda: client.post(f"/admin/registry/{tokens[-1]}")
        )
        db.session.remove()
        db.engine.dispose()
    return figures


def main() -> None:
    text = registry_csv(ROWS)
    print(f"registry import: {ROWS} rows, {len(text.encode()) / 1e6:.1f} MB")
    start = time.perf_counter()
    generate_password_hash("Pass000001")  # werkzeug's default: scrypt n=2^15
    scrypt = time.perf_counter() - start
    print(
        f"  before (one scrypt hash per row): {scrypt * 1000:.0f} ms x {ROWS} = {scrypt * ROWS:.0f} s"
    )
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        print("SQLite:")
        results["sqlite"] = run(f"sqlite:///{tmp}/bench.sqlite3", Path(tmp), text)
        engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
        try:
            with engine.begin() as connection:
                schema = f"bench_import_{uuid.uuid4().hex[:8]}"
                connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        except sa.exc.OperationalError:
            print("PostgreSQL: not reachable, skipped")
        else:
            joiner = "&" if "?" in PG_URL else "?"
            try:
                print("PostgreSQL:")
                results["postgresql"] = run(
                    f"{PG_URL}{joiner}options=-csearch_path%3D{schema}", Path(tmp), text
                )
            finally:
                with engine.begin() as connection:
                    connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()
    worst = max(max(figures.values()) for figures in results.values())
    print(
        f"bench-import: rows={ROWS} scrypt_before_s={scrypt * ROWS:.0f} "
        + " ".join(f"{db_}_{k}_s={v:.1f}" for db_, f in results.items() for k, v in f.items())
        + f" worst_s={worst:.1f} goal_s=30 {'met' if worst < 30 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
