"""The mobile-prefix table the app reads (R-PH-2) matches libphonenumber's geocoder as installed,
and answers as the geocoder itself does."""

from __future__ import annotations

import io
import random
import subprocess
import sys
from pathlib import Path

import phonenumbers
from phonenumbers import geocoder

from domain.rulebook import mobile_regions, mobile_regions_source

TABLE = Path(mobile_regions.__file__).with_name("mobile_regions.txt")


def test_the_table_is_what_the_installed_phonenumbers_gives():
    written = io.StringIO()
    mobile_regions_source.write(written)
    assert TABLE.read_text(encoding="ascii") == written.getvalue(), (
        "phonenumbers changed: python -m domain.rulebook.mobile_regions_source > "
        "domain/rulebook/mobile_regions.txt"
    )


def test_lookups_agree_with_the_geocoder_on_random_mobiles():
    rng = random.Random(20261124)
    checked = 0
    for _ in range(3000):
        number = f"1{rng.randint(3, 9)}{rng.randint(0, 999_999_999):09d}"
        parsed = phonenumbers.parse(number, "CN")
        place = geocoder.description_for_number(parsed, "zh")
        expected = mobile_regions_source.province_of_place(place)
        assert mobile_regions.home_province(number) == expected, (number, place)
        checked += 1
    assert checked == 3000


def test_known_numbers_and_refusals():
    assert mobile_regions.home_province("13912345678") == "32"  # 江苏省常州市
    assert mobile_regions.home_province("13800138000") == "11"  # 北京市
    assert mobile_regions.home_province("19900000000") is None  # only 中国 is known
    assert mobile_regions.home_province("not a number") is None
    assert mobile_regions.home_province("02012345678") is None  # a landline
    assert mobile_regions.home_province("+1 650 253 0000") is None


def test_the_app_does_not_load_the_worlds_geocoder():
    out = subprocess.run(
        [sys.executable, "-c", "import sys, app; print('phonenumbers.geodata' in sys.modules)"],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[2],
    ).stdout  # fmt: skip
    assert out.strip() == "False"
