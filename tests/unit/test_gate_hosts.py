"""How the access gate reads a Host value (A5 folding: NFKC, lower case, port and trailing dot
removed, IDNA), which names a set of domains covers, which orders' states count, and the export's
formats and version."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from domain.duties import gate
from domain.lifecycle.states import FilingState as S

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("qinghe.cn", "qinghe.cn"),
        ("WWW.QingHe.CN", "www.qinghe.cn"),
        ("www.qinghe.cn.", "www.qinghe.cn"),
        ("www.qinghe.cn:8080", "www.qinghe.cn"),
        ("ｗｗｗ．ｑｉｎｇｈｅ．ｃｎ", "www.qinghe.cn"),  # full-width, folded by NFKC
        (" qinghe.cn ", "qinghe.cn"),
        ("青禾.中国", "xn--2lzs91d.xn--fiqs8s"),
        ("xn--2lzs91d.xn--fiqs8s", "xn--2lzs91d.xn--fiqs8s"),
        ("com.cn", "com.cn"),  # a host name, though no registrable one: refused, not bad input
        ("localhost", "localhost"),
    ],
)
def test_a_host_is_folded_as_a5_folds_a_domain(raw, name):
    host = gate.read_host(raw)
    assert host is not None and host.name == name and not host.is_ip


@pytest.mark.parametrize(
    "raw",
    ["", "http://qinghe.cn/", "qinghe.cn/x", "qinghe cn", "qinghe.cn:port", "a..cn", "-a.cn",
     "qinghe.cn:80:80x", "a" * 400, "q@inghe.cn", "*.qinghe.cn", "[::1]x"],
)  # fmt: skip
def test_what_is_no_host_name_is_bad_input(raw):
    assert gate.read_host(raw) is None


@pytest.mark.parametrize(
    ("raw", "name"),
    [("121.41.100.10", "121.41.100.10"), ("121.41.100.10:80", "121.41.100.10"),
     ("[2001:db8::1]:443", "2001:db8::1"), ("2001:DB8::1", "2001:db8::1")],
)  # fmt: skip
def test_an_ip_literal_is_a_host_but_never_a_filed_domain(raw, name):
    host = gate.read_host(raw)
    assert host is not None and host.is_ip and host.name == name and host.domain == name


def test_refusals_are_counted_under_the_registrable_domain():
    assert gate.read_host("a.b.qinghe.com.cn").domain == "qinghe.com.cn"
    assert gate.read_host("www.qinghe.cn:8080").domain == "qinghe.cn"
    assert gate.read_host("com.cn").domain == "com.cn"


def test_a_domain_covers_itself_and_its_subdomains_only():
    domains = frozenset({"qinghe.cn", "xn--2lzs91d.xn--fiqs8s"})
    assert gate.covered("qinghe.cn", domains)
    assert gate.covered("a.b.qinghe.cn", domains)
    assert gate.covered("www.xn--2lzs91d.xn--fiqs8s", domains)
    assert not gate.covered("notqinghe.cn", domains)
    assert not gate.covered("qinghe.cn.evil.com", domains)
    assert not gate.covered("cn", domains)


def test_access_orders_count_from_initial_review_passed_until_the_bureau_decides():
    assert gate.ORDER_STATES == {
        S.materials_pending, S.re_review, S.re_rejected, S.mail_pending, S.bureau_pending,
        S.sms_pending, S.sms_failed, S.bureau_review,
    }  # fmt: skip


def test_the_export_version_is_a_digest_of_the_set():
    one = gate.Export.of(["b.cn", "a.cn"], NOW)
    same = gate.Export.of(["a.cn", "b.cn"], datetime(2027, 1, 1, tzinfo=UTC))
    other = gate.Export.of(["a.cn"], NOW)
    assert one.domains == ("a.cn", "b.cn")
    assert one.version == same.version != other.version


def test_the_export_formats():
    made = gate.Export.of(["qinghe.cn", "xn--2lzs91d.xn--fiqs8s"], NOW)
    nginx = made.render("nginx-map").splitlines()
    assert nginx[0].startswith(f"# beian-desk gate nginx-map version {made.version} count 2")
    assert nginx[1:] == [".qinghe.cn 1;", ".xn--2lzs91d.xn--fiqs8s 1;"]
    text = made.render("text")
    assert text.splitlines()[1:] == ["qinghe.cn", "xn--2lzs91d.xn--fiqs8s"]
    as_json = made.render("json")
    assert as_json.startswith(made.prefix("json"))
    parsed = json.loads(as_json)
    assert parsed["version"] == made.version and parsed["count"] == 2
    assert parsed["domains"] == ["qinghe.cn", "xn--2lzs91d.xn--fiqs8s"]
    with pytest.raises(ValueError):
        made.render("yaml")


def test_a_file_is_replaced_whole(tmp_path):
    target = tmp_path / "gate.map"
    target.write_text("old\n")
    gate.write_atomically(target, "new\n")
    assert target.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["gate.map"]  # no temporary file left


def test_a_domain_set_answers_as_a_set_of_its_names():
    names = ["qinghe.cn", "yunfan.cn", "qinghe.cn", "xn--2lzs91d.xn--fiqs8s"]
    held = gate.DomainSet(names)
    assert len(held) == 3  # a name allowed for two reasons is held once
    assert "qinghe.cn" in held and "www.qinghe.cn" not in held and 7 not in held
    held.discard("qinghe.cn")
    assert "qinghe.cn" not in held and len(held) == 2
    held.discard("qinghe.cn")  # not there: nothing happens
    held.add("shop.cn"), held.add("shop.cn")
    assert "shop.cn" in held and len(held) == 3
    assert list(held.hashes) == sorted(held.hashes)  # kept sorted: found by bisection
    assert gate.covered("a.b.shop.cn", held) and not gate.covered("shop.com", held)
