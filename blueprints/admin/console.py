"""The admin blueprint itself, and what its consoles share: the keyset cursors of a long list."""

from __future__ import annotations

from flask import Blueprint, request

from blueprints.access import row_id

bp = Blueprint("admin", __name__, url_prefix="/admin")


def cursors() -> tuple[int, int]:
    """A console list's keyset cursors (`after`, `before`): row ids, 0 for none or anything else."""
    return row_id(request.args.get("after", "")), row_id(request.args.get("before", ""))
