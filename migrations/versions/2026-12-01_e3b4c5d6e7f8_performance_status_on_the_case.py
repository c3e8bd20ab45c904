"""Performance status on the case; ECOG and Karnofsky move out of the palliative care review

Revision ID: e3b4c5d6e7f8
Revises: d7e8f9a0b1c2
Create Date: 2026-12-01 17:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e3b4c5d6e7f8'
down_revision = 'd7e8f9a0b1c2'
branch_labels = None
depends_on = None

#: Ma 2010 Karnofsky band per ECOG grade (reference §8.4), as in
#: tumorboard.clinical.scores.ECOG_KARNOFSKY_BANDS at this revision.
BANDS = {0: (100, 100), 1: (80, 90), 2: (60, 70), 3: (40, 50), 4: (10, 30), 5: (0, 0)}


def upgrade():
    op.create_table(
        'performance_statuses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('ecog', sa.Integer(), nullable=True),
        sa.Column('karnofsky', sa.Integer(), nullable=True),
        sa.Column('lansky', sa.Integer(), nullable=True),
        sa.Column('assessed_on', sa.Date(), nullable=False),
        sa.Column('source', sa.Enum('clinic', 'ward', 'telephone', 'referral', 'review', name='performance_source', native_enum=False, create_constraint=True, length=9), nullable=False),
        sa.Column('disagreement_confirmed', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_performance_statuses_case_id_cases'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_performance_statuses_recorded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_performance_statuses')),
        sa.UniqueConstraint('case_id', 'number', name=op.f('uq_performance_statuses_case_id')),
    )
    with op.batch_alter_table('performance_statuses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_performance_statuses_case_id'), ['case_id'], unique=False)

    # The current palliative care review's ECOG and Karnofsky become the case's
    # first performance status; the review keeps its history unchanged.
    bind = op.get_bind()
    reviews = sa.table(
        'discipline_reviews',
        sa.column('id', sa.Integer), sa.column('case_id', sa.Integer),
        sa.column('discipline', sa.String), sa.column('current_number', sa.Integer),
    )
    revisions = sa.table(
        'review_revisions',
        sa.column('review_id', sa.Integer), sa.column('number', sa.Integer),
        sa.column('author_id', sa.Integer), sa.column('data', sa.JSON),
        sa.column('created_at', sa.DateTime(timezone=True)),
    )
    statuses = sa.table(
        'performance_statuses',
        sa.column('case_id', sa.Integer), sa.column('number', sa.Integer),
        sa.column('ecog', sa.Integer), sa.column('karnofsky', sa.Integer),
        sa.column('assessed_on', sa.Date), sa.column('source', sa.String),
        sa.column('disagreement_confirmed', sa.Boolean),
        sa.column('recorded_by_id', sa.Integer),
        sa.column('recorded_at', sa.DateTime(timezone=True)),
    )
    rows = bind.execute(
        sa.select(reviews.c.case_id, revisions.c.author_id, revisions.c.data, revisions.c.created_at)
        .join(revisions, sa.and_(revisions.c.review_id == reviews.c.id, revisions.c.number == reviews.c.current_number))
        .where(reviews.c.discipline == 'palliative_care')
    ).all()
    for case_id, author_id, data, created_at in rows:
        data = data or {}
        ecog, karnofsky = data.get('ecog'), data.get('karnofsky')
        if ecog is None and karnofsky is None:
            continue
        disagree = (
            ecog is not None and karnofsky is not None
            and not BANDS[ecog][0] <= karnofsky <= BANDS[ecog][1]
        )
        bind.execute(statuses.insert().values(
            case_id=case_id, number=1, ecog=ecog, karnofsky=karnofsky,
            assessed_on=created_at.date(), source='review',
            disagreement_confirmed=disagree, recorded_by_id=author_id,
            recorded_at=created_at,
        ))


def downgrade():
    with op.batch_alter_table('performance_statuses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_performance_statuses_case_id'))
    op.drop_table('performance_statuses')
