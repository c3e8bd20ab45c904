"""The staging panel: AJCC 8th bone T/N/M/G and stage group, and Enneking,
derived from the current reviews. Missing inputs are listed, never guessed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tumorboard.auth.disciplines import Discipline
from tumorboard.cases import referral_stage
from tumorboard.clinical import catalogue, staging
from tumorboard.reviews.schemas import (
    METASTASIS,
    NON_DIAGNOSTIC,
    greatest_dimension_mm,
    is_long_bone_metastasis,
    is_metastasis,
    sins_level_fits,
)

#: Shown instead of staging with a T code from another site's table.
T_FOR_ANOTHER_SITE = "T category recorded for another site; update the radiology review"

#: ICD-O-3 histology ranges the SEER bone schemas select (reference §1.3);
#: lymphoma, myeloma and Kaposi sarcoma fall outside and are not AJCC-staged.
AJCC_HISTOLOGY_RANGES = ((8000, 8934), (8940, 9138), (9141, 9582))


@dataclass
class Staging:
    """What could be derived, and what is missing for the rest."""

    applies: bool = True
    note: str = ""
    site_group: str = ""
    t: str | None = None
    n: str | None = None
    m: str | None = None
    grade: str | None = None
    stage_group: str | None = None
    stage_note: str = ""
    ajcc_missing: list[str] = field(default_factory=list)
    enneking: str | None = None
    #: What the Enneking stage means, shown after it (without the stage again).
    enneking_label: str = ""
    enneking_missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: The stage the referral reported (t, n, m, stage_group), as received.
    reported: dict[str, str | None] | None = None

    @property
    def derived_any(self) -> bool:
        """Whether the reviews gave any AJCC category or stage group."""
        return any((self.t, self.n, self.m, self.stage_group))

    @property
    def labels(self) -> dict[str, str]:
        """Short paraphrased labels of the derived codes."""
        out = {}
        for code in (self.n, self.m, self.grade):
            if code:
                out[code] = staging.AJCC_SHORT_LABELS.get(code, "")
        if self.t:
            out[self.t] = staging.AJCC_T_SHORT_LABELS[self.site_group].get(self.t, "")
        return out


def _in_ajcc_histology(code: str | None) -> bool:
    if not code:
        return True
    number = int(code.split("/")[0])
    return any(low <= number <= high for low, high in AJCC_HISTOLOGY_RANGES)


def stale_score_notes(case, data: dict[str, dict[str, Any] | None]) -> list[str]:
    """Notes on SINS or Mirels inputs saved while the case had another site or
    type: they are ignored until the review is updated."""
    notes = []
    rad = data.get(Discipline.RADIOLOGY.value) or {}
    ortho = data.get(Discipline.ORTHOPAEDIC_ONCOLOGY.value) or {}
    level = rad.get("sins_level")
    if level is not None and not sins_level_fits(case, level):
        notes.append(
            f"The SINS in the radiology review (level {level}) was recorded for "
            "another site and is ignored; update the radiology review."
        )
    if ortho.get("mirels_site") is not None and not is_long_bone_metastasis(case):
        notes.append(
            "The Mirels score in the orthopaedic review was recorded when the case "
            "was a long-bone metastasis and is ignored; update the orthopaedic "
            "review."
        )
    return notes


def derive(case, data: dict[str, dict[str, Any] | None]) -> Staging:
    """Stage ``case`` from the current review data by discipline value.

    Reviews keep what was valid when they were saved; if the case's site or
    type changed since, inputs that belong to another site are listed as
    missing or noted, never passed on to the staging functions.
    """
    result = Staging(
        site_group=catalogue.topography(case.site_code).ajcc_site_group,
        reported=referral_stage.reported(case),
    )
    result.notes.extend(stale_score_notes(case, data))
    if is_metastasis(case):
        result.applies = False
        result.note = (
            "AJCC 8th bone staging and Enneking staging apply to primary bone "
            "tumours; this case is a skeletal metastasis."
        )
        return result
    rad = data.get(Discipline.RADIOLOGY.value)
    path = data.get(Discipline.PATHOLOGY.value)
    ortho = data.get(Discipline.ORTHOPAEDIC_ONCOLOGY.value)

    entity = None
    if path is None:
        result.ajcc_missing.append("histological grade (no pathology review)")
        result.enneking_missing.append("diagnosis (no pathology review)")
    elif path["who_entity"] == NON_DIAGNOSTIC:
        result.ajcc_missing.append("histological grade (specimen non-diagnostic)")
        result.enneking_missing.append("diagnosis (specimen non-diagnostic)")
    elif path["who_entity"] != METASTASIS:
        entity = catalogue.who_entity(path["who_entity"])
    malignant = entity is not None and entity.behaviour == "malignant"
    benign = entity is not None and entity.behaviour in (
        "benign",
        "intermediate_locally_aggressive",
        "intermediate_rarely_metastasizing",
    )
    if entity is not None and entity.behaviour is None:
        # The reference has no WHO 2020 behaviour for some entities ([NF]);
        # staging them as benign or malignant would be a guess.
        result.notes.append(
            f"The WHO 2020 behaviour of {entity.name} is not in the reference: "
            "staging is not derived."
        )
        result.ajcc_missing = []
        result.enneking_missing.append("WHO behaviour of the diagnosis")
    if benign:
        result.notes.append(
            f"{entity.name} is not malignant: AJCC staging does not apply."
        )
    elif path is not None and not _in_ajcc_histology(path.get("icdo_code")):
        result.notes.append(
            f"Histology {path['icdo_code']} is outside the AJCC bone schemas "
            "(lymphoma and myeloma are staged otherwise)."
        )
        benign = False
        malignant = False
        entity_outside = True
    else:
        entity_outside = False

    # T
    group = result.site_group
    if rad is None:
        result.ajcc_missing.append("T, N and M (no radiology review)")
    else:
        if group in staging.SIZE_STAGED_SITE_GROUPS:
            size = greatest_dimension_mm(rad)
            skip = rad.get("skip_lesions")
            if size is None:
                result.ajcc_missing.append("lesion size in three axes (radiology)")
            elif skip in (None, "indeterminate"):
                result.ajcc_missing.append("skip lesions yes/no (radiology)")
            else:
                result.t = staging.ajcc_bone_t(group, size / 10, skip == "yes")
            if rad.get("t_category"):
                result.notes.append(
                    f"The T category by segments in the radiology review "
                    f"({rad['t_category']}) was recorded for a spine or pelvis "
                    "site; this site is staged by size."
                )
        elif rad.get("t_category") in staging.AJCC_T_CODES[group]:
            result.t = rad["t_category"]
        elif rad.get("t_category"):
            result.ajcc_missing.append(
                f"{T_FOR_ANOTHER_SITE} ({rad['t_category']} is not a "
                f"{group} T category)"
            )
        else:
            result.ajcc_missing.append("T category by segments (radiology)")
        nodes = rad.get("regional_nodes")
        result.n = {"yes": "N1", "no": "N0", "not_assessed": "NX"}.get(nodes or "")
        if result.n is None:
            result.ajcc_missing.append("regional lymph nodes (radiology)")
        chest, bone = rad.get("chest_ct"), rad.get("bone_scan_pet")
        if chest in (None, "not_done"):
            result.ajcc_missing.append("chest CT result (radiology)")
        if bone in (None, "not_done"):
            result.ajcc_missing.append("bone scan / PET result (radiology)")
        if bone in ("bone_metastases", "other_distant"):
            result.m = "M1b"
        elif chest not in (None, "not_done") and bone not in (None, "not_done"):
            result.m = "M1a" if chest == "lung_metastases" else "M0"
            if chest == "indeterminate":
                result.notes.append(
                    "Indeterminate lung nodules are staged M0 until confirmed."
                )
    # G
    if path is not None and entity is not None:
        grade = path.get("grade")
        if grade in staging.AJCC_GRADES:
            result.grade = grade
        elif not benign:
            result.ajcc_missing.append("histological grade (pathology)")

    if benign or entity_outside or (entity is not None and entity.behaviour is None):
        result.ajcc_missing = []
        result.t = result.n = result.m = result.grade = None
        result.stage_note = "Not AJCC-staged."
    elif not result.ajcc_missing and malignant:
        result.stage_group = staging.ajcc_bone_stage(
            group, result.t, result.n, result.m, result.grade
        )
        if result.stage_group is None:
            result.stage_note = (
                "No AJCC stage group is defined for spine and pelvis."
                if group not in staging.STAGE_GROUPED_SITE_GROUPS
                else "No stage group fits these categories."
            )

    # Enneking
    if benign:
        activity = (ortho or {}).get("benign_activity")
        if activity is None:
            result.enneking_missing.append("activity (orthopaedic review)")
        else:
            result.enneking = staging.enneking_benign_stage(activity)
            result.enneking_label = staging.ENNEKING_BENIGN_DESCRIPTIONS[activity]
    elif malignant:
        grade = {"G1": "low", "G2": "high", "G3": "high"}.get(path.get("grade") or "")
        if grade is None:
            result.enneking_missing.append("grade G1–G3 (pathology)")
        compartment = (ortho or {}).get("compartment")
        if compartment is None:
            result.enneking_missing.append("compartment (orthopaedic review)")
        metastasis = None
        if rad is not None:
            spread = (
                rad.get("skip_lesions") == "yes"
                or result.n == "N1"
                or (result.m or "").startswith("M1")
            )
            settled = result.m is not None and rad.get("skip_lesions") in ("yes", "no")
            metastasis = True if spread else (False if settled else None)
        if metastasis is None:
            result.enneking_missing.append(
                "metastasis and skip lesions (radiology staging studies)"
            )
        if not result.enneking_missing:
            result.enneking = staging.enneking_stage(grade, compartment, metastasis)
            result.enneking_label = staging.ENNEKING_STAGE_DESCRIPTIONS[result.enneking]
    return result
