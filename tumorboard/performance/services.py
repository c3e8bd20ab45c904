"""Recording and reading the case's performance status (reference §8).

Adults (16 and over on the day of the assessment) are scored with ECOG and/or
Karnofsky, children under 16 with the Lansky play-performance scale (§8.5). An
ECOG and a Karnofsky recorded together that fall outside the Ma 2010
correspondence (§8.4) are recorded only after the clinician confirms both, and
the case stays flagged. Every assessment is a new numbered row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tumorboard.audit import services as audit
from tumorboard.auth.models import User
from tumorboard.auth.permissions import authorize, can_record_performance_status
from tumorboard.cases.models import Case
from tumorboard.clinical import scores
from tumorboard.db import prebuilt, today
from tumorboard.errors import Conflict, InvalidInput
from tumorboard.extensions import db
from tumorboard.patients.models import Patient
from tumorboard.performance.models import AssessmentSource, PerformanceStatus

#: Patients younger than this on the day of the assessment are children (§8.5).
LANSKY_AGE_LIMIT = 16


def _patient(case: Case) -> Patient:
    """The case's patient (from the session when already loaded)."""
    return db.session.get(Patient, case.patient_id)


def is_child(case: Case, on: date | None = None) -> bool:
    """True when the patient is under 16 on ``on`` (today by default)."""
    return _patient(case).age_on(on or today()) < LANSKY_AGE_LIMIT


def current_for(case_ids: Iterable[int]) -> dict[int, PerformanceStatus]:
    """The current assessment of each case that has one, in one query."""
    ids = list(case_ids)
    if not ids:
        return {}
    rows = db.session.scalars(_current_assessments(), {"case_ids": ids})
    return {row.case_id: row for row in rows}


@prebuilt
def _current_assessments() -> sa.Select:
    latest = (
        sa.select(
            PerformanceStatus.case_id, sa.func.max(PerformanceStatus.number).label("n")
        )
        .where(PerformanceStatus.case_id.in_(sa.bindparam("case_ids", expanding=True)))
        .group_by(PerformanceStatus.case_id)
        .subquery()
    )
    return (
        sa.select(PerformanceStatus)
        .join(
            latest,
            sa.and_(
                PerformanceStatus.case_id == latest.c.case_id,
                PerformanceStatus.number == latest.c.n,
            ),
        )
        .options(joinedload(PerformanceStatus.recorded_by))
    )


def current(case: Case) -> PerformanceStatus | None:
    """The case's current assessment, or None."""
    return current_for([case.id]).get(case.id)


def history(case: Case) -> list[PerformanceStatus]:
    """Every assessment of the case, newest first."""
    return list(db.session.scalars(_assessments(), {"case_id": case.id}))


@prebuilt
def _assessments() -> sa.Select:
    return (
        sa.select(PerformanceStatus)
        .where(PerformanceStatus.case_id == sa.bindparam("case_id"))
        .options(joinedload(PerformanceStatus.recorded_by))
        .order_by(PerformanceStatus.number.desc())
    )


def disagreement_text(ecog: int, karnofsky: int) -> str:
    """Why an ECOG and a Karnofsky value do not fit together (§8.4)."""
    low, high = scores.ECOG_KARNOFSKY_BANDS[ecog]
    band = f"{low}" if low == high else f"{low}–{high}"
    return (
        f"ECOG {ecog} and Karnofsky {karnofsky} fall outside the published "
        f"correspondence (ECOG {ecog} usually goes with Karnofsky {band}; Ma 2010)."
    )


#: What each scale accepts, as the form's message says it.
ALLOWED = {
    "ecog": "ECOG is a grade from 0 to 5 (reference §8.1).",
    "karnofsky": "Karnofsky is recorded in steps of 10 from 0 to 100 (§8.2).",
    "lansky": "Lansky is a level from 0 to 100 in steps of 10 (§8.5).",
}


def _checked(name: str, check, value) -> None:
    if value is None:
        return
    try:
        check(value)
    except ValueError as error:
        raise InvalidInput(f"{ALLOWED[name]} {value} is not allowed.", name) from error


