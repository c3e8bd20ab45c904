"""What a case is found by, and how the index follows changes."""

from __future__ import annotations

import sqlalchemy as sa

from tests.reviews.factories import make_review
from tumorboard.cases import listing
from tumorboard.cases.search import CaseSearch, rebuild, search_text
from tumorboard.clinical.search_terms import code_word, fold, topography_words
from tumorboard.extensions import db
from tumorboard.patients import services as patient_services


def found(q: str, **filters) -> list[int]:
    """Ids of the cases the worklist search finds, in rank order."""
    stmt = listing.case_list_query(listing.CaseFilters(q=q, **filters))
    return [case.id for case in db.session.scalars(stmt).unique()]


def row(case_id: int) -> CaseSearch | None:
    return db.session.execute(
        sa.select(CaseSearch).where(CaseSearch.case_id == case_id)
    ).scalar_one_or_none()


def test_fold_ignores_case_accents_punctuation_and_spelling():
    assert fold("Anna-Lena MÜLLER") == "anna lena muller"
    assert fold("Søren Ærø Łukasz") == "soren aero lukasz"
    assert fold("Haemangioma, tumour\x00!") == "hemangioma tumor"
    assert code_word("DEMO-100009") == "demo100009"
    assert code_word("C40.2") == "c402"
    assert code_word("Müller-Lüdenscheidt") is None  # no digit: not a code


def test_every_bone_topography_has_its_bone_words():
    assert "femur" in topography_words("C40.2")
    assert "humerus" in topography_words("C40.0")
    assert "sacrum" in topography_words("C41.4")
    assert topography_words("C99.9") == ()


def test_search_text_holds_patient_case_site_and_question_words(
    make_patient, make_case
):
    patient = make_patient(
        mrn="DEMO-100009", given_name="Anna-Lena", family_name="Müller"
    )
    case = make_case(
        patient,
        site_code="C40.2",
        presentation="Night pain, L2-L3 level.",
        clinical_question="Which biopsy route?",
    )
    words = search_text(case, patient).split()
    for word in (
        "demo",
        "100009",
        "demo100009",
        "anna",
        "lena",
        "muller",
        "c402",
        "long",
        "femur",
        "tibia",
        "left",
        "night",
        "l2l3",
        "biopsy",
        f"tb{case.id:05d}",
    ):
        assert word in words, word
    assert len(words) == len(set(words))


def test_index_row_follows_case_and_patient_edits(make_patient, make_case, make_user):
    coordinator = make_user("coordinator")
    patient = make_patient(family_name="Lindqvist")
    case = make_case(patient, clinical_question="Chondrosarcoma of the pelvis?")
    assert "chondrosarcoma" in row(case.id).document
    assert found("chondrosarcoma") == [case.id]

    case.clinical_question = "Ewing sarcoma of the pelvis?"
    db.session.flush()
    assert found("chondrosarcoma") == []
    assert found("ewing pelvis") == [case.id]

    patient_services.update_patient(
        coordinator,
        patient,
        {
            "mrn": patient.mrn,
            "given_name": "Emil",
            "family_name": "Lindgren",
            "birth_date": patient.birth_date,
            "sex": "male",
        },
        patient.version,
    )
    assert found("lindqvist") == []
    assert found("lindgren") == [case.id]
    assert row(case.id).names == "emil lindgren"


def test_a_status_change_does_not_rewrite_the_row(make_case, count_queries):
    case = make_case()
    with count_queries() as counter:
        case.status_reason = "waiting"
        db.session.flush()
    assert not any("case_search" in s for s in counter.statements)


def test_pathology_diagnosis_is_searchable_and_follows_new_revisions(
    make_case, make_patient
):
    case = make_case(
        make_patient(),
        presentation="Lytic lesion.",
        clinical_question="Diagnosis and plan?",
        site_code="C41.4",
    )
    assert found("osteosarcoma") == []
    make_review(case, "pathology", who_entity="conventional_osteosarcoma")
    assert found("osteosarcoma") == [case.id]
    assert found("conventional osteo") == [case.id]
    assert found("9180/3") == [case.id]
    make_review(case, "pathology", who_entity="ewing_sarcoma")
    assert found("osteosarcoma") == []
    assert found("ewing") == [case.id]
    # Another discipline's review does not add its words.
    make_review(case, "radiology", differential="Chordoma suspected.")
    assert found("chordoma") == []


def test_search_finds_the_issue_examples(make_patient, make_case):
    muller = make_patient(
        mrn="DEMO-100009", given_name="Anna-Lena", family_name="Müller"
    )
    other = make_patient(mrn="DEMO-200001", given_name="Bo", family_name="Berg")
    femur = make_case(
        muller,
        site_code="C40.2",
        presentation="Knee pain.",
        clinical_question="Suspected osteosarcoma: biopsy route?",
    )
    spine = make_case(
        other,
        site_code="C41.2",
        presentation="Back pain.",
        clinical_question="Osteosarcoma of T11?",
    )
    assert found("DEMO100009") == [femur.id]
    assert found("demo-100 009") == [femur.id]
    assert found("demo100") == [femur.id]
    assert found("mull") == [femur.id]
    assert found("MÜLLER anna") == [femur.id]
    assert found("femur") == [femur.id]
    assert found("osteosarcoma femur") == [femur.id]
    assert found("vertebral") == [spine.id]
    assert sorted(found("osteosarcoma")) == sorted([femur.id, spine.id])
    assert found("osteosarcoma humerus") == []


def test_ranking_exact_mrn_then_names_then_newest(make_patient, make_case):
    # "berg" is the MRN of one patient, the name of another, and a word in a
    # third case's question.
    by_mrn = make_case(make_patient(mrn="BERG", family_name="Holm"))
    by_name_old = make_case(make_patient(family_name="Berg"))
    by_text = make_case(make_patient(), clinical_question="Seen by Dr Bergman?")
    by_name_new = make_case(make_patient(family_name="Bergström"))
    assert found("berg") == [by_mrn.id, by_name_new.id, by_name_old.id, by_text.id]
    # An explicit sort wins over relevance.
    assert found("berg", sort="name")[0] == by_name_old.id


def test_search_combines_with_the_filters(make_patient, make_case):
    femur = make_case(make_patient(), site_code="C40.2", urgency="routine")
    make_case(make_patient(), site_code="C40.2", urgency="urgent")
    assert found("femur", urgency="routine") == [femur.id]


def test_rebuild_restores_a_damaged_index(make_case):
    cases = [make_case() for _ in range(3)]
    db.session.execute(sa.delete(CaseSearch))
    db.session.execute(
        sa.insert(CaseSearch),
        [{"case_id": cases[0].id, "mrn_key": "x", "names": "x", "document": "stale"}],
    )
    assert found("osteosarcoma") == []
    assert rebuild(db.session, batch_size=2) == 3
    assert sorted(found("osteosarcoma")) == sorted(c.id for c in cases)
    assert found("stale") == []
