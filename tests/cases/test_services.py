"""Case intake validation, editing, transitions and their audit trail."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import case_form_data
from tumorboard.audit.models import AuditEntry
from tumorboard.cases import listing, services
from tumorboard.cases.models import Case, CaseStatus
from tumorboard.cases.workflow import IllegalTransition
from tumorboard.db import today
from tumorboard.errors import AccessDenied, Conflict, InvalidInput
from tumorboard.extensions import db


def _data(**overrides) -> dict:
    data = case_form_data(**overrides)
    for key in ("referral_date", "unplanned_excision_date"):
        data[key] = date.fromisoformat(data[key]) if data[key] else None
    data["lead_clinician_id"] = data["lead_clinician_id"] or None
    return data


@pytest.fixture
def coordinator(make_user):
    return make_user("coordinator")


def test_create_case_starts_referred_and_audits_every_field(
    coordinator, make_patient, make_user
):
    lead = make_user("orthopedic_oncologist")
    patient = make_patient()
    case = services.create_case(coordinator, patient, _data(lead_clinician_id=lead.id))
    assert case.status == CaseStatus.REFERRED
    assert case.lead_clinician_id == lead.id
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "case.create")
    ).one()
    assert entry.case_id == case.id and entry.patient_id == patient.id
    assert entry.changes["site_code"] == [None, "C40.2"]
    assert entry.changes["lead_clinician_id"] == [None, lead.id]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"bone": "spleen"}, "bone", "not a bone in the list"),
        ({"bone": ""}, "bone", "Choose the bone"),
        ({"case_type": "soft_tissue"}, "case_type", "Choose the case type"),
        ({"laterality": "upside"}, "laterality", "valid laterality"),
        ({"urgency": "whenever"}, "urgency", "valid urgency"),
        (
            {"case_type": "skeletal_metastasis", "known_primary": ""},
            "known_primary",
            "needs its known primary",
        ),
        (
            {"case_type": "skeletal_metastasis", "known_primary": "spleen"},
            "known_primary",
            "not a known primary site",
        ),
        ({"presentation": "   "}, "presentation", "is required"),
        ({"clinical_question": "q" * 2001}, "clinical_question", "at most 2000"),
        (
            {"referral_date": (today() + timedelta(days=1)).isoformat()},
            "referral_date",
            "in the future",
        ),
        ({"referral_date": "1979-01-01"}, "referral_date", "before the patient"),
        (
            {"unplanned_excision_institution": "District Hospital"},
            "unplanned_excision_date",
            "Enter the date of the unplanned excision",
        ),
        (
            {"unplanned_excision_date": (today() - timedelta(days=3)).isoformat()},
            "unplanned_excision_institution",
            "Name the institution",
        ),
    ],
)
def test_invalid_case_data_is_refused_with_the_field(
    coordinator, make_patient, overrides, field, message
):
    patient = make_patient(birth_date=date(1980, 1, 1))
    with pytest.raises(InvalidInput, match=message) as error:
        services.create_case(coordinator, patient, _data(**overrides))
    assert error.value.field == field
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0


def test_lead_clinician_must_be_an_active_clinician(
    coordinator, make_patient, make_user
):
    patient = make_patient()
    for lead in (make_user("admin"), make_user("radiologist", is_active=False)):
        with pytest.raises(InvalidInput, match="active clinician"):
            services.create_case(coordinator, patient, _data(lead_clinician_id=lead.id))


def test_metastasis_keeps_primary_and_primary_tumour_drops_it(
    coordinator, make_patient
):
    patient = make_patient()
    metastasis = services.create_case(
        coordinator,
        patient,
        _data(case_type="skeletal_metastasis", known_primary="breast"),
    )
    primary = services.create_case(coordinator, patient, _data(known_primary="breast"))
    assert metastasis.known_primary == "breast"
    assert primary.known_primary is None


def test_unplanned_excision_is_recorded(coordinator, make_patient):
    case = services.create_case(
        coordinator,
        make_patient(),
        _data(
            unplanned_excision_date=(today() - timedelta(days=20)).isoformat(),
            unplanned_excision_institution="District Hospital",
        ),
    )
    assert case.unplanned_excision_institution == "District Hospital"


def test_only_the_coordinator_registers_cases(make_user, make_patient):
    with pytest.raises(AccessDenied):
        services.create_case(make_user("radiologist"), make_patient(), _data())


def test_update_case_audits_changed_fields_only(coordinator, make_case):
    case = make_case()
    services.update_case(
        coordinator,
        case,
        _data(urgency="emergency", referral_date=case.referral_date.isoformat()),
        case.version,
    )
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "case.update")
    ).one()
    assert set(entry.changes) >= {"urgency"}
    assert entry.changes["urgency"] == ["urgent", "emergency"]


def test_update_case_refuses_stale_version(coordinator, make_case):
    case = make_case(urgency="routine")
    with pytest.raises(Conflict, match="changed by someone else"):
        services.update_case(
            coordinator, case, _data(urgency="emergency"), case.version - 1
        )
    assert case.urgency == "routine"


def test_closed_case_cannot_be_edited(coordinator, make_case):
    case = make_case(status=CaseStatus.WITHDRAWN)
    with pytest.raises(InvalidInput, match="cannot be edited"):
        services.update_case(coordinator, case, _data(), case.version)


def test_transition_moves_status_and_audits(coordinator, make_case):
    case = make_case()
    services.transition_case(coordinator, case, CaseStatus.WORKUP)
    assert case.status == CaseStatus.WORKUP
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "case.status")
    ).one()
    assert entry.changes == {"status": ["referred", "workup"]}
    assert entry.summary.endswith("Referred → Work-up")


def test_illegal_transition_is_refused_and_changes_nothing(coordinator, make_case):
    case = make_case()
    with pytest.raises(
        IllegalTransition, match="cannot move from 'Referred' to 'Closed'"
    ):
        services.transition_case(coordinator, case, CaseStatus.CLOSED)
    assert case.status == CaseStatus.REFERRED
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == 0


def test_board_transitions_are_not_manual(coordinator, make_case):
    case = make_case(status=CaseStatus.READY)
    with pytest.raises(InvalidInput, match="through the board meeting"):
        services.transition_case(coordinator, case, CaseStatus.LISTED)
    services.transition_case(None, case, CaseStatus.LISTED, manual=False)
    assert case.status == CaseStatus.LISTED


def test_withdraw_requires_reason(coordinator, make_case):
    case = make_case()
    with pytest.raises(InvalidInput, match="Give a reason"):
        services.transition_case(coordinator, case, CaseStatus.WITHDRAWN, reason="  ")
    services.transition_case(
        coordinator, case, CaseStatus.WITHDRAWN, reason="Treated elsewhere"
    )
    assert case.status_reason == "Treated elsewhere"


def test_transition_with_stale_version_is_refused(coordinator, make_case):
    case = make_case()
    with pytest.raises(Conflict):
        services.transition_case(
            coordinator, case, CaseStatus.WORKUP, version=case.version + 1
        )
    assert case.status == CaseStatus.REFERRED


def test_clinicians_cannot_change_status(make_user, make_case):
    with pytest.raises(AccessDenied):
        services.transition_case(
            make_user("pathologist"), make_case(), CaseStatus.WORKUP
        )


def test_worklist_filters_and_sorts(make_case, make_patient, make_user):
    lead = make_user("orthopedic_oncologist")
    anna = make_patient(family_name="Anders", mrn="A-1")
    zoe = make_patient(family_name="Zeller", mrn="Z-1")
    first = make_case(anna, urgency="routine", site_code="C40.2")
    second = make_case(
        zoe,
        urgency="emergency",
        site_code="C41.2",
        lead_clinician_id=lead.id,
        case_type="skeletal_metastasis",
        known_primary="lung",
    )

    def run(**kw):
        return list(
            db.session.scalars(
                listing.case_list_query(listing.CaseFilters(**kw))
            ).unique()
        )

    assert run(sort="name") == [first, second]
    assert run(sort="urgency") == [second, first]
    assert run(q="zell") == [second]
    assert run(q="a-1") == [first]
    assert run(site="C41.2") == [second]
    assert run(case_type="skeletal_metastasis") == [second]
    assert run(urgency="routine") == [first]
    assert run(lead=lead.id) == [second]
    assert run(mine_for=lead.id) == [second]
    assert run(status="ready") == []


class TestClosing:
    """ARCHITECTURE.md: `closed` needs every recommendation completed, deviated or
    cancelled, or a coordinator's reason."""

    @pytest.fixture
    def followed_up(self, app):
        from tests.recommendations import factories as rf

        rec = rf.signed_recommendation()
        case = db.session.get(Case, rec.case_id)
        assert case.status == CaseStatus.FOLLOW_UP
        return case, rec

    def test_open_recommendation_blocks_closing_without_reason(
        self, coordinator, followed_up
    ):
        case, _ = followed_up
        with pytest.raises(
            InvalidInput, match="not yet completed, deviated or cancelled"
        ):
            services.transition_case(coordinator, case, CaseStatus.CLOSED)
        assert case.status == CaseStatus.FOLLOW_UP

    def test_a_reason_closes_it_anyway(self, coordinator, followed_up):
        case, _ = followed_up
        services.transition_case(
            coordinator, case, CaseStatus.CLOSED, reason="Care transferred abroad"
        )
        assert case.status == CaseStatus.CLOSED
        assert case.status_reason == "Care transferred abroad"

    def test_completed_recommendations_allow_closing(self, coordinator, followed_up):
        from tumorboard.recommendations import services as rec_services

        case, rec = followed_up
        rec_services.update_implementation(
            coordinator,
            rec,
            {"implementation_status": "completed", "implementation_date": today()},
            rec.version,
        )
        services.transition_case(coordinator, case, CaseStatus.CLOSED)
        assert case.status == CaseStatus.CLOSED
