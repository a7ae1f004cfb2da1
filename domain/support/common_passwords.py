"""The list of common and breached passwords an account password must not be on (ASVS 6.2.4 and
6.2.12): the 30 000 most frequent passwords of public breach corpora that zxcvbn ships (its
`passwords` frequency list), with `common_passwords_cn.txt` for Chinese patterns that list lacks.
Compared in lower case, so `Password1` is refused as `password1` is."""

from __future__ import annotations

from functools import cache
from importlib import resources

MIN_LENGTH = 8  # shorter ones are refused by length before the list is asked


@cache
def common_passwords() -> frozenset[str]:
    """Every listed password of at least MIN_LENGTH characters, lower case (loaded once per
    process, at the first check: importing zxcvbn's lists takes about 0.3 s)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # noqa: PLC0415 - loaded where a password is set

    shipped = resources.files("domain.support").joinpath("common_passwords_cn.txt").read_text()
    ours = (line.strip() for line in shipped.splitlines() if not line.startswith("#"))
    words = [*FREQUENCY_LISTS["passwords"], *ours]
    return frozenset(word.lower() for word in words if len(word) >= MIN_LENGTH)


def is_common_password(password: str) -> bool:
    """Whether the password, in lower case, is on the list."""
    return password.lower() in common_passwords()
