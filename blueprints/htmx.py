"""htmx glue: is this an htmx request (and not a history restore)."""

from __future__ import annotations

from flask import request


def is_htmx() -> bool:
    """True when htmx sent the request (and not a history restore, which wants the full page)."""
    return request.headers.get("HX-Request") == "true" and (
        request.headers.get("HX-History-Restore-Request") != "true"
    )
