"""Load the editable rule tables from the database into the pure RuleTables value."""

from __future__ import annotations

import logging
import re

import idna
from sqlalchemy import select

from domain.rulebook.precheck import RuleTables
from extensions import db
from models import DenyWord, DomainSuffix, ProvinceRule

log = logging.getLogger(__name__)
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def suffix_to_ascii(suffix: str) -> str:
    """A suffix as stored for matching: IDNA ASCII (中国 -> xn--fiqs8s).

    :raises ValueError: not a suffix of DNS labels (`*.cn`, `my_shop.cn`, `com..cn`).
    """
    try:
        ascii_form = idna.encode(suffix.strip(".").lower(), uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError) as exc:
        raise ValueError(suffix) from exc
    if not all(_LABEL.fullmatch(label) for label in ascii_form.split(".")):
        raise ValueError(suffix)
    return ascii_form


def _ascii_suffixes(suffixes: list[str]) -> frozenset[str]:
    """The ASCII forms; a row that is no suffix (saved before admins' input was checked) is left
    out with a warning instead of failing every pre-check."""
    found = set()
    for suffix in suffixes:
        try:
            found.add(suffix_to_ascii(suffix))
        except ValueError:
            log.warning("domain_suffixes: %r is not a suffix, ignored", suffix)
    return frozenset(found)


def load() -> RuleTables:
    """The current rule tables."""
    suffixes = db.session.execute(select(DomainSuffix.suffix, DomainSuffix.approved)).all()
    words = db.session.execute(select(DenyWord.list_name, DenyWord.word)).all()
    provinces = db.session.execute(
        select(ProvinceRule.code, ProvinceRule.min_age, ProvinceRule.local_mobile_required)
    ).all()
    return RuleTables(
        approved_suffixes=_ascii_suffixes([s for s, approved in suffixes if approved]),
        never_suffixes=_ascii_suffixes([s for s, approved in suffixes if not approved]),
        sensitive_words=frozenset(w for name, w in words if name == "sensitive"),
        personal_words=frozenset(w for name, w in words if name == "personal"),
        min_age={code: age for code, age, _ in provinces},
        local_mobile_provinces=frozenset(code for code, _, local in provinces if local),
    )
