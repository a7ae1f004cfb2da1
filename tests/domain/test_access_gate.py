"""Which hosts the access gate lets through (DOMAIN.md A9) on the database: the registry's
websites listing this provider, the admin's allow-list, access orders past initial review; how a
process notices a change (its own at once, another host's by the stored version); the refusals
counted per domain and day with bounded writes; the admin's lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from domain.duties import gate
from domain.errors import DomainError
from domain.lifecycle.states import Action, FilingState, Role
from extensions import db
from models import GateAllowedDomain, GateRefusal
from tests.helpers import transitions
from tests.helpers.gate import PROVIDER, fresh_gate, registry_site, registry_website_of

NOW = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


def allows(the_gate: gate.Gate, host: str) -> bool | None:
    return the_gate.verdict(host).allowed


def test_a_registry_website_listing_this_provider_passes_with_its_subdomains(app):
    registry_site(1, ["qinghe.cn", "xn--2lzs91d.xn--fiqs8s"], "ALIYUN;BEIANDESK")
    registry_site(2, ["elsewhere.cn"], "ALIYUN")
    registry_site(3, ["beiandesk2.cn"], "BEIANDESK2")  # a code that merely contains ours
    the_gate = fresh_gate()
    assert allows(the_gate, "qinghe.cn") and allows(the_gate, "www.qinghe.cn:8080")
    assert allows(the_gate, "a.b.QINGHE.CN.") and allows(the_gate, "www.青禾.中国")
    assert allows(the_gate, "elsewhere.cn") is False
    assert allows(the_gate, "beiandesk2.cn") is False
    assert allows(the_gate, "121.41.100.10") is False
    assert allows(the_gate, "http://qinghe.cn/") is None


def test_a_cancelled_access_leaves_at_once(app):
    registry_site(1, ["qinghe.cn"], "ALIYUN;BEIANDESK")
    the_gate = fresh_gate()
    assert allows(the_gate, "www.qinghe.cn")
    website = registry_website_of("qinghe.cn")
    website.access_providers = "ALIYUN"  # what approving a 取消接入 does (LocalRegistry)
    db.session.commit()
    assert allows(the_gate, "www.qinghe.cn") is False


def test_another_hosts_change_is_seen_by_the_version_within_the_refresh(app):
    registry_site(1, ["qinghe.cn"])
    slow, quick = fresh_gate(3600), fresh_gate(0)
    assert allows(slow, "qinghe.cn") and allows(quick, "qinghe.cn")
    with db.engine.begin() as other_host:  # not through this process's session: no local notice
        other_host.execute(sa.text("UPDATE registry_websites SET access_providers = 'ALIYUN'"))
        other_host.execute(sa.text(
            "UPDATE change_counters SET value = value + 1 WHERE name = 'gate'"
        ))  # fmt: skip
    db.session.rollback()
    assert allows(quick, "qinghe.cn") is False
    assert allows(slow, "qinghe.cn")  # still within its refresh interval
    slow.checked_at -= 3600
    assert allows(slow, "qinghe.cn") is False


def test_a_change_that_leaves_the_set_alone_does_not_bump_the_version(app, make_filing):
    registry_site(1, ["qinghe.cn"])
    before = gate.read_version()
    make_filing(FilingState.submitted)  # a draft and its submission: outside the gate
    assert gate.read_version() == before


def test_an_access_order_passes_from_initial_review_until_the_bureau_rejects_it(app, make_filing):
    filing = make_filing(FilingState.submitted)  # its website: qinghe.cn
    the_gate = fresh_gate()
    assert allows(the_gate, "www.qinghe.cn") is False
    reviewer = filing.claimed_by or db.session.scalar(select(type(filing.account)).where(
        type(filing.account).role == Role.reviewer
    ))  # fmt: skip
    transitions.apply(filing, Action.initial_approve, reviewer)
    db.session.commit()
    assert allows(the_gate, "www.qinghe.cn")
    for action, actor in ((Action.submit_materials, filing.account), (Action.re_approve, reviewer),
                          (Action.submit_to_bureau, reviewer), (Action.sms_verify, None)):  # fmt: skip
        transitions.apply(filing, action, actor)
        db.session.commit()
        assert allows(the_gate, "www.qinghe.cn"), filing.state
    transitions.apply(filing, Action.bureau_reject, reviewer)
    db.session.commit()
    assert allows(the_gate, "www.qinghe.cn") is False


@pytest.mark.parametrize(
    ("state", "allowed"),
    [(FilingState.draft, False), (FilingState.initial_rejected, False),
     (FilingState.withdrawn, False), (FilingState.materials_pending, True),
     (FilingState.re_rejected, True), (FilingState.sms_failed, True),
     (FilingState.bureau_review, True), (FilingState.bureau_rejected, False)],
)  # fmt: skip
def test_access_orders_in_each_state(app, make_filing, state, allowed):
    make_filing(state)
    assert allows(fresh_gate(), "qinghe.cn") is allowed


def test_a_withdrawn_order_leaves_at_once(app, make_filing):
    filing = make_filing(FilingState.sms_failed)
    the_gate = fresh_gate()
    assert allows(the_gate, "qinghe.cn")
    transitions.apply(filing, Action.withdraw, filing.account)
    db.session.commit()
    assert allows(the_gate, "qinghe.cn") is False


def test_the_allow_list_takes_registrable_domains_only(app, make_user):
    admin = make_user(Role.admin)
    added, refused = gate.add_allowed("example-cloud.cn, ＥＸＡＭＰＬＥ.com\n青禾.中国 www.x.cn com.cn 1.2.3.4 example-cloud.cn", "官网", admin)  # fmt: skip
    db.session.commit()
    assert added == ["example-cloud.cn", "example.com", "xn--2lzs91d.xn--fiqs8s"]
    assert [entry for entry, _why in refused] == [
        "www.x.cn",
        "com.cn",
        "1.2.3.4",
        "example-cloud.cn",
    ]
    the_gate = fresh_gate()
    assert allows(the_gate, "console.example-cloud.cn")
    entry = db.session.scalar(
        select(GateAllowedDomain).where(GateAllowedDomain.domain == "example.com")
    )
    assert gate.remove_allowed(entry.id, admin) == "example.com"
    db.session.commit()
    assert allows(the_gate, "example.com") is False
    with pytest.raises(DomainError):
        gate.remove_allowed(entry.id, admin)
    actions = db.session.scalars(
        select(sa.text("action")).select_from(sa.table("audit_events"))
    ).all()
    assert actions.count("gate_domain_allowed") == 3 and actions.count("gate_domain_removed") == 1


def _refuse(log: gate.RefusalLog, host: str, at: datetime = NOW) -> None:
    log.refused(gate.read_host(host), at)
    db.session.commit()


def _rows() -> list[tuple]:
    return db.session.execute(
        select(GateRefusal.day, GateRefusal.domain, GateRefusal.count, GateRefusal.last_host)
        .order_by(GateRefusal.day, GateRefusal.domain)
    ).all()  # fmt: skip


def test_the_first_refusal_of_a_day_is_written_once_and_later_ones_only_counted(app):
    log = gate.RefusalLog(flush_seconds=3600)
    statements = []
    sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    _refuse(log, "www.unfiled.cn")
    assert len([s for s in statements if "gate_refusals" in s]) == 1
    for host in ("a.unfiled.cn", "unfiled.cn:8080", "www.unfiled.cn"):
        _refuse(log, host)
    assert len([s for s in statements if "gate_refusals" in s]) == 1  # counted in memory
    assert _rows() == [(NOW.date(), "unfiled.cn", 1, "www.unfiled.cn")]
    assert log.flush() == 1
    db.session.commit()
    assert _rows() == [(NOW.date(), "unfiled.cn", 4, "www.unfiled.cn")]


def test_two_processes_add_to_one_row_per_domain_and_day(app):
    first, second = gate.RefusalLog(3600), gate.RefusalLog(3600)
    _refuse(first, "unfiled.cn")
    _refuse(second, "www.unfiled.cn")  # the row exists: counted for the next flush
    _refuse(second, "unfiled.cn", NOW + timedelta(days=1))
    first.flush(), second.flush()
    db.session.commit()
    day = NOW.date()
    assert _rows() == [(day, "unfiled.cn", 2, "www.unfiled.cn"),
                       (day + timedelta(days=1), "unfiled.cn", 1, "unfiled.cn")]  # fmt: skip


def test_the_counts_are_written_once_the_flush_interval_passed(app):
    log = gate.RefusalLog(flush_seconds=0)
    for _ in range(3):
        _refuse(log, "unfiled.cn")
    assert _rows()[0][2] == 3


def test_the_refused_list_is_newest_first_and_searchable(app, make_user):
    log = gate.RefusalLog(flush_seconds=0)
    _refuse(log, "www.old.cn", NOW - timedelta(days=2))
    _refuse(log, "www.old.cn", NOW - timedelta(days=1))
    _refuse(log, "shop.青禾.中国", NOW)
    _refuse(log, "121.41.100.10", NOW - timedelta(hours=1))
    rows, more = gate.refused_domains(PROVIDER)
    assert [r.domain for r in rows] == ["xn--2lzs91d.xn--fiqs8s", "121.41.100.10", "old.cn"]
    assert not more
    old = rows[-1]
    assert (old.count, old.days, old.last_host) == (2, 2, "www.old.cn")
    assert rows[0].shown == "青禾.中国" and rows[0].last_host == "shop.xn--2lzs91d.xn--fiqs8s"
    assert [r.domain for r in gate.refused_domains(PROVIDER, "青禾")[0]] == [
        "xn--2lzs91d.xn--fiqs8s"
    ]
    assert [r.domain for r in gate.refused_domains(PROVIDER, "OLD")[0]] == ["old.cn"]
    assert gate.refused_domains(PROVIDER, "%")[0] == []
    gate.add_allowed("old.cn", "", make_user(Role.admin))
    db.session.commit()
    assert gate.refused_domains(PROVIDER, "old")[0][0].allowed_now


def test_the_export_changes_whenever_the_set_does(app, make_user):
    assert gate.export_now(PROVIDER).domains == ()  # nothing allowed: an empty set, not [""]
    registry_site(1, ["qinghe.cn"])
    first = gate.export_now(PROVIDER)
    assert first.domains == ("qinghe.cn",)
    assert gate.export_now(PROVIDER).version == first.version
    registry_site(2, ["yunfan.cn"])
    assert gate.export_now(PROVIDER).version != first.version
    assert db.session.scalar(select(func.count()).select_from(GateRefusal)) == 0
    gate.add_allowed("qinghe.cn", "", make_user(Role.admin))  # allowed for two reasons: once
    db.session.commit()
    rows = db.session.execute(gate._allowed_query(PROVIDER)).scalars().all()
    assert sorted(rows) == ["qinghe.cn", "qinghe.cn", "yunfan.cn"]
    assert gate.export_now(PROVIDER).domains == ("qinghe.cn", "yunfan.cn")


# --- catching up: a moved version is applied from the log of the domains it touched ----------

NAMES = ["qinghe.cn", "www.qinghe.cn", "yunfan.cn", "beiandesk-cloud.cn", "shop.cn", "renamed.cn"]


def _caught_up(held: gate.Gate) -> None:
    """`held` (read once, kept) agrees with a gate reading the whole set now, on every name."""
    held.checked_at -= 7200  # as if its refresh interval passed
    whole = fresh_gate()
    assert {n: allows(held, n) for n in NAMES} == {n: allows(whole, n) for n in NAMES}


def test_a_process_catches_up_from_the_log_without_reading_the_whole_set(app, make_filing, make_user):  # fmt: skip
    held = fresh_gate()
    assert allows(held, "qinghe.cn") is False and held.full_reads == 1
    registry_site(1, ["yunfan.cn", "shop.cn"])  # a registry website listing this provider
    _caught_up(held)
    assert allows(held, "www.yunfan.cn")
    registry_website_of("shop.cn").access_providers = "ALIYUN"  # its access cancelled
    db.session.commit()
    _caught_up(held)
    assert allows(held, "shop.cn") is False and allows(held, "yunfan.cn") is False
    filing = make_filing(FilingState.sms_failed)  # an access order past initial review
    _caught_up(held)
    assert allows(held, "www.qinghe.cn")
    website = filing.websites[0]
    website.domains[0].domain = "renamed.cn"  # a domain of an order in the gate changed
    db.session.commit()
    _caught_up(held)
    assert allows(held, "renamed.cn") and allows(held, "qinghe.cn") is False
    gate.add_allowed("beiandesk-cloud.cn", "官网", make_user(Role.admin))
    db.session.commit()
    _caught_up(held)
    assert allows(held, "beiandesk-cloud.cn")
    transitions.apply(filing, Action.withdraw, filing.account)
    db.session.commit()
    _caught_up(held)
    assert allows(held, "renamed.cn") is False
    assert held.full_reads == 1  # every change came from the log


def test_a_version_without_its_log_reads_the_whole_set(app):
    registry_site(1, ["qinghe.cn"])
    held = fresh_gate(0)
    assert allows(held, "qinghe.cn")
    with db.engine.begin() as by_hand:  # the counter bumped by hand: no domains logged with it
        by_hand.execute(sa.text("UPDATE registry_websites SET access_providers = 'ALIYUN'"))
        by_hand.execute(sa.text(
            "UPDATE change_counters SET value = value + 1 WHERE name = 'gate'"
        ))  # fmt: skip
    db.session.rollback()
    assert allows(held, "qinghe.cn") is False and held.full_reads == 2


def test_the_log_keeps_the_last_versions_and_a_process_further_behind_reads_all(app, monkeypatch):  # fmt: skip
    monkeypatch.setattr(gate, "PRUNE_EVERY", 2)
    monkeypatch.setattr(gate, "KEEP_VERSIONS", 3)
    held = fresh_gate()
    allows(held, "qinghe.cn")
    for number in range(1, 7):
        registry_site(number, [f"site{number}.cn"])
    version = gate.read_version()
    logged = db.session.scalars(select(gate.GateChange.version)).all()
    assert min(logged) > version - 3 and max(logged) == version
    assert set(logged) == set(range(min(logged), version + 1))
    held.checked_at -= 7200
    assert allows(held, "site1.cn") and allows(held, "www.site6.cn")
    assert held.full_reads == 2  # its versions' domains were no longer logged


def test_a_change_of_more_domains_than_the_log_takes_makes_readers_read_all(app, monkeypatch):
    monkeypatch.setattr(gate, "LOG_AT_MOST", 2)
    held = fresh_gate()
    allows(held, "qinghe.cn")
    registry_site(1, ["a.cn", "b.cn", "c.cn"])  # an import's worth, in miniature
    assert db.session.scalars(select(gate.GateChange.domain)).all() == []
    held.checked_at -= 7200
    assert allows(held, "c.cn") and held.full_reads == 2
