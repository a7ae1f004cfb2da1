"""the persons' foreign keys of subjects and websites indexed: R-P-4 finds the orders whose person has
a given mobile by them (without, each review screen and submission read every website: 0.3 s at
1 000 000 filings)

Revision ID: 0032
Revises: 0031
"""

from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_subjects_responsible_person_id", "subjects", ["responsible_person_id"])
    op.create_index("ix_websites_responsible_person_id", "websites", ["responsible_person_id"])


def downgrade():
    op.drop_index("ix_websites_responsible_person_id", table_name="websites")
    op.drop_index("ix_subjects_responsible_person_id", table_name="subjects")
