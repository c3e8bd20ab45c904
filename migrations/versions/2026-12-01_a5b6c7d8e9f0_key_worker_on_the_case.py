"""Key worker on the case

Revision ID: a5b6c7d8e9f0
Revises: f4c5d6e7f809
Create Date: 2026-12-01 18:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a5b6c7d8e9f0'
down_revision = 'f4c5d6e7f809'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_worker_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_key_worker_id'), ['key_worker_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_cases_key_worker_id_users'), 'users', ['key_worker_id'], ['id'])


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_key_worker_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_cases_key_worker_id'))
        batch_op.drop_column('key_worker_id')
