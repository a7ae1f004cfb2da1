"""The province a mainland mobile number is registered in (R-PH-2), from `mobile_regions.txt`:
libphonenumber's Chinese geocoder data reduced to runs of 7-digit prefixes (written by
mobile_regions_source.py; a test keeps the two in step)."""

from __future__ import annotations

from bisect import bisect_right
from pathlib import Path

import phonenumbers


def _read(path: Path) -> tuple[list[int], list[str | None]]:
    starts: list[int] = []
    provinces: list[str | None] = []
    for line in path.read_text(encoding="ascii").splitlines():
        if line and not line.startswith("#"):
            start, province = line.split()
            starts.append(int(start))
            provinces.append(None if province == "-" else province)
    return starts, provinces


RUN_STARTS, RUN_PROVINCES = _read(Path(__file__).with_name("mobile_regions.txt"))


def home_province(number: str) -> str | None:
    """The province code of a valid mainland mobile number; None where the geocoder knows only
    the country, or the number is not a valid mobile."""
    try:
        parsed = phonenumbers.parse(number, "CN")
    except phonenumbers.NumberParseException:
        return None
    if parsed.country_code != 86 or not phonenumbers.is_valid_number(parsed):
        return None
    digits = str(parsed.national_number)
    if len(digits) != 11 or not digits.startswith("1"):
        return None
    index = bisect_right(RUN_STARTS, int(digits[:7])) - 1
    return RUN_PROVINCES[index] if index >= 0 else None
