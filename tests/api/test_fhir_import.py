"""FHIR referral import: a Bundle with Patient + Condition (+ ServiceRequest,
DocumentReferences) becomes a case in referred; a bad bundle gets an
OperationOutcome naming each problem, and nothing is stored."""

from __future__ import annotations

import base64
import copy
import io

import pytest
import sqlalchemy as sa
from fhir.resources.R4B.operationoutcome import OperationOutcome
from pypdf import PdfReader

from tests import factories
from tests.api.conftest import demo_user
from tests.attachments.files import PDF_BYTES
from tests.conftest import BASE_CONFIG
from tumorboard import create_app, demo
from tumorboard.api import tokens
from tumorboard.api.fhir import codes
from tumorboard.api.fhir.export import DEFAULT_MRN_SYSTEM
from tumorboard.attachments.models import Attachment
from tumorboard.audit.models import AuditEntry
from tumorboard.cases.models import Case, CaseStatus
from tumorboard.extensions import db
from tumorboard.patients.models import Patient
from tumorboard.reviews.models import DisciplineReview

URL = "/api/v1/fhir/referrals"
FHIR = "application/fhir+json"


def referral(**changes) -> dict:
    """A small valid referral bundle."""
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000001",
                "resource": {
                    "resourceType": "Patient",
                    "identifier": [{"system": DEFAULT_MRN_SYSTEM, "value": "R123456"}],
                    "name": [{"family": "Importova", "given": ["Ida"]}],
                    "gender": "female",
                    "birthDate": "1990-03-04",
                },
            },
            {
                "fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000002",
                "resource": {
                    "resourceType": "Condition",
                    "meta": {"profile": [codes.PRIMARY_CONDITION]},
                    "subject": {
                        "reference": "urn:uuid:00000000-0000-4000-8000-000000000001"
                    },
                    "code": {"coding": [{"system": codes.ICDO3, "code": "9180/3"}]},
                    "bodySite": [
                        {
                            "coding": [
                                {"system": codes.ICDO3, "code": "C40.2"},
                                {"system": codes.LOCAL + "bone", "code": "tibia"},
                                {
                                    "system": codes.LOCAL + "bone-end",
                                    "code": "proximal",
                                },
                                {
                                    "system": codes.LOCAL + "bone-segment",
                                    "code": "metaphysis",
                                },
                            ],
                            "extension": [
                                {
                                    "url": codes.LATERALITY_EXTENSION,
                                    "valueCodeableConcept": {
                                        "coding": [
                                            {"system": codes.SNOMED, "code": "24028007"}
                                        ]
                                    },
                                }
                            ],
                        }
                    ],
                    "note": [{"text": "Painful swelling below the knee."}],
                },
            },
            {
                "fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000003",
                "resource": {
                    "resourceType": "ServiceRequest",
                    "status": "active",
                    "intent": "order",
                    "priority": "urgent",
                    "subject": {
                        "reference": "urn:uuid:00000000-0000-4000-8000-000000000001"
                    },
                    "requester": {"display": "Dr Referrer"},
                    "reasonCode": [{"text": "Suspected osteosarcoma: biopsy route?"}],
                },
            },
        ],
    }
    bundle.update(changes)
    return bundle


def _counts():
    return [
        db.session.scalar(sa.select(sa.func.count(model.id)))
        for model in (Patient, Case, Attachment)
    ]


def test_a_referral_creates_a_patient_and_a_referred_case(client, token_for):
    _user, _token, headers = token_for("coordinator")
    response = client.post(URL, json=referral(), headers=headers)
    assert response.status_code == 201, response.json
    assert response.json["patient_created"] is True
    case = db.session.get(Case, response.json["case"]["id"])
    assert case.status == CaseStatus.REFERRED
    assert (case.bone, case.bone_end, case.site_code) == ("tibia", "proximal", "C40.2")
    assert case.laterality.value == "right"
    assert case.working_diagnosis == "conventional_osteosarcoma"
    assert case.clinical_question == "Suspected osteosarcoma: biopsy route?"
    assert case.urgency.value == "urgent"
    assert case.referring_clinician == "Dr Referrer"
    summaries = db.session.scalars(
        sa.select(AuditEntry.summary).where(AuditEntry.action == "case.import")
    )
    assert "Imported" in next(iter(summaries))


def test_an_existing_patient_is_matched_by_mrn(client, token_for):
    _user, _token, headers = token_for("coordinator")
    patient = factories.make_patient(mrn="R123456")
    db.session.commit()
    response = client.post(URL, json=referral(), headers=headers)
    assert response.status_code == 201
    assert response.json == {**response.json, "patient_id": patient.id}
    assert response.json["patient_created"] is False


