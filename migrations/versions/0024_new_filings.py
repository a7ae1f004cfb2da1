"""new filings (DOMAIN.md A8): the order kinds 首次备案 (first_filing) and 新增网站 (new_website), the
subject's investor (投资人或主管单位, A2 v3), and the sequence of the numbers the simulated bureau
issues to new subjects

Revision ID: 0024
Revises: 0023
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

OLD_KINDS = ("access", "change_access", "cancel_access")
NEW_KINDS = (*OLD_KINDS, "first_filing", "new_website")


def _kinds_check(kinds: tuple[str, ...]) -> str:
    return "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def upgrade():
    # order_kind is a CHECK constraint (native_enum=False), named ck_filings_order_kind
    with op.batch_alter_table("filings") as batch:
        batch.drop_constraint("order_kind", type_="check")
        batch.create_check_constraint("order_kind", _kinds_check(NEW_KINDS))
    with op.batch_alter_table("subjects") as batch:
        batch.add_column(
            sa.Column("investor", sa.String(length=128), nullable=False, server_default="")
        )
    op.create_table(
        "number_sequences",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_number_sequences")),
    )


def downgrade():
    op.drop_table("number_sequences")
    with op.batch_alter_table("subjects") as batch:
        batch.drop_column("investor")
    left = (
        op.get_bind()
        .execute(
            sa.text("SELECT COUNT(*) FROM filings WHERE kind IN ('first_filing', 'new_website')")
        )
        .scalar()
    )
    if left:  # no older kind says what they are: a person decides what becomes of them
        raise RuntimeError(f"{left} first_filing or new_website orders exist; cannot downgrade")
    with op.batch_alter_table("filings") as batch:
        batch.drop_constraint("order_kind", type_="check")
        batch.create_check_constraint("order_kind", _kinds_check(OLD_KINDS))
