"""Signing step-up: wrong own passwords in a row and the pause that follows

Revision ID: b3c4d5e6f7a8
Revises: e2a3b4c5d6f7
Create Date: 2026-12-01 18:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b3c4d5e6f7a8'
down_revision = 'e2a3b4c5d6f7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('step_up_failures', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('step_up_locked_until', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('step_up_locked_until')
        batch_op.drop_column('step_up_failures')
