"""A case as a FHIR R4B ``Bundle`` (type collection) with mCODE profiles:
the patient, the cancer condition, TNM, tumour size and performance-status
observations, one ``Procedure`` per board discussion, one ``CarePlan`` per
signed recommendation and a ``DocumentReference`` to its outcome letter."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from flask import current_app, url_for

from tumorboard.api.fhir import codes
from tumorboard.auth.disciplines import Discipline
from tumorboard.cases.models import Case, CaseType
from tumorboard.clinical import catalogue
from tumorboard.documents import content
from tumorboard.patients.models import Patient
from tumorboard.performance import services as performance
from tumorboard.recommendations.models import (
    Recommendation,
    RecommendationCode,
    RecommendationState,
)
from tumorboard.recommendations.services import queries as recommendations
from tumorboard.reviews import schemas as review_schemas
from tumorboard.reviews import services as reviews

#: Namespace of the stable ``urn:uuid`` of each exported record.
NAMESPACE = uuid.UUID("6f1c1d3e-7b1a-4f55-9a55-0c7f2a1e4b10")
DEFAULT_MRN_SYSTEM = "urn:tumorboard:mrn"


def mrn_system() -> str:
    """The identifier system of MRNs (``FHIR_MRN_SYSTEM``)."""
    return current_app.config.get("FHIR_MRN_SYSTEM") or DEFAULT_MRN_SYSTEM


def full_url(kind: str, key: Any) -> str:
    """A stable ``urn:uuid`` for one exported record."""
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{kind}/{key}')}"


def _coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return coding


def _concept(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    return {
        "coding": [_coding(system, code, display)],
        **({"text": display} if display else {}),
    }


def _iso(value: date | datetime) -> str:
    return value.isoformat()


def patient_resource(patient: Patient) -> dict[str, Any]:
    """Patient (mCODE CancerPatient)."""
    return {
        "resourceType": "Patient",
        "meta": {"profile": [codes.CANCER_PATIENT]},
        "identifier": [{"system": mrn_system(), "value": patient.mrn}],
        "name": [{"family": patient.family_name, "given": [patient.given_name]}],
        "gender": codes.GENDER.get(str(patient.sex), "unknown"),
        "birthDate": _iso(patient.birth_date),
    }


def diagnosis_entity(case: Case) -> catalogue.WhoEntity | None:
    """The WHO entity of the confirmed (else working) diagnosis, if any."""
    key = case.confirmed_diagnosis or case.working_diagnosis
    try:
        return catalogue.who_entity(key) if key else None
    except ValueError:
        return None


def condition_resource(case: Case, patient_url: str) -> dict[str, Any]:
    """Condition: PrimaryCancerCondition (ICD-O-3 morphology, topography,
    laterality) or SecondaryCancerCondition for a skeletal metastasis."""
    body_site: dict[str, Any] = {
        "coding": [_coding(codes.ICDO3, case.site_code)]
        + [
            _coding(system, getattr(case, field))
            for field, system in codes.LOCATION_SYSTEMS.items()
            if getattr(case, field)
        ],
        "text": case.location_label,
    }
    side = codes.LATERALITY.get(case.laterality.value)
    if side:
        body_site["extension"] = [
            {
                "url": codes.LATERALITY_EXTENSION,
                "valueCodeableConcept": _concept(codes.SNOMED, *side),
            }
        ]
    confirmed = bool(case.confirmed_diagnosis)
    condition: dict[str, Any] = {
        "resourceType": "Condition",
        "clinicalStatus": _concept(
            "http://terminology.hl7.org/CodeSystem/condition-clinical", "active"
        ),
        "verificationStatus": _concept(
            "http://terminology.hl7.org/CodeSystem/condition-ver-status",
            "confirmed" if confirmed else "provisional",
        ),
        "subject": {"reference": patient_url},
        "bodySite": [body_site],
        "recordedDate": _iso(case.referral_date),
    }
    if case.case_type == CaseType.SKELETAL_METASTASIS:
        condition["meta"] = {"profile": [codes.SECONDARY_CONDITION]}
        condition["code"] = _concept(codes.SNOMED, *codes.SECONDARY_DISEASE)
        condition["code"]["text"] = case.diagnosis_label
        if case.known_primary:
            condition["code"]["coding"].append(
                _coding(codes.KNOWN_PRIMARY, case.known_primary)
            )
        return condition
    condition["meta"] = {"profile": [codes.PRIMARY_CONDITION]}
    entity = diagnosis_entity(case)
    if entity is not None and entity.icdo_code:
        morphology = _concept(codes.ICDO3, entity.icdo_code, entity.name)
        condition["code"] = morphology
        condition["extension"] = [
            {"url": codes.HISTOLOGY_EXTENSION, "valueCodeableConcept": morphology}
        ]
    else:
        condition["code"] = {"text": case.diagnosis_label}
    return condition


def _observation(
    profile: str,
    code: dict[str, Any],
    patient_url: str,
    when: date | datetime,
    **values: Any,
) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "meta": {"profile": [profile]},
        "status": "final",
        "code": code,
        "subject": {"reference": patient_url},
        "effectiveDateTime": _iso(when),
        **values,
    }


def staging_resources(
    case: Case, patient_url: str, condition_url: str
) -> list[tuple[str, dict[str, Any]]]:
    """The AJCC 8th T, N, M categories and stage group derived from the
    reviews, as TNM Observations (only those that could be derived). Until
    the reviews give any, the stage the referral reported is sent instead."""
    _findings, staging = content.findings(case)
    if not staging.applies:
        return []
    values = {key: getattr(staging, key) for key in (*codes.TNM_CODES, "stage_group")}
    if not staging.derived_any and staging.reported:
        values = staging.reported
    method = _concept(codes.SNOMED, codes.AJCC_8TH, "AJCC 8th edition")
    out: list[tuple[str, dict[str, Any]]] = []
    members = []
    for key, (code, label, profile) in codes.TNM_CODES.items():
        value = values[key]
        if not value:
            continue
        url = full_url("tnm", f"{case.id}/{key}")
        members.append({"reference": url})
        out.append(
            (
                url,
                _observation(
                    profile,
                    _concept(codes.SNOMED, code, label),
                    patient_url,
                    case.status_changed_at,
                    method=method,
                    focus=[{"reference": condition_url}],
                    valueCodeableConcept=_concept(codes.AJCC, value, value),
                ),
            )
        )
    if values["stage_group"]:
        group = _observation(
            codes.STAGE_GROUP,
            _concept(codes.SNOMED, *codes.STAGE_GROUP_CODE),
            patient_url,
            case.status_changed_at,
            method=method,
            focus=[{"reference": condition_url}],
            valueCodeableConcept=_concept(
                codes.AJCC, values["stage_group"], f"Stage {values['stage_group']}"
            ),
        )
        if members:
            group["hasMember"] = members
        out.append((full_url("stage", case.id), group))
    return out


#: The three measured axes of the radiology review, in the order recorded.
SIZE_AXES = ("size_cc_mm", "size_ap_mm", "size_ml_mm")


def _millimetres(code: str, value: float) -> dict[str, Any]:
    return {
        "code": _concept(codes.LOINC, code),
        "valueQuantity": {
            "value": value,
            "unit": "mm",
            "system": codes.UCUM,
            "code": "mm",
        },
    }


def tumor_size_resources(
    case: Case, patient_url: str
) -> list[tuple[str, dict[str, Any]]]:
    """The lesion size of the current radiology review (three axes): the
    tumour as a BodyStructure (mCODE Tumor) and its size as an Observation
    (mCODE TumorSize) whose focus it is (§10.1). Nothing without a size."""
    radiology = reviews.get_review(case, Discipline.RADIOLOGY)
    revision = radiology.current_revision if radiology else None
    if revision is None:
        return []
    longest = review_schemas.greatest_dimension_mm(revision.data)
    if longest is None:
        return []
    tumor_url = full_url("tumor", case.id)
    tumor = {
        "resourceType": "BodyStructure",
        "meta": {"profile": [codes.TUMOR]},
        "identifier": [{"system": codes.TUMOR_IDENTIFIER, "value": case.reference}],
        "location": _concept(codes.ICDO3, case.site_code),
        "description": case.location_label,
        "patient": {"reference": patient_url},
    }
    others = [revision.data[axis] for axis in SIZE_AXES]
    others.remove(longest)
    size = _observation(
        codes.TUMOR_SIZE,
        _concept(codes.LOINC, codes.TUMOR_SIZE_CODE),
        patient_url,
        revision.created_at,
        focus=[{"reference": tumor_url}],
        component=[_millimetres(codes.LONGEST_DIMENSION, longest)]
        + [_millimetres(codes.OTHER_DIMENSION, value) for value in others],
    )
    return [(tumor_url, tumor), (full_url("tumor-size", revision.id), size)]


def performance_resources(case: Case, patient_url: str) -> list[tuple[str, dict]]:
    """The current ECOG, Karnofsky and Lansky values as mCODE Observations."""
    status = performance.current(case)
    if status is None:
        return []
    out = []
    scales = (
        (
            "ecog",
            codes.ECOG,
            codes.LOINC,
            codes.ECOG_CODE,
            "ECOG performance status",
            codes.ECOG_ANSWERS,
        ),
        (
            "karnofsky",
            codes.KARNOFSKY,
            codes.LOINC,
            codes.KARNOFSKY_CODE,
            "Karnofsky performance status",
            codes.KARNOFSKY_ANSWERS,
        ),
        (
            "lansky",
            codes.LANSKY,
            codes.NCIT,
            codes.LANSKY_CODE,
            "Lansky play-performance status",
            {},
        ),
    )
    for field, profile, system, code, label, answers in scales:
        value = getattr(status, field)
        if value is None:
            continue
        extra: dict[str, Any] = {"valueInteger": value}
        if value in answers:
            extra["interpretation"] = [_concept(codes.LOINC, answers[value])]
        out.append(
            (
                full_url(field, status.id),
                _observation(
                    profile,
                    _concept(system, code, label),
                    patient_url,
                    status.assessed_on,
                    **extra,
                ),
            )
        )
    return out


def discussion_resource(
    rec: Recommendation, patient_url: str, condition_url: str
) -> dict[str, Any]:
    """Procedure: the board's discussion of the case at one meeting."""
    item = rec.agenda_item
    when = item.discussed_at or item.meeting.starts_at
    return {
        "resourceType": "Procedure",
        "status": "completed",
        "code": {"text": "Tumour board review"},
        "subject": {"reference": patient_url},
        "performedDateTime": _iso(when),
        "reasonReference": [{"reference": condition_url}],
        "note": [{"text": f"{item.meeting.board.name}"}],
    }


