"""The one transaction boundary of the web layer and the CLI.

Use cases flush but never commit; the view (or CLI command) wraps them in `transaction()`, which
commits when the block ends and rolls back when it raises. A refusal (DomainError) raised inside
the block therefore leaves nothing half-written behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from extensions import db


@contextmanager
def transaction() -> Iterator[None]:
    """Commit the work done in the block; roll it back if the block or the commit raises (and
    re-raise)."""
    try:
        yield
        db.session.commit()
    except BaseException:  # a refusal, an error, or a commit that failed: nothing half-written
        db.session.rollback()
        raise
