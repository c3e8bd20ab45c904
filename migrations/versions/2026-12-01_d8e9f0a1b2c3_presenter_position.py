"""Presenter position: the agenda item on the presenter's screen, for followers

Revision ID: d8e9f0a1b2c3
Revises: c7d8e9f0a1b2
Create Date: 2026-12-01 21:10:00.000000
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd8e9f0a1b2c3'
down_revision = 'c7d8e9f0a1b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'presenter_positions',
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('moved_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('moved_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['item_id'], ['agenda_items.id'], name=op.f('fk_presenter_positions_item_id_agenda_items')),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_presenter_positions_meeting_id_meetings'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['moved_by_id'], ['users.id'], name=op.f('fk_presenter_positions_moved_by_id_users')),
        sa.PrimaryKeyConstraint('meeting_id', name=op.f('pk_presenter_positions')),
    )


def downgrade():
    op.drop_table('presenter_positions')
