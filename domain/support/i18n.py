"""Translatable text in pure modules: the N_ marker and Message, translated where they are shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple


def N_(text: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark text for extraction by pybabel (keyword N_) without translating it here."""
    return text


class Labels(NamedTuple):
    """A parameter that is a list of msgids (choice labels), shown translated and comma-separated."""

    msgids: tuple[str, ...]


class Message(NamedTuple):
    """A translatable message: msgid (Chinese) and its %-format parameters."""

    text: str
    params: dict[str, Any] = {}

    def render(self, gettext: Callable[[str], str]) -> str:
        """The message in the current language."""
        translated = gettext(self.text)
        if not self.params:
            return translated
        return translated % {key: _shown(value, gettext) for key, value in self.params.items()}


def _shown(value: Any, gettext: Callable[[str], str]) -> Any:
    if isinstance(value, Labels):
        return ", ".join(gettext(msgid) for msgid in value.msgids)
    return value
