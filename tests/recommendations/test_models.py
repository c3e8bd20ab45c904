"""Database invariants of recommendations and action items."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tests.recommendations import factories as rf
from tumorboard.db import today, utcnow
from tumorboard.extensions import db
from tumorboard.recommendations.models import (
    ActionItem,
    Recommendation,
    RecommendationState,
)


def _row(setup, **fields) -> Recommendation:
    values = {
        "agenda_item_id": setup.item.id,
        "case_id": setup.case.id,
        "revision": 1,
        "current_key": setup.item.id,
        "conference_type": "pre_therapeutic",
        "intent": "curative",
        "types": [{"code": "biopsy"}],
        "start_by": today(),
    }
    values.update(fields)
    return Recommendation(**values)


def _refused(obj) -> None:
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.add(obj)
            db.session.flush()


def test_a_valid_draft_is_stored(setup):
    db.session.add(_row(setup))
    db.session.flush()
    assert db.session.scalar(sa.select(sa.func.count(Recommendation.id))) == 1


def test_only_one_current_revision_per_item(setup):
    db.session.add(_row(setup))
    db.session.flush()
    _refused(_row(setup, revision=2, supersedes_id=None, amendment_reason=None))


def test_signed_needs_signer_and_time(setup):
    _refused(_row(setup, state=RecommendationState.SIGNED))


def test_draft_has_no_signature(setup):
    _refused(_row(setup, signed_by_id=setup.chair.id, signed_at=utcnow()))


def test_superseded_revision_is_not_current(setup):
    _refused(
        _row(
            setup,
            state=RecommendationState.SUPERSEDED,
            signed_by_id=setup.chair.id,
            signed_at=utcnow(),
        )
    )


def test_amendment_needs_reason_and_predecessor(setup):
    _refused(_row(setup, revision=2))


def test_deviation_needs_reason_and_patient_wish(setup):
    signed = {
        "state": RecommendationState.SIGNED,
        "signed_by_id": setup.chair.id,
        "signed_at": utcnow(),
        "implementation_status": "deviated",
        "implementation_date": today(),
    }
    _refused(_row(setup, **signed))
    _refused(_row(setup, **signed, deviation_reason="died"))


def test_draft_has_no_implementation(setup):
    _refused(
        _row(setup, implementation_status="completed", implementation_date=today())
    )


def test_done_action_needs_completion_time(setup):
    rec = rf.signed_recommendation(setup)
    _refused(
        ActionItem(
            recommendation_id=rec.id,
            description="Book MRI",
            owner_id=setup.chair.id,
            due_date=today() + timedelta(days=3),
            status="done",
        )
    )
