"""BEIAN_REGISTRY: every registry lookup goes through the configured class (the A5 verdict, the SMS
recipients, the approval's record of access), so a provider can plug in its link to the MIIT. The
runtime builds it once per app and the callers pass it to the use cases."""

from __future__ import annotations

import pytest

from domain.filing import sms
from domain.lifecycle.states import FilingState
from domain.rulebook.registry import LocalRegistry
from runtime import current
from tests.helpers.app import make_test_app
from tests.helpers.wizard import load_demo

ASKED: list[tuple[str, str]] = []


class RecordingRegistry(LocalRegistry):
    """The local tables, noting each question (a stand-in for a provider's own class)."""

    def website_by_domain(self, domain):
        ASKED.append(("website_by_domain", domain))
        return super().website_by_domain(domain)

    def subject_by_certificate(self, certificate_type, number):
        ASKED.append(("subject_by_certificate", number))
        return super().subject_by_certificate(certificate_type, number)

    def record_access(self, website, provider_code):
        ASKED.append(("record_access", website.website_number))
        super().record_access(website, provider_code)


@pytest.fixture
def app_config():
    ASKED.clear()
    return {"REGISTRY": f"{__name__}:RecordingRegistry"}


def test_the_configured_registry_answers_every_lookup(app, client, make_filing):
    load_demo()
    assert isinstance(current().registry, RecordingRegistry)
    response = client.post(
        "/api/v1/filing-type",
        json={"cert_type": "uscc", "cert_number": "913301069755TH2H1L", "domain": "qinghe.cn"},
    )
    assert response.status_code == 200
    assert ("subject_by_certificate", "913301069755TH2H1L") in ASKED
    assert ("website_by_domain", "qinghe.cn") in ASKED

    filing = make_filing(FilingState.approved)
    registry = current().registry  # as the app passes it
    assert sms.recipients(filing, registry)  # the codes' mobiles come from the MIIT record
    assert any(name == "record_access" for name, _value in ASKED)


def test_an_unknown_registry_class_stops_the_app_at_start(tmp_path, database_url):
    with pytest.raises((ImportError, AttributeError)):
        make_test_app(database_url, tmp_path, REGISTRY="domain.rulebook.registry:NoSuchRegistry")
