"""Resolve checks (DOMAIN.md A9): each website held here resolved (A, AAAA) through a real local DNS
server; away after AWAY_DAYS days in a row off the IP pool, the notice with its deadline, back when
it resolves here again; after the deadline staff open 取消接入 on the holder's behalf, which names
the shell risk and goes through the one cancel_access flow to the registry."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from domain.duties import checking, resolve
from domain.filing import orders
from domain.lifecycle.states import FilingState, OrderKind
from extensions import db
from models import AuditEvent, Filing, OutboxMessage, ProviderIP, SiteCheckState
from runtime import current
from runtime.policy import current_policy
from tests.helpers.orders import ORDER_PATH, WEBSITE, registry_website, walk
from tests.helpers.sites import dns_server

NOW = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, 8 December
LIMITS = checking.Limits(workers=4, run_seconds=60, interval_hours=20, away_days=7, away_deadline_days=15)  # fmt: skip
ELSEWHERE = "198.51.100.77"


@dataclass
class Net:
    zone: object
    resolver: object
    domains: list[str]
    pool_ip: str

    def point(self, *addresses: str) -> None:
        for domain in self.domains:
            self.zone.records[domain] = list(addresses)

    def run(self, day: int = 0, **options) -> checking.RunResult:
        return resolve.run(
            self.resolver, current_policy(), LIMITS, now=NOW + timedelta(days=day), **options
        )


@pytest.fixture
def net(held):
    filing, _reviewer = held
    with dns_server() as dns:
        for website in orders.held_websites():
            for domain in website.domains:  # every held site resolves here unless a test says
                dns.zone.records[domain.domain] = [website.ips[0].address]
        yield Net(
            dns.zone, dns.resolver(timeout=1),
            [d.domain for d in filing.websites[0].domains], filing.websites[0].ips[0].address,
        )  # fmt: skip


def state() -> SiteCheckState:
    db.session.expire_all()
    return db.session.get(SiteCheckState, ("resolve", WEBSITE))


def away_notices() -> list[OutboxMessage]:
    found = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "website_away")
    )
    return [m for m in found if m.context["website_number"] == WEBSITE]


def test_a_website_resolving_to_the_pool_is_here(net):
    assert db.session.scalar(select(ProviderIP).where(ProviderIP.address == net.pool_ip))
    net.run()
    assert state().result == "here" and state().deadline is None


def test_an_ipv6_address_of_the_pool_counts(net):
    db.session.add(ProviderIP(address="2001:db8::53"))
    db.session.commit()
    net.point("2001:db8::53")
    net.run()
    assert state().result == "here"


def test_results_elsewhere_unresolved_and_a_failing_resolver(net):
    net.point(ELSEWHERE)
    net.run()
    assert state().result == "elsewhere"
    for domain in net.domains:
        del net.zone.records[domain]
    net.run(1)
    assert state().result == "unresolved" and state().failures == 2
    net.zone.servfail.update(net.domains)
    net.run(2)
    assert state().result == "resolver_error" and state().failures == 2  # counts neither way


def test_away_after_the_days_in_a_row_then_told_once_with_the_deadline(net):
    net.point(ELSEWHERE)
    for day in range(6):
        net.run(day)
    assert state().deadline is None and away_notices() == []
    net.run(6)  # the 7th day in a row
    assert state().deadline == date(2026, 12, 29)  # 14 December + 15 days
    (notice,) = away_notices()
    assert notice.context["deadline"] == "2026-12-29" and notice.context["days"] == 7
    net.run(7)
    assert len(away_notices()) == 1
    assert "website_away" in db.session.scalars(select(AuditEvent.action)).all()


def test_a_website_that_resolves_here_again_is_no_longer_away(net, client):
    net.point(ELSEWHERE)
    for day in range(7):
        net.run(day)
    page = client.get("/records/").get_data(as_text=True)
    assert "请于 12 月 29 日前将域名解析回本服务商" in page
    net.point(net.pool_ip)
    net.run(8)
    assert (state().result, state().deadline, state().failing_since) == ("here", None, None)
    assert "website_back" in db.session.scalars(select(AuditEvent.action)).all()
    assert "解析回本服务商" not in client.get("/records/").get_data(as_text=True)


def test_a_day_back_here_starts_the_count_again(net):
    net.point(ELSEWHERE)
    for day in range(5):
        net.run(day)
    net.point(net.pool_ip)
    net.run(5)
    net.point(ELSEWHERE)
    for day in range(6, 12):
        net.run(day)
    assert state().deadline is None  # six days in a row, not seven


def test_the_cli_resolves_with_the_apps_resolver(app, net):
    app.extensions["beian_runtime"] = dataclasses.replace(current(), resolver=net.resolver)
    out = app.test_cli_runner().invoke(args=["compliance", "resolve"])
    assert out.exit_code == 0, out.output
    assert "resolve:" in out.output and "here" in out.output
    assert state().result == "here"


# --- staff open 取消接入 for an away website past its deadline ---------------------------------


def _away_past_deadline(net) -> datetime:
    net.point(ELSEWHERE)
    for day in range(7):
        net.run(day)
    return NOW + timedelta(days=7 + LIMITS.away_deadline_days)


def test_staff_may_not_cancel_before_the_deadline(net, held, make_user):
    _filing, reviewer = held
    net.point(ELSEWHERE)
    for day in range(7):
        net.run(day)
    with pytest.raises(resolve.CancelRefused):
        resolve.open_cancel(reviewer, WEBSITE, current_policy(), confirmed_shells=True,
                            now=NOW + timedelta(days=10))  # fmt: skip


def test_staff_open_a_cancel_access_that_goes_through_the_one_flow(net, held, applicant):
    filing, reviewer = held
    after = _away_past_deadline(net)
    registry_website().access_providers = current_policy().provider_code  # the only provider
    db.session.commit()
    with pytest.raises(orders.OrderRefused):  # the shell risk must be confirmed
        resolve.open_cancel(reviewer, WEBSITE, current_policy(), confirmed_shells=False, now=after)
    db.session.rollback()
    order = resolve.open_cancel(reviewer, WEBSITE, current_policy(), confirmed_shells=True, now=after)  # fmt: skip
    db.session.commit()
    assert order.kind is OrderKind.cancel_access and order.state is FilingState.submitted
    assert order.account_id == applicant.id and order.opened_by_id == reviewer.id
    created = db.session.scalar(
        select(AuditEvent).where(AuditEvent.filing_id == order.id, AuditEvent.action == "order_created")
    )  # fmt: skip
    assert created.actor_id == reviewer.id and created.data["opened_by_staff"] is True
    submitted = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.filing_id == order.id, AuditEvent.action == "provider_submit"
        )
    )
    assert submitted.actor_id == reviewer.id and submitted.to_state == "submitted"
    walk(order, ORDER_PATH, applicant, reviewer)
    assert order.state is FilingState.approved
    assert current_policy().provider_code not in registry_website().provider_codes
    assert WEBSITE not in {w.icp_number for w in orders.held_websites()}


def test_the_staff_list_offers_cancel_after_the_deadline_and_the_applicant_sees_the_providers_order(
    net, held, client, login, applicant
):
    _filing, reviewer = held
    _away_past_deadline(net)
    state_row = state()
    state_row.deadline = date(2026, 1, 1)  # long past, whatever today is
    db.session.commit()
    client.post("/auth/logout")
    login(reviewer)
    listing = client.get("/admin/checks?duty=resolve").get_data(as_text=True)
    assert WEBSITE in listing and "取消接入" in listing
    path = f"/admin/checks/{WEBSITE}/cancel"
    form = client.get(path)
    assert form.status_code == 200
    response = client.post(path, data={"confirm_shells": "on"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    order = db.session.scalar(select(Filing).where(Filing.kind == OrderKind.cancel_access))
    assert order.opened_by_id == reviewer.id
    review = client.get(f"/review/filings/{order.id}").get_data(as_text=True)
    assert "该主体已备案网站的检查结果" in review
    client.post("/auth/logout")
    login(applicant)
    page = client.get(f"/filings/{order.id}").get_data(as_text=True)
    assert "此取消接入由服务商发起" in page and "空壳" in page
    assert order.state is FilingState.submitted
