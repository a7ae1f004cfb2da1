"""Walk filings through the workflow in tests, as the app does, under the app's current policy and
with its adapters (the bureau and the registry the runtime built)."""

from __future__ import annotations

from typing import Any

from domain.lifecycle.states import Action, FilingState
from domain.review import reviewing
from domain.review.reviewing import Reason
from extensions import db
from models import AuditEvent, Filing, User
from runtime import current
from runtime.policy import current_policy

# How to reach each state from a draft: the actions, in order (who acts is derived from the role).
PATH_TO: dict[FilingState, tuple[Action, ...]] = {
    FilingState.draft: (),
    FilingState.submitted: (Action.submit,),
    FilingState.withdrawn: (Action.withdraw,),
    FilingState.initial_rejected: (Action.submit, Action.initial_reject),
    FilingState.materials_pending: (Action.submit, Action.initial_approve),
    FilingState.re_review: (Action.submit, Action.initial_approve, Action.submit_materials),
}
PATH_TO[FilingState.re_rejected] = (*PATH_TO[FilingState.re_review], Action.re_reject)
PATH_TO[FilingState.bureau_pending] = (*PATH_TO[FilingState.re_review], Action.re_approve)
PATH_TO[FilingState.sms_pending] = (*PATH_TO[FilingState.bureau_pending], Action.submit_to_bureau)
PATH_TO[FilingState.sms_failed] = (*PATH_TO[FilingState.sms_pending], Action.sms_fail)
PATH_TO[FilingState.bureau_review] = (*PATH_TO[FilingState.sms_pending], Action.sms_verify)
PATH_TO[FilingState.bureau_rejected] = (*PATH_TO[FilingState.bureau_review], Action.bureau_reject)
PATH_TO[FilingState.approved] = (*PATH_TO[FilingState.bureau_review], Action.bureau_approve)

APPLICANT_ACTIONS = {Action.submit, Action.withdraw, Action.submit_materials, Action.sms_verify}
SYSTEM_ACTIONS = {Action.sms_fail}


def apply(filing: Filing, action: Action, actor: User | None, **options: Any) -> AuditEvent:
    """A step as the app takes it (reviewing.advance: apply() and what follows from the step),
    under the policy that a request would run under."""
    adapters = current()
    options.setdefault("bureau", adapters.bureau)
    options.setdefault("registry", adapters.registry)
    return reviewing.advance(filing, action, actor, policy=current_policy(), **options)


def claim_and_decide(
    filing: Filing, reviewer: User, action: Action, reasons: list[Reason], note: str = ""
) -> None:
    """A reviewer claims the filing and decides, with reasons and a note, as the review screen
    does; committed."""
    policy = current_policy()
    assert reviewing.claim(filing, reviewer, policy)
    reviewing.decide(filing, reviewer, action, policy=policy, expected_version=filing.version,
                     reasons=reasons, note=note, bureau=current().bureau,
                     registry=current().registry)  # fmt: skip
    db.session.commit()
