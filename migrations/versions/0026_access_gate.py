"""the access gate: the admin's allow-list of the provider's own domains, and the refused hosts
counted per registrable domain and day

Revision ID: 0026
Revises: 0028
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gate_allowed_domains",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(253), nullable=False),
        sa.Column("note", sa.String(200), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gate_allowed_domains")),
        sa.UniqueConstraint("domain", name=op.f("uq_gate_allowed_domains_domain")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_gate_allowed_domains_created_by_id_users"),
        ),  # fmt: skip
    )
    op.create_table(
        "gate_refusals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("domain", sa.String(253), nullable=False),
        sa.Column("last_host", sa.String(253), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gate_refusals")),
        sa.UniqueConstraint("day", "domain", name=op.f("uq_gate_refusals_day")),
    )
    op.create_index("ix_gate_refusals_domain_seen", "gate_refusals", ["domain", "last_seen_at"])
    op.create_index("ix_gate_refusals_seen", "gate_refusals", ["last_seen_at"])


def downgrade() -> None:
    op.drop_index("ix_gate_refusals_seen", table_name="gate_refusals")
    op.drop_index("ix_gate_refusals_domain_seen", table_name="gate_refusals")
    op.drop_table("gate_refusals")
    op.drop_table("gate_allowed_domains")
