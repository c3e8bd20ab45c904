"""A referral as a FHIR R4B Bundle: Patient + Condition (+ ServiceRequest with
the question, + DocumentReferences with PDFs or images). The patient is
matched by MRN or registered, and a case is created in ``referred``, through
the same services as the intake pages. A bad bundle is refused with every
problem found (path and message), and nothing is stored."""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from flask import current_app
from pydantic import ValidationError

from tumorboard.api.fhir import codes
from tumorboard.api.fhir.export import mrn_system
from tumorboard.attachments import services as attachments
from tumorboard.audit import services as audit
from tumorboard.auth.models import User
from tumorboard.cases import referral_stage
from tumorboard.cases import services as cases
from tumorboard.cases.models import Case
from tumorboard.clinical import anatomy, catalogue
from tumorboard.db import today
from tumorboard.errors import ServiceError
from tumorboard.extensions import db
from tumorboard.patients import services as patients
from tumorboard.patients.models import Patient

#: Bundle types a referral may come as.
BUNDLE_TYPES = ("collection", "transaction")
#: What the case says where the referral did not carry a required text.
NOT_STATED = "Not stated in the imported referral."
URGENCY = {
    "routine": "routine",
    "urgent": "urgent",
    "asap": "urgent",
    "stat": "emergency",
}
CONTENT_TYPES = {"application/pdf", "image/png", "image/jpeg"}


@dataclass
class Issue:
    """One problem of a bundle: where (a FHIRPath-like path) and what."""

    path: str
    message: str


class ReferralRefused(Exception):
    """The bundle cannot be imported; ``issues`` names every problem."""

    def __init__(self, issues: list[Issue]):
        super().__init__("; ".join(f"{i.path}: {i.message}" for i in issues))
        self.issues = issues


@dataclass
class Referral:
    """What was read from the bundle, before anything is stored."""

    patient: dict[str, Any] = field(default_factory=dict)
    case: dict[str, Any] = field(default_factory=dict)
    documents: list[tuple[str, str, bytes]] = field(default_factory=list)
    #: The reported stage (``referral_t``... keys) and where each came from.
    stage: dict[str, str] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)


