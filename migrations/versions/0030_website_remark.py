"""a website's remark (备注), as the subject has one

Revision ID: 0030
Revises: 0026
"""

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("websites") as batch:
        batch.add_column(
            sa.Column("remark", sa.String(length=200), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("websites") as batch:
        batch.drop_column("remark")
