"""Read-only views run without a database transaction.

A page that only reads (the polled status panel, the review queue) needs no BEGIN and ROLLBACK
around its two or three SELECTs: marked with @read_only, its request takes a connection in
autocommit mode before the view (and Flask-Login) run, which saves two round trips per request.
Each SELECT then sees its own snapshot, which is all a display needs.
"""

from __future__ import annotations

from flask import Flask, g, request

from extensions import db


def read_only(view):
    """Mark a view as reading only (it must not write: nothing it wrote would be atomic)."""
    view.read_only = True
    return view


def register(app: Flask) -> None:
    @app.before_request
    def without_transaction():
        view = app.view_functions.get(request.endpoint or "")
        if (
            getattr(view, "read_only", False)
            and request.method in ("GET", "HEAD")
            and not db.session().in_transaction()  # a test may hold the session across requests
        ):
            db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            g.read_only_connection = True

    @app.teardown_request
    def give_back(_exc=None):
        if g.pop("read_only_connection", False):
            db.session.rollback()  # ends the session's hold on the autocommit connection
