"""Performance status on the case (reference §8.1, §8.2, §8.4, §8.5)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tumorboard.audit.models import AuditEntry
from tumorboard.db import today
from tumorboard.errors import AccessDenied, Conflict, InvalidInput
from tumorboard.extensions import db
from tumorboard.performance import services
from tumorboard.performance.models import PerformanceStatus

pytestmark = pytest.mark.usefixtures("app")


def _adult_case():
    patient = factories.make_patient(birth_date=date(1970, 5, 1))
    return factories.make_case(patient)


def _child_case(years: int = 12):
    born = today().replace(year=today().year - years) - timedelta(days=30)
    return factories.make_case(factories.make_patient(birth_date=born))


def _record(case, author=None, **values):
    author = author or factories.make_user("orthopedic_oncologist")
    values.setdefault("assessed_on", today())
    values.setdefault("source", "clinic")
    current = services.current(case)
    values.setdefault("based_on", current.number if current else 0)
    return services.record_status(author, case, **values)


@pytest.mark.parametrize(
    "role",
    [
        "orthopedic_oncologist",
        "medical_oncologist",
        "radiation_oncologist",
        "palliative_care",
        "nurse_specialist",
    ],
)
def test_treating_clinicians_record_performance_status(role):
    case = _adult_case()
    status = _record(case, factories.make_user(role), ecog=1, karnofsky=80)
    assert (status.number, status.values_label) == (1, "ECOG 1 · Karnofsky 80")
    assert not status.disagreement_confirmed
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "performance_status.recorded")
    )
    assert entry.case_id == case.id
    assert entry.changes["ecog"] == [None, 1]


@pytest.mark.parametrize("role", ["radiologist", "pathologist", "coordinator", "admin"])
def test_other_roles_cannot_record_it(role):
    with pytest.raises(AccessDenied):
        _record(_adult_case(), factories.make_user(role), ecog=1)


def test_each_assessment_is_a_new_numbered_row_and_the_latest_is_current():
    case = _adult_case()
    _record(case, ecog=1)
    _record(case, karnofsky=60)
    current = services.current(case)
    assert (current.number, current.ecog, current.karnofsky) == (2, None, 60)
    assert [s.number for s in services.history(case)] == [2, 1]


def test_a_stale_form_is_a_conflict_and_nothing_is_written():
    case = _adult_case()
    _record(case, ecog=1)
    with pytest.raises(Conflict, match="newer performance status"):
        _record(case, ecog=2, based_on=0)
    assert db.session.scalar(sa.select(sa.func.count(PerformanceStatus.id))) == 1


@pytest.mark.parametrize(
    ("ecog", "karnofsky"),
    # Reference §8.4, Ma 2010 bands: 0↔100, 1↔80–90, 2↔60–70, 3↔40–50, 4↔10–30.
    [(0, 100), (1, 80), (1, 90), (2, 60), (3, 50), (4, 10), (5, 0)],
)
def test_agreeing_pairs_need_no_confirmation(ecog, karnofsky):
    status = _record(_adult_case(), ecog=ecog, karnofsky=karnofsky)
    assert not status.disagreement_confirmed


def test_a_disagreeing_pair_needs_a_confirmation_and_stays_flagged():
    case = _adult_case()
    # The case from the issue: ECOG 0 with Karnofsky 30 (§8.4: ECOG 0 ↔ 100).
    with pytest.raises(InvalidInput) as info:
        _record(case, ecog=0, karnofsky=30)
    assert info.value.field == "confirm_disagreement"
    assert "ECOG 0 usually goes with Karnofsky 100" in info.value.message
    assert services.current(case) is None
    status = _record(case, ecog=0, karnofsky=30, confirm_disagreement=True)
    assert status.disagreement_confirmed
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "performance_status.recorded")
    )
    assert "disagreement confirmed" in entry.summary


def test_prasad_only_pair_still_disagrees():
    """ECOG 4 with Karnofsky 40 fits Prasad 2018 but not Ma 2010 (§8.4)."""
    with pytest.raises(InvalidInput, match="Karnofsky 10–30"):
        _record(_adult_case(), ecog=4, karnofsky=40)


def test_a_child_is_scored_with_lansky_only():
    case = _child_case()
    assert services.is_child(case)
    status = _record(case, lansky=70)
    assert status.values_label == "Lansky 70"
    with pytest.raises(InvalidInput, match="ECOG and Karnofsky are for patients aged"):
        _record(case, ecog=1)
    with pytest.raises(InvalidInput, match="Record the Lansky"):
        _record(case)


def test_lansky_for_an_adult_is_refused():
    with pytest.raises(InvalidInput, match="Lansky scale is for children under 16"):
        _record(_adult_case(), lansky=80)


def test_age_is_taken_on_the_assessment_day():
    """A patient who turned 16 last week: an assessment from last month is a
    child's (Lansky), today's an adult's (§8.5: children under 16)."""
    born = today().replace(year=today().year - 16) - timedelta(days=7)
    case = factories.make_case(factories.make_patient(birth_date=born))
    _record(case, lansky=90, assessed_on=today() - timedelta(days=30))
    _record(case, ecog=0)
    assert services.current(case).ecog == 0


@pytest.mark.parametrize(
    ("values", "field", "match"),
    [
        ({"ecog": 6}, "ecog", "ECOG is a grade from 0 to 5"),
        ({"karnofsky": 85}, "karnofsky", "Karnofsky is recorded in steps of 10"),
        ({}, "ecog", "Record the ECOG grade, the Karnofsky score or both"),
        ({"ecog": 1, "assessed_on": None}, "assessed_on", "Give the date"),
        (
            {"ecog": 1, "assessed_on": today() + timedelta(days=1)},
            "assessed_on",
            "cannot be in the future",
        ),
        (
            {"ecog": 1, "assessed_on": date(1960, 1, 1)},
            "assessed_on",
            "before the patient's date of birth",
        ),
        ({"ecog": 1, "source": "hearsay"}, "source", "Choose where"),
    ],
)
def test_bad_input_is_refused_with_a_message(values, field, match):
    case = _adult_case()
    with pytest.raises(InvalidInput, match=match) as info:
        _record(case, **values)
    assert info.value.field == field
    assert services.current(case) is None


def test_current_for_many_cases_is_one_query(count_queries):
    cases = [_adult_case() for _ in range(4)]
    for case in cases[:3]:
        _record(case, ecog=1)
        _record(case, ecog=2)
    ids = [c.id for c in cases]
    db.session.flush()
    db.session.expire_all()
    with count_queries() as counter:
        current = services.current_for(ids)
        values = {
            case_id: (s.ecog, s.recorded_by.name) for case_id, s in current.items()
        }
    assert counter.count == 1, counter.statements
    assert set(values) == set(ids[:3])
    assert {ecog for ecog, _ in values.values()} == {2}
