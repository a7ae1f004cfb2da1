"""Walk filings through the workflow in tests, as the app does, under the app's current policy."""

from __future__ import annotations

from typing import Any

from blueprints.policy import current_policy
from domain.lifecycle.states import Action
from domain.review import reviewing
from models import AuditEvent, Filing, User


def apply(filing: Filing, action: Action, actor: User | None, **options: Any) -> AuditEvent:
    """A step as the app takes it (reviewing.advance: apply() and what follows from the step),
    under the policy that a request would run under."""
    return reviewing.advance(filing, action, actor, policy=current_policy(), **options)
