"""Indexes for the counts of My work and the worklists

Counts of a case status within an access scope read one index (the
single-column status index is a prefix of it and goes); the drafts waiting
for a signature and the decisions overdue for implementation are read off an
index on the decision's state, implementation and start-by date; a person's
open actions and the overdue ones are read in due-date order off indexes
that replace the single-column ones on owner and status.

Revision ID: 8817c8edabfd
Revises: a5252996a133
Create Date: 2026-12-02 10:30:00.000000
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '8817c8edabfd'
down_revision = 'a5252996a133'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_status_scope', ['status', 'board_id', 'lead_clinician_id', 'key_worker_id', 'id'], unique=False)
        batch_op.drop_index('ix_cases_status')
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.create_index('ix_recommendations_state_implementation_start_by_id', ['state', 'implementation_status', 'start_by', 'id'], unique=False)
    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.create_index('ix_action_items_owner_id_status_due_date_id', ['owner_id', 'status', 'due_date', 'id'], unique=False)
        batch_op.create_index('ix_action_items_status_due_date_id', ['status', 'due_date', 'id'], unique=False)
        batch_op.drop_index('ix_action_items_owner_id')
        batch_op.drop_index('ix_action_items_status')


def downgrade():
    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.create_index('ix_action_items_status', ['status'], unique=False)
        batch_op.create_index('ix_action_items_owner_id', ['owner_id'], unique=False)
        batch_op.drop_index('ix_action_items_status_due_date_id')
        batch_op.drop_index('ix_action_items_owner_id_status_due_date_id')
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.drop_index('ix_recommendations_state_implementation_start_by_id')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_status', ['status'], unique=False)
        batch_op.drop_index('ix_cases_status_scope')
