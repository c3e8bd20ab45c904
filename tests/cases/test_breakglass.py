"""Break-glass access (tumorboard.cases.breakglass): who may ask, what is
refused, how long it lasts, what the audit and the lead clinician learn."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.meetings.factories import make_board
from tumorboard.audit.models import AuditEntry
from tumorboard.auth import scope
from tumorboard.cases import breakglass
from tumorboard.db import utcnow
from tumorboard.errors import AccessDenied, Conflict, InvalidInput, NotFound
from tumorboard.extensions import db
from tumorboard.notifications.kinds import Kind
from tumorboard.notifications.models import Notification

REASON = {"reason": "emergency_care", "explanation": "Seen in the emergency room."}


@pytest.fixture
def elsewhere(app):
    """A case of another board, led by a member of that board."""
    board = make_board(members=[])
    lead = factories.make_user("orthopedic_oncologist", boards=[board])
    return factories.make_case(board_id=board.id, lead_clinician_id=lead.id)


@pytest.fixture
def outsider(app):
    return factories.make_user("medical_oncologist")


def test_a_grant_opens_the_case_for_the_configured_hours(app, elsewhere, outsider):
    assert not scope.may_read_case(outsider.id, elsewhere.id)
    grant = breakglass.break_glass(outsider, elsewhere.id, REASON)
    hours = app.config["BREAK_GLASS_HOURS"]
    assert hours == 12
    assert grant.expires_at - grant.granted_at == timedelta(hours=hours)
    scope.forget()
    assert scope.may_read_case(outsider.id, elsewhere.id)
    assert grant.reason_label == "Emergency care"


def test_the_grant_is_audited_and_the_lead_clinician_told(elsewhere, outsider):
    grant = breakglass.break_glass(outsider, elsewhere.id, REASON)
    db.session.flush()
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "case.break_glass")
    )
    assert entry.entity_id == str(grant.id)
    assert entry.case_id == elsewhere.id
    assert entry.changes["explanation"] == [None, REASON["explanation"]]
    # The summary (shown to administrators) holds no free text.
    assert REASON["explanation"] not in entry.summary
    told = db.session.scalars(
        sa.select(Notification).where(Notification.kind == Kind.BREAK_GLASS)
    ).all()
    assert [n.recipient_id for n in told] == [elsewhere.lead_clinician_id]
    assert elsewhere.reference in told[0].text


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"explanation": "Seen in the emergency room."}, "reason", "Choose why"),
        ({**REASON, "reason": "curiosity"}, "reason", "Choose why"),
        ({"reason": "other", "explanation": "  "}, "explanation", "is required"),
        ({"reason": "other", "explanation": "Because"}, "explanation", "a sentence"),
        ({"reason": "other", "explanation": "x" * 10_000}, "explanation", "2000"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_granted(
    elsewhere, outsider, data, field, message
):
    with pytest.raises(InvalidInput) as refused:
        breakglass.break_glass(outsider, elsewhere.id, data)
    assert refused.value.field == field
    assert message in refused.value.message.replace(",", "")
    assert (
        db.session.scalar(sa.select(sa.func.count(breakglass.BreakGlassGrant.id))) == 0
    )


@pytest.mark.parametrize("role", ["coordinator", "admin", "privacy_officer"])
def test_only_clinicians_may_break_the_glass(elsewhere, role):
    with pytest.raises(AccessDenied):
        breakglass.break_glass(factories.make_user(role), elsewhere.id, REASON)


def test_a_case_that_does_not_exist(outsider):
    with pytest.raises(NotFound):
        breakglass.break_glass(outsider, 999_999, REASON)


def test_a_second_request_while_the_grant_runs_is_refused(elsewhere, outsider):
    grant = breakglass.break_glass(outsider, elsewhere.id, REASON)
    with pytest.raises(Conflict) as refused:
        breakglass.break_glass(outsider, elsewhere.id, REASON)
    assert f"{grant.expires_at:%H:%M}" in refused.value.message


def test_no_grant_for_a_case_already_in_scope(outsider):
    case = factories.make_case()
    with pytest.raises(InvalidInput, match="already have access"):
        breakglass.break_glass(outsider, case.id, REASON)


def test_an_expired_grant_closes_the_case_again(elsewhere, outsider):
    grant = breakglass.break_glass(outsider, elsewhere.id, REASON)
    grant.granted_at -= timedelta(hours=13)
    grant.expires_at -= timedelta(hours=13)
    db.session.flush()
    scope.forget()
    assert not scope.may_read_case(outsider.id, elsewhere.id)
    # A new grant may then be asked for.
    assert breakglass.break_glass(outsider, elsewhere.id, REASON).id != grant.id


def test_the_privacy_officer_reviews_a_grant_once(elsewhere, outsider):
    grant = breakglass.break_glass(outsider, elsewhere.id, REASON)
    officer = factories.make_user("privacy_officer")
    with pytest.raises(InvalidInput, match="Review note is required"):
        breakglass.review(officer, grant, " ", grant.version)
    with pytest.raises(Conflict, match="since you opened"):
        breakglass.review(officer, grant, "Checked with the ED.", grant.version - 1)
    breakglass.review(officer, grant, "Checked with the ED.", grant.version)
    assert grant.reviewed_by_id == officer.id and grant.reviewed_at is not None
    with pytest.raises(Conflict, match="already been reviewed"):
        breakglass.review(officer, grant, "Again.", grant.version)
    with pytest.raises(AccessDenied):
        breakglass.review(outsider, grant, "Self-review.", grant.version)


def test_the_overdue_report_lists_old_unreviewed_grants(elsewhere, outsider):
    old = breakglass.break_glass(outsider, elsewhere.id, REASON)
    old.granted_at = utcnow() - timedelta(days=10)
    old.expires_at = old.granted_at + timedelta(hours=12)
    other = factories.make_case(board_id=elsewhere.board_id)
    recent = breakglass.break_glass(outsider, other.id, REASON)
    db.session.flush()
    overdue = db.session.scalars(
        breakglass.grants_query(unreviewed=True, older_than_days=7)
    ).all()
    assert overdue == [old]
    waiting = db.session.scalars(breakglass.grants_query(unreviewed=True)).all()
    assert waiting == [recent, old]
