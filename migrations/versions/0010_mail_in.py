"""mail-in (DOMAIN.md A1 v2, A6 v2): the province's list of items to mail; the applicant's courier
and tracking number

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("province_rules") as batch:
        batch.add_column(sa.Column("mail_items", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("filings") as batch:
        batch.add_column(
            sa.Column("mail_courier", sa.String(length=32), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column(
                "mail_tracking_number", sa.String(length=32), nullable=False, server_default=""
            )
        )


def downgrade():
    with op.batch_alter_table("filings") as batch:
        batch.drop_column("mail_tracking_number")
        batch.drop_column("mail_courier")
    with op.batch_alter_table("province_rules") as batch:
        batch.drop_column("mail_items")
