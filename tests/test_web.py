"""The request transaction boundary: every request commits once after its view
returned, and nothing a failed or refused request changed is stored."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask import (
    flash,
    get_flashed_messages,
    jsonify,
    redirect,
    render_template_string,
    session,
)
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import StringField

from tumorboard.auth.permissions import authorize, public
from tumorboard.errors import AccessDenied, InvalidInput
from tumorboard.extensions import db
from tumorboard.patients.models import Patient
from tumorboard.web import REFUSED, attempt, on_rollback

#: Registered by the duplicate-MRN view next to the clashing patient.
INNOCENT_MRN = "B999999"


def _new_patient(mrn: str) -> Patient:
    """Add (without flushing) a synthetic patient with this MRN."""
    patient = Patient(
        mrn=mrn,
        given_name="Alex",
        family_name="Testperson",
        birth_date=date(1980, 5, 17),
        sex="female",
    )
    db.session.add(patient)
    return patient


def _stored(mrn: str) -> int:
    """How many patients with this MRN the test's own session can see."""
    return db.session.scalar(
        sa.select(sa.func.count(Patient.id)).where(Patient.mrn == mrn)
    )


class PatientForm(FlaskForm):
    mrn = StringField("MRN")


def register_refused(mrn: str) -> Patient:
    """Adds and flushes a patient, then refuses the request."""
    _new_patient(mrn)
    db.session.flush()
    raise InvalidInput(f"MRN {mrn} is reserved.", "mrn")


def register_refused_without_field(mrn: str) -> Patient:
    """Adds and flushes a patient, then refuses with a form-level message."""
    _new_patient(mrn)
    db.session.flush()
    raise InvalidInput("Registration is closed today.")


def register_denied(mrn: str) -> Patient:
    """Adds and flushes a patient, then finds the actor may not do this."""
    _new_patient(mrn)
    db.session.flush()
    authorize(False, "Only the registry office registers patients.")
    raise AssertionError("authorize let a refused actor through")


@pytest.fixture(autouse=True)
def views(app):
    """Views on this test's app only, each declared public, added before any
    request is made (Flask refuses new routes after the first one)."""

    @public
    def add(mrn):
        _new_patient(mrn)
        return "added"

    @public
    def add_then_fail(mrn):
        _new_patient(mrn)
        db.session.flush()
        raise RuntimeError("the view failed after adding a patient")

    @public
    def refused_form():
        form = PatientForm()
        if form.validate_on_submit():
            saved = attempt(form, register_refused, form.mrn.data)
            if saved is not REFUSED:
                flash("Patient registered.", "success")
                return redirect("/probe/flashes")
        return render_template_string(
            "<p class='error'>{{ form.mrn.errors|join(' ') }}</p>", form=form
        ), 400

    @public
    def refused_flash(mrn):
        if attempt(None, register_refused, mrn) is not REFUSED:
            flash("Patient registered.", "success")
        return redirect("/probe/flashes")

    @public
    def denied(mrn):
        attempt(None, register_denied, mrn)
        return "registered"

    @public
    def duplicate(mrn):
        _new_patient(INNOCENT_MRN)
        # The MRN of a stored patient: only the commit's flush finds the clash.
        _new_patient(mrn)
        flash("Patients registered.", "success")
        return redirect("/probe/flashes")

    @public
    def duplicate_signing_in(mrn):
        _new_patient(mrn)
        session["signed_in_as"] = "someone"
        return "signed in"

    @public
    def flashes():
        return jsonify(get_flashed_messages(with_categories=True))

    app.add_url_rule("/probe/add/<mrn>", "probe_add", add, methods=["POST"])
    app.add_url_rule(
        "/probe/add-then-fail/<mrn>", "probe_fail", add_then_fail, methods=["POST"]
    )
    app.add_url_rule("/probe/form", "probe_form", refused_form, methods=["GET", "POST"])
    app.add_url_rule(
        "/probe/flash/<mrn>", "probe_flash", refused_flash, methods=["POST"]
    )
    app.add_url_rule("/probe/denied/<mrn>", "probe_denied", denied, methods=["POST"])
    app.add_url_rule(
        "/probe/duplicate/<mrn>", "probe_duplicate", duplicate, methods=["POST"]
    )
    app.add_url_rule(
        "/probe/duplicate-sign-in/<mrn>",
        "probe_duplicate_sign_in",
        duplicate_signing_in,
        methods=["POST"],
    )
    app.add_url_rule("/probe/flashes", "probe_flashes", flashes)


