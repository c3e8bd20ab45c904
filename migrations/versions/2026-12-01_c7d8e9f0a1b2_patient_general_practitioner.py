"""The patient's general practitioner: name and practice, copied on the outcome letter

Revision ID: c7d8e9f0a1b2
Revises: b1c2d3e4f5a6
Create Date: 2026-12-01 21:00:00.000000

Both columns are optional: existing patients have no GP recorded.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c7d8e9f0a1b2'
down_revision = 'b1c2d3e4f5a6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gp_name', sa.String(length=120), nullable=True))
        batch_op.add_column(
            sa.Column('gp_practice', sa.String(length=300), nullable=True)
        )


def downgrade():
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.drop_column('gp_practice')
        batch_op.drop_column('gp_name')
