"""Paediatric and AYA oncology and paediatric surgery: roles and disciplines

Revision ID: f4c5d6e7f809
Revises: e3b4c5d6e7f8
Create Date: 2026-12-01 17:50:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f4c5d6e7f809'
down_revision = 'e3b4c5d6e7f8'
branch_labels = None
depends_on = None

ROLES = ['coordinator', 'orthopedic_oncologist', 'radiologist', 'pathologist',
         'palliative_care', 'medical_oncologist', 'radiation_oncologist',
         'nurse_specialist', 'admin']
NEW_ROLES = ['paediatric_oncologist', 'paediatric_surgeon']
DISCIPLINES = ['orthopaedic_oncology', 'radiology', 'pathology', 'palliative_care',
               'medical_oncology', 'radiation_oncology', 'nursing', 'coordination']
NEW_DISCIPLINES = ['paediatric_oncology', 'paediatric_surgery']

#: (table, CHECK constraint name without the ck_<table>_ prefix, column, values)
CHECKS = [
    ('users', 'user_role', 'role', ROLES, NEW_ROLES),
    ('attendances', 'attendance_discipline', 'discipline', DISCIPLINES, NEW_DISCIPLINES),
    ('discipline_reviews', 'review_discipline', 'discipline', DISCIPLINES, NEW_DISCIPLINES),
    ('annotations', 'annotation_discipline', 'discipline', DISCIPLINES, NEW_DISCIPLINES),
]


def _replace(values_index: int) -> None:
    # SQLite rebuilds each table to change a CHECK (foreign keys are off while
    # migrating: migrations/env.py).
    for table, name, column, old, new in CHECKS:
        values = old + new if values_index else old
        listed = ", ".join(f"'{v}'" for v in values)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_{name}'), type_='check')
            batch_op.create_check_constraint(
                op.f(f'ck_{table}_{name}'), f"{column} IN ({listed})"
            )


def upgrade():
    _replace(1)


def downgrade():
    _replace(0)
