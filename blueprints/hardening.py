"""What every request goes through for hostile input: the size of a request body, no NUL in any
value, formulas kept out of CSV cells, and `/readyz`. (Headers: security_headers.py; the 413 and
500 answers: errors.py.)

The body limit is `MAX_CONTENT_LENGTH` (a 4 MB image plus its form, with room), larger only for
the admin's CSV imports (`IMPORT_MAX_CONTENT_LENGTH`). Werkzeug refuses a larger body by its
Content-Length before reading it, and stops reading a chunked one at the limit.
"""

from __future__ import annotations

import csv
import logging

from flask import Blueprint, Flask, Request, current_app, jsonify, request
from sqlalchemy import text

from blueprints import errors
from extensions import db
from i18n import gettext as _

log = logging.getLogger(__name__)
bp = Blueprint("hardening", __name__)

# Endpoints that take a CSV file larger than an image (the registry: up to 10 MB).
IMPORT_ENDPOINTS = frozenset({"admin.registry"})


class LimitedRequest(Request):
    """A request whose body limit depends on the endpoint (known once the URL is matched, before
    CSRFProtect reads the form)."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is not None:  # set for this request by a view
            return self._max_content_length
        if self.endpoint in IMPORT_ENDPOINTS:
            return int(current_app.config["IMPORT_MAX_CONTENT_LENGTH"])
        return int(current_app.config["MAX_CONTENT_LENGTH"])

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def init_app(app: Flask) -> None:
    """Install the request class, the refusal of NUL characters and /readyz."""
    app.request_class = LimitedRequest
    app.before_request(_refuse_nul)
    app.register_blueprint(bp)


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _refuse_nul():
    """400 for a NUL character in any query or form value: no field takes one, and PostgreSQL
    refuses it in text (a server error wherever such a value reached the database)."""
    values = list(request.args.items(multi=True))
    if request.mimetype in FORM_TYPES:
        values += list(request.form.items(multi=True))
    bad = next((name for name, value in values if "\x00" in value or "\x00" in name), None)
    if bad is None:
        return None
    message = _("字段 %(field)s 含有不允许的空字符（NUL）", field=bad.replace("\x00", "")[:40])
    if request.path.startswith("/api/"):
        return jsonify({"ok": False, "error": message, "problems": [
            {"field": bad, "message": message}]}), 400  # fmt: skip
    return errors.error_page(400, _("请求无效"), message)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A CSV cell that Excel or WPS will not run as a formula: text starting with = + - @ (or a
    tab or CR) gets a leading apostrophe (OWASP's advice); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeCsvWriter:
    """csv.writer whose every text cell goes through spreadsheet_safe()."""

    def __init__(self, out) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row) -> None:
        """Write one row, its cells made safe."""
        self._writer.writerow([spreadsheet_safe(cell) for cell in row])


@bp.get("/readyz")
def ready():
    """Ready for traffic: the database answers (503 when it does not)."""
    try:
        db.session.execute(text("select 1"))
        db.session.rollback()
    except Exception as exc:  # any failure: not ready, and say which part
        log.warning("readyz: database not reachable: %s", type(exc).__name__)
        db.session.rollback()
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})
