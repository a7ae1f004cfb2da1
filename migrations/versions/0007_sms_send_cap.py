"""SMS resend cap: codes sent in the current SMS verification round, and when the last went out

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("filings") as batch:
        batch.add_column(sa.Column("sms_sends", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("sms_sent_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("filings") as batch:
        batch.drop_column("sms_sent_at")
        batch.drop_column("sms_sends")
