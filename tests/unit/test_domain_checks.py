"""R-D-2 and R-D-3 as pure functions over the domain lookup's answer (DOMAIN.md A5 v3), and the
RDAP lookup against a local server that answers as a registry's RDAP service does."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from adapters.rdap import RdapDomainLookup
from domain.rulebook import domain_checks
from runtime import DOMAIN_LOOKUPS, resolve
from tests.helpers.domain_lookup import NEW_COMPANY, rdap_domain, rdap_server, registration

TODAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("expires", "min_days", "breach"),
    [
        (TODAY - timedelta(days=1), 0, True),
        (TODAY, 0, False),  # the expiry day itself is still within the registration
        (TODAY + timedelta(days=20), 0, False),
        (TODAY + timedelta(days=20), 90, True),
        (TODAY + timedelta(days=90), 90, False),
        (TODAY + timedelta(days=89), 90, True),
        (None, 90, False),  # an unknown expiry is not judged
    ],
)
def test_r_d_2_expired_or_fewer_days_than_the_province_asks(expires, min_days, breach):
    found = domain_checks.check_domain_period("xinya.cn", expires, TODAY, min_days)
    assert (found is not None) is breach


@pytest.mark.parametrize(
    ("changes", "breach"),
    [
        ({}, False),
        ({"real_name_verified": False}, True),
        ({"real_name_verified": None}, False),  # unknown: a warning, never a breach
        ({"holder_name": "杭州春风茶业有限公司"}, True),
        ({"holder_name": "杭州新芽文化创意有限公司 "}, False),  # spaces ignored
        ({"holder_name": ""}, False),  # not published: not compared
        ({"holder_certificate_number": "91330108MA7B2Q4X1C"}, True),
        ({"holder_certificate_number": NEW_COMPANY.lower()}, False),
        ({"holder_certificate_number": ""}, False),
        ({"holder_certificate_type": "营业执照"}, False),  # the type is never compared
    ],
)
def test_r_d_3_real_name_and_the_subject_as_holder(changes, breach):
    found = domain_checks.check_domain_holder(
        registration(**changes), NEW_COMPANY, "杭州新芽文化创意有限公司"
    )
    assert (found is not None) is breach


def test_an_individual_holder_is_compared_with_the_person():
    person = registration(holder_name="张伟", holder_certificate_number="330106199003071236")
    assert domain_checks.check_domain_holder(person, "330106199003071236", "张伟") is None
    assert domain_checks.check_domain_holder(person, "330106199003071236", "李娜") is not None


def test_fewer_than_90_days_left_is_a_warning_and_unverified_says_what_to_upload():
    assert domain_checks.expiring_warning("a.cn", TODAY + timedelta(days=89), TODAY) is not None
    assert domain_checks.expiring_warning("a.cn", TODAY + timedelta(days=90), TODAY) is None
    assert domain_checks.expiring_warning("a.cn", None, TODAY) is None
    assert "域名证书" in domain_checks.unverified_warning("a.cn", None).text
    assert domain_checks.unverified_warning("a.cn", registration()) is None
    assert (
        "实名"
        in domain_checks.unverified_warning("a.cn", registration(real_name_verified=False)).text
    )


def test_the_setting_names_the_lookup():
    assert resolve("rdap", DOMAIN_LOOKUPS) is RdapDomainLookup
    lookup = RdapDomainLookup.from_config(
        {"DOMAIN_RDAP_URL": "https://rdap.example/", "DOMAIN_RDAP_TIMEOUT": 2}
    )
    assert lookup.base_url == "https://rdap.example/" and lookup.timeout == 2


@pytest.mark.slow
def test_rdap_reads_the_registrar_holder_and_expiry_from_a_registry_server():
    with rdap_server() as server:
        server.answers["xinya-wenchuang.cn"] = rdap_domain(
            "xinya-wenchuang.cn", "杭州新芽文化创意有限公司", "阿里云计算有限公司（万网）",
            "2029-03-18T15:59:59Z",
        )  # fmt: skip
        server.answers["down.cn"] = 503
        server.answers["html.cn"] = {"objectClassName": "entity"}
        lookup = RdapDomainLookup(server.base_url, timeout=2)
        found = lookup.lookup("xinya-wenchuang.cn")
        assert found is not None
        assert found.holder_name == "杭州新芽文化创意有限公司"
        assert found.registrar == "阿里云计算有限公司（万网）"
        assert found.expires == date(2029, 3, 18)
        # RDAP publishes neither: the number is not compared, the verification is unknown
        assert (found.holder_certificate_number, found.real_name_verified) == ("", None)
        assert lookup.lookup("unknown.cn") is None  # 404: the registry does not know it
        with pytest.raises(ConnectionError):
            lookup.lookup("down.cn")
        with pytest.raises(ConnectionError):
            lookup.lookup("html.cn")  # not a domain object
        assert server.asked[0] == "/rdap/domain/xinya-wenchuang.cn"
    closed = RdapDomainLookup(server.base_url, timeout=1)
    with pytest.raises(ConnectionError):
        closed.lookup("xinya-wenchuang.cn")  # the server is gone


@pytest.mark.slow
def test_rdap_with_the_holder_redacted_answers_an_empty_name():
    with rdap_server() as server:
        document = rdap_domain("qinghe-shop.cn", "", "某注册商", "2028-06-30T00:00:00Z")
        document["entities"] = document["entities"][:1]  # only the registrar is published
        server.answers["qinghe-shop.cn"] = document
        found = RdapDomainLookup(server.base_url).lookup("qinghe-shop.cn")
    assert found is not None and found.holder_name == "" and found.registrar == "某注册商"
