"""returned for edits (DOMAIN.md A6 v2): a filing a reviewer sent back from a later stage waits in
initial_rejected like an initial rejection, and the UI says 退回修改 for it; the flag says which.
Set by workflow.apply() on every transition (true only for a return for edits).

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("filings") as batch:
        batch.add_column(
            sa.Column("returned", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # filings waiting after a return today: their last transition was return_for_edits
    op.execute(
        """
        UPDATE filings SET returned = true
        WHERE state = 'initial_rejected' AND (
            SELECT action FROM audit_events
            WHERE audit_events.filing_id = filings.id AND audit_events.to_state IS NOT NULL
            ORDER BY audit_events.id DESC LIMIT 1
        ) = 'return_for_edits'
        """
    )


def downgrade():
    with op.batch_alter_table("filings") as batch:
        batch.drop_column("returned")
