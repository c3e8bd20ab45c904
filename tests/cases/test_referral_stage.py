"""The stage a referral reports: each category from the site's AJCC 8th table
(reference §2.1–2.3) and a stage group that T, N and M lead to (§2.5)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.cases.test_diagnosis import _data
from tests.factories import make_patient
from tumorboard.cases import referral_stage, services
from tumorboard.cases.models import Case, CaseType
from tumorboard.errors import InvalidInput
from tumorboard.extensions import db

PRIMARY = CaseType.PRIMARY_BONE_TUMOUR
TIBIA = "C40.2"  # appendicular (§2.1a)
PELVIS = "C41.4"  # pelvis: own T table, no stage groups (§2.1c, §2.5)
SPINE = "C41.2"  # spine: own T table, no stage groups (§2.1b, §2.5)


def stage(t=None, n=None, m=None, group=None) -> dict:
    return {
        "referral_t": t,
        "referral_n": n,
        "referral_m": m,
        "referral_stage_group": group,
    }


@pytest.mark.parametrize(
    ("site", "given"),
    [
        # §2.5 row by row, each with a grade that leads to it.
        (TIBIA, stage("T1", "N0", "M0", "IA")),
        (TIBIA, stage("T2", "N0", "M0", "IB")),
        (TIBIA, stage("T3", "N0", "M0", "IB")),
        (TIBIA, stage("T1", "N0", "M0", "IIA")),
        (TIBIA, stage("T2", "N0", "M0", "IIB")),
        (TIBIA, stage("T3", "N0", "M0", "III")),
        (TIBIA, stage("TX", "N0", "M1a", "IVA")),
        (TIBIA, stage("T1", "N1", "M0", "IVB")),
        (TIBIA, stage("T2", "NX", "M1b", "IVB")),
        # M1 without subcategory: IVA or IVB by the subcategory.
        (TIBIA, stage("T1", "N0", "M1", "IVA")),
        # Only some categories reported.
        (TIBIA, stage(group="IIB")),
        (TIBIA, stage("T2")),
        # §2.1c and §2.1b: pelvis and spine T codes, without a stage group.
        (PELVIS, stage("T1b", "N0", "M0")),
        (SPINE, stage("T4a", "N0", "M0")),
    ],
)
def test_a_consistent_stage_is_kept(site, given):
    assert referral_stage.clean(given, site, PRIMARY) == given


def test_nothing_reported_is_nothing_kept():
    assert referral_stage.clean({}, TIBIA, PRIMARY) == stage()


@pytest.mark.parametrize(
    ("site", "given", "field", "words"),
    [
        (TIBIA, stage("T4"), "referral_t", "for the appendicular skeleton"),
        (PELVIS, stage("T5"), "referral_t", "T3b, T4, T4a, T4b"),
        (SPINE, stage("T1a"), "referral_t", "for the spine"),
        (TIBIA, stage(n="N2"), "referral_n", "expected one of NX, N0, N1"),
        (TIBIA, stage(group="IIC"), "referral_stage_group", "IIC"),
        # §2.5: spine and pelvis have no stage groups.
        (PELVIS, stage(group="IIA"), "referral_stage_group", "no stage group"),
        # §2.5: T1 N0 M0 is IA or IIA by grade.
        (
            TIBIA,
            stage("T1", "N0", "M0", "IB"),
            "referral_stage_group",
            "these categories give IA or IIA (by grade)",
        ),
        # §2.5: M1a is IVA.
        (TIBIA, stage("T1", "N0", "M1a", "IVB"), "referral_stage_group", "give IVA"),
        # §2.5: TX N0 M0 has no row.
        (
            TIBIA,
            stage("TX", "N0", "M0", "IA"),
            "referral_stage_group",
            "give no stage group",
        ),
    ],
)
def test_an_inconsistent_stage_is_refused_by_field(site, given, field, words):
    with pytest.raises(InvalidInput) as refused:
        referral_stage.clean(given, site, PRIMARY)
    assert refused.value.field == field
    assert words in refused.value.message


def test_a_metastasis_is_not_staged():
    with pytest.raises(InvalidInput) as refused:
        referral_stage.clean(stage("T1"), TIBIA, CaseType.SKELETAL_METASTASIS)
    assert refused.value.field == "referral_t"


def test_the_stage_stays_as_received_when_the_intake_is_edited(app, make_user):
    coordinator = make_user("coordinator")
    patient = make_patient()
    case = services.create_case(
        coordinator, patient, _data(), stage("T1", "N0", "M0", "IIA")
    )
    services.update_case(
        coordinator, case, _data(presentation="Pain at night."), case.version
    )
    assert referral_stage.reported(case) == {
        "t": "T1",
        "n": "N0",
        "m": "M0",
        "stage_group": "IIA",
    }


def test_a_refused_stage_registers_no_case(app, make_user):
    coordinator = make_user("coordinator")
    patient = make_patient()
    with pytest.raises(InvalidInput):
        services.create_case(coordinator, patient, _data(), stage("T9"))
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0
