"""FHIR R4B export of a case: validated with fhir.resources' R4B models,
mCODE profiles in meta.profile (reference §10), codes from §8 and §10."""

from __future__ import annotations

import sqlalchemy as sa
from fhir.resources.R4B.bundle import Bundle

from tests import factories
from tests.api.conftest import demo_user
from tests.reviews import factories as review_factories
from tumorboard import demo
from tumorboard.api.fhir import codes
from tumorboard.audit.models import AuditEntry
from tumorboard.extensions import db
from tumorboard.performance.models import PerformanceStatus
from tumorboard.recommendations.models import Recommendation, RecommendationState


def _resources(bundle, kind):
    return [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind
    ]


def test_a_demo_case_with_a_signed_decision_exports_a_valid_bundle(client, token_for):
    demo.load()
    _user, _token, headers = token_for(
        "orthopedic_oncologist", user=demo_user("ortho@example.org")
    )
    rec = db.session.scalar(
        sa.select(Recommendation)
        .where(Recommendation.state == RecommendationState.SIGNED)
        .order_by(Recommendation.id)
    )
    db.session.commit()
    response = client.get(f"/api/v1/cases/{rec.case_id}/fhir", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    bundle = response.json
    Bundle.model_validate(bundle)  # raises on any structural error
    assert bundle["type"] == "collection"
    (patient,) = _resources(bundle, "Patient")
    assert patient["meta"]["profile"] == [codes.CANCER_PATIENT]
    (condition,) = _resources(bundle, "Condition")
    assert condition["meta"]["profile"][0] in (
        codes.PRIMARY_CONDITION,
        codes.SECONDARY_CONDITION,
    )
    assert condition["bodySite"][0]["coding"][0]["system"] == codes.ICDO3
    plans = _resources(bundle, "CarePlan")
    assert plans and all(p["intent"] == "plan" for p in plans)
    signed = [p for p in plans if p["created"] == rec.signed_at.isoformat()]
    assert signed and signed[0]["author"]["reference"].startswith("urn:uuid:")
    assert _resources(bundle, "Procedure")
    letters = _resources(bundle, "DocumentReference")
    assert any(
        f"/recommendations/{rec.id}/" in d["content"][0]["attachment"]["url"]
        or str(rec.id) in d["content"][0]["attachment"]["url"]
        for d in letters
    )
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.case_id == rec.case_id)
    )
    assert "case.fhir.download" in list(actions)


def test_primary_condition_carries_morphology_laterality_and_scores(client, token_for):
    _user, _token, headers = token_for("coordinator")
    case = factories.make_case(working_diagnosis="conventional_osteosarcoma")
    db.session.add(
        PerformanceStatus(
            case_id=case.id,
            number=1,
            ecog=1,
            karnofsky=90,
            assessed_on=case.referral_date,
            source="clinic",
        )
    )
    db.session.commit()
    bundle = client.get(f"/api/v1/cases/{case.id}/fhir", headers=headers).json
    Bundle.model_validate(bundle)
    (condition,) = _resources(bundle, "Condition")
    assert condition["meta"]["profile"] == [codes.PRIMARY_CONDITION]
    histology = condition["extension"][0]
    assert histology["url"] == codes.HISTOLOGY_EXTENSION
    assert histology["valueCodeableConcept"]["coding"][0] == {
        "system": codes.ICDO3,
        "code": "9180/3",
        "display": histology["valueCodeableConcept"]["coding"][0]["display"],
    }
    assert condition["bodySite"][0]["coding"][0]["code"] == "C40.2"
    side = condition["bodySite"][0]["extension"][0]
    assert side["url"] == codes.LATERALITY_EXTENSION
    assert side["valueCodeableConcept"]["coding"][0]["code"] == "7771000"  # left
    observations = {
        o["code"]["coding"][0]["code"]: o for o in _resources(bundle, "Observation")
    }
    ecog = observations["89247-1"]  # reference §10.1
    assert ecog["valueInteger"] == 1
    assert ecog["interpretation"][0]["coding"][0]["code"] == "LA9623-5"  # §8.1
    karnofsky = observations["89243-0"]
    assert karnofsky["interpretation"][0]["coding"][0]["code"] == "LA29176-7"  # §8.2


def test_a_metastasis_is_a_secondary_cancer_condition(client, token_for):
    _user, _token, headers = token_for("coordinator")
    case = factories.make_case(case_type="skeletal_metastasis", known_primary="breast")
    db.session.commit()
    bundle = client.get(f"/api/v1/cases/{case.id}/fhir", headers=headers).json
    Bundle.model_validate(bundle)
    (condition,) = _resources(bundle, "Condition")
    assert condition["meta"]["profile"] == [codes.SECONDARY_CONDITION]
    assert condition["code"]["coding"][0]["code"] == "128462008"


def test_the_export_of_a_missing_case_is_404(client, token_for):
    _user, _token, headers = token_for("coordinator")
    assert client.get("/api/v1/cases/424242/fhir", headers=headers).status_code == 404


def test_the_case_page_offers_the_export_and_the_browser_downloads_it(client, login_as):
    case = factories.make_case()
    db.session.commit()
    login_as("radiologist")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Export FHIR bundle" in page
    link = f"/api/v1/cases/{case.id}/fhir?download=1"
    assert link in page
    response = client.get(link)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    Bundle.model_validate(response.json)


def test_the_tumour_size_is_an_mcode_tumor_size_with_its_tumour(client, token_for):
    """Reference §10.1: TumorSize is LOINC 21889-1 with the longest dimension
    (33728-7) and the others (33729-5) in UCUM mm, its focus the Tumor."""
    _user, _token, headers = token_for("coordinator")
    case = factories.make_case()
    review_factories.make_review(case, "radiology")  # 92 × 54 × 48.5 mm
    db.session.commit()
    bundle = client.get(f"/api/v1/cases/{case.id}/fhir", headers=headers).json
    Bundle.model_validate(bundle)
    (tumor,) = _resources(bundle, "BodyStructure")
    assert tumor["meta"]["profile"] == [codes.TUMOR]
    assert tumor["location"]["coding"][0] == {"system": codes.ICDO3, "code": "C40.2"}
    assert tumor["identifier"][0]["value"] == case.reference
    (size,) = [
        o
        for o in _resources(bundle, "Observation")
        if o["code"]["coding"][0]["code"] == "21889-1"
    ]
    assert size["meta"]["profile"] == [codes.TUMOR_SIZE]
    assert "valueQuantity" not in size
    tumor_url = next(
        e["fullUrl"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "BodyStructure"
    )
    assert size["focus"] == [{"reference": tumor_url}]
    dimensions = [
        (c["code"]["coding"][0]["code"], c["valueQuantity"]["value"])
        for c in size["component"]
    ]
    assert dimensions == [("33728-7", 92), ("33729-5", 54), ("33729-5", 48.5)]
    quantity = size["component"][0]["valueQuantity"]
    assert (quantity["system"], quantity["code"]) == ("http://unitsofmeasure.org", "mm")


def test_no_size_no_tumour_size(client, token_for):
    _user, _token, headers = token_for("coordinator")
    case = factories.make_case()
    review_factories.make_review(
        case, "radiology", size_cc_mm=None, size_ap_mm=None, size_ml_mm=None
    )
    db.session.commit()
    bundle = client.get(f"/api/v1/cases/{case.id}/fhir", headers=headers).json
    assert not _resources(bundle, "BodyStructure")