def care_plan_resource(
    rec: Recommendation, patient_url: str, condition_url: str, author_url: str
) -> dict[str, Any]:
    """CarePlan: a signed board recommendation."""
    status = rec.implementation_status.value
    return {
        "resourceType": "CarePlan",
        "status": codes.CAREPLAN_STATUS[status],
        "intent": "plan",
        "category": [{"text": f"{rec.intent.label} intent"}],
        "title": f"Board recommendation, {rec.conference_type.label.lower()}",
        "subject": {"reference": patient_url},
        "addresses": [{"reference": condition_url}],
        "created": _iso(rec.signed_at),
        "author": {"reference": author_url},
        "activity": [
            {
                "detail": {
                    "code": {"text": _type_label(entry)},
                    "status": codes.ACTIVITY_STATUS[status],
                }
            }
            for entry in rec.types
        ]
        or None,
    }


def _type_label(entry: dict[str, Any]) -> str:
    try:
        return RecommendationCode(entry.get("code")).label
    except ValueError:
        return str(entry.get("code"))


def letter_resource(rec: Recommendation, patient_url: str) -> dict[str, Any]:
    """DocumentReference: the signed outcome letter (a PDF served by the app)."""
    return {
        "resourceType": "DocumentReference",
        "status": "current",
        "type": {"text": "Tumour board outcome letter"},
        "subject": {"reference": patient_url},
        "date": rec.signed_at.isoformat(),
        "content": [
            {
                "attachment": {
                    "contentType": "application/pdf",
                    "url": url_for(
                        "documents.outcome_letter", rec_id=rec.id, _external=True
                    ),
                    "title": f"Outcome letter, recommendation {rec.id}",
                }
            }
        ],
    }


