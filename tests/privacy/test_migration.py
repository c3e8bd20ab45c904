"""The access-scope migration gives every existing case the board it is
referred to: the board of its last listing, else the board named "Bone sarcoma
board", else the oldest active board; with no board at all, it makes one."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests import factories
from tests.conftest import BACKENDS
from tests.meetings.factories import make_board, make_item, make_meeting
from tests.test_migrations import empty_database
from tumorboard.extensions import db

BEFORE = "c7e8f9a0b1d2"
AFTER = "20a0482c47c3"


def _boards_of_cases(conn) -> dict[int, str]:
    return dict(
        conn.execute(
            sa.text(
                "SELECT cases.id, boards.name FROM cases"
                " JOIN boards ON boards.id = cases.board_id"
            )
        ).all()
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_existing_cases_get_the_board_they_were_listed_on(backend, tmp_path):
    with empty_database(backend, tmp_path) as app, app.app_context():
        upgrade()
        older = make_board(members=[], name="Metastasis board")
        make_board(members=[], name="Bone sarcoma board")
        listed = factories.make_case()
        make_item(make_meeting(older, days=-14), listed)
        unlisted = factories.make_case()
        ids = (listed.id, unlisted.id)
        db.session.commit()
        db.session.remove()
        downgrade(revision=BEFORE)
        upgrade(revision=AFTER)
        with db.engine.connect() as conn:
            boards = _boards_of_cases(conn)
        assert boards == {ids[0]: "Metastasis board", ids[1]: "Bone sarcoma board"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_cases_without_any_board_get_the_default_board(backend, tmp_path):
    with empty_database(backend, tmp_path) as app, app.app_context():
        upgrade()
        case_id = factories.make_case().id
        db.session.commit()
        db.session.remove()
        downgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM board_members"))
            conn.execute(sa.text("DELETE FROM boards"))
        upgrade(revision=AFTER)
        with db.engine.connect() as conn:
            assert _boards_of_cases(conn) == {case_id: "Bone sarcoma board"}
            weekday, active = conn.execute(
                sa.text("SELECT weekday, is_active FROM boards")
            ).one()
        assert (weekday, bool(active)) == (1, True)
        downgrade(revision=BEFORE)
