"""Ready pool index: each urgency of a status in order of readiness

Revision ID: a5252996a133
Revises: fe332776e1a0
Create Date: 2026-12-02 09:00:00.000000
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a5252996a133'
down_revision = 'fe332776e1a0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_status_urgency_status_changed_at_id', ['status', 'urgency', 'status_changed_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_status_urgency_status_changed_at_id')
