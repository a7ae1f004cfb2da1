"""notifications: SMS templates, outbox backoff and dead letters, message centre

The outbox row learns whose message centre shows it (`account_id`, filled from the filing for the
rows already there), when it is tried next (backoff) and when the applicant read it.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("account_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("read_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_outbox_messages_account_id_users"), "users", ["account_id"], ["id"]
        )
        batch.create_index(batch.f("ix_outbox_messages_account_id"), ["account_id"], unique=False)
    # the messages sent so far belong to their filing's account (webhooks to nobody)
    op.execute(
        "UPDATE outbox_messages SET account_id = (SELECT filings.account_id FROM filings "
        "WHERE filings.id = outbox_messages.filing_id) "
        "WHERE channel <> 'webhook' AND filing_id IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_index(batch.f("ix_outbox_messages_account_id"))
        batch.drop_constraint(batch.f("fk_outbox_messages_account_id_users"), type_="foreignkey")
        batch.drop_column("read_at")
        batch.drop_column("next_attempt_at")
        batch.drop_column("account_id")
