"""Amendments stay drafts until signed: the signed revision keeps current_key until the chair signs its amendment

Revision ID: b1c2d3e4f5a6
Revises: b3c4d5e6f7a8
Create Date: 2026-12-01 19:00:00.000000

A draft amendment (revision > 1, not signed) no longer takes the item's
current_key, and the revision it amends stays signed and current until the
amendment is signed. Existing draft amendments are converted: the revision
they amend is made current and signed again (it was signed before it was
marked superseded, so its signer and time are kept), and the draft gives up
current_key.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b1c2d3e4f5a6'
down_revision = 'b3c4d5e6f7a8'
branch_labels = None
depends_on = None

NAME = 'ck_recommendations_current_key_matches_state'
OLD = (
    "(state = 'superseded' AND current_key IS NULL) "
    "OR (state <> 'superseded' AND current_key = agenda_item_id)"
)
NEW = (
    "((state = 'superseded' OR (state = 'draft' AND revision > 1)) "
    "AND current_key IS NULL) "
    "OR ((state = 'signed' OR (state = 'draft' AND revision = 1)) "
    "AND current_key = agenda_item_id)"
)
AMENDED = (
    "SELECT supersedes_id FROM recommendations"
    " WHERE state = 'draft' AND revision > 1"
)


def _replace_check(new_sql: str, fix) -> None:
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(NAME), type_='check')
    fix()
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f(NAME), new_sql)


def upgrade():
    def fix():
        # The draft gives up current_key first: it is unique.
        op.execute(sa.text(
            "UPDATE recommendations SET current_key = NULL"
            " WHERE state = 'draft' AND revision > 1"
        ))
        op.execute(sa.text(
            "UPDATE recommendations SET state = 'signed',"
            " current_key = agenda_item_id, version = version + 1"
            f" WHERE id IN ({AMENDED})"
        ))

    _replace_check(NEW, fix)


def downgrade():
    def fix():
        op.execute(sa.text(
            "UPDATE recommendations SET state = 'superseded',"
            " current_key = NULL, version = version + 1"
            f" WHERE id IN ({AMENDED})"
        ))
        op.execute(sa.text(
            "UPDATE recommendations SET current_key = agenda_item_id"
            " WHERE state = 'draft' AND revision > 1"
        ))

    _replace_check(OLD, fix)
