"""Load the editable rule tables from the database into the pure RuleTables value."""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import idna
from sqlalchemy import Case, String, case, cast, literal, select, union_all
from sqlalchemy.orm import InstrumentedAttribute

from domain.rulebook.precheck import RuleTables
from extensions import db
from models import DenyWord, DomainSuffix, PreApprovalKeyword, ProvinceRule

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


@lru_cache(maxsize=8)
def _ascii_suffixes(suffixes: tuple[str, ...]) -> frozenset[str]:
    """The ASCII forms; a row that is no suffix (saved before admins' input was checked) is left
    out with a warning instead of failing every pre-check. Remembered for the same rows (the
    table changes rarely; every pre-check reads it)."""
    found = set()
    for suffix in suffixes:
        try:
            found.add(suffix_to_ascii(suffix))
        except ValueError:
            log.warning("domain_suffixes: %r is not a suffix, ignored", suffix)
    return frozenset(found)


def load() -> RuleTables:
    """The current rule tables, read in one query (every pre-check and review screen needs them)."""
    rows = db.session.execute(
        union_all(
            select(literal("suffix"), DomainSuffix.suffix, _flag(DomainSuffix.approved)),
            select(literal("word"), DenyWord.list_name, DenyWord.word),
            select(
                literal("province"), ProvinceRule.code, cast(ProvinceRule.min_age, String)
            ).where(ProvinceRule.local_mobile_required.is_(False)),
            select(literal("local"), ProvinceRule.code, cast(ProvinceRule.min_age, String)).where(
                ProvinceRule.local_mobile_required.is_(True)
            ),
            select(literal("keyword"), PreApprovalKeyword.category, PreApprovalKeyword.keyword),
        )
    ).all()
    suffixes = [(name, flag == "1") for table, name, flag in rows if table == "suffix"]
    words = [(name, word) for table, name, word in rows if table == "word"]
    provinces = [
        (code, int(age), table == "local")
        for table, code, age in rows
        if table in ("province", "local")
    ]
    return RuleTables(
        approved_suffixes=_ascii_suffixes(tuple(s for s, approved in suffixes if approved)),
        never_suffixes=_ascii_suffixes(tuple(s for s, approved in suffixes if not approved)),
        sensitive_words=frozenset(w for name, w in words if name == "sensitive"),
        personal_words=frozenset(w for name, w in words if name == "personal"),
        min_age={code: age for code, age, _ in provinces},
        local_mobile_provinces=frozenset(code for code, _, local in provinces if local),
        pre_approval_keywords=frozenset(
            (category, keyword) for table, category, keyword in rows if table == "keyword"
        ),
    )


def _flag(column: InstrumentedAttribute[bool]) -> Case[str]:
    """A boolean column as the text "1" or "0" (the same on SQLite and PostgreSQL)."""
    return case((column.is_(True), "1"), else_="0")
