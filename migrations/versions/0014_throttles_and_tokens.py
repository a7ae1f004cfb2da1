"""throttles and API tokens: attempt counters per account and client, token scopes,
expiry and last use

Revision ID: 0014
Revises: 0013
"""

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "throttle_counters",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "failures >= 0", name=op.f("ck_throttle_counters_failures_not_negative")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_throttle_counters")),
    )
    # Tokens issued before scopes existed could create drafts: they keep both scopes and expire
    # 90 days after this upgrade (list them with `flask api-token list`, revoke the unused).
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(
            sa.Column("scopes", sa.String(length=32), nullable=False, server_default="read write")
        )
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_check_constraint(
            op.f("ck_api_tokens_known_scopes"), "scopes IN ('read', 'read write')"
        )
    expires = datetime.now(timezone.utc) + timedelta(days=90)
    if op.get_bind().dialect.name == "sqlite":  # UTCDateTime keeps naive UTC there
        expires = expires.replace(tzinfo=None)
    op.execute(sa.text("UPDATE api_tokens SET expires_at = :expires").bindparams(expires=expires))
    with op.batch_alter_table("api_tokens") as batch:
        batch.alter_column("expires_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade():
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_constraint(op.f("ck_api_tokens_known_scopes"), type_="check")
        batch.drop_column("expires_at")
        batch.drop_column("scopes")
    op.drop_table("throttle_counters")
