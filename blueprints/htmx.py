"""htmx glue: is this an htmx request, and render a page's block alone for it."""

from __future__ import annotations

from flask import render_template, request
from jinja2_fragments.flask import render_block


def is_htmx() -> bool:
    """True when htmx sent the request (and not a history restore, which wants the full page)."""
    return request.headers.get("HX-Request") == "true" and (
        request.headers.get("HX-History-Restore-Request") != "true"
    )


def render_page_or_block(template: str, block: str, **context) -> str:
    """One URL, two renderings: the whole page, or only `block` for htmx."""
    if is_htmx():
        return render_block(template, block, **context)
    return render_template(template, **context)
