"""How long personal data is kept (PIPL Art. 19 and 28: ID scans are sensitive personal
information, kept no longer than the purpose needs). Run by `flask sweep`:

- an image replaced by a newer upload of the same material (same filing, website and kind) is
  deleted RETENTION_SUPERSEDED_DAYS after the newer one came;
- the images of a withdrawn filing are deleted RETENTION_WITHDRAWN_DAYS after the withdrawal.

Each filing's deletions are one audit event (as the system). The file goes first and the row after
it, so a crash in between leaves a row whose file is gone (the next sweep removes the row), never a
file that nothing points to any more. On PostgreSQL the rows are taken with SKIP LOCKED, so the
sweep runs on every host at once without deleting anything twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from domain import audit
from domain.lifecycle.states import FilingState
from domain.ports import Storage
from extensions import db
from models import Filing, Material

BATCH = 500  # materials per run and reason, so that one sweep stays short


@dataclass
class RetentionResult:
    superseded: int = 0
    withdrawn: int = 0
    filings: set[int] = field(default_factory=set)


def superseded_materials(now: datetime, days: int) -> list[Material]:
    """Materials that a newer upload of the same material replaced more than `days` days ago."""
    newer = aliased(Material)
    replaced = (
        select(newer.id)
        .where(
            newer.filing_id == Material.filing_id,
            newer.kind == Material.kind,
            newer.website_id.is_not_distinct_from(Material.website_id),
            newer.id > Material.id,
            newer.created_at < now - timedelta(days=days),
        )
        .exists()
    )
    query = select(Material).where(replaced).order_by(Material.id).limit(BATCH)
    return list(db.session.scalars(_taken(query)))


def withdrawn_materials(now: datetime, days: int) -> list[Material]:
    """The materials of filings withdrawn more than `days` days ago."""
    query = (
        select(Material)
        .join(Filing, Filing.id == Material.filing_id)
        .where(
            Filing.state == FilingState.withdrawn,
            Filing.state_entered_at < now - timedelta(days=days),
        )
        .order_by(Material.id)
        .limit(BATCH)
    )
    return list(db.session.scalars(_taken(query)))


def _taken(query: Select[Any]) -> Select[Any]:
    """On PostgreSQL the rows are locked with SKIP LOCKED: a sweep on another host at the same time
    deletes the others, never the same file and row twice (nor two audit events)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(of=Material, skip_locked=True)
    return query


def delete_materials(store: Storage, found: list[Material], reason: str) -> dict[int, int]:
    """Delete the files, then the rows (flushed), one audit event per filing; {filing: count}."""
    per_filing: dict[int, list[Material]] = defaultdict(list)
    for material in found:
        store.delete(material.storage_key)
        per_filing[material.filing_id].append(material)
    for filing_id, deleted in per_filing.items():
        for material in deleted:
            db.session.delete(material)
        audit.record(
            "images_deleted", None, filing=db.session.get(Filing, filing_id), internal=True,
            data={"reason": reason, "count": len(deleted), "kinds": sorted({m.kind for m in deleted})},
        )  # fmt: skip
    db.session.flush()
    return {filing_id: len(deleted) for filing_id, deleted in per_filing.items()}


def sweep(
    store: Storage, now: datetime, superseded_days: int, withdrawn_days: int
) -> RetentionResult:
    """Delete what the retention policy says is due (flushed; the caller commits)."""
    result = RetentionResult()
    withdrawn = delete_materials(store, withdrawn_materials(now, withdrawn_days), "withdrawn")
    result.withdrawn = sum(withdrawn.values())
    superseded = delete_materials(store, superseded_materials(now, superseded_days), "superseded")
    result.superseded = sum(superseded.values())
    result.filings = set(withdrawn) | set(superseded)
    return result
