"""more orders on records (DOMAIN.md A7 v3): the kinds 变更主体, 变更网站, 注销网站 and 注销主体; what a
change order changes and the record it started from; subjects held by a claim (认领) or an admin's
binding

Revision ID: 0025
Revises: 0024
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

# The order kinds the check constraint allows afterwards. first_filing and new_website (A8) are
# named too: their migration and this one may run in either order once merged.
BEFORE = ("access", "change_access", "cancel_access")
AFTER = (
    *BEFORE, "first_filing", "new_website",
    "change_subject", "change_website", "cancel_website", "cancel_subject",
)  # fmt: skip


def _kinds(values: tuple[str, ...]) -> str:
    return "kind IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def upgrade():
    with op.batch_alter_table("filings") as batch:
        batch.drop_constraint("order_kind", type_="check")  # named ck_filings_order_kind
        batch.create_check_constraint("order_kind", sa.text(_kinds(AFTER)))
        batch.add_column(sa.Column("record_before", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("changed_items", sa.JSON(), nullable=False, server_default="[]"))
    op.create_table(
        "subject_holdings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_number", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("via", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=200), nullable=False),
        sa.CheckConstraint("via IN ('claim', 'bind')", name="known_via"),
        sa.ForeignKeyConstraint(["account_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_subject_holdings_subject_number", "subject_holdings", ["subject_number"])
    op.create_index("ix_subject_holdings_account_id", "subject_holdings", ["account_id"])
    op.create_index(
        "uq_subject_holdings_current",
        "subject_holdings",
        ["subject_number"],
        unique=True,
        postgresql_where=sa.text("ended_at IS NULL"),
        sqlite_where=sa.text("ended_at IS NULL"),
    )


def downgrade():
    op.drop_index("uq_subject_holdings_current", table_name="subject_holdings")
    op.drop_index("ix_subject_holdings_account_id", table_name="subject_holdings")
    op.drop_index("ix_subject_holdings_subject_number", table_name="subject_holdings")
    op.drop_table("subject_holdings")
    # an order of a new kind left in the table makes the old constraint fail: decide about it first
    with op.batch_alter_table("filings") as batch:
        batch.drop_column("changed_items")
        batch.drop_column("record_before")
        batch.drop_constraint("order_kind", type_="check")
        batch.create_check_constraint("order_kind", sa.text(_kinds(BEFORE)))
