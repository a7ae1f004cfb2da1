"""The one parser of numbers read from a request: the length is bounded before int()
reads it, which refuses more than 4 300 digits with a ValueError (a server error where uncaught)."""

from __future__ import annotations

import pytest

from blueprints.access import whole_number
from domain.support.numbers import parse_whole_number

LONG = "9" * 5000


def test_one_parser_bounds_the_length_before_reading_the_number():
    assert parse_whole_number("42") == 42 and parse_whole_number(" 7 ") == 7
    for refused in (LONG, "9" * 11, str(2**31), "-1", "1.5", "²", "١٢٣", "", None, "0x10"):
        assert parse_whole_number(refused) is None, refused
    assert parse_whole_number("2147483647") == 2**31 - 1
    assert parse_whole_number("150", high=100) is None
    with pytest.raises(ValueError):  # the `type=` of request.args.get, which answers the default
        whole_number(LONG)
