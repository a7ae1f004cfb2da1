"""The duties' adapters against real local servers: the httpx page fetcher (Host header and SNI to a
chosen address, redirects handed back, size and time bounds, private addresses refused) and the
dnspython resolver (A, AAAA, NXDOMAIN, SERVFAIL) against a dnslib server."""

from __future__ import annotations

import time

import pytest

from adapters.dns import DnspythonResolver, parse_address
from adapters.fetcher import HttpxPageFetcher, OffPageFetcher
from tests.helpers.sites import Answer, dns_server, footer_ok, websites


def test_a_page_is_fetched_from_the_chosen_address_with_its_host_name(tmp_path):
    with websites(tmp_path) as sites:
        sites.answers["qinghe.cn"] = Answer(body=footer_ok())
        fetched = sites.fetcher().fetch("https://qinghe.cn/", "127.0.0.1")
    assert fetched.status == 200 and b"beian.miit.gov.cn" in fetched.body
    assert sites.asked == [("https", "qinghe.cn", "/")]


def test_a_redirect_is_handed_back_not_followed(tmp_path):
    with websites(tmp_path, https=False) as sites:
        sites.answers["qinghe.cn"] = Answer(status=301, location="/home")
        fetched = sites.fetcher().fetch("http://qinghe.cn/", "127.0.0.1")
    assert (fetched.status, fetched.location) == (301, "http://qinghe.cn/home")
    assert len(sites.asked) == 1


def test_a_big_page_is_cut_at_the_size_cap(tmp_path):
    with websites(tmp_path, https=False) as sites:
        sites.answers["qinghe.cn"] = Answer(body=b"x" * 1_000_000)
        fetcher = sites.fetcher()
        fetcher.max_bytes = 10_000
        fetched = fetcher.fetch("http://qinghe.cn/", "127.0.0.1")
    assert len(fetched.body) == 10_000


def test_a_site_that_hangs_is_given_up_after_the_timeout(tmp_path):
    with websites(tmp_path, https=False) as sites:
        sites.answers["qinghe.cn"] = Answer(body=footer_ok(), delay=3)
        started = time.monotonic()
        with pytest.raises(ConnectionError):
            sites.fetcher(timeout=0.5).fetch("http://qinghe.cn/", "127.0.0.1")
    assert time.monotonic() - started < 2.5


def test_private_addresses_are_refused_unless_allowed():
    fetcher = HttpxPageFetcher(timeout=1, allow_private=False)
    for address in ("127.0.0.1", "10.0.0.8", "192.168.1.1", "::1", "169.254.169.254", "nonsense"):
        with pytest.raises(ConnectionError):
            fetcher.fetch("http://qinghe.cn/", address)


def test_the_off_fetcher_fetches_nothing():
    with pytest.raises(ConnectionError):
        OffPageFetcher().fetch("http://qinghe.cn/", "203.0.113.9")


def test_the_resolver_answers_a_and_aaaa_and_nothing_for_a_missing_name():
    with dns_server() as dns:
        dns.zone.records["qinghe.cn"] = ["203.0.113.10", "2001:db8::10"]
        resolver = dns.resolver()
        assert resolver.resolve("qinghe.cn", "A") == ["203.0.113.10"]
        assert resolver.resolve("qinghe.cn", "AAAA") == ["2001:db8::10"]
        assert resolver.resolve("www.qinghe.cn", "A") == []  # NXDOMAIN
        dns.zone.records["empty.cn"] = []
        assert resolver.resolve("empty.cn", "A") == []  # no answer


def test_a_failing_resolver_is_a_connection_error():
    with dns_server() as dns:
        dns.zone.servfail.add("qinghe.cn")
        with pytest.raises(ConnectionError):
            dns.resolver().resolve("qinghe.cn", "A")


def test_the_resolver_address_setting_takes_ip_and_port():
    assert parse_address("223.5.5.5") == ("223.5.5.5", 53)
    assert parse_address("127.0.0.1:5353") == ("127.0.0.1", 5353)
    assert parse_address("[2400:3200::1]:53") == ("2400:3200::1", 53)
    assert parse_address("2400:3200::1") == ("2400:3200::1", 53)
    resolver = DnspythonResolver("127.0.0.1:5353")
    assert resolver.resolver.nameservers == ["127.0.0.1"] and resolver.resolver.port == 5353
