"""Sign-in lockout and forced password change; the audit log's HMAC chain

Revision ID: c4a1d2e3f405
Revises: 8d750b1e5707
Create Date: 2026-12-01 15:10:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c4a1d2e3f405'
down_revision = '8d750b1e5707'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False))

    # ADD COLUMN only: a batch rebuild would copy the append-only table.
    op.add_column('audit_entries', sa.Column('mac', sa.String(length=64), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_column('audit_entries', 'mac')
    else:
        # SQLite drops a column by rebuilding the table, which the
        # append-only triggers refuse row by row; drop them around it.
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_delete")
        with op.batch_alter_table('audit_entries', schema=None) as batch_op:
            batch_op.drop_column('mac')
        op.execute(
            "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
            "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
            "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END"
        )

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')
