"""identity checks and the OCR aid's readings

A website's identity verification as a verifier judged it (which one, the platform's session, the
verdict and its words); and what the OCR aid read from each uploaded licence or ID page, for the
reviewers. Websites verified before this upgrade have no check recorded (the review screen says
only that they were verified).

Revision ID: 0028
Revises: 0027
"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("websites") as batch:
        batch.add_column(
            sa.Column("identity_check", sa.JSON(), server_default="{}", nullable=False)
        )
    op.create_table(
        "material_readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("material_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("certificate_number", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("error", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'read', 'failed')",
            name=op.f("ck_material_readings_known_reading_status"),
        ),
        sa.ForeignKeyConstraint(
            ["material_id"],
            ["materials.id"],
            name=op.f("fk_material_readings_material_id_materials"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_material_readings")),
        sa.UniqueConstraint("material_id", name=op.f("uq_material_readings_material_id")),
    )
    op.create_index(op.f("ix_material_readings_status"), "material_readings", ["status"])


def downgrade():
    op.drop_index(op.f("ix_material_readings_status"), table_name="material_readings")
    op.drop_table("material_readings")
    with op.batch_alter_table("websites") as batch:
        batch.drop_column("identity_check")
