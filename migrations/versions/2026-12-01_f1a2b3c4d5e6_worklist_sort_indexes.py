"""Worklist sort indexes: newest referral first, alone and within a status

Revision ID: f1a2b3c4d5e6
Revises: f0a1b2c3d4e5
Create Date: 2026-12-01 22:15:00.000000
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f1a2b3c4d5e6'
down_revision = 'f0a1b2c3d4e5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_referral_date_id', ['referral_date', 'id'], unique=False)
        batch_op.create_index('ix_cases_status_referral_date_id', ['status', 'referral_date', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_status_referral_date_id')
        batch_op.drop_index('ix_cases_referral_date_id')
