"""Stage reported with the referral: AJCC T, N, M and stage group as received

Revision ID: fe332776e1a0
Revises: 20a0482c47c3
Create Date: 2026-12-02 07:30:00.000000
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "fe332776e1a0"
down_revision = "20a0482c47c3"
branch_labels = None
depends_on = None

COLUMNS = ("referral_t", "referral_n", "referral_m", "referral_stage_group")


def upgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=4), nullable=True))


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
