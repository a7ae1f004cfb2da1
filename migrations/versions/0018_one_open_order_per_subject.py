"""one open order per subject, held by the database: a partial unique index on the
registry subject number of the filings that are neither drafts nor finished, so that orders
submitted at once cannot both go through

Revision ID: 0018
Revises: 0017
"""

from alembic import op
from sqlalchemy import text

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

OPEN_ORDER_PREDICATE = (
    "registry_subject_number <> '' AND state NOT IN ('draft', 'approved', 'withdrawn')"
)


def upgrade():
    duplicates = (
        op.get_bind()
        .execute(
            text(
                "SELECT registry_subject_number FROM filings WHERE "
                + OPEN_ORDER_PREDICATE
                + " GROUP BY registry_subject_number HAVING COUNT(*) > 1"
            )
        )
        .scalars()
        .all()
    )
    if duplicates:  # an earlier race let two through: a person decides which one to withdraw
        raise RuntimeError(
            "these subjects have more than one open order; withdraw all but one of each, then "
            f"upgrade again: {', '.join(duplicates)}"
        )
    op.create_index(
        "uq_filings_open_subject",
        "filings",
        ["registry_subject_number"],
        unique=True,
        postgresql_where=text(OPEN_ORDER_PREDICATE),
        sqlite_where=text(OPEN_ORDER_PREDICATE),
    )


def downgrade():
    op.drop_index("uq_filings_open_subject", table_name="filings")
