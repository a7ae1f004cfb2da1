"""service codes (备案服务码) and mobile codes (R-PH-3), DOMAIN.md A10; the API token scope
service_codes

Revision ID: 0029
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0021"
branch_labels = None
depends_on = None

OLD_SCOPES = "scopes IN ('read', 'read write')"
NEW_SCOPES = "scopes IN ('read', 'read write', 'read service_codes', 'read write service_codes')"


def upgrade():
    op.create_table(
        "service_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("hint", sa.String(length=8), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("ips", sa.JSON(), nullable=False),
        sa.Column("paid_until", sa.Date(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=128), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("filing_id", sa.Integer(), nullable=True),
        sa.Column("website_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["users.id"],
            name=op.f("fk_service_codes_account_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"],
            ["users.id"],
            name=op.f("fk_service_codes_issued_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["api_tokens.id"],
            name=op.f("fk_service_codes_token_id_api_tokens"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["filing_id"],
            ["filings.id"],
            name=op.f("fk_service_codes_filing_id_filings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["website_id"],
            ["websites.id"],
            name=op.f("fk_service_codes_website_id_websites"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_service_codes_code_hash")),
        sa.UniqueConstraint("website_id", name=op.f("uq_service_codes_website_id")),
    )
    with op.batch_alter_table("service_codes") as batch:
        batch.create_index(batch.f("ix_service_codes_account_id"), ["account_id"], unique=False)
        batch.create_index(batch.f("ix_service_codes_filing_id"), ["filing_id"], unique=False)
    op.create_table(
        "mobile_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filing_id", sa.Integer(), nullable=False),
        sa.Column("mobile", sa.String(length=20), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("failures BETWEEN 0 AND 5", name=op.f("ck_mobile_codes_max_failures")),
        sa.ForeignKeyConstraint(
            ["filing_id"],
            ["filings.id"],
            name=op.f("fk_mobile_codes_filing_id_filings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mobile_codes")),
    )
    with op.batch_alter_table("mobile_codes") as batch:
        batch.create_index(batch.f("ix_mobile_codes_filing_id"), ["filing_id"], unique=False)
        batch.create_index(batch.f("ix_mobile_codes_mobile"), ["mobile"], unique=False)
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_constraint(op.f("ck_api_tokens_known_scopes"), type_="check")
        batch.create_check_constraint(op.f("ck_api_tokens_known_scopes"), NEW_SCOPES)


def downgrade():
    op.execute("UPDATE api_tokens SET scopes = 'read' WHERE scopes = 'read service_codes'")
    op.execute(
        "UPDATE api_tokens SET scopes = 'read write' WHERE scopes = 'read write service_codes'"
    )
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_constraint(op.f("ck_api_tokens_known_scopes"), type_="check")
        batch.create_check_constraint(op.f("ck_api_tokens_known_scopes"), OLD_SCOPES)
    op.drop_table("mobile_codes")
    op.drop_table("service_codes")