def outcome(issues: list[Issue]) -> dict[str, Any]:
    """An OperationOutcome with one error issue per problem."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": "invalid",
                "diagnostics": issue.message,
                "expression": [issue.path],
            }
            for issue in issues
        ],
    }


def _path(location: tuple[Any, ...]) -> str:
    out = "Bundle"
    for part in location:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _codings(concept: dict[str, Any] | None) -> list[dict[str, Any]]:
    return list((concept or {}).get("coding") or [])


def _code(concept: dict[str, Any] | None, system: str) -> str | None:
    for coding in _codings(concept):
        if coding.get("system") == system and coding.get("code"):
            return str(coding["code"])
    return None


def read_bundle(document: Any) -> Referral:
    """Check the bundle and read the referral from it, or :class:`ReferralRefused`."""
    if not isinstance(document, dict) or document.get("resourceType") != "Bundle":
        raise ReferralRefused([Issue("Bundle", "The body must be a FHIR Bundle.")])
    try:
        Bundle.model_validate(document)
    except ValidationError as error:
        raise ReferralRefused(
            [Issue(_path(e["loc"]), e["msg"]) for e in error.errors()[:50]]
        ) from None
    issues: list[Issue] = []
    if document.get("type") not in BUNDLE_TYPES:
        issues.append(
            Issue(
                "Bundle.type",
                f"A referral is a bundle of type {' or '.join(BUNDLE_TYPES)}.",
            )
        )
    by_type: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    seen: dict[str, int] = {}
    for index, entry in enumerate(document.get("entry") or []):
        resource = entry.get("resource") or {}
        kind = resource.get("resourceType", "")
        keys = [entry.get("fullUrl")]
        if resource.get("id"):
            keys.append(f"{kind}/{resource['id']}")
        for key in filter(None, keys):
            if key in seen:
                issues.append(
                    Issue(
                        f"Bundle.entry[{index}]",
                        f"Duplicate of entry {seen[key]} ({key}).",
                    )
                )
            seen.setdefault(key, index)
        by_type.setdefault(kind, []).append((index, resource))
    for kind, wanted in (("Patient", 1), ("Condition", 1)):
        found = by_type.get(kind, [])
        if len(found) != wanted:
            issues.append(
                Issue(
                    "Bundle.entry",
                    f"A referral needs exactly one {kind}; "
                    f"this bundle has {len(found)}.",
                )
            )
    if len(by_type.get("ServiceRequest", [])) > 1:
        issues.append(
            Issue("Bundle.entry", "A referral has at most one ServiceRequest.")
        )
    referral = Referral()
    if len(by_type.get("Patient", [])) == 1:
        _read_patient(*by_type["Patient"][0], referral, issues)
    if len(by_type.get("Condition", [])) == 1:
        _read_condition(*by_type["Condition"][0], referral, issues)
    for index, request in by_type.get("ServiceRequest", [])[:1]:
        _read_request(index, request, referral, issues)
    for index, reference in by_type.get("DocumentReference", []):
        _read_document(index, reference, referral, issues)
    for index, observation in by_type.get("Observation", []):
        _read_stage(index, observation, referral, issues)
    if issues:
        raise ReferralRefused(issues)
    return referral


def _read_patient(index: int, resource: dict, referral: Referral, issues: list):
    at = f"Bundle.entry[{index}].resource"
    system = mrn_system()
    mrns = [
        i.get("value")
        for i in resource.get("identifier") or []
        if i.get("system") == system and i.get("value")
    ]
    if len(mrns) != 1:
        issues.append(
            Issue(f"{at}.identifier", f"Give exactly one MRN with the system {system}.")
        )
    names = resource.get("name") or [{}]
    family = names[0].get("family")
    given = " ".join(names[0].get("given") or [])
    if not family or not given:
        issues.append(Issue(f"{at}.name", "Give the patient's family and given names."))
    if not resource.get("birthDate") or len(resource["birthDate"]) != 10:
        issues.append(Issue(f"{at}.birthDate", "Give the full date of birth."))
    gender = resource.get("gender") or "unknown"
    referral.patient = {
        "mrn": mrns[0] if mrns else "",
        "given_name": given,
        "family_name": family or "",
        "birth_date": date.fromisoformat(resource["birthDate"])
        if resource.get("birthDate") and len(resource["birthDate"]) == 10
        else None,
        "sex": gender,
        "gp_name": None,
        "gp_practice": None,
    }


def _read_condition(index: int, resource: dict, referral: Referral, issues: list):
    at = f"Bundle.entry[{index}].resource"
    profiles = (resource.get("meta") or {}).get("profile") or []
    secondary = codes.SECONDARY_CONDITION in profiles or (
        _code(resource.get("code"), codes.SNOMED) == codes.SECONDARY_DISEASE[0]
    )
    data: dict[str, Any] = {
        "case_type": "skeletal_metastasis" if secondary else "primary_bone_tumour"
    }
    sites = resource.get("bodySite") or []
    if not sites:
        issues.append(Issue(f"{at}.bodySite", "Give the site (ICD-O-3 topography)."))
        site: dict[str, Any] = {}
    else:
        site = sites[0]
    topography = _code(site, codes.ICDO3)
    bones = [b.key for b in anatomy.BONES if b.topography_code == topography]
    if sites and not bones:
        issues.append(
            Issue(
                f"{at}.bodySite[0].coding",
                f"'{topography}' is not an ICD-O-3 bone topography code (C40–C41).",
            )
        )
    for name, system in codes.LOCATION_SYSTEMS.items():
        data[name] = _code(site, system)
    if data["bone"] is None and len(bones) == 1:
        data["bone"] = bones[0]
    elif data["bone"] is None and bones:
        issues.append(
            Issue(
                f"{at}.bodySite[0].coding",
                f"{topography} covers several bones: add a coding of the system "
                f"{codes.LOCATION_SYSTEMS['bone']} naming the bone.",
            )
        )
    if data.get("pelvic_zones"):
        data["pelvic_zones"] = list(anatomy.split_pelvic_zones(data["pelvic_zones"]))
    side = None
    for extension in site.get("extension") or []:
        if extension.get("url") == codes.LATERALITY_EXTENSION:
            side = _code(extension.get("valueCodeableConcept"), codes.SNOMED)
    sides = {code: key for key, (code, _label) in codes.LATERALITY.items()}
    if side is not None and side not in sides:
        issues.append(
            Issue(f"{at}.bodySite[0].extension", f"Unknown laterality code '{side}'.")
        )
    data["laterality"] = sides.get(side, "unknown")
    morphology = None
    for extension in resource.get("extension") or []:
        if extension.get("url") == codes.HISTOLOGY_EXTENSION:
            morphology = _code(extension.get("valueCodeableConcept"), codes.ICDO3)
    morphology = morphology or _code(resource.get("code"), codes.ICDO3)
    data["working_diagnosis"] = None
    if morphology and not secondary:
        try:
            data["working_diagnosis"] = catalogue.who_entity_by_code(morphology).key
        except ValueError:
            issues.append(
                Issue(
                    f"{at}.extension",
                    f"'{morphology}' is not an ICD-O-3 morphology code of a WHO "
                    "bone tumour.",
                )
            )
    data["known_primary"] = None
    if secondary:
        data["known_primary"] = _code(resource.get("code"), codes.KNOWN_PRIMARY) or (
            "unidentified"
        )
    notes = [n.get("text") for n in resource.get("note") or [] if n.get("text")]
    data["presentation"] = "\n".join(notes) or NOT_STATED
    referral.case.update(data)


def _read_request(index: int, resource: dict, referral: Referral, issues: list):
    at = f"Bundle.entry[{index}].resource"
    reasons = [r.get("text") for r in resource.get("reasonCode") or [] if r.get("text")]
    notes = [n.get("text") for n in resource.get("note") or [] if n.get("text")]
    question = "\n".join(reasons + notes)
    if question:
        referral.case["clinical_question"] = question
    priority = resource.get("priority")
    if priority:
        referral.case["urgency"] = URGENCY[priority]
    requester = (resource.get("requester") or {}).get("display")
    if requester:
        referral.case["referring_clinician"] = requester
    authored = resource.get("authoredOn")
    if authored:
        try:
            referral.case["referral_date"] = date.fromisoformat(authored[:10])
        except ValueError:
            issues.append(Issue(f"{at}.authoredOn", "Not a date."))


def _read_document(index: int, resource: dict, referral: Referral, issues: list):
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    for number, item in enumerate(resource.get("content") or []):
        attachment = item.get("attachment") or {}
        at = f"Bundle.entry[{index}].resource.content[{number}].attachment"
        if not attachment.get("data"):
            # A link to a document elsewhere (an export's letter): nothing to store.
            continue
        if attachment.get("contentType") not in CONTENT_TYPES:
            issues.append(
                Issue(f"{at}.contentType", "Only PDF, PNG and JPEG files are imported.")
            )
            continue
        try:
            data = base64.b64decode(attachment["data"], validate=True)
        except (binascii.Error, ValueError):
            issues.append(Issue(f"{at}.data", "Not valid base64."))
            continue
        if len(data) > limit:
            issues.append(
                Issue(
                    f"{at}.data",
                    f"The file is larger than {limit // (1024 * 1024)} MB.",
                )
            )
            continue
        title = attachment.get("title") or f"Referral document {index}"
        referral.documents.append((title, attachment["contentType"], data))


#: The case field each TNM observation fills, by mCODE profile and by code.
STAGE_FIELDS = {
    codes.T_CATEGORY: "referral_t",
    codes.N_CATEGORY: "referral_n",
    codes.M_CATEGORY: "referral_m",
    codes.STAGE_GROUP: "referral_stage_group",
}
STAGE_CODES = {
    **{code: STAGE_FIELDS[profile] for code, _l, profile in codes.TNM_CODES.values()},
    codes.STAGE_GROUP_CODE[0]: "referral_stage_group",
}


def _read_stage(index: int, resource: dict, referral: Referral, issues: list):
    """A TNM category or stage group the referring centre reported (other
    observations are not imported)."""
    at = f"Bundle.entry[{index}].resource"
    profiles = (resource.get("meta") or {}).get("profile") or []
    name = next((STAGE_FIELDS[p] for p in profiles if p in STAGE_FIELDS), None)
    name = name or STAGE_CODES.get(_code(resource.get("code"), codes.SNOMED) or "")
    if name is None:
        return
    if name in referral.stage:
        issues.append(
            Issue(
                at,
                f"A second {referral_stage.LABELS[name]} observation "
                f"(the first is {referral.paths[name]}).",
            )
        )
        return
    value = _code(resource.get("valueCodeableConcept"), codes.AJCC)
    if value is None:
        issues.append(
            Issue(
                f"{at}.valueCodeableConcept",
                f"Give the {referral_stage.LABELS[name]} as a code of {codes.AJCC}.",
            )
        )
        return
    referral.stage[name] = value
    referral.paths[name] = f"{at}.valueCodeableConcept"


def discard_changes() -> None:
    """Undo what a refused import had stored (a page shows the refusal as a
    normal response, which the request boundary would otherwise commit)."""
    db.session.rollback()


def import_referral(
    actor: User, document: Any, board_id: int | None = None
) -> tuple[Case, Patient, bool]:
    """Import a referral bundle: the patient (matched by MRN or registered) and
    a new case in ``referred`` with the documents attached; audited. Returns
    the case, the patient and whether the patient was new. The case goes to
    ``board_id``, or to the importer's only board (or the only active one)."""
    referral = read_bundle(document)
    patient = patients.find_by_mrn(referral.patient["mrn"])
    created = patient is None
    data = {
        "referral_source": "external_hospital",
        "referring_clinician": "Not stated",
        "clinical_question": NOT_STATED,
        "urgency": "routine",
        "biopsy_status": "not_biopsied",
        "referral_date": today(),
        "unplanned_excision_date": None,
        "unplanned_excision_institution": None,
        "lead_clinician_id": None,
        "key_worker_id": None,
        "board_id": board_id or cases.default_board_id(actor),
        **referral.case,
    }
    try:
        if patient is None:
            patient = patients.create_patient(
                actor, referral.patient, confirmed_different=False
            )
        case = cases.create_case(actor, patient, data, referral.stage)
        for title, _content_type, content in referral.documents:
            attachments.attach_file(
                actor,
                case,
                kind="outside_report",
                stream=io.BytesIO(content),
                filename=title,
                caption=title,
            )
    except ServiceError as error:
        raise ReferralRefused(
            [
                Issue(
                    referral.paths.get(one.field) or _field_path(one.field), one.message
                )
                for one in (getattr(error, "errors", None) or [error])
            ]
        ) from None
    audit.record(
        actor,
        "case.import",
        "case",
        case.id,
        f"Imported case {case.reference} from a FHIR referral"
        + (f" (new patient {patient.reference})" if created else ""),
        case_id=case.id,
        patient_id=patient.id,
    )
    return case, patient, created


#: Where each service field comes from in the bundle, for the problem's path.
FIELD_PATHS = {
    "mrn": "Patient.identifier",
    "given_name": "Patient.name",
    "family_name": "Patient.name",
    "birth_date": "Patient.birthDate",
    "sex": "Patient.gender",
    "different_patient": "Patient",
    "bone": "Condition.bodySite",
    "bone_end": "Condition.bodySite",
    "bone_segment": "Condition.bodySite",
    "pelvic_zones": "Condition.bodySite",
    "vertebral_level": "Condition.bodySite",
    "laterality": "Condition.bodySite.extension",
    "working_diagnosis": "Condition.code",
    "known_primary": "Condition.code",
    "presentation": "Condition.note",
    "clinical_question": "ServiceRequest.reasonCode",
    "referring_clinician": "ServiceRequest.requester",
    "referral_date": "ServiceRequest.authoredOn",
    "urgency": "ServiceRequest.priority",
}


def _field_path(name: str | None) -> str:
    return "Bundle.entry." + FIELD_PATHS.get(name or "", "") if name else "Bundle"