def test_documents_are_attached(client, token_for):
    _user, _token, headers = token_for("coordinator")
    bundle = referral()
    bundle["entry"].append(
        {
            "resource": {
                "resourceType": "DocumentReference",
                "status": "current",
                "content": [
                    {
                        "attachment": {
                            "contentType": "application/pdf",
                            "title": "MRI report",
                            "data": base64.b64encode(PDF_BYTES).decode(),
                        }
                    }
                ],
            }
        }
    )
    response = client.post(URL, json=bundle, headers=headers)
    assert response.status_code == 201, response.json
    assert _counts() == [1, 1, 1]


def _problems(response) -> dict[str, str]:
    assert response.status_code == 422, response.json
    assert response.mimetype == FHIR
    OperationOutcome.model_validate(response.json)
    return {i["expression"][0]: i["diagnostics"] for i in response.json["issue"]}


def without(kind: str) -> dict:
    bundle = referral()
    bundle["entry"] = [
        e for e in bundle["entry"] if e["resource"]["resourceType"] != kind
    ]
    return bundle


def duplicate_condition() -> dict:
    bundle = referral()
    bundle["entry"].append(copy.deepcopy(bundle["entry"][1]))
    return bundle


def unknown_codes() -> dict:
    bundle = referral()
    condition = bundle["entry"][1]["resource"]
    condition["code"]["coding"][0]["code"] = "9999/9"
    condition["bodySite"][0]["coding"][0]["code"] = "C50.9"
    return bundle


@pytest.mark.parametrize(
    ("bundle", "path", "words"),
    [
        (referral(type="searchset"), "Bundle.type", "collection or transaction"),
        (without("Condition"), "Bundle.entry", "exactly one Condition"),
        (duplicate_condition(), "Bundle.entry[3]", "Duplicate"),
        (unknown_codes(), "Bundle.entry[1].resource.extension", "9999/9"),
        (unknown_codes(), "Bundle.entry[1].resource.bodySite[0].coding", "C50.9"),
        ({"resourceType": "Patient"}, "Bundle", "FHIR Bundle"),
    ],
    ids=["type", "no-condition", "duplicate", "morphology", "topography", "not-bundle"],
)
def test_a_bad_bundle_names_each_problem_and_stores_nothing(
    client, token_for, bundle, path, words
):
    _user, _token, headers = token_for("coordinator")
    before = _counts()
    problems = _problems(client.post(URL, json=bundle, headers=headers))
    assert words in problems[path]
    assert _counts() == before


def stage_observation(profile: str, value: str, *, code: str | None = None) -> dict:
    """A TNM category or stage group observation as the export writes it."""
    snomed = (
        code
        or {
            codes.T_CATEGORY: "78873005",
            codes.N_CATEGORY: "277206009",
            codes.M_CATEGORY: "277208005",
            codes.STAGE_GROUP: "399390009",
        }[profile]
    )
    return {
        "resource": {
            "resourceType": "Observation",
            "meta": {"profile": [profile]},
            "status": "final",
            "code": {"coding": [{"system": codes.SNOMED, "code": snomed}]},
            "valueCodeableConcept": {"coding": [{"system": codes.AJCC, "code": value}]},
        }
    }


def staged_referral(t="T1", n="N0", m="M0", group="IIA") -> dict:
    bundle = referral()
    for profile, value in (
        (codes.T_CATEGORY, t),
        (codes.N_CATEGORY, n),
        (codes.M_CATEGORY, m),
        (codes.STAGE_GROUP, group),
    ):
        if value:
            bundle["entry"].append(stage_observation(profile, value))
    return bundle


def test_the_reported_stage_is_kept_and_shown_as_received(client, token_for):
    """A high-grade tibial osteosarcoma of 6 cm, N0 M0: T1 (≤ 8 cm, reference
    §2.1a) and IIA (§2.5) as the referring centre staged it."""
    user, _token, headers = token_for("coordinator")
    response = client.post(URL, json=staged_referral(), headers=headers)
    assert response.status_code == 201, response.json
    case = db.session.get(Case, response.json["case"]["id"])
    assert (
        case.referral_t,
        case.referral_n,
        case.referral_m,
        case.referral_stage_group,
    ) == ("T1", "N0", "M0", "IIA")
    staging = client.get(f"/api/v1/cases/{case.id}/staging", headers=headers).json
    assert staging["reported"] == {
        "t": "T1",
        "n": "N0",
        "m": "M0",
        "stage_group": "IIA",
    }
    assert staging["stage_group"] is None
    (entry,) = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "case.create")
    )
    assert entry.changes["referral_stage_group"] == [None, "IIA"]
    factories.sign_in(client, user.email)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Reported with the referral:" in page
    assert "stage group <strong>IIA</strong>" in page
    summary = client.get(f"/documents/cases/{case.id}/summary.pdf")
    assert summary.mimetype == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(summary.data)).pages)
    assert "Stage at referral T1 N0 M0, stage IIA" in text


