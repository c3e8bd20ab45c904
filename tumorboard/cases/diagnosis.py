"""The case's working and confirmed diagnosis and its precise location.

The location is checked against ``tumorboard.clinical.anatomy``, which also
derives the ICD-O-3 topography from the bone; the working diagnosis against
the WHO 2020 catalogue. The confirmed diagnosis is a copy of the pathology
review's, kept in step by the review service.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from tumorboard.audit import services as audit
from tumorboard.auth.models import User
from tumorboard.cases import search
from tumorboard.cases.models import (
    CONFIRMED_METASTASIS,
    Case,
    CaseType,
    Laterality,
)
from tumorboard.clinical import anatomy, catalogue
from tumorboard.errors import InvalidInput
from tumorboard.extensions import db


def clean_location(data: dict[str, Any], laterality: Laterality) -> dict[str, Any]:
    """The bone and its details; the ICD-O-3 topography is derived from the bone."""
    try:
        location = anatomy.clean_location(
            data.get("bone"),
            bone_end=data.get("bone_end"),
            bone_segment=data.get("bone_segment"),
            pelvic_zones=data.get("pelvic_zones"),
            vertebral_level=data.get("vertebral_level"),
            laterality=laterality.value,
        )
    except anatomy.LocationError as error:
        raise InvalidInput(error.message, error.field) from None
    return {
        "bone": location.bone,
        "bone_end": location.bone_end,
        "bone_segment": location.bone_segment,
        "pelvic_zones": location.pelvic_zones,
        "vertebral_level": location.vertebral_level,
        "site_code": location.topography_code,
    }


def clean_working_diagnosis(key: Any, case_type: CaseType) -> str | None:
    """A WHO 2020 entity key, optional; metastases are described by their primary."""
    if key in (None, ""):
        return None
    try:
        entity = catalogue.who_entity(key)
    except ValueError:
        raise InvalidInput(
            f"'{key}' is not a WHO 2020 bone tumour in the catalogue; choose the "
            "working diagnosis from the list.",
            "working_diagnosis",
        ) from None
    if case_type == CaseType.SKELETAL_METASTASIS:
        raise InvalidInput(
            "A skeletal metastasis is described by its known primary; leave the "
            "working diagnosis empty, or change the case type.",
            "working_diagnosis",
        )
    return entity.key


def record_confirmed_diagnosis(
    actor: User, case: Case, diagnosis: str | None, source: str
) -> None:
    """Keep the case's copy of the pathology diagnosis (a WHO entity key,
    ``"metastasis"`` or None) in step with the review; audited when it changes.

    The copy is written without touching the case's version, so a coordinator
    editing the intake form at the same time is not refused as stale.
    """
    if diagnosis is not None and diagnosis != CONFIRMED_METASTASIS:
        diagnosis = catalogue.who_entity(diagnosis).key
    old = case.confirmed_diagnosis
    if old == diagnosis:
        return
    db.session.execute(
        sa.update(Case)
        .where(Case.id == case.id)
        .values(confirmed_diagnosis=diagnosis)
        .execution_options(synchronize_session=False)
    )
    # Show the new value on the loaded object without an extra SELECT and
    # without marking it dirty (which would bump the version on flush).
    set_committed_value(case, "confirmed_diagnosis", diagnosis)
    # The ORM saw no change, so the search row is refreshed here.
    search.refresh(db.session, [case.id])
    audit.record(
        actor,
        "case.diagnosis",
        "case",
        case.id,
        f"{case.reference}: confirmed diagnosis taken from {source}",
        changes={"confirmed_diagnosis": [old, diagnosis]},
        case_id=case.id,
        patient_id=case.patient_id,
    )
