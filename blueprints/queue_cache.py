"""What the reviewers' queue page reuses between requests: the rendered panel, kept per process
until the queue changes, and the overdue counts of the tabs, kept for OVERDUE_COUNTS_SECONDS.

Rendering a page of 25 filings costs several times what the rest of the request does, and
reviewers reload and switch tabs all day, mostly while nothing changed. Every write that changes
what a queue shows bumps the queue change counter (domain/lifecycle/stage_counts.py) in its own
transaction; a panel is reused only while the counter, the query, the language and the minute
(deadlines turn overdue by the clock) are the same. The counter is read before the page, so a
cached panel is never older than the counter it is filed under. The panels live on the app object
(one set per process); restart the app after restoring a backup, which may set the counter back.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

from flask import current_app

from domain.lifecycle import stage_counts
from domain.lifecycle.states import FilingState
from domain.review import reviewing
from runtime.policy import current_policy

MAX_PANELS = 256


def panel(key: tuple, now: datetime, render: Callable[[], str]) -> str:
    """The cached panel for `key` at the current counter and minute, rendered when missing."""
    panels: OrderedDict[tuple, str] = current_app.extensions.setdefault(
        "queue_panels", OrderedDict()
    )
    full_key = (stage_counts.queue_version(), now.replace(second=0, microsecond=0), *key)
    html = panels.get(full_key)
    if html is None:
        html = render()
        panels[full_key] = html
        if len(panels) > MAX_PANELS:
            panels.popitem(last=False)
    return html


def overdue_counts(now: datetime) -> dict[FilingState, int]:
    """The overdue filings per stage. Counting them reads every overdue row, and a deadline passes
    by the clock rather than by a write, so each process reuses the figures for a while."""
    ttl = current_policy().overdue_counts_seconds
    cached: tuple[float, dict[FilingState, int]] | None = current_app.extensions.get(
        "overdue_counts"
    )
    if cached is not None and ttl and time.monotonic() - cached[0] < ttl:
        return cached[1]
    counts = reviewing.overdue_counts(now)
    current_app.extensions["overdue_counts"] = (time.monotonic(), counts)
    return counts
