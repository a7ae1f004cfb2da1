"""an index for the reviewers' "all filings" tab: keyset pages over every state

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_filings_entered", "filings", ["state_entered_at", "id"])


def downgrade():
    op.drop_index("ix_filings_entered", table_name="filings")
