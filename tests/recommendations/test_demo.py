"""Demo recommendations: signed decisions for the discussed demo items."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests import factories
from tests.recommendations import factories as rf
from tumorboard.auth.models import User
from tumorboard.db import today
from tumorboard.extensions import db
from tumorboard.meetings.models import MeetingStatus
from tumorboard.recommendations import demo, services
from tumorboard.recommendations.models import (
    ActionItem,
    ImplementationStatus,
    Recommendation,
    RecommendationState,
)

ROLES = {
    "coordinator@example.org": "coordinator",
    "ortho@example.org": "orthopedic_oncologist",
    "radiology@example.org": "radiologist",
    "palliative@example.org": "palliative_care",
    "nurse@example.org": "nurse_specialist",
}


def _users() -> dict:
    return {
        email: factories.make_user(role, email=email) for email, role in ROLES.items()
    }


def test_demo_does_nothing_without_discussed_items(app):
    assert demo.load(_users(), []) == 0
    assert db.session.scalar(sa.select(sa.func.count(Recommendation.id))) == 0


def test_demo_signs_every_discussed_item_once(app):
    users = _users()
    board = rf.make_board()
    chair = users["ortho@example.org"]
    for weeks in (6, 5, 4):
        meeting = rf.make_meeting(
            board,
            chair_id=chair.id,
            status=MeetingStatus.CLOSED,
            starts_at=rf.at_midnight(today() - timedelta(weeks=weeks))
            + timedelta(hours=15),
        )
        rf.make_quorate(meeting, chair)
        for _ in range(2):
            rf.make_item(meeting)
    metastasis = factories.make_case(
        case_type="skeletal_metastasis", known_primary="breast"
    )
    rf.make_item(meeting, metastasis)

    assert demo.load(users, []) == 7
    assert demo.load(users, []) == 0

    current = db.session.scalars(
        sa.select(Recommendation).where(
            Recommendation.state == RecommendationState.SIGNED
        )
    ).all()
    assert len(current) == 7
    statuses = {r.implementation_status for r in current}
    assert ImplementationStatus.DEVIATED in statuses
    assert ImplementationStatus.NOT_STARTED in statuses
    coordinator = db.session.scalar(
        sa.select(User).where(User.email == "coordinator@example.org")
    )
    assert db.session.scalars(services.overdue_recommendations_query(coordinator)).all()
    assert db.session.scalars(services.overdue_actions_query(coordinator)).all()
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Recommendation.id)).where(
                Recommendation.state == RecommendationState.SUPERSEDED
            )
        )
        == 1
    )
    assert db.session.scalar(sa.select(sa.func.count(ActionItem.id))) >= 7
    deviated = next(
        r for r in current if r.implementation_status == ImplementationStatus.DEVIATED
    )
    assert deviated.deviation_reason == "patient_wish"
