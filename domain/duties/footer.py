"""Footer checks (DOMAIN.md A9, B R-A-1, R-W-4): the home page of each approved website held here
must show its filing number (the website's or the subject's) linked to beian.miit.gov.cn, and, where
the province asks (Jiangsu), 版权所有 with the subject's name.

`flask --app app compliance footer` runs run(). Each domain of a site is fetched from the addresses
it resolves to here or, where it resolves to none, from the site's IPs on record (the provider's),
https first and then http; a redirect is followed on the same registrable domain only. A site's
result is `ok` when every domain that answered passes, `unreachable` when none answered, else the
first failure found. Two failed checks in a row send the account a notice with a deadline
(FOOTER_FIX_DAYS calendar days); a pass ends the run of failures.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

from domain import audit
from domain.duties import checking
from domain.duties.checking import Limits, Outcome, RunResult, Site
from domain.lifecycle.states import LabelledEnum
from domain.policy import Policy
from domain.ports import DnsResolver, FetchedPage, PageFetcher
from domain.rulebook.rules import registrable_part
from domain.support import outbox
from domain.support.i18n import N_
from extensions import db
from models import Filing

DUTY = "footer"
MIIT_HOST = "beian.miit.gov.cn"
MAX_REDIRECTS = 5
ADDRESSES_TRIED = 2  # per scheme: a site on many IPs is not tried on all of them


class FooterResult(LabelledEnum):
    """One website's footer check, as stored and as shown."""

    ok = "ok", N_("正常")
    missing_number = "missing_number", N_("首页底部未显示备案号")
    missing_link = "missing_link", N_("缺少备案号链接")
    missing_copyright = "missing_copyright", N_("缺少版权所有者信息")
    unreachable = "unreachable", N_("首页无法访问")


FAILURE_ORDER = (
    FooterResult.missing_number, FooterResult.missing_link, FooterResult.missing_copyright,
)  # fmt: skip


class _PageReader(HTMLParser):
    """The text of a page (scripts and styles left out) and the hosts its links point to."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.link_hosts: set[str] = set()
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "a":
            href = dict(attrs).get("href") or ""
            parts = urlsplit(href.strip())
            if parts.scheme.lower() in ("http", "https") and parts.hostname:
                self.link_hosts.add(parts.hostname.lower().rstrip("."))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def _decode(page: FetchedPage) -> str:
    """The page's text: the charset its Content-Type or a <meta> names, else UTF-8, else GB18030."""
    charsets = re.findall(r"charset=[\"']?([\w-]+)", page.content_type, re.IGNORECASE)
    charsets += re.findall(rb"<meta[^>]+charset=[\"']?([\w-]+)", page.body[:4096], re.IGNORECASE)
    for name in [*charsets, "utf-8", "gb18030"]:
        label = name.decode("ascii", "ignore") if isinstance(name, bytes) else name
        try:
            return page.body.decode(label)
        except (LookupError, UnicodeDecodeError):
            continue
    return page.body.decode("utf-8", "replace")


