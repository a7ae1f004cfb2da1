"""an index of a filing's trail without the staff's views of it: the review screen reads
a filing's few events instead of filtering the thousands of review_viewed/material_viewed rows that
the audit of staff looks adds beside them

Revision ID: 0017
Revises: 0016
"""

from alembic import op
from sqlalchemy import text

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TRAIL_PREDICATE = "action NOT IN ('material_viewed', 'review_viewed')"


def upgrade():
    op.create_index(
        "ix_audit_events_trail",
        "audit_events",
        ["filing_id", "id"],
        postgresql_where=text(TRAIL_PREDICATE),
        sqlite_where=text(TRAIL_PREDICATE),
    )


def downgrade():
    op.drop_index("ix_audit_events_trail", table_name="audit_events")
