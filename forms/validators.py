"""WTForms adapters over the pure rule functions in domain/, so a form and a check never disagree."""

from flask_babel import gettext


def translated(message: str) -> str:
    """Translate a message that a pure domain function marked with N_()."""
    return gettext(message)
