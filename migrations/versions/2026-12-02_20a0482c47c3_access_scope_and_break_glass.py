"""Access follows the work: the board a case is referred to, break-glass
grants, the privacy officer role

Revision ID: 20a0482c47c3
Revises: c7e8f9a0b1d2
Create Date: 2026-12-02 05:00:00.000000

Each case gets the board it is referred to: the board of the last meeting
that listed it, otherwise the board named DEFAULT_BOARD, otherwise the
oldest active board. A database with cases and no board at all gets
DEFAULT_BOARD, meeting on Tuesdays at 16:00 UTC, to be adjusted by the
administrator.
"""
import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '20a0482c47c3'
down_revision = 'c7e8f9a0b1d2'
branch_labels = None
depends_on = None

DEFAULT_BOARD = 'Bone sarcoma board'

ROLES = ['coordinator', 'orthopedic_oncologist', 'radiologist', 'pathologist',
         'palliative_care', 'medical_oncologist', 'radiation_oncologist',
         'nurse_specialist', 'admin', 'paediatric_oncologist', 'paediatric_surgeon']
KINDS = ['review_needed', 'review_missing', 'case_listed', 'case_discussed',
         'case_deferred', 'agenda_published', 'meeting_changed', 'agenda_reminder',
         'signature_needed', 'recommendation_signed', 'action_assigned', 'action_due',
         'action_overdue', 'implementation_overdue', 'mention']

#: (table, CHECK name without the ck_<table>_ prefix, column, values, added)
CHECKS = [
    ('users', 'user_role', 'role', ROLES, ['privacy_officer']),
    ('notifications', 'notification_kind', 'kind', KINDS, ['break_glass']),
    ('notification_preferences', 'preference_kind', 'kind', KINDS, ['break_glass']),
]


def _checks(with_new: bool) -> None:
    for table, name, column, old, new in CHECKS:
        values = old + new if with_new else old
        listed = ", ".join(f"'{v}'" for v in values)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_{name}'), type_='check')
            batch_op.create_check_constraint(
                op.f(f'ck_{table}_{name}'), f"{column} IN ({listed})"
            )


def _default_board(bind) -> int | None:
    boards = sa.table(
        'boards', sa.column('id'), sa.column('name'), sa.column('is_active')
    )
    named = bind.scalar(sa.select(boards.c.id).where(boards.c.name == DEFAULT_BOARD))
    if named is not None:
        return named
    return bind.scalar(
        sa.select(boards.c.id).order_by(boards.c.is_active.desc(), boards.c.id).limit(1)
    )


def _create_default_board(bind) -> int:
    now = datetime.now(UTC)
    bind.execute(
        sa.text(
            "INSERT INTO boards (name, kind, required_disciplines, weekday, start_time,"
            " timezone, duration_minutes, minutes_per_case, capacity,"
            " review_reminder_days, location, video_url, is_active, feed_token,"
            " version, created_at, updated_at) VALUES (:name, 'bone_sarcoma', '[]',"
            " 1, '16:00:00', 'UTC', 120, 10, 12, 3, '', '', :active, :token, 1,"
            " :now, :now)"
        ),
        {"name": DEFAULT_BOARD, "active": True, "token": secrets.token_urlsafe(32),
         "now": now},
    )
    return _default_board(bind)


def _backfill_boards() -> None:
    bind = op.get_bind()
    bind.execute(sa.text(
        "UPDATE cases SET board_id = (SELECT meetings.board_id FROM agenda_items"
        " JOIN meetings ON meetings.id = agenda_items.meeting_id"
        " WHERE agenda_items.case_id = cases.id"
        " ORDER BY meetings.starts_at DESC, agenda_items.id DESC LIMIT 1)"
    ))
    left = bind.scalar(sa.text("SELECT count(*) FROM cases WHERE board_id IS NULL"))
    if left:
        board = _default_board(bind) or _create_default_board(bind)
        bind.execute(
            sa.text("UPDATE cases SET board_id = :board WHERE board_id IS NULL"),
            {"board": board},
        )


def upgrade():
    _checks(True)
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('board_id', sa.Integer(), nullable=True))
    _backfill_boards()
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.alter_column('board_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_cases_board_id'), ['board_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_cases_board_id_boards'), 'boards', ['board_id'], ['id']
        )

    op.create_table(
        'break_glass_grants',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Enum('emergency_care', 'second_opinion', 'covering', 'other', name='glass_reason', native_enum=False, create_constraint=True, length=14), nullable=False),
        sa.Column('explanation', sa.Text(), nullable=False),
        sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
        sa.Column('review_note', sa.Text(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.CheckConstraint('expires_at > granted_at', name=op.f('ck_break_glass_grants_ends_after_start')),
        sa.CheckConstraint('(reviewed_at IS NULL) = (reviewed_by_id IS NULL)', name=op.f('ck_break_glass_grants_reviewed_by_whom')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_break_glass_grants_case_id_cases')),
        sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_break_glass_grants_reviewed_by_id_users')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_break_glass_grants_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_break_glass_grants')),
    )
    with op.batch_alter_table('break_glass_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_break_glass_grants_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_break_glass_grants_granted_at'), ['granted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_break_glass_grants_user_id'), ['user_id'], unique=False)

    # ADD COLUMN only: a batch rebuild would copy the append-only table.
    op.add_column('audit_entries', sa.Column('break_glass_grant_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_audit_entries_break_glass_grant_id'), 'audit_entries', ['break_glass_grant_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_audit_entries_break_glass_grant_id'), table_name='audit_entries')
    if op.get_bind().dialect.name == "postgresql":
        op.drop_column('audit_entries', 'break_glass_grant_id')
    else:
        # SQLite drops a column by rebuilding the table, which the
        # append-only triggers refuse row by row; drop them around it.
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_delete")
        with op.batch_alter_table('audit_entries', schema=None) as batch_op:
            batch_op.drop_column('break_glass_grant_id')
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_entries_no_{event.lower()} BEFORE {event} "
                "ON audit_entries BEGIN SELECT RAISE(ABORT, "
                "'audit entries are append-only'); END"
            )
    with op.batch_alter_table('break_glass_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_break_glass_grants_user_id'))
        batch_op.drop_index(batch_op.f('ix_break_glass_grants_granted_at'))
        batch_op.drop_index(batch_op.f('ix_break_glass_grants_case_id'))
    op.drop_table('break_glass_grants')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_board_id_boards'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_cases_board_id'))
        batch_op.drop_column('board_id')
    op.execute("DELETE FROM notifications WHERE kind = 'break_glass'")
    op.execute("DELETE FROM notification_preferences WHERE kind = 'break_glass'")
    op.execute("UPDATE users SET role = 'admin', is_active = false WHERE role = 'privacy_officer'")
    _checks(False)
