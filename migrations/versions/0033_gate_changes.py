"""the access gate's change log: the domains each version of its counter may have moved, so that a
process re-reads those instead of the whole allowed set (671 430 domains at 1 000 000 filings,
seconds per worker after every change)

Revision ID: 0033
Revises: 0032
"""

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "gate_changes",
        sa.Column("version", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("domain", sa.String(253), nullable=False),
        sa.PrimaryKeyConstraint("version", "domain", name=op.f("pk_gate_changes")),
    )


def downgrade():
    op.drop_table("gate_changes")
