"""The English catalogue covers every Chinese source string (run translations/update.sh to merge)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def _catalog_ids(path: Path) -> dict[str, tuple[str, ...]]:
    """msgid -> its translations (one, or one per plural form; a plural entry by its singular)."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {
        message.id[0] if message.pluralizable else message.id: tuple(message.string)
        if message.pluralizable
        else (message.string,)
        for message in catalog
        if message.id
    }


def test_every_source_string_has_an_english_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "N_", "--no-location", "--ignore-dirs=.venv", "--ignore-dirs=tests",
         "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    source_ids = set(_catalog_ids(pot))
    english = _catalog_ids(ROOT / "translations/en/LC_MESSAGES/messages.po")
    assert sorted(source_ids - set(english)) == [], "run translations/update.sh"
    assert sorted(i for i in source_ids if not all(english[i])) == [], "translate the empty entries"
