"""The readiness gate: checklist per case type, waivers, and the refused
work-up → ready transition (ARCHITECTURE.md, "ready is a readiness gate")."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.reviews.factories import complete_readiness, make_performance, make_review
from tumorboard.audit.models import AuditEntry
from tumorboard.cases import services as case_services
from tumorboard.cases.models import CaseStatus
from tumorboard.errors import AccessDenied, Conflict, InvalidInput
from tumorboard.extensions import db
from tumorboard.reviews import readiness, services


def _statuses(case) -> dict[str, str]:
    return {i.key: i.status for i in readiness.check(case).items}


def test_primary_tumour_items_start_missing(make_case):
    case = make_case(status="workup")
    assert _statuses(case) == {
        "clinical_question": "done",
        "site": "done",
        "imaging": "missing",
        "pathology": "missing",
        "orthopaedic_review": "missing",
        "performance_status": "missing",
    }


def test_complete_reviews_make_a_primary_tumour_ready(make_case):
    case = make_case(status="workup")
    for discipline in ("radiology", "pathology", "orthopaedic_oncology"):
        make_review(case, discipline)
    make_performance(case)
    checklist = readiness.check(case)
    assert checklist.is_ready
    assert checklist.item("performance_status").message.startswith(
        "ECOG 1 · Karnofsky 80, assessed "
    )


def test_a_primary_tumour_needs_no_palliative_review(make_case):
    """The readiness table: a curative primary tumour is ready without palliative
    care; its preparation shows palliative care as not needed."""
    case = make_case(status="workup")
    complete_readiness(case)
    assert readiness.check(case).is_ready
    assert "palliative_review" not in _statuses(case)
    prep = readiness.preparation([case])[case.id]
    assert prep[readiness.Discipline.PALLIATIVE_CARE] == readiness.NOT_NEEDED


def test_a_metastasis_needs_the_palliative_review_and_no_pathology(make_case):
    case = make_case(
        status="workup",
        case_type="skeletal_metastasis",
        site_code="C41.4",
        bone="pelvis",
        pelvic_zones="I",
        known_primary="breast",
    )
    items = _statuses(case)
    assert items["palliative_review"] == "missing"
    assert "pathology" not in items and "orthopaedic_review" not in items
    make_performance(case)
    make_review(case, "radiology")
    assert not readiness.check(case).is_ready
    make_review(case, "palliative_care", goals_of_care="symptom_control")
    assert readiness.check(case).is_ready


def test_performance_status_comes_from_the_case_not_a_review(make_case):
    case = make_case(status="workup")
    make_review(case, "palliative_care", pps=50)
    assert _statuses(case)["performance_status"] == "missing"
    make_performance(case, ecog=2)
    assert _statuses(case)["performance_status"] == "done"


def test_long_bone_metastasis_needs_primary_and_mirels(make_case):
    case = make_case(
        status="workup", case_type="skeletal_metastasis", known_primary="unidentified"
    )
    items = _statuses(case)
    assert items["known_primary"] == "missing"
    assert items["mirels"] == "missing"
    assert "sins" not in items
    make_review(
        case,
        "orthopaedic_oncology",
        compartment=None,
        mirels_site="lower_limb",
        mirels_pain="moderate",
        mirels_lesion="mixed",
        mirels_size="one_to_two_thirds",
        mirels_size_definition="cortex",
    )
    mirels = readiness.check(case).item("mirels")
    assert mirels.status == "done"
    assert mirels.message.startswith("Mirels 8/12")  # reference §4: 2+2+2+2


def test_spinal_metastasis_needs_sins(make_case):
    case = make_case(
        status="workup",
        case_type="skeletal_metastasis",
        site_code="C41.2",
        known_primary="lung",
    )
    items = _statuses(case)
    assert items["sins"] == "missing" and items["known_primary"] == "done"
    assert "mirels" not in items


def test_gate_refuses_with_the_list_of_what_is_missing(make_case, coordinator):
    case = make_case(status="workup")
    make_review(case, "radiology")
    with pytest.raises(InvalidInput) as info:
        case_services.transition_case(coordinator, case, CaseStatus.READY)
    message = info.value.message
    assert "cannot be marked ready" in message
    assert "Pathology review or pre-biopsy discussion" in message
    assert "Orthopaedic oncology review" in message
    assert "Performance status (No performance status recorded" in message
    assert "Imaging review" not in message
    assert case.status == CaseStatus.WORKUP
    assert not db.session.scalar(
        sa.select(sa.func.count()).where(AuditEntry.action == "case.status")
    )


def test_gate_lets_a_complete_case_through(make_case, coordinator):
    case = make_case(status=CaseStatus.WORKUP)
    complete_readiness(case)
    case_services.transition_case(coordinator, case, CaseStatus.READY)
    assert case.status == CaseStatus.READY


def test_waivers_and_pre_biopsy_declaration_open_the_gate(make_case, coordinator):
    case = make_case(status=CaseStatus.WORKUP, biopsy_status="not_biopsied")
    make_review(case, "radiology")
    make_review(case, "orthopaedic_oncology")
    declaration = services.waive_item(
        coordinator,
        case,
        "pathology",
        "Board to approve the biopsy route first.",
        kind="pre_biopsy",
    )
    waiver = services.waive_item(
        coordinator, case, "performance_status", "Seen in clinic; PS to follow."
    )
    checklist = readiness.check(case)
    assert checklist.item("pathology").status == "done"
    assert "Pre-biopsy discussion declared" in checklist.item("pathology").message
    assert checklist.item("performance_status").status == "waived"
    case_services.transition_case(coordinator, case, CaseStatus.READY)
    assert case.status == CaseStatus.READY
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.entity_type == "readiness_waiver")
    ).all()
    assert actions == ["readiness.waive", "readiness.waive"]
    assert {declaration.kind, waiver.kind} == {"pre_biopsy", "waiver"}


def test_withdrawn_waiver_counts_as_missing_again(make_case, coordinator):
    case = make_case(status="workup")
    waiver = services.waive_item(coordinator, case, "imaging", "Outside CT only.")
    services.withdraw_waiver(coordinator, case, waiver)
    assert _statuses(case)["imaging"] == "missing"
    with pytest.raises(Conflict, match="already withdrawn"):
        services.withdraw_waiver(coordinator, case, waiver)
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "readiness.unwaive")
    ).one()
    assert entry.case_id == case.id


@pytest.mark.parametrize(
    ("item", "reason", "kind", "match"),
    [
        ("imaging", "  ", "waiver", "Give a reason to waive 'Imaging review'"),
        ("imaging", "x" * 1001, "waiver", "at most 1000 characters"),
        ("teleport", "why", "waiver", "'teleport' is not a readiness item"),
        ("mirels", "why", "waiver", "'mirels' is not a readiness item"),
        ("site", "why", "waiver", "already complete"),
        ("imaging", "why", "pre_biopsy", "stands in for the pathology review only"),
    ],
)
def test_bad_waivers_are_refused(make_case, coordinator, item, reason, kind, match):
    case = make_case(status="workup")
    with pytest.raises(InvalidInput, match=match):
        services.waive_item(coordinator, case, item, reason, kind=kind)


def test_pre_biopsy_declaration_needs_an_unbiopsied_case(make_case, coordinator):
    case = make_case(status="workup", biopsy_status="done_at_centre")
    with pytest.raises(InvalidInput, match="has been biopsied"):
        services.waive_item(coordinator, case, "pathology", "why", kind="pre_biopsy")


def test_an_item_is_waived_once(make_case, coordinator):
    case = make_case(status="workup")
    services.waive_item(coordinator, case, "imaging", "Outside CT only.")
    with pytest.raises(Conflict, match="already waived"):
        services.waive_item(coordinator, case, "imaging", "Again.")


def test_only_the_coordinator_waives(make_case, make_user):
    with pytest.raises(AccessDenied):
        services.waive_item(make_user("radiologist"), make_case(), "imaging", "x")


def test_checklists_for_many_cases_take_two_queries(
    make_case, count_queries, coordinator
):
    cases = [make_case(status="workup") for _ in range(12)]
    for case in cases[:6]:
        make_review(case, "radiology")
        services.waive_item(coordinator, case, "pathology", "Outside slides awaited.")
    db.session.flush()
    with count_queries() as counter:
        lists = readiness.checklists(cases)
    assert counter.count == 3
    assert sum(1 for c in lists.values() if c.item("imaging").status == "done") == 6


SACRAL_SINS = {
    "sins_level": "S3",
    "sins_pain": "occasional",
    "sins_lesion": "lytic",
    "sins_alignment": "normal",
    "sins_collapse": "none",
    "sins_posterolateral": "none",
}


def test_sacral_metastasis_needs_sins_once_a_sacral_level_is_recorded(make_case):
    # Reference §5 scores S2–S5 as rigid: the form offers SINS for C41.4 at a
    # sacral level, and the gate lists it as soon as the review records one.
    case = make_case(
        status="workup",
        case_type="skeletal_metastasis",
        site_code="C41.4",
        known_primary="breast",
    )
    assert "sins" not in _statuses(case)  # an iliac lesion is not scored
    make_review(case, "radiology", **SACRAL_SINS)
    sins = readiness.check(case).item("sins")
    assert sins.status == "done"
    # §5: S3 rigid 0 + occasional 1 + lytic 2 + 0 + 0 + 0 = 3, stable.
    assert sins.message.startswith("SINS 3/18: stable")


def test_sins_of_another_site_does_not_count(make_case):
    case = make_case(
        status="workup",
        case_type="skeletal_metastasis",
        site_code="C41.4",
        known_primary="breast",
    )
    make_review(case, "radiology", **SACRAL_SINS)
    case.site_code = "C41.2"
    sins = readiness.check(case).item("sins")
    assert sins.status == "missing"
    assert "scored at a level outside this site" in sins.message


@pytest.mark.parametrize("status", [CaseStatus.READY, CaseStatus.LISTED])
def test_waiver_of_a_ready_or_listed_case_is_not_withdrawn_while_needed(
    make_case, coordinator, status
):
    case = make_case(status=CaseStatus.WORKUP)
    for discipline in ("radiology", "pathology", "orthopaedic_oncology"):
        make_review(case, discipline)
    waiver = services.waive_item(
        coordinator, case, "performance_status", "PS assessed at the board."
    )
    case.status = status
    with pytest.raises(InvalidInput, match="would leave 'Performance status"):
        services.withdraw_waiver(coordinator, case, waiver)
    assert waiver.is_active
    assert not db.session.scalar(
        sa.select(sa.func.count()).where(AuditEntry.action == "readiness.unwaive")
    )
    # Once the item is complete on its own, the waiver may go.
    make_performance(case)
    services.withdraw_waiver(coordinator, case, waiver)
    assert not waiver.is_active and readiness.check(case).is_ready


def test_pre_biopsy_declaration_of_a_ready_case_is_not_withdrawn(
    make_case, coordinator
):
    case = make_case(status=CaseStatus.WORKUP, biopsy_status="not_biopsied")
    for discipline in ("radiology", "orthopaedic_oncology"):
        make_review(case, discipline)
    make_performance(case)
    declaration = services.waive_item(
        coordinator, case, "pathology", "Biopsy route first.", kind="pre_biopsy"
    )
    case_services.transition_case(coordinator, case, CaseStatus.READY)
    with pytest.raises(InvalidInput, match="withdrawing this pre-biopsy declaration"):
        services.withdraw_waiver(coordinator, case, declaration)
    assert declaration.is_active


def test_waivers_and_declarations_are_named_as_nouns(make_case, make_user):
    coordinator = make_user("coordinator")
    case = make_case(status="workup", biopsy_status="not_biopsied")
    waiver = services.waive_item(coordinator, case, "imaging", "Outside MRI due.")
    declared = services.waive_item(
        coordinator, case, "pathology", "Route first.", kind="pre_biopsy"
    )
    assert (waiver.kind.label, declared.kind.label) == (
        "Waiver",
        "Pre-biopsy declaration",
    )
    services.withdraw_waiver(coordinator, case, waiver)
    services.withdraw_waiver(coordinator, case, declared)
    summaries = set(
        db.session.scalars(
            sa.select(AuditEntry.summary).where(
                AuditEntry.action == "readiness.unwaive"
            )
        )
    )
    assert summaries == {
        f"{case.reference}: withdrew the waiver for 'Imaging review'",
        f"{case.reference}: withdrew the pre-biopsy declaration for "
        "'Pathology review or pre-biopsy discussion'",
    }


def test_a_declaration_without_a_reason_asks_why_before_biopsy(make_case, make_user):
    case = make_case(status="workup", biopsy_status="not_biopsied")
    with pytest.raises(InvalidInput, match="discuss the case before any biopsy"):
        services.waive_item(
            make_user("coordinator"), case, "pathology", "  ", kind="pre_biopsy"
        )


def test_site_needs_the_bone_not_only_the_topography(make_case):
    """A case migrated with its ICD-O-3 topography only is flagged until the
    bone is chosen (the topography is then derived from it)."""
    case = make_case(status="workup", site_code="C40.2", bone=None)
    site = readiness.check(case).item("site")
    assert site.status == "missing"
    assert "choose the bone" in site.message
    located = make_case(status="workup")
    site = readiness.check(located).item("site")
    assert site.status == "done"
    assert site.message == f"{located.location_label} (C40.2)"
