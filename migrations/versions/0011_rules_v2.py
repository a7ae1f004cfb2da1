"""rules v2 (DOMAIN.md A1, A2 v2): whether a province asks for the domain certificate, the
subject's remark (备注), a website's content types (网站服务内容); orders after approval (A7): a
filing's kind, and when a website stopped being the record held here

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("province_rules") as batch:
        batch.add_column(
            sa.Column(
                "domain_certificate_required", sa.Boolean(), nullable=False,
                server_default=sa.true(),
            )
        )  # fmt: skip
    with op.batch_alter_table("subjects") as batch:
        batch.add_column(
            sa.Column("remark", sa.String(length=200), nullable=False, server_default="")
        )
    with op.batch_alter_table("websites") as batch:
        batch.add_column(sa.Column("content_types", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("filings") as batch:
        batch.add_column(
            sa.Column(
                "kind",
                sa.Enum("access", "change_access", "cancel_access", name="order_kind",
                        native_enum=False, create_constraint=True, length=32),
                nullable=False, server_default="access",
            )
        )  # fmt: skip


def downgrade():
    with op.batch_alter_table("filings") as batch:
        batch.drop_constraint("order_kind", type_="check")  # named ck_filings_order_kind
        batch.drop_column("kind")
    with op.batch_alter_table("websites") as batch:
        batch.drop_column("superseded_at")
        batch.drop_column("content_types")
    with op.batch_alter_table("subjects") as batch:
        batch.drop_column("remark")
    with op.batch_alter_table("province_rules") as batch:
        batch.drop_column("domain_certificate_required")
