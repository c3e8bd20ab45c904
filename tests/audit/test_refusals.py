"""Refused requests are audited in a transaction of their own: every 403
(an object rule, abort(403), an undeclared endpoint) and every failed CSRF
check, with the actor (or nobody), the method and the path."""

from __future__ import annotations

import sqlalchemy as sa

from tumorboard.audit import services as audit
from tumorboard.audit.models import AuditEntry
from tumorboard.audit.verify import verify
from tumorboard.auth.permissions import authenticated
from tumorboard.errors import AccessDenied
from tumorboard.extensions import db
from tumorboard.patients.models import Patient


def _refusals(action: str = "access.denied") -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.action == action)
            .order_by(AuditEntry.id)
        )
    )


def test_a_role_without_the_permission_is_refused_and_recorded(client, login_as):
    user = login_as("pathologist")
    assert client.get("/admin/audit/?q=Somebody").status_code == 403
    (entry,) = _refusals()
    assert entry.actor_id == user.id
    assert (entry.entity_type, entry.entity_id) == ("request", "audit.index")
    assert entry.request_path == "/admin/audit/"
    assert entry.summary.startswith("Refused GET /admin/audit/: ")
    # The query string (which may hold a searched name) is not recorded.
    assert "Somebody" not in entry.summary and entry.changes == {}


def test_an_object_rule_refusal_is_recorded_with_its_message(
    client, login_as, make_case
):
    login_as("radiologist")
    case = make_case()
    db.session.commit()
    # Only pathology writes the pathology review.
    response = client.post(f"/cases/{case.id}/reviews/pathology/edit", data={})
    assert response.status_code == 403
    (entry,) = _refusals()
    assert entry.summary.startswith(
        f"Refused POST /cases/{case.id}/reviews/pathology/edit: Only pathology"
    )


def test_the_refusal_survives_the_rolled_back_request(app, client, login_as):
    """The view wrote a patient and an audit entry, then was refused: both are
    rolled back, the refusal is kept, and the chain stays whole."""

    @authenticated
    def half_done():
        db.session.add(
            Patient(
                mrn="HALF1",
                given_name="Half",
                family_name="Done",
                birth_date=sa.func.current_date(),
                sex="female",
            )
        )
        audit.record(None, "patient.create", "patient", "-", "Half done")
        db.session.flush()
        raise AccessDenied("Not for you.")

    app.add_url_rule("/half-done", "half_done", half_done, methods=["POST"])
    user = login_as("coordinator")
    before = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    assert client.post("/half-done").status_code == 403
    assert db.session.scalar(sa.select(Patient).where(Patient.mrn == "HALF1")) is None
    assert _refusals("patient.create") == []
    (entry,) = _refusals()
    assert entry.actor_id == user.id
    assert entry.summary == "Refused POST /half-done: Not for you."
    assert entry.id == before + 1  # the rolled-back entry's id was given out again
    assert verify().ok


def test_an_undeclared_endpoint_is_refused_and_recorded(app, client, login_as):
    app.add_url_rule("/undeclared", "undeclared", lambda: "never shown")
    login_as("coordinator")
    response = client.get("/undeclared")
    assert response.status_code == 403 and "never shown" not in response.text
    (entry,) = _refusals()
    assert entry.entity_id == "undeclared"
    assert entry.summary.startswith("Refused GET /undeclared: ")


def test_abort_403_is_recorded_without_an_actor_when_nobody_signed_in(app, client):
    app.add_url_rule("/undeclared", "undeclared", lambda: "never shown")
    assert client.get("/undeclared").status_code == 403
    (entry,) = _refusals()
    assert entry.actor_id is None


def test_a_failed_csrf_check_is_refused_and_recorded(app, client, login_as):
    user = login_as("coordinator")
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(
        "/patients/new",
        data={"mrn": "CSRF1", "given_name": "No", "family_name": "Token"},
    )
    assert response.status_code == 400
    assert "security token" in response.text
    assert db.session.scalar(sa.select(Patient).where(Patient.mrn == "CSRF1")) is None
    (entry,) = _refusals("access.csrf_refused")
    assert entry.actor_id == user.id
    assert entry.entity_id == "patients.new"
    assert entry.summary == (
        "Refused POST /patients/new: security token missing or expired"
    )
    assert _refusals() == []


def test_a_failed_csrf_check_before_sign_in_has_no_actor(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/login", data={"email": "x@example.org", "password": "y"})
    assert response.status_code == 400
    (entry,) = _refusals("access.csrf_refused")
    assert entry.actor_id is None and entry.request_path == "/login"


def test_admin_filters_refused_requests(client, login_as, make_user):
    login_as("admin")
    audit.record(None, "access.denied", "request", "audit.index", "Refused GET /x: no")
    audit.record(None, "case.read", "case", 1, "Viewed case TB-00001")
    db.session.commit()
    page = client.get("/admin/audit/?entity_type=request").text
    assert "Refused GET /x: no" in page and "Viewed case TB-00001" not in page
    page = client.get("/admin/audit/?action=access.").text
    assert "Refused GET /x: no" in page and "Viewed case TB-00001" not in page


def test_the_anyone_choice_sent_by_the_browser_filters_nobody_out(client, login_as):
    """The filter form sends ``actor=None`` for "Anyone"."""
    login_as("admin")
    audit.record(None, "access.denied", "request", "audit.index", "Refused GET /x: no")
    audit.record(None, "case.read", "case", 1, "Viewed case TB-00001")
    db.session.commit()
    page = client.get("/admin/audit/?actor=None&action=access.").text
    assert "Not a valid choice" not in page
    assert "Refused GET /x: no" in page and "Viewed case TB-00001" not in page
