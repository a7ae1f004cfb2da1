"""The registry import: what a CSV would change (a preview that writes nothing), the import itself
(all or nothing, audited), and the file kept between the admin's preview and confirm.

The kept files hold plaintext filing passwords and mobiles, so they are created readable by this user only (0600), deleted at confirm
(imported or refused) and, when never confirmed, after RETENTION_IMPORT_MINUTES by `flask sweep`;
an older one is no longer accepted."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from domain import audit
from domain.rulebook.registry import ImportSummary, import_registry, parse_registry_csv
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


def preview_registry(text: str) -> ImportSummary:
    """What importing the registry CSV would change; nothing is written (a rolled-back savepoint).

    :raises RegistryImportError: a malformed line, or a domain of another number.
    """
    rows = parse_registry_csv(text)
    savepoint = db.session.begin_nested()
    try:
        return import_registry(rows, preview=True)  # no hashing, no writes
    finally:
        savepoint.rollback()


def import_registry_csv(text: str, actor: User) -> ImportSummary:
    """Import the registry CSV, all or nothing (flushed; the caller commits), audited.

    :raises RegistryImportError: a malformed line, or a domain of another number.
    """
    summary = import_registry(parse_registry_csv(text))
    audit.record(
        "registry_imported",
        actor,
        note=f"+{summary.subjects_created}/{summary.websites_created}"
        f" ~{summary.subjects_updated}/{summary.websites_updated}",
        data={"details": summary.details[:200]},
    )
    return summary
