"""Worklist urgency index: each urgency of a status in referral order

Revision ID: c7e8f9a0b1d2
Revises: a9b8c7d6e5f4
Create Date: 2026-12-02 04:45:00.000000
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c7e8f9a0b1d2'
down_revision = 'a9b8c7d6e5f4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_status_urgency_referral_date_id', ['status', 'urgency', 'referral_date', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_status_urgency_referral_date_id')
