"""The one parser of whole numbers read from a request (ids, versions, counts, settings).

int() refuses a string of more than 4 300 digits with a ValueError (CPython's guard against
quadratic conversion), and accepts non-ASCII digits ("١٢٣") that no column means; the length is
bounded here first, so no value a client sends can reach int() unchecked.
"""

from __future__ import annotations

# Ids and versions are INTEGER columns (PostgreSQL refuses to compare them with a larger number).
INTEGER_MAX = 2**31 - 1
MAX_DIGITS = len(str(INTEGER_MAX))  # 10


def parse_whole_number(text: object, *, low: int = 0, high: int = INTEGER_MAX) -> int | None:
    """The whole number written in `text` (ASCII digits, a minus sign where `low` is negative,
    surrounding spaces allowed) when it lies in [low, high]; None for anything else: empty, too
    long, out of range, not a string or an int."""
    if isinstance(text, bool) or not isinstance(text, str | int):
        return None
    text = str(text).strip()
    digits = text[1:] if text.startswith("-") and low < 0 else text
    if not 0 < len(digits) <= MAX_DIGITS or not (digits.isascii() and digits.isdigit()):
        return None
    number = int(text)
    return number if low <= number <= high else None
