"""Agenda items know whether their recommendation is recorded

The discussed items still waiting for a recommendation are read off an index
on the item's status and the new flag (set here for every item that has a
recommendation already), and the listed items, case by case, off an index on
status and case.

Revision ID: 3c952deaa510
Revises: 8817c8edabfd
Create Date: 2026-12-02 11:00:00.000000
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '3c952deaa510'
down_revision = '8817c8edabfd'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('has_recommendation', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(
        "UPDATE agenda_items SET has_recommendation = true WHERE EXISTS "
        "(SELECT 1 FROM recommendations "
        "WHERE recommendations.agenda_item_id = agenda_items.id)"
    )
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.create_index('ix_agenda_items_status_has_recommendation', ['status', 'has_recommendation', 'meeting_id', 'id'], unique=False)
        batch_op.create_index('ix_agenda_items_status_case_id_meeting_id', ['status', 'case_id', 'meeting_id'], unique=False)


def downgrade():
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_index('ix_agenda_items_status_case_id_meeting_id')
        batch_op.drop_index('ix_agenda_items_status_has_recommendation')
        batch_op.drop_column('has_recommendation')
