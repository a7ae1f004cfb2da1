"""the provider's duties (DOMAIN.md A9): the footer and resolve checks' results per website held
here (site_check_states: where each stands, the row a run claims; site_checks: the history), and
who opened an order on a holder's record when staff did (filings.opened_by_id: a 取消接入 of an
away website, shown to the applicant as the provider's)

Revision ID: 0027
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("filings") as batch:
        batch.add_column(sa.Column("opened_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_filings_opened_by_id_users", "users", ["opened_by_id"], ["id"])
    op.create_table(
        "site_check_states",
        sa.Column("duty", sa.String(length=8), nullable=False),
        sa.Column("website_number", sa.String(length=40), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.String(length=24), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("failing_since", sa.Date(), nullable=True),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "duty IN ('footer', 'resolve')", name=op.f("ck_site_check_states_known_duty")
        ),
        sa.CheckConstraint(
            "(notified_at IS NULL) = (deadline IS NULL)",
            name=op.f("ck_site_check_states_notice_has_deadline"),
        ),
        sa.PrimaryKeyConstraint("duty", "website_number", name=op.f("pk_site_check_states")),
    )
    op.create_table(
        "site_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("duty", sa.String(length=8), nullable=False),
        sa.Column("website_number", sa.String(length=40), nullable=False),
        sa.Column("result", sa.String(length=24), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("duty IN ('footer', 'resolve')", name=op.f("ck_site_checks_known_duty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_checks")),
    )
    op.create_index(
        "ix_site_checks_website", "site_checks", ["duty", "website_number", "id"], unique=False
    )


def downgrade():
    op.drop_index("ix_site_checks_website", table_name="site_checks")
    op.drop_table("site_checks")
    op.drop_table("site_check_states")
    with op.batch_alter_table("filings") as batch:
        batch.drop_constraint("fk_filings_opened_by_id_users", type_="foreignkey")
        batch.drop_column("opened_by_id")
