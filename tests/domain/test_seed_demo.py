"""`flask seed-demo`: the demo install a new user logs into, covering every row of the A5 table."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from demo.seed import DEMO_ACCOUNTS
from domain.lifecycle.states import FilingState
from domain.rulebook.rules import check_resident_id, check_uscc
from extensions import db
from models import (
    DenyWord,
    DomainSuffix,
    Filing,
    ProviderIP,
    ProvinceRule,
    RegistryDomain,
    RegistrySubject,
    RegistryWebsite,
    User,
)
from tests.helpers.live_server import ROOT


@pytest.fixture
def app_config() -> dict:
    return {"DEMO_MODE": True}  # as `make run` sets it


def seed(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result


def test_seed_prints_the_demo_logins_and_they_work(app, client):
    output = seed(app).output
    for email, password, _name, _role in DEMO_ACCOUNTS:
        assert email in output and password in output
        response = client.post("/auth/login", data={"email": email, "password": password})
        assert response.status_code == 302
        client.post("/auth/logout")


def test_seed_loads_the_rule_tables(app):
    seed(app)
    assert db.session.scalar(select(func.count()).select_from(ProvinceRule)) == 31
    assert db.session.get(ProvinceRule, "33").bureau_review_workdays == 30
    assert db.session.get(ProvinceRule, "32").copyright_footer is True
    assert db.session.get(ProvinceRule, "51").abbr == "蜀"
    assert db.session.get(DomainSuffix, "com.cn").approved is True
    assert db.session.get(DomainSuffix, "io").approved is False
    words = set(db.session.scalars(select(DenyWord.word).where(DenyWord.list_name == "sensitive")))
    assert words == {"赌博", "色情", "反腐", "廉政"}


def test_seed_gives_demo_applicants_ips_and_leaves_a_free_pool(app):
    seed(app)
    assigned = db.session.scalar(
        select(func.count()).select_from(ProviderIP).where(ProviderIP.account_id.is_not(None))
    )
    free = db.session.scalar(
        select(func.count()).select_from(ProviderIP).where(ProviderIP.account_id.is_(None))
    )
    assert assigned == 5 and free >= 20


def test_seed_registry_is_realistic_and_valid(app):
    seed(app)
    subjects = db.session.scalars(select(RegistrySubject)).all()
    websites = db.session.scalars(select(RegistryWebsite)).all()
    assert len(websites) >= 20
    for subject in subjects:
        check = check_uscc if subject.certificate_type == "uscc" else check_resident_id
        assert check(subject.certificate_number) is None, subject.name
        assert (
            subject.certificate_type != "uscc"
            or subject.certificate_number[2:4] == subject.province
        )
    kinds = {subject.kind for subject in subjects}
    assert kinds == {
        "enterprise",
        "individual",
        "government",
        "institution",
        "social_org",
        "individual_business",
    }


def test_seed_covers_every_row_of_the_a5_decision_table(app):
    """The data each refusal and each result needs is present (the decision: test_filing_type.py)."""
    seed(app)
    code = app.config["PROVIDER_CODE"]
    websites = db.session.scalars(select(RegistryWebsite)).all()
    assert any(code in w.provider_codes for w in websites)  # row 4, and row 9 via a sibling
    assert any(w.change_in_progress for w in websites)  # row 5
    assert db.session.scalar(
        select(func.count())
        .select_from(RegistryDomain)
        .where(RegistryDomain.expires_on < date.today())
    )  # row 6
    open_filings = db.session.scalars(
        select(Filing).where(
            Filing.state.not_in([FilingState.draft, FilingState.approved, FilingState.withdrawn])
        )
    ).all()
    approved = db.session.scalars(select(Filing).where(Filing.state == FilingState.approved)).all()
    assert len(open_filings) == 1 and len(approved) == 1  # rows 7 and 8
    assert open_filings[0].account_id != approved[0].account_id
    owner_subject = db.session.scalar(
        select(RegistrySubject).where(
            RegistrySubject.subject_number == approved[0].registry_subject_number
        )
    )
    assert any(code not in w.provider_codes for w in owner_subject.websites)  # row 8 is reachable
    assert any(
        all(code not in w.provider_codes for w in s.websites)
        for s in db.session.scalars(select(RegistrySubject))
    )  # row 10


def test_seed_refuses_a_second_run_and_if_empty_skips(app):
    seed(app)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code != 0
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0 and "not loaded" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == len(DEMO_ACCOUNTS)


def test_the_seeded_province_notes_speak_in_words_without_spec_codes():
    import re

    from domain.rulebook.provinces import RULE_SEEDS

    for code, seed in RULE_SEEDS.items():
        note = seed.get("notes", "")
        assert not re.search(r"R-[A-Z]+-\d|\bA\d\b|DOMAIN", note), (code, note)


def test_seed_refuses_outside_demo_mode_unless_forced(app):
    app.config["DEMO_MODE"] = False  # a production database
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["seed-demo"])
    assert refused.exit_code != 0 and "BEIAN_DEMO_MODE" in refused.output
    assert runner.invoke(args=["seed-demo", "--if-empty"]).exit_code != 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    forced = runner.invoke(args=["seed-demo", "--force"])
    assert forced.exit_code == 0, forced.output
    assert db.session.scalar(select(func.count()).select_from(User)) == len(DEMO_ACCOUNTS)


def test_make_run_seeds_in_demo_mode():
    makefile = (ROOT / "Makefile").read_text()
    (line,) = [line for line in makefile.splitlines() if "seed-demo" in line]
    assert "BEIAN_DEMO_MODE=true" in line
