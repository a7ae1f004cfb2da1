"""per-state counters of filings for the queue tabs; the queue's change counter; an index for
keyset queue pages

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stage_counts",
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("state", name=op.f("pk_stage_counts")),
    )
    op.execute(
        "INSERT INTO stage_counts (state, count) SELECT state, count(*) FROM filings"
        " WHERE state <> 'draft' GROUP BY state"
    )
    op.create_table(
        "change_counters",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_change_counters")),
    )
    op.create_index(
        "ix_filings_state_entered", "filings", ["state", "state_entered_at", "id"], unique=False
    )


def downgrade():
    op.drop_index("ix_filings_state_entered", table_name="filings")
    op.drop_table("change_counters")
    op.drop_table("stage_counts")
