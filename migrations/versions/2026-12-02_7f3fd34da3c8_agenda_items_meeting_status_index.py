"""Agenda items meeting status index: a range of meetings' discussions read from one index

Revision ID: 7f3fd34da3c8
Revises: 1c2fe29ae581
Create Date: 2026-12-02 17:30:00.000000
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7f3fd34da3c8'
down_revision = '1c2fe29ae581'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.create_index('ix_agenda_items_meeting_id_status_case_id_id', ['meeting_id', 'status', 'case_id', 'id'], unique=False)
        batch_op.drop_index('ix_agenda_items_meeting_id')


def downgrade():
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.create_index('ix_agenda_items_meeting_id', ['meeting_id'], unique=False)
        batch_op.drop_index('ix_agenda_items_meeting_id_status_case_id_id')
