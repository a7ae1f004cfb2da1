"""The registry import: what a CSV would change (a preview that writes nothing), the import itself
(all or nothing, audited), and the file kept between the admin's preview and confirm.

The kept files hold plaintext filing passwords and mobiles, so they are created readable by this user only (0600), deleted at confirm
(imported or refused) and, when never confirmed, after RETENTION_IMPORT_MINUTES by `flask sweep`;
an older one is no longer accepted."""

from __future__ import annotations

import dataclasses
import os
import secrets
import time
from collections.abc import Callable, Collection
from pathlib import Path

from domain import audit
from domain.filing import orders
from domain.rulebook.registry import ImportSummary, import_registry, parse_registry_csv
from domain.support.i18n import N_
from domain.support.passwords import PasswordHasher
from extensions import db
from models import User

TOKEN_LENGTH = 32


def folder_beside(upload_folder: str) -> Path:
    """The folder of the preview files: instance/imports, beside the uploads (never in them)."""
    return Path(upload_folder).parent / "imports"


def _path(folder: Path, token: str) -> Path | None:
    if len(token) != TOKEN_LENGTH or any(c not in "0123456789abcdef" for c in token):
        return None
    return folder / f"{token}.csv"


def save_preview(folder: Path, text: str) -> str:
    """Keep the previewed file (mode 0600) under a new random token; return the token."""
    token = secrets.token_hex(TOKEN_LENGTH // 2)
    fd = os.open(folder / f"{token}.csv", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return token


def take_preview(folder: Path, token: str, max_age_seconds: float) -> str | None:
    """The previewed file's text, deleted as it is taken; None for an unknown, malformed or
    expired token (an expired file is deleted too)."""
    path = _path(folder, token)
    if path is None or not path.is_file():
        return None
    try:
        fresh = time.time() - path.stat().st_mtime <= max_age_seconds
        text = path.read_text(encoding="utf-8") if fresh else None
    finally:
        path.unlink(missing_ok=True)
    return text


def sweep_previews(folder: Path, max_age_seconds: float) -> int:
    """Delete the preview files older than `max_age_seconds`; return how many."""
    if not folder.is_dir():
        return 0
    deleted = 0
    cutoff = time.time() - max_age_seconds
    for path in folder.glob("*.csv"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                deleted += 1
        except FileNotFoundError:  # confirmed meanwhile by a request
            continue
    return deleted


IMPORT_NOTE = N_(
    "主体：新增 %(subjects_created)s、更新 %(subjects_updated)s；"
    "网站：新增 %(websites_created)s、更新 %(websites_updated)s、未变化 %(unchanged)s"
)
DROPPED_NOTE = N_("；经确认移除本服务商代码：%(numbers)s")
KEPT_NOTE = N_("；未确认，保留本服务商代码：%(numbers)s")


def import_counts(summary: ImportSummary) -> dict[str, int]:
    """The counts an import's audit line names (kept in the event, so that it is read in any
    language)."""
    return {
        "subjects_created": summary.subjects_created,
        "subjects_updated": summary.subjects_updated,
        "websites_created": summary.websites_created,
        "websites_updated": summary.websites_updated,
        "unchanged": summary.unchanged,
    }


def import_note_in(
    translate: Callable[[str], str], counts: dict[str, int], dropped: list[str], kept: list[str]
) -> str:
    """The audit line of an import in the language `translate` gives."""
    note = translate(IMPORT_NOTE) % counts
    if dropped:
        note += translate(DROPPED_NOTE) % {"numbers": "、".join(dropped)}
    if kept:
        note += translate(KEPT_NOTE) % {"numbers": "、".join(kept)}
    return note


def import_note(summary: ImportSummary) -> str:
    """The audit line of an import in Chinese (the note stored with the event)."""
    return import_note_in(str, import_counts(summary), *_provider_changes(summary))


def _provider_changes(summary: ImportSummary) -> tuple[list[str], list[str]]:
    """The website numbers held here that lost this provider's code (confirmed), and that kept it."""
    dropped = [d.website_number for d in summary.held_drops if d.dropped]
    kept = [d.website_number for d in summary.held_drops if not d.dropped]
    return dropped, kept


def preview_registry(text: str, provider_code: str = "") -> ImportSummary:
    """What importing the registry CSV would change; nothing is written (a rolled-back savepoint).
    The websites held here that the file leaves without `provider_code` are in `held_drops`.

    :raises RegistryImportError: a malformed line, or a domain of another number.
    """
    rows = parse_registry_csv(text)
    held = orders.held_here(provider_code)
    # shown as if confirmed (old -> new), for the admin to tick or not
    held = dataclasses.replace(held, confirmed=held.website_numbers)
    savepoint = db.session.begin_nested()
    try:
        return import_registry(rows, preview=True, held=held, hasher=None)  # no hashing: fast
    finally:
        savepoint.rollback()


def import_registry_csv(
    text: str,
    actor: User,
    provider_code: str = "",
    confirmed: Collection[str] = (),
    *,
    hasher: PasswordHasher,
) -> ImportSummary:
    """Import the registry CSV, all or nothing (flushed; the caller commits), audited. A website
    held here loses `provider_code` only when its number is in `confirmed` (the admin ticked it).
    `hasher` hashes the filing passwords.

    :raises RegistryImportError: a malformed line, or a domain of another number.
    """
    summary = import_registry(
        parse_registry_csv(text), held=orders.held_here(provider_code, confirmed), hasher=hasher
    )
    audit.record(
        "registry_imported",
        actor,
        note=import_note(summary),
        data={
            "details": summary.details[:200],
            "provider_dropped": _provider_changes(summary)[0],
            "provider_kept": _provider_changes(summary)[1],
            "counts": import_counts(summary),
        },
    )
    return summary
