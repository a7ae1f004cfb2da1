"""Walk filings through the workflow in tests, as the app does, under the app's current policy and
with its adapters (the bureau and the registry the runtime built)."""

from __future__ import annotations

from typing import Any

from domain.lifecycle.states import Action
from domain.review import reviewing
from domain.review.reviewing import Reason
from extensions import db
from models import AuditEvent, Filing, User
from runtime import current
from runtime.policy import current_policy


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
