"""rules v3 (DOMAIN.md A2, A4 v3): each person's emergency mobile (应急联系电话) and ID validity
(证件有效期至), the subject's investor (投资人或主管单位), the pre-approval keyword table (R-W-3)
with its seed, and the suffixes A4 v3 adds to the approved-suffix table (for existing databases;
a row an admin already has is left as it is)

Revision ID: 0022
Revises: 0025
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0025"
branch_labels = None
depends_on = None

# As seeded by this revision (domain/rulebook/seed_tables.py may change later; this stays).
V3_APPROVED_SUFFIXES = "网址 商城 在线 中文网 集团 网店 xin ren".split()
PRE_APPROVAL_KEYWORDS = {
    "finance": "金融 理财 贷款 网贷 借贷 众筹 支付 证券 保险 交易所 p2p".split(),
    "drugs_devices": "药品 医疗器械".split(),
    "healthcare": "医院 诊所 医疗".split(),
    "news": ["新闻"],
    "publishing": ["出版"],
    "broadcasting": "影视 视频 直播".split(),
    "games": ["游戏"],
    "ride_hailing": ["约车"],
}

suffixes = sa.table("domain_suffixes", sa.column("suffix"), sa.column("approved"))


# Columns that hold a certificate type: `foreign_permanent_residence` needs more than 16 characters.
TYPE_COLUMNS = (
    ("persons", "id_type"), ("subjects", "certificate_type"),
    ("filings", "verified_certificate_type"), ("registry_subjects", "certificate_type"),
)  # fmt: skip


def upgrade():
    for table, column in TYPE_COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column, existing_type=sa.String(length=16), type_=sa.String(length=32),
                existing_nullable=False,
            )  # fmt: skip
    with op.batch_alter_table("persons") as batch:
        batch.add_column(
            sa.Column("emergency_mobile", sa.String(length=20), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("id_valid_until", sa.String(length=10), nullable=False, server_default="")
        )
    # the subject's investor column comes with the new filings (0024), which type it
    # R-P-4 looks a mobile up among every order's persons and the registry's websites
    op.create_index("ix_persons_mobile", "persons", ["mobile"])
    op.create_index(
        "ix_registry_websites_responsible_mobile", "registry_websites", ["responsible_mobile"]
    )
    keywords = op.create_table(
        "pre_approval_keywords",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("keyword", sa.String(length=32), nullable=False),
        sa.UniqueConstraint("category", "keyword", name="uq_pre_approval_keywords_category"),
    )
    op.bulk_insert(
        keywords,
        [
            {"category": category, "keyword": keyword}
            for category, words in PRE_APPROVAL_KEYWORDS.items()
            for keyword in words
        ],
    )
    connection = op.get_bind()
    have = set(connection.scalars(sa.select(suffixes.c.suffix)))
    rows = [{"suffix": s, "approved": True} for s in V3_APPROVED_SUFFIXES if s not in have]
    if rows:
        op.bulk_insert(suffixes, rows)


def downgrade():
    op.drop_table("pre_approval_keywords")
    op.drop_index("ix_registry_websites_responsible_mobile", table_name="registry_websites")
    op.drop_index("ix_persons_mobile", table_name="persons")
    with op.batch_alter_table("persons") as batch:
        batch.drop_column("id_valid_until")
        batch.drop_column("emergency_mobile")
    for table, column in TYPE_COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column, existing_type=sa.String(length=32), type_=sa.String(length=16),
                existing_nullable=False,
            )  # fmt: skip