def _validate(
    case: Case,
    assessed_on: date | None,
    ecog: int | None,
    karnofsky: int | None,
    lansky: int | None,
    confirm_disagreement: bool,
) -> bool:
    """Check one assessment; return whether it disagrees (and was confirmed)."""
    if assessed_on is None:
        raise InvalidInput("Give the date of the assessment.", "assessed_on")
    if assessed_on > today():
        raise InvalidInput(
            "The assessment date cannot be in the future.", "assessed_on"
        )
    patient = _patient(case)
    if assessed_on < patient.birth_date:
        raise InvalidInput(
            "The assessment date is before the patient's date of birth.", "assessed_on"
        )
    age = patient.age_on(assessed_on)
    if age < LANSKY_AGE_LIMIT:
        if ecog is not None or karnofsky is not None:
            raise InvalidInput(
                f"The patient was {age} on the day of the assessment: record the "
                "Lansky play-performance level; ECOG and Karnofsky are for "
                "patients aged 16 and over.",
                "ecog" if ecog is not None else "karnofsky",
            )
        if lansky is None:
            raise InvalidInput(
                "Record the Lansky play-performance level (0–100).", "lansky"
            )
        _checked("lansky", scores.lansky, lansky)
        return False
    if lansky is not None:
        raise InvalidInput(
            f"The Lansky scale is for children under 16; the patient was {age} on "
            "the day of the assessment. Record ECOG or Karnofsky instead.",
            "lansky",
        )
    if ecog is None and karnofsky is None:
        raise InvalidInput(
            "Record the ECOG grade, the Karnofsky score or both.", "ecog"
        )
    _checked("ecog", scores.ecog, ecog)
    _checked("karnofsky", scores.karnofsky, karnofsky)
    if ecog is None or karnofsky is None:
        return False
    if scores.performance_status_agree(ecog, karnofsky):
        return False
    if not confirm_disagreement:
        raise InvalidInput(
            disagreement_text(ecog, karnofsky)
            + " Check both values; if they are what you assessed, tick the "
            "confirmation and record again.",
            "confirm_disagreement",
        )
    return True


def record_status(
    actor: User,
    case: Case,
    *,
    assessed_on: date | None,
    source: str | AssessmentSource,
    based_on: int,
    ecog: int | None = None,
    karnofsky: int | None = None,
    lansky: int | None = None,
    confirm_disagreement: bool = False,
) -> PerformanceStatus:
    """Record a new assessment of ``case``'s performance status.

    ``based_on`` is the number of the assessment the clinician saw when the
    form opened (0 for none): a newer one recorded meanwhile is a conflict.
    """
    authorize(
        can_record_performance_status(actor, case),
        "You cannot record the performance status of this case.",
    )
    try:
        source = AssessmentSource(source)
    except ValueError as error:
        raise InvalidInput("Choose where the assessment was made.", "source") from error
    previous = current(case)
    number = previous.number if previous else 0
    if based_on != number:
        raise Conflict(
            "Someone recorded a newer performance status for this case while you "
            f"were typing ({previous.values_label if previous else 'none'}); "
            "check it and record again.",
        )
    disagrees = _validate(
        case, assessed_on, ecog, karnofsky, lansky, confirm_disagreement
    )
    status = PerformanceStatus(
        case_id=case.id,
        number=number + 1,
        ecog=ecog,
        karnofsky=karnofsky,
        lansky=lansky,
        assessed_on=assessed_on,
        source=source,
        disagreement_confirmed=disagrees,
        recorded_by_id=actor.id,
    )
    db.session.add(status)
    db.session.flush()
    before = {
        "ecog": previous.ecog if previous else None,
        "karnofsky": previous.karnofsky if previous else None,
        "lansky": previous.lansky if previous else None,
    }
    after = {"ecog": ecog, "karnofsky": karnofsky, "lansky": lansky}
    flagged = " (ECOG and Karnofsky disagreement confirmed)" if disagrees else ""
    audit.record(
        actor,
        "performance_status.recorded",
        "performance_status",
        status.id,
        f"Recorded performance status {status.number} of {case.reference}{flagged}",
        changes={
            **audit.diff(before, after),
            "assessed_on": [None, assessed_on.isoformat()],
        },
        case_id=case.id,
        patient_id=case.patient_id,
    )
    return status