def _squeezed(text: str) -> str:
    """Text compared as people read it: full-width forms folded (NFKC), no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def judge_page(page: FetchedPage, site: Site) -> FooterResult:
    """What a fetched home page shows of the footer rules (the first failure, or ok)."""
    reader = _PageReader()
    reader.feed(_decode(page))
    reader.close()
    text = _squeezed("".join(reader.text))
    numbers = [_squeezed(n) for n in (site.number, site.subject_number) if n]
    if not any(number in text for number in numbers):
        return FooterResult.missing_number
    if MIIT_HOST not in reader.link_hosts:
        return FooterResult.missing_link
    if site.copyright_required and not (
        "版权所有" in text and _squeezed(site.subject_name) in text
    ):
        return FooterResult.missing_copyright
    return FooterResult.ok


def addresses_of(domain: str, resolver: DnsResolver, fallback: tuple[str, ...]) -> list[str]:
    """Where to fetch `domain` from: what it resolves to (A, then AAAA), else `fallback`."""
    found: list[str] = []
    for record_type in ("A", "AAAA"):
        try:
            found += resolver.resolve(domain, record_type)
        except ConnectionError:
            continue
    return list(dict.fromkeys(found)) or list(fallback)


def _follow(
    url: str, address: str, home: str, fetcher: PageFetcher
) -> tuple[FetchedPage | None, str]:
    """GET `url`, following redirects that stay on the registrable domain `home`.

    :raises ConnectionError: the fetcher's.
    """
    for _hop in range(MAX_REDIRECTS + 1):
        page = fetcher.fetch(url, address)
        if not page.location:
            return page, ""
        target = urlsplit(page.location)
        host = (target.hostname or "").lower().rstrip(".")
        if target.scheme not in ("http", "https") or (registrable_part(host) or host) != home:
            return None, f"redirect to another domain: {page.location[:120]}"
        url = page.location
    return None, "too many redirects"


def home_page(
    domain: str, addresses: list[str], fetcher: PageFetcher
) -> tuple[FetchedPage | None, str]:
    """The home page of `domain` (https, then http; redirects kept on its registrable domain),
    or None with why not."""
    why = "no address"
    home = registrable_part(domain) or domain
    for scheme in ("https", "http"):
        for address in addresses[:ADDRESSES_TRIED]:
            try:
                page, why = _follow(f"{scheme}://{domain}/", address, home, fetcher)
            except ConnectionError as exc:
                why = f"{scheme} {address}: {exc}"[:200]
                continue
            if page is None:
                continue
            if 200 <= page.status < 300:
                return page, ""
            why = f"{scheme} {address}: HTTP {page.status}"
    return None, why


def check_site(site: Site, fetcher: PageFetcher, resolver: DnsResolver) -> Outcome:
    """The footer check of one site (ports only, no database: runs in a worker thread)."""
    per_domain: dict[str, str] = {}
    failures: list[FooterResult] = []
    reached = False
    for domain in site.domains:
        page, why = home_page(domain, addresses_of(domain, resolver, site.ips), fetcher)
        if page is None:
            per_domain[domain] = f"{FooterResult.unreachable.value}: {why}"
            continue
        reached = True
        verdict = judge_page(page, site)
        per_domain[domain] = verdict.value
        if verdict is not FooterResult.ok:
            failures.append(verdict)
    if not reached:
        result = FooterResult.unreachable
    elif failures:
        result = min(failures, key=FAILURE_ORDER.index)
    else:
        result = FooterResult.ok
    return Outcome(result.value, {"domains": per_domain})


def record(site: Site, outcome: Outcome, limits: Limits, policy: Policy, now: datetime) -> bool:
    """Write one site's result and its history; the second failure in a row sends the notice
    with the deadline (once per run of failures). True when a notice went out."""
    state = checking.state_of(DUTY, site.number)
    today = checking.shanghai_date(now)
    state.result, state.checked_at = outcome.result, now
    checking.add_history(DUTY, site.number, outcome, now)
    if outcome.result == FooterResult.ok:
        state.failures, state.failing_since = 0, None
        state.notified_at = state.deadline = None
        return False
    state.failures = (state.failures or 0) + 1
    state.failing_since = state.failing_since or today
    if state.failures < 2 or state.notified_at is not None:
        return False
    state.notified_at, state.deadline = now, today + timedelta(days=limits.footer_fix_days)
    filing = db.session.get(Filing, site.filing_id)
    if filing is not None:
        outbox.enqueue(
            filing, "email", filing.account.email, "footer_fix_needed",
            website=site.name, website_number=site.number, problem=outcome.result,
            deadline=state.deadline.isoformat(), provider_name=policy.provider_name,
        )  # fmt: skip
    audit.record(
        "footer_notice", None, filing=filing,
        data={"website": site.number, "result": outcome.result,
              "deadline": state.deadline.isoformat()},
    )  # fmt: skip
    return True


def run(
    fetcher: PageFetcher,
    resolver: DnsResolver,
    policy: Policy,
    limits: Limits,
    now: datetime | None = None,
    limit: int | None = None,
) -> RunResult:
    """Check the footers of the websites held here (up to `limit`), and audit the run."""
    now = checking.now_or_utc(now)
    result = checking.run(
        DUTY, checking.held_sites(policy.provider_code),
        lambda site: check_site(site, fetcher, resolver),
        lambda site, outcome: record(site, outcome, limits, policy, now),
        limits, now, limit,
    )  # fmt: skip
    checking.audit_run(DUTY, result)
    return result
