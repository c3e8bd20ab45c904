"""The migration that keeps amendments as drafts until signed converts draft
amendments stored the old way (the amended revision already superseded)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests.conftest import BACKENDS
from tests.recommendations import factories as rf
from tests.test_migrations import empty_database
from tumorboard.extensions import db
from tumorboard.hooks import Hook

BEFORE = "b3c4d5e6f7a8"
AFTER = "b1c2d3e4f5a6"


def _old_style_amendment() -> tuple[int, int]:
    """A signed revision 1 and a draft amendment as the previous schema kept
    them: revision 1 superseded at once, the draft holding current_key."""
    setup = rf.discussed_item()
    old = rf.signed_recommendation(setup)
    # A second item signed without an amendment must stay as it is.
    rf.signed_recommendation(
        rf.Setup(setup.chair, setup.meeting, rf.make_item(setup.meeting), setup.case)
    )
    db.session.commit()
    with db.engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE recommendations SET state = 'superseded', current_key = NULL"
                " WHERE id = :id"
            ),
            {"id": old.id},
        )
        conn.execute(
            sa.text(
                "INSERT INTO recommendations (agenda_item_id, case_id, revision,"
                " supersedes_id, current_key, state, conference_type, intent, types,"
                " free_text, rationale, consensus, dissent, standard_of_care,"
                " start_by, amendment_reason, implementation_status, version,"
                " created_at, updated_at) SELECT agenda_item_id, case_id, 2, id,"
                " agenda_item_id, 'draft', conference_type, 'palliative', types,"
                " free_text, rationale, consensus, dissent, standard_of_care,"
                " start_by, 'Lung metastases.', 'not_started', 1, created_at,"
                " updated_at FROM recommendations WHERE id = :id"
            ),
            {"id": old.id},
        )
    return old.id, setup.item.id


def _rows(conn) -> list[tuple]:
    return [
        tuple(r)
        for r in conn.execute(
            sa.text(
                "SELECT agenda_item_id, revision, state, current_key"
                " FROM recommendations ORDER BY id"
            )
        )
    ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_draft_amendments_give_the_current_key_back(backend, tmp_path):
    with empty_database(backend, tmp_path) as app, app.app_context():
        upgrade(revision=BEFORE)
        # The records are built in the schema of BEFORE, which has none of the
        # tables later features write when a recommendation is signed.
        with Hook.all_paused():
            old_id, item_id = _old_style_amendment()
        db.session.remove()
        with db.engine.connect() as conn:
            other = [r for r in _rows(conn) if r[0] != item_id]
        upgrade(revision=AFTER)
        with db.engine.connect() as conn:
            rows = _rows(conn)
            assert [r for r in rows if r[0] == item_id] == [
                (item_id, 1, "signed", item_id),
                (item_id, 2, "draft", None),
            ]
            assert [r for r in rows if r[0] != item_id] == other
            signer = conn.scalar(
                sa.text("SELECT signed_by_id FROM recommendations WHERE id = :id"),
                {"id": old_id},
            )
            assert signer is not None
        # The new rule holds: the old layout is refused.
        with pytest.raises(sa.exc.IntegrityError, match="current_key_matches_state"):
            with db.engine.begin() as conn:
                conn.execute(
                    sa.text(
                        "UPDATE recommendations SET current_key = CASE WHEN"
                        " revision = 2 THEN agenda_item_id ELSE NULL END, state ="
                        " CASE WHEN revision = 1 THEN 'superseded' ELSE state END"
                        " WHERE agenda_item_id = :item"
                    ),
                    {"item": item_id},
                )
        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            assert [r for r in _rows(conn) if r[0] == item_id] == [
                (item_id, 1, "superseded", None),
                (item_id, 2, "draft", item_id),
            ]
        upgrade()