def case_bundle(case: Case, patient: Patient) -> dict[str, Any]:
    """The whole case as a Bundle of type collection."""
    patient_url = full_url("patient", patient.id)
    condition_url = full_url("condition", case.id)
    entries: list[tuple[str, dict[str, Any]]] = [
        (patient_url, patient_resource(patient)),
        (condition_url, condition_resource(case, patient_url)),
    ]
    entries += staging_resources(case, patient_url, condition_url)
    entries += tumor_size_resources(case, patient_url)
    entries += performance_resources(case, patient_url)
    authors: dict[int, str] = {}
    discussed: set[int] = set()
    for rec in reversed(recommendations.case_history(case.id)):
        if rec.agenda_item_id not in discussed:
            discussed.add(rec.agenda_item_id)
            entries.append(
                (
                    full_url("discussion", rec.agenda_item_id),
                    discussion_resource(rec, patient_url, condition_url),
                )
            )
        if rec.state != RecommendationState.SIGNED or rec.signed_at is None:
            continue
        signer = rec.signed_by
        if signer is not None and signer.id not in authors:
            authors[signer.id] = full_url("practitioner", signer.id)
            entries.append(
                (
                    authors[signer.id],
                    {"resourceType": "Practitioner", "name": [{"text": signer.name}]},
                )
            )
        author_url = authors.get(signer.id) if signer is not None else None
        plan = care_plan_resource(rec, patient_url, condition_url, author_url or "")
        if author_url is None:
            plan.pop("author")
        if plan["activity"] is None:
            plan.pop("activity")
        entries.append((full_url("careplan", rec.id), plan))
        entries.append((full_url("letter", rec.id), letter_resource(rec, patient_url)))
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": datetime.now().astimezone().isoformat(),
        "entry": [{"fullUrl": url, "resource": res} for url, res in entries],
    }
