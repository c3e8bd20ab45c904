"""Access follows the work, through the pages: masked rows, search, the
restricted case page, break-glass with its banner and audit, the privacy
officer's review."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.meetings.factories import make_board
from tumorboard.audit.models import AuditEntry
from tumorboard.cases.breakglass import BreakGlassGrant
from tumorboard.extensions import db
from tumorboard.meetings.models import Board, board_members
from tumorboard.patients.models import Patient

REASON = {"reason": "second_opinion", "explanation": "The family asked me to look."}


@pytest.fixture
def elsewhere(app):
    """A case of another board, with a name and MRN nobody outside may see."""
    board = make_board(members=[], name="Paediatric sarcoma board")
    lead = factories.make_user("orthopedic_oncologist", boards=[board])
    patient = factories.make_patient(
        family_name="Quillfeather", given_name="Ottilie", mrn="SECRET-4711"
    )
    case = factories.make_case(patient, board_id=board.id, lead_clinician_id=lead.id)
    db.session.commit()
    return case


def _hides(text: str) -> bool:
    return "quillfeather" not in text.lower() and "secret-4711" not in text.lower()


def test_the_case_list_masks_a_case_outside_the_scope(client, login_as, elsewhere):
    login_as("medical_oncologist")
    response = client.get("/cases/")
    assert response.status_code == 200
    assert elsewhere.reference in response.text
    assert "Paediatric sarcoma board" in response.text
    assert "Restricted" in response.text
    assert _hides(response.text)


@pytest.mark.parametrize(
    "query",
    [
        "?q=Quillfeather",
        "?q=SECRET-4711",
        "?q=osteosarcoma",
        "?site=C40.2",
        "?case_type=primary_bone_tumour",
        "?sort=name",
        "?urgency=urgent",
    ],
)
def test_search_filters_and_sorts_never_reveal_it(client, login_as, elsewhere, query):
    login_as("medical_oncologist")
    response = client.get("/cases/" + query)
    assert response.status_code == 200
    assert elsewhere.reference not in response.text
    # The search box and the "no match" line repeat what was typed.
    typed = query.split("=", 1)[1]
    assert _hides(response.text.replace(typed, ""))


def test_its_reference_finds_it_masked(client, login_as, elsewhere):
    login_as("medical_oncologist")
    response = client.get(f"/cases/?q={elsewhere.reference}")
    assert elsewhere.reference in response.text and "Restricted" in response.text
    assert _hides(response.text)
    entry = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.action == "case.list")
        .order_by(AuditEntry.id.desc())
    ).first()
    # The list read names the case but not its patient, who was not shown.
    assert entry.changes["case_ids"] == [elsewhere.id]
    assert entry.changes["patient_ids"] == []


def test_the_case_page_offers_break_glass_and_shows_nothing_else(
    client, login_as, elsewhere
):
    login_as("medical_oncologist")
    for path in ("", "/edit"):
        response = client.get(f"/cases/{elsewhere.id}{path}")
        assert response.status_code == 403
        assert _hides(response.text)
    response = client.get(f"/cases/{elsewhere.id}")
    assert "Break the glass" in response.text
    assert "Paediatric sarcoma board" in response.text


def test_the_coordinator_of_another_board_cannot_break_the_glass(
    client, login_as, elsewhere
):
    login_as("coordinator")
    response = client.get(f"/cases/{elsewhere.id}")
    assert response.status_code == 403
    assert "Break the glass" not in response.text and _hides(response.text)
    response = client.post(f"/cases/{elsewhere.id}/access", data=REASON)
    assert response.status_code == 403


def test_breaking_the_glass_opens_the_case_with_a_banner_and_flags_the_audit(
    client, login_as, elsewhere
):
    user = login_as("medical_oncologist")
    response = client.post(f"/cases/{elsewhere.id}/access", data=REASON)
    assert response.status_code == 302
    response = client.get(f"/cases/{elsewhere.id}")
    assert response.status_code == 200
    assert not _hides(response.text)
    assert f"Break-glass access to {elsewhere.reference}" in response.text
    grant = db.session.scalar(sa.select(BreakGlassGrant))
    read = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.action == "case.read", AuditEntry.actor_id == user.id)
        .order_by(AuditEntry.id.desc())
    ).first()
    assert read.break_glass_grant_id == grant.id
    # The list now shows the case unmasked too.
    listing = client.get("/cases/")
    assert not _hides(listing.text)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"explanation": "The family asked me to look."},
            "Choose why you need this case.",
        ),
        (
            {"reason": "other", "explanation": ""},
            "Say in a sentence why you need this case.",
        ),
        ({"reason": "other", "explanation": "x" * 10_000}, "2000"),
    ],
)
def test_a_refused_request_keeps_what_was_typed(
    client, login_as, elsewhere, data, message
):
    login_as("medical_oncologist")
    response = client.post(f"/cases/{elsewhere.id}/access", data=data)
    assert response.status_code == 400
    assert message in response.text.replace(",", "")
    if data.get("explanation") and len(data["explanation"]) < 100:
        assert data["explanation"] in response.text
    assert db.session.scalar(sa.select(sa.func.count(BreakGlassGrant.id))) == 0
    assert _hides(response.text)


def test_an_expired_grant_from_an_old_tab_is_closed(client, login_as, elsewhere):
    login_as("medical_oncologist")
    client.post(f"/cases/{elsewhere.id}/access", data=REASON)
    grant = db.session.scalar(sa.select(BreakGlassGrant))
    grant.granted_at -= timedelta(hours=13)
    grant.expires_at -= timedelta(hours=13)
    db.session.commit()
    response = client.get(f"/cases/{elsewhere.id}")
    assert response.status_code == 403 and _hides(response.text)


def test_leaving_the_board_closes_its_cases(client, login_as, elsewhere):
    user = login_as("radiologist", boards=[])
    factories.join_board(user, db.session.get(Board, elsewhere.board_id))
    db.session.commit()
    assert client.get(f"/cases/{elsewhere.id}").status_code == 200
    db.session.execute(
        sa.delete(board_members).where(board_members.c.user_id == user.id)
    )
    db.session.commit()
    response = client.get(f"/cases/{elsewhere.id}")
    assert response.status_code == 403 and _hides(response.text)


def test_the_privacy_officer_reviews_what_was_opened(client, login_as, elsewhere, app):
    clinician = factories.make_user("medical_oncologist")
    db.session.commit()
    factories.sign_in(client, clinician.email)
    client.post(f"/cases/{elsewhere.id}/access", data=REASON)
    client.get(f"/cases/{elsewhere.id}")
    client.post("/logout")
    login_as("privacy_officer")
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/privacy/")
    page = client.get("/privacy/")
    assert "1 grant awaits review" in page.text
    assert elsewhere.reference in page.text and clinician.name in page.text
    assert _hides(page.text)
    grant = db.session.scalar(sa.select(BreakGlassGrant))
    detail = client.get(f"/privacy/grants/{grant.id}")
    assert f"Viewed case {elsewhere.reference}" in detail.text
    assert _hides(detail.text)
    empty = client.post(f"/privacy/grants/{grant.id}", data={"version": grant.version})
    assert empty.status_code == 400
    stale = client.post(
        f"/privacy/grants/{grant.id}",
        data={"note": "Family request confirmed.", "version": grant.version + 5},
    )
    assert stale.status_code == 400 and "Family request confirmed." in stale.text
    done = client.post(
        f"/privacy/grants/{grant.id}",
        data={"note": "Family request confirmed.", "version": grant.version},
    )
    assert done.status_code == 302
    assert "No grant awaits review" in client.get("/privacy/").text
    assert client.get("/privacy/grants/999999").status_code == 404
    # No clinical page for the privacy officer.
    assert client.get(f"/cases/{elsewhere.id}").status_code == 403
    assert client.get("/cases/").status_code == 403


def test_an_action_owner_outside_the_scope_sees_the_reference_only(client, login_as):
    from tests.recommendations import factories as rf
    from tumorboard.recommendations import services as recs

    owner = login_as("nurse_specialist", boards=[])
    setup = rf.discussed_item()
    rec = rf.signed_recommendation(setup)
    coordinator = factories.make_user("coordinator")
    recs.create_action(
        coordinator,
        rec,
        {
            "description": "Book the scan.",
            "owner_id": owner.id,
            "due_date": rec.start_by,
        },
    )
    family = db.session.get(Patient, setup.case.patient_id).family_name
    db.session.commit()
    page = client.get("/actions/mine")
    assert page.status_code == 200
    assert setup.case.reference in page.text and "Restricted" in page.text
    assert family.lower() not in page.text.lower()
