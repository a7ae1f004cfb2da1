"""Footer checks (DOMAIN.md A9): each website held here fetched from real local servers (found by a
real local DNS server), one result per website with history, the notice with its deadline after two
failures in a row, and the results on the records page, the staff's list and the review screen."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from domain.duties import checking, footer
from domain.filing import orders
from extensions import db
from models import AuditEvent, OutboxMessage, ProvinceRule, SiteCheck, SiteCheckState, Website
from runtime import current
from runtime.policy import current_policy
from tests.helpers.orders import SUBJECT, WEBSITE
from tests.helpers.sites import MIIT_LINK, Answer, Sites, dns_server, footer_ok, page, websites

NOW = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, 8 December
LIMITS = checking.Limits(workers=4, run_seconds=60, interval_hours=20, footer_fix_days=10)


@dataclass
class Net:
    sites: Sites
    zone: object
    resolver: object
    website: Website

    def serve(self, answer: Answer) -> None:
        for domain in self.website.domains:
            self.sites.answers[domain.domain] = answer

    def run(self, now: datetime = NOW, **options) -> checking.RunResult:
        fetcher = self.sites.fetcher(timeout=options.pop("timeout", 1.0))
        return footer.run(
            fetcher, self.resolver, current_policy(), options.pop("limits", LIMITS), now=now,
            **options,
        )  # fmt: skip


@pytest.fixture
def net(tmp_path, held):
    """The held 青禾 website's domains resolving to 127.0.0.1, where the local sites answer."""
    filing, _reviewer = held
    with websites(tmp_path) as sites, dns_server() as dns:
        for held_website in orders.held_websites():  # the demo's too: they answer 404 here
            for domain in held_website.domains:
                dns.zone.records[domain.domain] = ["127.0.0.1"]
        yield Net(sites, dns.zone, dns.resolver(timeout=1), filing.websites[0])


def state() -> SiteCheckState:
    db.session.expire_all()
    return db.session.get(SiteCheckState, ("footer", WEBSITE))


def notices() -> list[OutboxMessage]:
    found = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "footer_fix_needed")
    )
    return [m for m in found if m.context["website_number"] == WEBSITE]


def test_a_footer_with_the_number_linked_to_the_ministry_passes(net):
    net.serve(Answer(body=footer_ok()))
    result = net.run()
    assert result.checked == len(checking.held_sites(current_policy().provider_code))
    assert state().result == "ok" and result.results["ok"] == 1
    history = db.session.scalars(select(SiteCheck)).all()
    assert (WEBSITE, "ok") in [(h.website_number, h.result) for h in history]
    mine = {d.domain for d in net.website.domains}
    assert {scheme for scheme, host, _path in net.sites.asked if host in mine} == {"https"}


def test_the_subjects_number_is_enough(net):
    net.serve(Answer(body=page(MIIT_LINK.format(number=SUBJECT))))
    net.run()
    assert state().result == "ok"


@pytest.mark.parametrize(
    ("body", "result"),
    [
        (page("© 青禾科技"), "missing_number"),  # the number only in a script does not count
        (page("浙ICP备2021000001号-1"), "missing_link"),
        (
            page('<a href="http://beian.miit.gov.cn.example.com/">浙ICP备2021000001号-1</a>'),
            "missing_link",
        ),
        (
            page(
                '<a href="http://BEIAN.MIIT.GOV.CN/#/Integrated/index">浙ＩＣＰ备 2021000001号-1</a>'
            ),
            "ok",
        ),
    ],
)
def test_what_the_footer_lacks_is_the_result(net, body, result):
    net.serve(Answer(body=body))
    net.run()
    assert state().result == result


def test_jiangsu_also_asks_for_the_copyright_owner(net):
    db.session.get(ProvinceRule, "33").copyright_footer = True  # the province's rule says so
    db.session.commit()
    net.serve(Answer(body=footer_ok()))
    net.run()
    assert state().result == "missing_copyright"
    copyright_line = "版权所有 © 2026 杭州青禾科技有限公司 " + MIIT_LINK.format(number=WEBSITE)
    net.serve(Answer(body=page(copyright_line)))
    net.run(NOW + timedelta(days=1))
    assert state().result == "ok"
    net.serve(Answer(body=page("版权所有 © 2026 青禾 " + MIIT_LINK.format(number=WEBSITE))))
    net.run(NOW + timedelta(days=2))
    assert state().result == "missing_copyright"  # the subject's name, not another


def test_a_server_error_is_unreachable(net):
    net.serve(Answer(status=500, body=b"oops"))
    net.run()
    assert state().result == "unreachable"
    detail = db.session.scalars(select(SiteCheck).where(SiteCheck.website_number == WEBSITE)).one().detail["domains"]  # fmt: skip
    assert all("HTTP 500" in text for text in detail.values())
    mine = {d.domain for d in net.website.domains}
    assert {scheme for scheme, host, _path in net.sites.asked if host in mine} == {"https", "http"}


@pytest.mark.slow
def test_a_site_that_hangs_is_unreachable_within_the_timeout(net):
    net.serve(Answer(body=footer_ok(), delay=5))
    started = datetime.now(UTC)
    net.run(timeout=0.3)
    assert state().result == "unreachable"
    assert datetime.now(UTC) - started < timedelta(seconds=4)