def test_a_bundle_without_stage_leaves_it_empty(client, token_for):
    _user, _token, headers = token_for("coordinator")
    response = client.post(URL, json=referral(), headers=headers)
    case_id = response.json["case"]["id"]
    staging = client.get(f"/api/v1/cases/{case_id}/staging", headers=headers).json
    assert staging["reported"] is None


def second_t() -> dict:
    bundle = staged_referral()
    bundle["entry"].append(stage_observation(codes.T_CATEGORY, "T2"))
    return bundle


def stage_without_ajcc_code() -> dict:
    bundle = staged_referral()
    bundle["entry"][-1]["resource"]["valueCodeableConcept"] = {"text": "stage 2A"}
    return bundle


def staged_metastasis() -> dict:
    bundle = staged_referral()
    bundle["entry"][1]["resource"]["meta"]["profile"] = [codes.SECONDARY_CONDITION]
    return bundle


@pytest.mark.parametrize(
    ("bundle", "path", "words"),
    [
        # §2.1a: the appendicular T table stops at T3.
        (
            staged_referral(t="T4", group=None),
            "Bundle.entry[3].resource.valueCodeableConcept",
            "'T4' is not an AJCC 8th bone T category for the appendicular skeleton",
        ),
        (
            staged_referral(m="M2", group=None),
            "Bundle.entry[5].resource.valueCodeableConcept",
            "expected one of M0, M1, M1a, M1b",
        ),
        # §2.5: T2 N0 M0 is IB (low grade) or IIB (high grade), never IA.
        (
            staged_referral(t="T2", group="IA"),
            "Bundle.entry[6].resource.valueCodeableConcept",
            "Stage group IA does not follow from T2 N0 M0: these categories "
            "give IB or IIB (by grade).",
        ),
        # §2.5: N1 is IVB whatever T and grade.
        (
            staged_referral(n="N1", group="IIA"),
            "Bundle.entry[6].resource.valueCodeableConcept",
            "give IVB",
        ),
        (second_t(), "Bundle.entry[7].resource", "A second T category observation"),
        (
            stage_without_ajcc_code(),
            "Bundle.entry[6].resource.valueCodeableConcept",
            "Give the stage group as a code of http://cancerstaging.org",
        ),
        (
            staged_metastasis(),
            "Bundle.entry[3].resource.valueCodeableConcept",
            "a skeletal metastasis is not staged",
        ),
    ],
    ids=[
        "t-site",
        "m-code",
        "group-t",
        "group-n1",
        "second-t",
        "no-code",
        "metastasis",
    ],
)
def test_a_bad_reported_stage_is_named_and_nothing_is_stored(
    client, token_for, bundle, path, words
):
    _user, _token, headers = token_for("coordinator")
    problems = _problems(client.post(URL, json=bundle, headers=headers))
    assert words in problems[path], problems
    assert _counts() == [0, 0, 0]


def test_a_structurally_invalid_bundle_is_refused_with_the_path(client, token_for):
    _user, _token, headers = token_for("coordinator")
    bundle = referral()
    bundle["entry"][0]["resource"]["birthDate"] = "not a date"
    problems = _problems(client.post(URL, json=bundle, headers=headers))
    assert any("birthDate" in path for path in problems)
    assert _counts() == [0, 0, 0]


def test_a_service_refusal_rolls_back_the_new_patient(client, token_for):
    _user, _token, headers = token_for("coordinator")
    bundle = referral()
    bundle["entry"][2]["resource"]["authoredOn"] = "1980-01-01"  # before birth
    problems = _problems(client.post(URL, json=bundle, headers=headers))
    assert "Bundle.entry.ServiceRequest.authoredOn" in problems
    assert _counts() == [0, 0, 0]


def test_an_oversized_attachment_is_refused(app, client, token_for):
    app.config["MAX_UPLOAD_BYTES"] = 1000
    _user, _token, headers = token_for("coordinator")
    bundle = referral()
    bundle["entry"].append(
        {
            "resource": {
                "resourceType": "DocumentReference",
                "status": "current",
                "content": [
                    {
                        "attachment": {
                            "contentType": "application/pdf",
                            "data": base64.b64encode(b"%PDF" + b"0" * 2000).decode(),
                        }
                    }
                ],
            }
        }
    )
    problems = _problems(client.post(URL, json=bundle, headers=headers))
    assert (
        "larger than" in problems["Bundle.entry[3].resource.content[0].attachment.data"]
    )
    assert _counts() == [0, 0, 0]


def test_a_body_over_the_request_limit_is_413(app, client, token_for):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    _user, _token, headers = token_for("coordinator")
    body = referral(id="x" * 20_000)
    response = client.post(URL, json=body, headers=headers)
    assert response.status_code == 413


