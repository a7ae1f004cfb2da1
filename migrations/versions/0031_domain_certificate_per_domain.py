"""one domain certificate per domain: a website's certificate uploaded before becomes its first
domain's (materials.kind domain_certificate -> domain_certificate-<website_domains.id>)

Revision ID: 0031
Revises: 0030
"""

from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

FIRST_DOMAIN = (
    "SELECT MIN(website_domains.id) FROM website_domains"
    " WHERE website_domains.website_id = materials.website_id"
)


def upgrade():
    op.execute(
        "UPDATE materials SET kind = 'domain_certificate-' || CAST(("
        + FIRST_DOMAIN
        + ") AS VARCHAR(12)) WHERE kind = 'domain_certificate' AND website_id IS NOT NULL"
        " AND (" + FIRST_DOMAIN + ") IS NOT NULL"
    )


def downgrade():
    op.execute(
        "UPDATE materials SET kind = 'domain_certificate' WHERE kind LIKE 'domain_certificate-%'"
    )
