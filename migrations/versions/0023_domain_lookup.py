"""the domain lookup (DOMAIN.md A5 v3): the local domain table (holder, registrar, expiry,
real-name verification per domain) and a province rule's least days a domain must still be
registered on submission (domain_min_days, R-D-2; 0: only an expired domain is refused)

Revision ID: 0023
Revises: 0029
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("province_rules") as batch:
        batch.add_column(
            sa.Column("domain_min_days", sa.Integer(), nullable=False, server_default="0")
        )
        batch.create_check_constraint("sane_domain_days", "domain_min_days BETWEEN 0 AND 3650")
    op.create_table(
        "domain_records",
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("holder_name", sa.String(length=200), nullable=False),
        sa.Column("holder_certificate_type", sa.String(length=64), nullable=False),
        sa.Column("holder_certificate_number", sa.String(length=64), nullable=False),
        sa.Column("registrar", sa.String(length=200), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("real_name_verified", sa.Boolean(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("domain", name=op.f("pk_domain_records")),
    )


def downgrade():
    op.drop_table("domain_records")
    with op.batch_alter_table("province_rules") as batch:
        batch.drop_constraint("sane_domain_days", type_="check")
        batch.drop_column("domain_min_days")