def test_only_the_coordinator_imports(client, token_for):
    _user, _token, headers = token_for("radiologist")
    assert client.post(URL, json=referral(), headers=headers).status_code == 403


def _stage_of(bundle) -> dict[str, str]:
    """The TNM categories and stage group a bundle carries, by mCODE profile."""
    return {
        o["meta"]["profile"][0]: o["valueCodeableConcept"]["coding"][0]["code"]
        for o in _resources(bundle, "Observation")
        if o["meta"]["profile"][0] in STAGE_PROFILES
    }


STAGE_PROFILES = (
    codes.T_CATEGORY,
    codes.N_CATEGORY,
    codes.M_CATEGORY,
    codes.STAGE_GROUP,
)


def test_round_trip_of_a_demo_case_into_an_empty_database(client, token_for, tmp_path):
    """Export a staged demo case, import it elsewhere: same patient, diagnosis,
    site and stage, and the same condition and stage when exported again. The
    stage arrives as the one the referral reported: the board there derives
    its own once its reviews are written."""
    demo.load()
    _user, _token, headers = token_for(
        "coordinator", user=demo_user("coordinator@example.org")
    )
    candidates = db.session.scalars(
        sa.select(DisciplineReview.case_id)
        .join(Case, Case.id == DisciplineReview.case_id)
        .where(
            Case.case_type == "primary_bone_tumour", Case.working_diagnosis.isnot(None)
        )
        .distinct()
        .order_by(DisciplineReview.case_id)
    ).all()
    db.session.commit()
    for case_id in candidates:
        staged = client.get(f"/api/v1/cases/{case_id}/staging", headers=headers).json
        if staged["stage_group"]:
            break
    else:
        pytest.fail("no demo primary bone tumour has a stage group")
    source = db.session.get(Case, case_id)
    patient = db.session.get(Patient, source.patient_id)
    expected = (
        patient.mrn,
        patient.family_name,
        patient.birth_date,
        source.confirmed_diagnosis or source.working_diagnosis,
        source.site_code,
        source.bone,
        source.laterality,
    )
    bundle = client.get(f"/api/v1/cases/{case_id}/fhir", headers=headers).json
    # The bundle carries the stage the case page shows.
    exported_stage = _stage_of(bundle)
    assert exported_stage == {
        codes.T_CATEGORY: staged["t"],
        codes.N_CATEGORY: staged["n"],
        codes.M_CATEGORY: staged["m"],
        codes.STAGE_GROUP: staged["stage_group"],
    }

    other = create_app(
        {
            **BASE_CONFIG,
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "UPLOAD_FOLDER": str(tmp_path / "other"),
        }
    )
    with other.app_context():
        db.create_all()
        coordinator = factories.make_user("coordinator")
        _token, secret = tokens.create_token(coordinator, "import", "read_write", 7)
        db.session.commit()
        response = other.test_client().post(
            URL, json=bundle, headers={"Authorization": f"Bearer {secret}"}
        )
        assert response.status_code == 201, response.json
        imported = db.session.get(Case, response.json["case"]["id"])
        new_patient = db.session.get(Patient, imported.patient_id)
        assert (
            new_patient.mrn,
            new_patient.family_name,
            new_patient.birth_date,
            imported.working_diagnosis,
            imported.site_code,
            imported.bone,
            imported.laterality,
        ) == expected
        other_headers = {"Authorization": f"Bearer {secret}"}
        again = other.test_client().get(
            f"/api/v1/cases/{imported.id}/fhir", headers=other_headers
        )
        (condition,) = _resources(again.json, "Condition")
        (original,) = _resources(bundle, "Condition")
        for key in ("meta", "code", "bodySite"):
            assert condition.get(key) == original.get(key), key
        # A referral's diagnosis is a working one until pathology here confirms it.
        status = condition["verificationStatus"]["coding"][0]["code"]
        assert status == "provisional"
        # The same stage, kept as the one the referral reported: no reviews
        # came with it, so the board here has derived none of its own yet.
        stage = (
            other.test_client()
            .get(f"/api/v1/cases/{imported.id}/staging", headers=other_headers)
            .json
        )
        assert stage["reported"] == {
            "t": staged["t"],
            "n": staged["n"],
            "m": staged["m"],
            "stage_group": staged["stage_group"],
        }
        assert stage["stage_group"] is None
        assert "T, N and M (no radiology review)" in stage["ajcc_missing"]
        assert _stage_of(again.json) == exported_stage
        # Tumour size is measured by radiology here; it does not travel.
        assert not [
            o
            for o in _resources(again.json, "Observation")
            if o["meta"]["profile"][0] == codes.TUMOR_SIZE
        ]
        db.session.remove()
        db.engine.dispose()


def _resources(bundle, kind):
    return [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind
    ]
