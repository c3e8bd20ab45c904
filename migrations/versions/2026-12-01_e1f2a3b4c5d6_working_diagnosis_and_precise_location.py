"""Working diagnosis, confirmed diagnosis and precise location (bone, segment, pelvic zones, vertebral level) on cases

Existing cases keep their ICD-O-3 topography; their bone stays empty, which
flags the location for completion. The confirmed diagnosis is filled from the
current revision of each case's pathology review.

Revision ID: e1f2a3b4c5d6
Revises: a5b6c7d8e9f0
Create Date: 2026-12-01 18:00:00.000000

"""
import json

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e1f2a3b4c5d6'
down_revision = 'a5b6c7d8e9f0'
branch_labels = None
depends_on = None

#: Pathology review values that are not a diagnosis.
NON_DIAGNOSTIC = 'non_diagnostic'


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bone', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('bone_end', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('bone_segment', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('pelvic_zones', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('vertebral_level', sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column('working_diagnosis', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('confirmed_diagnosis', sa.String(length=60), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_cases_bone_end_values'), "bone_end IS NULL OR bone_end IN ('proximal', 'distal')"
        )
        batch_op.create_check_constraint(
            op.f('ck_cases_bone_segment_values'),
            "bone_segment IS NULL OR bone_segment IN ('epiphysis', 'metaphysis', 'diaphysis')",
        )
        batch_op.create_check_constraint(
            op.f('ck_cases_location_details_need_bone'),
            'bone IS NOT NULL OR (bone_end IS NULL AND bone_segment IS NULL '
            'AND pelvic_zones IS NULL AND vertebral_level IS NULL)',
        )
        batch_op.create_check_constraint(
            op.f('ck_cases_diaphysis_has_no_end'),
            "bone_segment IS NULL OR bone_segment <> 'diaphysis' OR bone_end IS NULL",
        )


    # The confirmed diagnosis of existing cases: the current pathology revision.
    bind = op.get_bind()
    reviews = sa.table(
        'discipline_reviews',
        sa.column('id', sa.Integer),
        sa.column('case_id', sa.Integer),
        sa.column('discipline', sa.String),
        sa.column('current_number', sa.Integer),
    )
    revisions = sa.table(
        'review_revisions',
        sa.column('review_id', sa.Integer),
        sa.column('number', sa.Integer),
        sa.column('data', sa.JSON),
    )
    cases = sa.table(
        'cases', sa.column('id', sa.Integer), sa.column('confirmed_diagnosis', sa.String)
    )
    rows = bind.execute(
        sa.select(reviews.c.case_id, revisions.c.data)
        .join(
            revisions,
            sa.and_(
                revisions.c.review_id == reviews.c.id,
                revisions.c.number == reviews.c.current_number,
            ),
        )
        .where(reviews.c.discipline == 'pathology')
    ).all()
    for case_id, data in rows:
        if isinstance(data, str):
            data = json.loads(data)
        diagnosis = (data or {}).get('who_entity')
        if diagnosis and diagnosis != NON_DIAGNOSTIC:
            bind.execute(
                sa.update(cases)
                .where(cases.c.id == case_id)
                .values(confirmed_diagnosis=diagnosis)
            )


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_cases_diaphysis_has_no_end'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_cases_location_details_need_bone'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_cases_bone_segment_values'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_cases_bone_end_values'), type_='check')
        batch_op.drop_column('confirmed_diagnosis')
        batch_op.drop_column('working_diagnosis')
        batch_op.drop_column('vertebral_level')
        batch_op.drop_column('pelvic_zones')
        batch_op.drop_column('bone_segment')
        batch_op.drop_column('bone_end')
        batch_op.drop_column('bone')