def test_http_is_tried_where_https_fails(tmp_path, held):
    filing, _ = held
    with websites(tmp_path, https=False) as sites, dns_server() as dns:
        net = Net(sites, dns.zone, dns.resolver(timeout=1), filing.websites[0])
        for held_website in orders.held_websites():
            for domain in held_website.domains:
                dns.zone.records[domain.domain] = ["127.0.0.1"]
        net.serve(Answer(body=footer_ok()))
        net.run()
    assert state().result == "ok"
    mine = {d.domain for d in net.website.domains}
    assert {scheme for scheme, host, _path in sites.asked if host in mine} == {"http"}


def test_a_redirect_is_followed_on_the_same_domain_only(net):
    home = net.website.domains[0].domain
    net.serve(Answer(status=302, location=f"https://www.{home}/index.html"))
    net.sites.answers[f"www.{home}"] = Answer(body=footer_ok())
    net.run()
    assert state().result == "ok"
    assert ("https", f"www.{home}", "/index.html") in net.sites.asked
    net.serve(Answer(status=301, location="https://elsewhere.example.com/"))
    net.sites.answers["elsewhere.example.com"] = Answer(body=footer_ok())
    net.run(NOW + timedelta(days=1))
    assert state().result == "unreachable"
    assert not any(host == "elsewhere.example.com" for _s, host, _p in net.sites.asked)


def test_a_domain_that_does_not_resolve_is_fetched_from_the_websites_ips(net):
    for domain in net.website.domains:
        del net.zone.records[domain.domain]  # NXDOMAIN here
    for ip in net.website.ips:
        ip.address = "127.0.0.1"  # the provider's IP on record (a test: the local server)
    db.session.commit()
    net.serve(Answer(body=footer_ok()))
    net.run()
    assert state().result == "ok"
    mine = {d.domain for d in net.website.domains}
    assert mine <= {host for _s, host, _p in net.sites.asked}


def test_two_failures_in_a_row_send_one_notice_with_the_deadline(net):
    net.serve(Answer(body=page("浙ICP备2021000001号-1")))
    net.run()
    assert state().failures == 1 and notices() == []
    net.run(NOW + timedelta(days=1))
    assert state().failures == 2 and state().deadline == date(2026, 12, 19)  # 9 Dec + 10 days
    (notice,) = notices()
    assert notice.channel == "email" and notice.context["problem"] == "missing_link"
    assert notice.context["deadline"] == "2026-12-19"
    net.run(NOW + timedelta(days=2))
    assert len(notices()) == 1  # once per run of failures
    events = db.session.scalars(select(AuditEvent.data).where(AuditEvent.action == "footer_notice")).all()  # fmt: skip
    assert [e["website"] for e in events].count(WEBSITE) == 1
    net.serve(Answer(body=footer_ok()))
    net.run(NOW + timedelta(days=3))
    assert (state().result, state().failures, state().deadline) == ("ok", 0, None)


def test_a_site_is_checked_once_per_interval_whoever_runs(net):
    net.serve(Answer(body=footer_ok()))
    every = len(checking.held_sites(current_policy().provider_code))
    assert net.run().checked == every
    assert net.run(NOW + timedelta(hours=2)).checked == 0  # another host's run the same night
    assert net.run(NOW + timedelta(hours=21)).checked == every
    assert net.run(NOW + timedelta(hours=42), limit=1).checked == 1
    assert net.run(NOW + timedelta(hours=43)).checked == every - 1  # --limit claimed only one
    runs = db.session.scalar(select(func.count()).where(AuditEvent.action == "footer_checked"))
    assert runs == 5


def test_a_run_past_its_time_claims_nothing_more(net):
    net.serve(Answer(body=footer_ok()))
    ticks = iter([0.0, 100.0])  # the run starts, then its 60 seconds are over
    sites = checking.held_sites(current_policy().provider_code)
    result = checking.run(
        "footer", sites, lambda site: checking.Outcome("ok"), lambda site, outcome: False,
        LIMITS, NOW, clock=lambda: next(ticks, 100.0),
    )  # fmt: skip
    assert result.checked == 0


def test_the_records_page_shows_the_last_result_with_its_deadline(client, net):
    net.serve(Answer(body=page("浙ICP备2021000001号-1")))
    net.run()
    net.run(NOW + timedelta(days=1))
    text = client.get("/records/").get_data(as_text=True)
    assert "页脚检查：缺少备案号链接，请于 12 月 19 日前改正" in text


def test_the_cli_checks_with_the_apps_fetcher(app, net):
    net.serve(Answer(body=footer_ok()))
    app.extensions["beian_runtime"] = dataclasses.replace(
        current(), fetcher=net.sites.fetcher(), resolver=net.resolver
    )
    out = app.test_cli_runner().invoke(args=["compliance", "footer", "--limit", "1"])
    assert out.exit_code == 0, out.output
    assert "footer: 1 websites checked" in out.output and "0 notices" in out.output


def test_the_cli_says_when_the_checks_are_off(app):
    app.config["PAGE_FETCHER"] = "off"
    out = app.test_cli_runner().invoke(args=["compliance", "footer"])
    assert out.exit_code == 0 and "footer checks are off" in out.output
