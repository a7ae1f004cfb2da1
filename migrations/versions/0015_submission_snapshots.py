"""submission snapshots: what each submission sent for review

A row per entry into 待初审 or 待复审: the application in its A2 shape and the current materials,
so the review screen shows what a resubmission changed. Filings submitted before this upgrade have
no snapshot; their first resubmission afterwards has nothing to compare with yet.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "submission_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filing_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("application", sa.JSON(), nullable=False),
        sa.Column("materials", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["filing_id"],
            ["filings.id"],
            name=op.f("fk_submission_snapshots_filing_id_filings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_snapshots")),
    )
    op.create_index(
        op.f("ix_submission_snapshots_filing_id"), "submission_snapshots", ["filing_id"]
    )


def downgrade():
    op.drop_index(op.f("ix_submission_snapshots_filing_id"), table_name="submission_snapshots")
    op.drop_table("submission_snapshots")
