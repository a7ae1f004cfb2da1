"""Every security header in one place, added to each answer unless a view set its own:

Content-Security-Policy (this origin's scripts and styles only: htmx and app.js are files, with
no inline script or style), X-Content-Type-Options, Referrer-Policy, X-Frame-Options,
Permissions-Policy, Cross-Origin-Opener-Policy and -Resource-Policy, Strict-Transport-Security
over HTTPS, and `Cache-Control: no-store` on a logged-in user's pages (they hold personal data:
no browser or proxy cache keeps them, for the back button after logout or a shared computer).
"""

from __future__ import annotations

from flask import Flask, Response, request, session

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# Only features Chromium knows: an unknown one (`bluetooth`) is logged as an error on every page.
PERMISSIONS_POLICY = (
    "camera=(self), microphone=(), geolocation=(), payment=(), usb=(), serial=(), "
    "display-capture=(), interest-cohort=()"
)
HSTS = "max-age=31536000; includeSubDomains"
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    """Add the headers to every answer of `app`."""
    app.after_request(add_security_headers)


def add_security_headers(response: Response) -> Response:
    """The headers above, each unless the answer already has it."""
    headers = response.headers
    for name, value in HEADERS.items():
        headers.setdefault(name, value)
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    # The session is read, not the user: no database query for a header.
    if (
        request.endpoint != "static"
        and "_user_id" in session
        and "no-store" not in headers.get("Cache-Control", "")
    ):
        headers["Cache-Control"] = "no-store"
    return response
