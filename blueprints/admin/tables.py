"""The rule tables console: approved suffixes, deny-lists and the working-day calendar."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from blueprints.access import role_required, row_id
from blueprints.admin.console import bp
from domain.errors import DomainError
from domain.lifecycle.states import Role
from domain.operator import tables
from i18n import gettext as _
from runtime.transaction import transaction


@bp.get("/tables", endpoint="tables")
@role_required(Role.admin)
def show_tables():
    """The approved-suffix table, the deny-lists and the working-day calendar overrides."""
    shown = tables.all_tables()
    return render_template(
        "admin/tables.html", suffixes=shown.suffixes, words=shown.words, days=shown.days
    )


def _change_table(change: Callable[[], object]) -> ResponseReturnValue:
    """Make one change to the rule tables in its own transaction, flash how it went, and go back."""
    try:
        with transaction():
            change()
    except DomainError as exc:
        flash(exc.message.render(_), "bad")
    else:
        flash(_("已保存"), "ok")
    return redirect(url_for("admin.tables"))


@bp.post("/tables/suffixes")
@role_required(Role.admin)
def add_suffix():
    """Add a suffix to the table, or change whether it may be filed."""
    form = request.form
    approved = form.get("approved") == "1"
    return _change_table(lambda: tables.add_suffix(form.get("suffix", ""), approved, current_user))


@bp.post("/tables/suffixes/remove")
@role_required(Role.admin)
def remove_suffix():
    """Take a suffix out of the table."""
    suffix = request.form.get("suffix", "")
    return _change_table(lambda: tables.remove_suffix(suffix, current_user))


@bp.post("/tables/deny-words")
@role_required(Role.admin)
def add_deny_word():
    """Add a word to a deny-list."""
    list_name, word = request.form.get("list_name", ""), request.form.get("word", "")
    return _change_table(lambda: tables.add_word(list_name, word, current_user))


@bp.post("/tables/deny-words/remove")
@role_required(Role.admin)
def remove_deny_word():
    """Take a word off its deny-list."""
    word_id = row_id(request.form.get("word_id"))
    return _change_table(lambda: tables.remove_word(word_id, current_user))


@bp.post("/tables/calendar")
@role_required(Role.admin)
def set_calendar_day():
    """Mark a date as a day off or a working day, or remove its override."""
    form = request.form
    choice = form.get("is_workday")
    workday = None if choice == "remove" else choice == "1"
    day, note = form.get("day", ""), form.get("note", "")
    return _change_table(lambda: tables.set_calendar_day(day, workday, note, current_user))
