"""The checks that need stored data (DOMAIN.md A5): a mobile already used by a person of another
subject, on the registry or in an order of this app that is neither a draft nor withdrawn, refuses
the submission naming the field with the number masked (R-P-4); a typed mobile that differs from
the one on record warns where the bureau's SMS will go (R-S-5)."""

from __future__ import annotations

import pytest

from domain.filing import filings, stored_checks
from domain.lifecycle.states import FilingState
from domain.lifecycle.workdays import shanghai_today
from domain.rulebook.registry import LocalRegistry
from extensions import db
from models import Person
from runtime.policy import current_policy
from tests.helpers.wizard import walk_to_confirm

YUNFAN_MOBILE = "13916001234"  # the responsible mobile of another subject's website on the registry


@pytest.fixture
def draft(client, applicant):
    return walk_to_confirm(client, applicant)


def found(filing):
    result = stored_checks.check(filing, LocalRegistry())
    return [(b.field, b.rule) for b in result.breaches], [
        (w.field, w.rule) for w in result.warnings
    ]


def test_a_mobile_on_another_subjects_registry_record_is_r_p_4(draft):
    draft.subject.responsible_person.mobile = YUNFAN_MOBILE
    breaches, _warnings = found(draft)
    assert breaches == [("subject.responsible_person.mobile", "R-P-4")]
    message = stored_checks.check(draft, LocalRegistry()).breaches[0].message
    assert message.params["mobile"] == "139****1234"  # masked


def test_an_emergency_mobile_is_checked_too(draft):
    draft.subject.responsible_person.emergency_mobile = YUNFAN_MOBILE
    breaches, _warnings = found(draft)
    assert breaches == [("subject.responsible_person.emergency_mobile", "R-P-4")]


def test_the_subjects_own_mobile_on_record_is_no_breach(draft):
    draft.subject.responsible_person.mobile = "13800138002"  # 青禾's own website on the registry
    assert found(draft)[0] == []


@pytest.mark.parametrize(
    ("state", "breach"),
    [(FilingState.submitted, True), (FilingState.approved, True), (FilingState.draft, False),
     (FilingState.withdrawn, False)],
)  # fmt: skip
def test_a_mobile_of_another_subjects_order_here_counts_unless_draft_or_withdrawn(
    draft, make_filing, state, breach
):
    other = make_filing(state=state)  # another subject (91330106MA2B3C4D5E), mobile 13800138000
    assert other.subject.certificate_number != draft.subject.certificate_number
    assert draft.subject.responsible_person.mobile == other.subject.responsible_person.mobile
    assert (found(draft)[0] == [("subject.responsible_person.mobile", "R-P-4")]) is breach


def test_a_website_persons_mobile_in_another_order_counts(draft, make_filing):
    other = make_filing(state=FilingState.submitted)
    other.subject.responsible_person.mobile = "13700000001"
    other.websites[0].responsible_person = Person(name="赵六", mobile="13900139000")
    db.session.commit()
    draft.websites[0].responsible_person = Person(
        name="李娜", id_type="resident_id", id_number="11010519491231002X",
        mobile="13900139000", email="lina@qinghe.cn",
    )  # fmt: skip
    assert found(draft)[0] == [("websites[0].responsible_person.mobile", "R-P-4")]


def test_r_p_4_refuses_the_submission(draft, applicant):
    draft.subject.responsible_person.mobile = YUNFAN_MOBILE
    db.session.commit()
    problems = filings.submission_problems(draft, shanghai_today(), "BEIANDESK")
    assert ("subject.responsible_person.mobile", "R-P-4") in [
        (b.field, b.rule) for b in problems.breaches
    ]
    with pytest.raises(filings.FilingError):
        filings.submit(
            draft, applicant, current_policy(), shanghai_today(), draft.version, committed=True
        )


def test_r_s_5_warns_that_the_sms_goes_to_the_mobile_on_record(draft):
    _breaches, warnings = found(draft)  # typed 13800138000, on record 13800138001
    assert warnings == [("subject.responsible_person.mobile", "R-S-5")]
    warning = stored_checks.check(draft, LocalRegistry()).warnings[0]
    assert warning.message.params["mobile"] == "138****8001"
    draft.subject.responsible_person.mobile = "13800138001"
    assert found(draft)[1] == []


def test_r_s_5_names_the_website_person_where_there_is_one(draft):
    draft.websites[0].responsible_person = Person(name="李娜", mobile="13900139000")
    assert found(draft)[1] == [("websites[0].responsible_person.mobile", "R-S-5")]
