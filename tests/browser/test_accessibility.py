"""Accessibility in Chromium: axe-core (PyPI axe-playwright-python, which bundles it) on every page
each role reaches by following links from its home page, in Chinese and in English. Any serious or
critical violation fails, listed with the page and the elements."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from demo.seed import DEMO_ACCOUNTS
from tests.helpers.browser import login

MAX_PAGES = 30  # per role and language: enough to reach every kind of page from the home page
# Links that change something or leave the pages a role works in.
SKIP = re.compile(r"/lang/|/auth/logout|/static/|/images?/|\.png$|\.csv$|/export|/download|/api/")


def shape(path: str) -> str:
    """One page per shape: /filings/7/subject and /filings/9/subject are the same page."""
    return re.sub(r"\d+", "N", path)


def crawl(page, base: str) -> list[str]:
    """Same-site pages reachable from where the page is, breadth first, one per shape."""
    seen: set[str] = set()
    queue = [page.url]
    visited = []
    while queue and len(visited) < MAX_PAGES:
        url = queue.pop(0)
        parts = urlsplit(url)
        key = shape(parts.path) + ("?" + shape(parts.query) if parts.query else "")
        if key in seen or not url.startswith(base) or SKIP.search(parts.path):
            continue
        seen.add(key)
        response = page.goto(url)
        if (
            response is None
            or response.status >= 400
            or "text/html" not in response.headers.get("content-type", "")
        ):
            continue
        visited.append(url)
        yield url
        for href in page.locator("a[href]").evaluate_all(
            "els => els.map(e => e.getAttribute('href'))"
        ):
            if href and not href.startswith(("#", "mailto:", "javascript:")):
                queue.append(urljoin(url, href).split("#")[0])
    return visited


def serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


ROLES = [None, *[account[:2] for account in DEMO_ACCOUNTS]]


@pytest.mark.parametrize("language", ["zh_Hans_CN", "en"])
@pytest.mark.parametrize(
    "account", ROLES, ids=["anonymous", "admin", "reviewer", "applicant", "applicant2"]
)
def test_every_page_a_role_reaches_has_no_serious_violation(page, live_server, account, language):
    base = live_server
    page.goto(f"{base}/lang/{language}")
    if account:
        login(page, base, *account)
    else:
        page.goto(f"{base}/auth/login")
    axe = Axe()
    found = {}
    pages = 0
    for url in crawl(page, base):
        pages += 1
        problems = serious(axe.run(page))
        if problems:
            found[urlsplit(url).path] = problems
    assert pages >= (3 if account is None else 6)  # the crawl did reach the role's pages
    assert found == {}