# Over HTTP ---------------------------------------------------------------------


def test_changes_of_a_view_that_returns_are_committed(client):
    response = client.post("/probe/add/B100001")
    assert response.status_code == 200
    # The request ran in its own session; this one sees only committed rows.
    assert _stored("B100001") == 1


def test_a_view_that_fails_stores_nothing_and_gets_the_500_page(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.post("/probe/add-then-fail/B100002")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert _stored("B100002") == 0


def test_a_refused_service_puts_its_message_on_the_form_and_stores_nothing(client):
    response = client.post("/probe/form", data={"mrn": "B100003"})
    assert response.status_code == 400
    assert "<p class='error'>MRN B100003 is reserved.</p>" in response.text
    assert _stored("B100003") == 0


def test_a_refused_service_without_a_form_flashes_its_message(client):
    response = client.post("/probe/flash/B100004")
    assert response.status_code == 302
    assert response.headers["Location"] == "/probe/flashes"
    assert client.get("/probe/flashes").json == [["error", "MRN B100004 is reserved."]]
    assert _stored("B100004") == 0


def test_access_denied_by_a_service_gets_the_403_page_and_stores_nothing(client):
    response = client.post("/probe/denied/B100005")
    assert response.status_code == 403
    assert "Not allowed" in response.text
    assert "Only the registry office registers patients." in response.text
    assert _stored("B100005") == 0


def test_a_failed_commit_gets_the_409_page_stores_nothing_and_drops_the_flash(
    client, make_patient
):
    make_patient(mrn="B100006")
    db.session.commit()
    response = client.post("/probe/duplicate/B100006")
    assert response.status_code == 409
    assert "Conflicts with an existing record" in response.text
    assert "Patients registered." not in response.text
    assert _stored("B100006") == 1
    assert _stored(INNOCENT_MRN) == 0
    # The "registered" message was never true: the next pages do not show it.
    assert "Patients registered." not in client.get("/login").text
    assert client.get("/probe/flashes").json == []


def test_the_next_request_works_after_a_failed_commit(client, make_patient):
    make_patient(mrn="B100007")
    db.session.commit()
    assert client.post("/probe/duplicate/B100007").status_code == 409
    assert client.post("/probe/add/B100008").status_code == 200
    assert _stored("B100008") == 1


# The boundary called directly ------------------------------------------------


def test_dispatch_commits_after_the_view_returned(app):
    with app.test_request_context("/probe/add/B200001", method="POST"):
        assert app.dispatch_request() == "added"
    db.session.rollback()  # would undo the patient had it not been committed
    assert _stored("B200001") == 1


def test_dispatch_rolls_back_when_the_view_raises(app):
    with app.test_request_context("/probe/add-then-fail/B200002", method="POST"):
        with pytest.raises(RuntimeError):
            app.dispatch_request()
    # Same session as the view: its flushed patient would still be visible.
    assert _stored("B200002") == 0


def test_dispatch_rolls_back_a_failed_commit_and_drops_queued_flashes(
    app, make_patient
):
    make_patient(mrn="B200003")
    db.session.commit()
    with app.test_request_context("/probe/duplicate/B200003", method="POST"):
        with pytest.raises(IntegrityError):
            app.dispatch_request()
        assert "_flashes" not in session
    # The session is usable again (a failed flush would otherwise need a rollback).
    assert _stored("B200003") == 1
    assert _stored(INNOCENT_MRN) == 0


def test_attempt_returns_what_the_service_returned(app):
    def service(first, *, second):
        return first, second

    with app.test_request_context("/"):
        assert attempt(None, service, 1, second=2) == (1, 2)
        # A service with nothing to return did not refuse.
        result = attempt(None, lambda: None)
        assert result is None and result is not REFUSED
        assert get_flashed_messages() == []


def test_refused_is_falsy_and_named():
    assert not REFUSED
    assert bool(REFUSED) is False
    assert REFUSED is not None and REFUSED is not False
    assert repr(REFUSED) == "REFUSED"


def test_attempt_rolls_back_a_refusal_and_puts_the_message_on_the_field(app):
    with app.test_request_context("/", method="POST", data={"mrn": "B200004"}):
        form = PatientForm()
        assert attempt(form, register_refused, "B200004") is REFUSED
        assert form.mrn.errors == ["MRN B200004 is reserved."]
        assert not form.form_errors
        assert get_flashed_messages() == []
    assert _stored("B200004") == 0


def test_attempt_puts_a_message_without_a_field_on_the_form(app):
    with app.test_request_context("/", method="POST", data={"mrn": "B200005"}):
        form = PatientForm()
        assert attempt(form, register_refused_without_field, "B200005") is REFUSED
        assert form.form_errors == ["Registration is closed today."]
        assert not form.mrn.errors
    assert _stored("B200005") == 0


def test_attempt_without_a_form_flashes_the_refusal(app):
    with app.test_request_context("/"):
        assert attempt(None, register_refused, "B200006") is REFUSED
        assert get_flashed_messages(with_categories=True) == [
            ("error", "MRN B200006 is reserved.")
        ]
    assert _stored("B200006") == 0


def test_attempt_does_not_catch_access_denied(app):
    with app.test_request_context("/"):
        with pytest.raises(AccessDenied, match="registry office"):
            attempt(None, register_denied, "B200007")
        assert get_flashed_messages() == []


def test_a_failed_commit_leaves_the_browser_session_as_it_was(app, make_patient):
    make_patient(mrn="B200004")
    db.session.commit()
    with app.test_request_context("/probe/duplicate-sign-in/B200004", method="POST"):
        session["kept"] = "yes"
        with pytest.raises(IntegrityError):
            app.dispatch_request()
        assert "signed_in_as" not in session
        assert session["kept"] == "yes"


# Undoing what a rolled-back transaction did outside the database ---------------


def test_undo_callbacks_run_when_the_transaction_rolls_back(app):
    undone = []
    _new_patient("B300001")
    db.session.flush()
    on_rollback(lambda: undone.append("first"))
    on_rollback(lambda: undone.append("second"))
    db.session.rollback()
    assert undone == ["second", "first"]
    db.session.rollback()
    assert undone == ["second", "first"]


def test_undo_callbacks_are_forgotten_when_the_transaction_commits(app):
    undone = []
    _new_patient("B300002")
    on_rollback(lambda: undone.append("undone"))
    db.session.commit()
    db.session.rollback()
    assert undone == []
    assert _stored("B300002") == 1


def test_a_refused_service_undoes_its_side_effects(app, tmp_path):
    written = tmp_path / "written.bin"

    def write_then_refuse():
        written.write_bytes(b"scan")
        on_rollback(lambda: written.unlink(missing_ok=True))
        raise InvalidInput("Refused after writing.")

    with app.test_request_context("/", method="POST"):
        assert attempt(None, write_then_refuse) is REFUSED
    assert not written.exists()


def test_undo_callbacks_survive_a_released_savepoint(app):
    undone = []
    _new_patient("B300003")
    db.session.flush()
    with db.session.begin_nested():
        on_rollback(lambda: undone.append("undone"))
    db.session.rollback()
    assert undone == ["undone"]
