"""Load the editable rule tables from the database into the pure RuleTables value."""

from __future__ import annotations

import idna
from sqlalchemy import select

from domain.rulebook.precheck import RuleTables
from extensions import db
from models import DenyWord, DomainSuffix, ProvinceRule


def suffix_to_ascii(suffix: str) -> str:
    """A suffix as stored for matching: IDNA ASCII (中国 -> xn--fiqs8s)."""
    return idna.encode(suffix.strip(".").lower(), uts46=True).decode("ascii")


def load() -> RuleTables:
    """The current rule tables."""
    suffixes = db.session.execute(select(DomainSuffix.suffix, DomainSuffix.approved)).all()
    words = db.session.execute(select(DenyWord.list_name, DenyWord.word)).all()
    provinces = db.session.execute(
        select(ProvinceRule.code, ProvinceRule.min_age, ProvinceRule.local_mobile_required)
    ).all()
    return RuleTables(
        approved_suffixes=frozenset(suffix_to_ascii(s) for s, approved in suffixes if approved),
        never_suffixes=frozenset(suffix_to_ascii(s) for s, approved in suffixes if not approved),
        sensitive_words=frozenset(w for name, w in words if name == "sensitive"),
        personal_words=frozenset(w for name, w in words if name == "personal"),
        min_age={code: age for code, age, _ in provinces},
        local_mobile_provinces=frozenset(code for code, _, local in provinces if local),
    )
