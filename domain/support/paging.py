"""Keyset pages by row id for the console's long lists (the audit log, the IP pool, the outbox):
a page is the rows after (or before) a row id in the list's order, so a page never shifts when rows
are added meanwhile, and the database reads one page, never an offset's worth of rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute

from extensions import db

Row = TypeVar("Row")


@dataclass
class Page(Generic[Row]):
    rows: list[Row]
    after: int | None  # the cursor of the next page (None: this is the last)
    before: int | None  # the cursor of the page before (None: this is the first)


def keyset_page(
    query: Select[Any],
    column: InstrumentedAttribute[int],
    size: int,
    after: int = 0,
    before: int = 0,
    descending: bool = True,
) -> Page[Any]:
    """One page of `query` ordered by `column` (highest first when `descending`):
    the first page, the rows that follow row `after`, or those that precede row `before`
    (0: not given; `after` wins when both are)."""
    backwards = bool(before) and not after
    base = query
    if backwards:
        query = query.where(column > before if descending else column < before)
        query = query.order_by(column.asc() if descending else column.desc())
    else:
        if after:
            query = query.where(column < after if descending else column > after)
        query = query.order_by(column.desc() if descending else column.asc())
    rows = list(db.session.scalars(query.limit(size + 1)).all())

    def key(row: Any) -> int:
        return int(getattr(row, column.key))

    def beyond(row: Any, forwards: bool) -> bool:
        """Whether the list has rows after (or before) `row` in its order."""
        higher = descending != forwards  # whether the ids on that side are higher than row's
        condition = column > key(row) if higher else column < key(row)
        return bool(db.session.scalar(select(base.where(condition).exists())))

    more = len(rows) > size
    page = rows[:size]
    if backwards:
        page.reverse()
    # The cursor the request came with says that a page lies on that side, but a stale or typed
    # cursor may point past either end of the list: only a page that exists gets its link.
    if not page:
        return Page(page, None, None)
    if backwards:
        return Page(
            page, key(page[-1]) if beyond(page[-1], True) else None, key(page[0]) if more else None
        )
    return Page(
        page,
        key(page[-1]) if more else None,
        key(page[0]) if after and beyond(page[0], False) else None,
    )
