"""A6 v2: a filing sent back for edits from a later stage waits in initial_rejected like an initial
rejection, and the UI says 退回修改 for it (status panel, the applicant's list, the reviewer's
screen and the all-filings tab); an initial rejection still says 初审驳回, and the flag goes with
the next transition."""

from __future__ import annotations

from domain.lifecycle.states import Action, FilingState, Role
from extensions import db
from tests.helpers import transitions


def test_a_return_from_re_review_says_returned_for_edits(make_filing, make_user, client, login):
    reviewer = make_user(Role.reviewer)
    filing = make_filing(FilingState.re_review)
    transitions.apply(filing, Action.return_for_edits, reviewer)
    db.session.commit()
    assert filing.state is FilingState.initial_rejected and filing.returned

    owner = db.session.get(type(filing.account), filing.account_id)
    login(owner)
    for path in (f"/filings/{filing.id}", "/filings/", f"/filings/{filing.id}/status"):
        page = client.get(path, headers={"HX-Request": "true"} if "status" in path else {})
        text = page.get_data(as_text=True)
        assert "退回修改" in text, path
        assert "初审驳回</span>" not in text, path  # the badge never says initial rejection

    client.post("/auth/logout")
    login(reviewer)
    review = client.get(f"/review/filings/{filing.id}").get_data(as_text=True)
    assert '<span class="badge badge-bad">退回修改</span>' in review or "退回修改</span>" in review
    every = client.get("/review/?stage=all", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "退回修改" in every
    # the review screen's trail says 退回修改 and shows no 初审驳回 after it
    trail = review[review.index("审计记录") :]
    assert "退回修改" in trail and "初审驳回</span>" not in trail


def test_an_initial_rejection_says_initial_rejection_and_the_flag_goes_with_the_next_step(
    make_filing, make_user
):
    reviewer = make_user(Role.reviewer)
    rejected = make_filing(FilingState.initial_rejected)
    assert not rejected.returned

    returned = make_filing(FilingState.re_review)
    transitions.apply(returned, Action.return_for_edits, reviewer)
    assert returned.returned
    transitions.apply(
        returned, Action.submit, db.session.get(type(returned.account), returned.account_id)
    )
    db.session.commit()
    assert returned.state is FilingState.submitted and not returned.returned
