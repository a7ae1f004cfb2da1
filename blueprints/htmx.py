"""htmx glue: is this an htmx request (and not a history restore); every answer varies on it."""

from __future__ import annotations

from flask import Flask, Response, request


def init_app(app: Flask) -> None:
    """Mark every answer of `app` as varying on HX-Request (one URL: a page, or its fragment)."""
    app.after_request(vary_on_hx_request)


def vary_on_hx_request(response: Response) -> Response:
    """`Vary: HX-Request`, so that a cache or the back button never shows a bare fragment."""
    response.vary.add("HX-Request")
    return response


def is_htmx() -> bool:
    """True when htmx sent the request (and not a history restore, which wants the full page)."""
    return request.headers.get("HX-Request") == "true" and (
        request.headers.get("HX-History-Restore-Request") != "true"
    )
