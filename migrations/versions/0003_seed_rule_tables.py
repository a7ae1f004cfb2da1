"""seed the rule tables: 31 province rules, approved suffixes, deny-lists (DOMAIN.md A1, A4)

A fresh install has the rules the validators need as soon as it is migrated. The admin edits
them later; this migration only inserts rows that are missing.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from domain.rulebook.provinces import PROVINCES, RULE_SEEDS
from domain.rulebook.seed_tables import (
    APPROVED_SUFFIXES,
    NEVER_APPROVED_SUFFIXES,
    PERSONAL_DENY_WORDS,
    SENSITIVE_WORDS,
)

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

provinces = sa.table(
    "province_rules",
    *(sa.column(name) for name in (
        "code", "name", "abbr", "sms_required", "mail_required", "copyright_footer",
        "local_mobile_required", "min_age", "bureau_review_workdays", "notes", "updated_at",
    )),
)  # fmt: skip
suffixes = sa.table("domain_suffixes", sa.column("suffix"), sa.column("approved"))
words = sa.table("deny_words", sa.column("list_name"), sa.column("word"))


def upgrade():
    connection = op.get_bind()
    have_codes = set(connection.scalars(sa.select(provinces.c.code)))
    defaults = {
        "sms_required": True, "mail_required": False, "copyright_footer": False,
        "local_mobile_required": False, "min_age": 18, "bureau_review_workdays": 20, "notes": "",
    }  # fmt: skip
    now = sa.func.now()
    for province in PROVINCES:
        if province.code not in have_codes:
            values = {**defaults, **RULE_SEEDS.get(province.code, {})}
            connection.execute(
                provinces.insert().values(
                    code=province.code,
                    name=province.name,
                    abbr=province.abbr,
                    updated_at=now,
                    **values,
                )
            )
    have_suffixes = set(connection.scalars(sa.select(suffixes.c.suffix)))
    for listed, approved in ((APPROVED_SUFFIXES, True), (NEVER_APPROVED_SUFFIXES, False)):
        rows = [{"suffix": s, "approved": approved} for s in listed if s not in have_suffixes]
        if rows:
            op.bulk_insert(suffixes, rows)
    have_words = {
        tuple(row) for row in connection.execute(sa.select(words.c.list_name, words.c.word))
    }
    for list_name, listed in (("sensitive", SENSITIVE_WORDS), ("personal", PERSONAL_DENY_WORDS)):
        rows = [
            {"list_name": list_name, "word": w} for w in listed if (list_name, w) not in have_words
        ]
        if rows:
            op.bulk_insert(words, rows)


def downgrade():
    op.execute(words.delete())
    op.execute(suffixes.delete())
    op.execute(provinces.delete())
