"""Cases by status, kept as the cases change

The coordinator's pipeline reads the number of cases in each status from
this table instead of counting every open case; it is filled from the cases
already there.

Revision ID: 03212bc909b9
Revises: 3c952deaa510
Create Date: 2026-12-02 11:30:00.000000
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '03212bc909b9'
down_revision = '3c952deaa510'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_status_counts',
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('cases', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('status', name=op.f('pk_case_status_counts'))
    )
    op.execute(
        "INSERT INTO case_status_counts (status, cases) "
        "SELECT status, count(*) FROM cases GROUP BY status"
    )


def downgrade():
    op.drop_table('case_status_counts')
