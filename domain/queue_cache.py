"""The rendered queue panel, kept per process until the queue changes.

Rendering a page of 25 filings costs several times what the rest of the request does, and
reviewers reload and switch tabs all day, mostly while nothing changed. Every write that changes
what a queue shows (a transition, a claim, a release) bumps the "queue" change counter in its own
transaction; a panel is reused only while the counter, the query, the language and the minute
(deadlines turn overdue by the clock) are the same. The counter is read before the page, so a
cached panel is never older than the counter it is filed under. The panels live on the app object
(one set per process); restart the app after restoring a backup, which may set the counter back.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from domain.upsert import add_to_counter
from extensions import db
from models import ChangeCounter

NAME = "queue"
MAX_PANELS = 256


def bump() -> None:
    """Something in the queues changed (in the caller's transaction)."""
    add_to_counter(ChangeCounter, ChangeCounter.name, NAME, ChangeCounter.value, 1)


def current() -> int:
    """The counter now (0 before the first change)."""
    return db.session.scalar(select(ChangeCounter.value).where(ChangeCounter.name == NAME)) or 0


def panel(key: tuple, now: datetime, render: Callable[[], str]) -> str:
    """The cached panel for `key` at the current counter and minute, rendered when missing."""
    panels: OrderedDict[tuple, str] = current_app.extensions.setdefault(
        "queue_panels", OrderedDict()
    )
    full_key = (current(), now.replace(second=0, microsecond=0), *key)
    html = panels.get(full_key)
    if html is None:
        html = render()
        panels[full_key] = html
        if len(panels) > MAX_PANELS:
            panels.popitem(last=False)
    return html
