"""The access matrix's scope dimension: every page that reads a case, opened
by a clinician whose role may open it, for a case in their scope, outside it,
under a running break-glass grant and after the grant ended. Outside the
scope (and after the grant) no page shows the patient's name or MRN."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests import factories
from tests.auth.test_permissions import ENDPOINTS, ROLE_PERMISSIONS, _url_values
from tests.conftest import on_backend
from tests.meetings.factories import make_board
from tumorboard.auth.permissions import AUTHENTICATED, Role
from tumorboard.db import utcnow
from tumorboard.extensions import db

ROLE = Role.RADIOLOGIST
FAMILY, MRN = "Wintergreen", "SCOPE-0042"

#: The GET pages about one case (or its patient) that a radiologist's role
#: may open: the case page, its reviews and their revisions, mentions, the
#: case summary PDF, the teaching view and PDF, the patient record.
CASE_PAGES = [
    path
    for path, method, rule in ENDPOINTS
    if method == "GET"
    and ("{case}" in path or path == "/patients/{patient}")
    and (rule == AUTHENTICATED or rule in ROLE_PERMISSIONS[ROLE])
]


def _case(board, n: int):
    patient = factories.make_patient(family_name=FAMILY, mrn=f"{MRN}-{n}")
    return factories.make_case(patient, board_id=board.id)


def _grant(user, case, *, ended: bool) -> None:
    factories.make_grant(
        user,
        case,
        granted_at=utcnow() - timedelta(hours=13 if ended else 0),
        reason="covering",
        explanation="Covering for the radiologist on leave.",
    )


def _shows_patient(text: str) -> bool:
    return FAMILY.lower() in text.lower() or MRN.lower() in text.lower()


def test_the_dimension_covers_the_case_pages():
    assert len(CASE_PAGES) >= 10, CASE_PAGES


@on_backend("sqlite")
@pytest.mark.parametrize("scope", ["in", "out", "grant", "expired"])
def test_case_pages_by_scope(client, login_as, scope):
    user = login_as(ROLE)
    wrong = []
    for n, path in enumerate(CASE_PAGES):
        # What a page points at (a review, a note) is written by a member of
        # the case's board: writing it would bring the reader into the scope.
        maker = factories.make_user(ROLE, boards=[])
        board = (
            factories.default_board() if scope == "in" else make_board(members=[maker])
        )
        if scope == "in":
            factories.join_board(maker, board)
        case = _case(board, n)
        if scope in ("grant", "expired"):
            _grant(user, case, ended=scope == "expired")
        url = path.format(**_url_values(maker, case, path, "GET"))
        db.session.commit()
        response = client.get(url)
        if scope in ("in", "grant"):
            if response.status_code not in (200, 302):
                wrong.append(f"{path}: {response.status_code}")
        elif response.status_code not in (403, 404) or _shows_patient(response.text):
            wrong.append(
                f"{path}: {response.status_code}, patient shown: "
                f"{_shows_patient(response.text)}"
            )
    assert wrong == [], "\n".join(wrong)
