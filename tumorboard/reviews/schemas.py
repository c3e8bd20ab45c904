"""One schema per discipline review: the fields, their checks, and the scores
computed from them.

A schema is data (groups of fields) plus two functions: ``check`` for rules
across fields and ``scores`` for what ``tumorboard.clinical`` computes from the
stored inputs. The service validates every save against the schema, whatever
sent it (form or API); the review form is built from the same schema, so the
two cannot drift apart.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from tumorboard.auth.disciplines import Discipline
from tumorboard.clinical import catalogue, scores, staging
from tumorboard.db import today
from tumorboard.errors import InvalidInput

# Field kinds -------------------------------------------------------------------

CHOICE, INT, NUMBER, TEXT, TEXTAREA, DATE = (
    "choice",
    "int",
    "number",
    "text",
    "textarea",
    "date",
)


@dataclass(frozen=True)
class Field:
    """One input of a review."""

    key: str
    label: str
    kind: str = CHOICE
    choices: tuple[tuple[Any, str], ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    step: int | None = None
    max_length: int = 200
    unit: str = ""
    hint: str = ""
    required: bool = False


@dataclass(frozen=True)
class Rows:
    """A repeating list of small records (studies reviewed, IHC findings)."""

    key: str
    label: str
    fields: tuple[Field, ...]
    blank_rows: int = 2
    max_rows: int = 20
    min_rows: int = 0
    hint: str = ""


@dataclass(frozen=True)
class Group:
    """A titled section of the form; ``applies`` limits it to some cases."""

    key: str
    title: str
    items: tuple[Field | Rows, ...]
    hint: str = ""
    applies: Callable[[Any], bool] | None = None
    #: Message when inputs are given for a case the section does not apply to.
    not_applicable: str = ""
    #: Every field or none (score inputs: a partial score would mislead).
    all_or_none: bool = False

    def applies_to(self, case) -> bool:
        """True if this section belongs on ``case``'s review."""
        return self.applies is None or self.applies(case)


@dataclass(frozen=True)
class Schema:
    """Everything one discipline records, and what is computed from it."""

    discipline: Discipline
    title: str
    groups: tuple[Group, ...]
    check: Callable[[dict[str, Any], Any], None]
    compute: Callable[[dict[str, Any], Any], dict[str, Any]]

    def groups_for(self, case) -> list[Group]:
        """The sections shown for ``case``."""
        return [g for g in self.groups if g.applies_to(case)]

    def all_fields(self) -> dict[str, Field | Rows]:
        """Every top-level field and row list by key."""
        return {item.key: item for g in self.groups for item in g.items}


# Case facts used by ``applies`` and the checks --------------------------------


@dataclass(frozen=True)
class CaseFacts:
    """What the review rules need to know about the case and its patient."""

    case_type: str
    site_code: str
    known_primary: str | None
    birth_date: date


LONG_BONE_SITES = ("C40.0", "C40.2")
SPINE_SITE = "C41.2"
PELVIS_SITE = "C41.4"
SACRAL_LEVELS = ("S1", "S2", "S3", "S4", "S5")


def is_metastasis(case) -> bool:
    """True for skeletal-metastasis cases."""
    return str(case.case_type) == "skeletal_metastasis"


def is_long_bone_metastasis(case) -> bool:
    """Mirels applies to metastases of the long bones of the limbs (reference §4)."""
    return is_metastasis(case) and case.site_code in LONG_BONE_SITES


def is_spinal(case) -> bool:
    """SINS can be scored for the vertebral column (C41.2) and for the sacrum,
    which is coded with the pelvis (C41.4, levels S1–S5): §5 scores L5–S1 as
    junctional and S2–S5 as rigid."""
    return case.site_code in (SPINE_SITE, PELVIS_SITE)


def sins_level_fits(case, level: str | None) -> bool:
    """True if a SINS level belongs to the case's site: occiput–L5 for C41.2,
    S1–S5 for C41.4; no level fits any other site."""
    if level is None or not is_spinal(case):
        return False
    if case.site_code == SPINE_SITE:
        return level not in SACRAL_LEVELS
    return level in SACRAL_LEVELS


def sins_required(case, radiology: dict[str, Any] | None) -> bool:
    """The readiness gate needs SINS for metastases of the vertebral column
    (C41.2), and for pelvic metastases (C41.4) whose radiology review records a
    sacral level; other pelvic bones are not scored (reference §5)."""
    if not is_metastasis(case) or not is_spinal(case):
        return False
    if case.site_code == SPINE_SITE:
        return True
    return (radiology or {}).get("sins_level") in SACRAL_LEVELS


def site_group(case) -> str:
    """AJCC 8th staging site group of the case's bone site."""
    return catalogue.topography(case.site_code).ajcc_site_group


def is_segment_staged(case) -> bool:
    """Spine and pelvis take their T category from segments, not size (§2.1)."""
    return site_group(case) in ("spine", "pelvis")


# Shared vocabularies ------------------------------------------------------------

YES_NO_UNKNOWN = (("yes", "Yes"), ("no", "No"), ("indeterminate", "Indeterminate"))
YES_NO = (("yes", "Yes"), ("no", "No"))


def _pairs(pairs) -> tuple[tuple[Any, str], ...]:
    return tuple((key, label) for key, label in pairs)


def _short(pairs, width: int = 70) -> tuple[tuple[Any, str], ...]:
    """``(value, "value — definition")`` with long definitions cut for selects."""
    out = []
    for key, text in pairs:
        text = text if len(text) <= width else text[: width - 1].rstrip() + "…"
        out.append((key, f"{key} — {text}"))
    return tuple(out)


def _label(choices, key) -> str:
    return dict(choices).get(key, str(key))


def _score(
    label: str,
    interpretation: str,
    *,
    total: Any = None,
    category: str | None = None,
    points=(),
) -> dict[str, Any]:
    """How a computed score is stored in a revision."""
    return {
        "label": label,
        "total": total,
        "category": category,
        "interpretation": interpretation,
        "points": [list(p) for p in points],
    }


def _from_result(label: str, result) -> dict[str, Any]:
    return _score(
        label,
        result.interpretation,
        total=result.total,
        category=result.category,
        points=result.points,
    )


# Radiology ----------------------------------------------------------------------

MODALITIES = (
    ("radiograph", "Radiograph"),
    ("ct", "CT"),
    ("mri", "MRI"),
    ("pet_ct", "PET-CT"),
    ("bone_scan", "Bone scintigraphy"),
    ("ultrasound", "Ultrasound"),
    ("other", "Other"),
)
MATRIX = (
    ("none", "No matrix"),
    ("osteoid", "Osteoid"),
    ("chondroid", "Chondroid"),
    ("ground_glass", "Ground glass"),
    ("mixed", "Mixed"),
    ("indeterminate", "Indeterminate"),
)
CORTEX = (
    ("none", "Intact"),
    ("scalloping", "Endosteal scalloping / thinning"),
    ("focal", "Focal destruction"),
    ("extensive", "Extensive destruction"),
)
PERIOSTEAL = (
    ("none", "None"),
    ("solid", "Solid"),
    ("lamellated", "Lamellated (onion skin)"),
    ("spiculated", "Spiculated / sunburst"),
    ("codman", "Codman triangle"),
)
NODES = (
    ("no", "No regional nodes"),
    ("yes", "Regional node metastasis"),
    ("not_assessed", "Not assessed"),
)
CHEST_CT = (
    ("not_done", "Not done yet"),
    ("negative", "No lung metastases"),
    ("indeterminate", "Indeterminate nodules"),
    ("lung_metastases", "Lung metastases"),
)
BONE_SCAN = (
    ("not_done", "Not done yet"),
    ("negative", "No other lesions"),
    ("bone_metastases", "Other bone metastases"),
    ("other_distant", "Other distant metastases"),
)
BONE_RADS_CATEGORY_CHOICES = tuple(
    (key, key.replace("bone_rads_", "Bone-RADS"))
    for key in (
        "bone_rads_0",
        "bone_rads_1",
        "bone_rads_2",
        "bone_rads_3",
        "bone_rads_4",
    )
)
#: Every T code of the spine and pelvis tables (the pelvis codes include the
#: spine's); the form offers the site's own table.
T_SEGMENT_CHOICES = tuple((code, code) for code in staging.AJCC_T_CODES["pelvis"])

SIZE = {"kind": NUMBER, "minimum": 1, "maximum": 2000, "unit": "mm"}

RADIOLOGY = (
    Group(
        "studies",
        "Studies reviewed",
        (
            Rows(
                "studies",
                "Studies reviewed",
                (
                    Field("modality", "Modality", choices=MODALITIES, required=True),
                    Field("date", "Study date", DATE, required=True),
                    Field(
                        "reference",
                        "Accession number or viewer link",
                        TEXT,
                        max_length=300,
                    ),
                ),
                blank_rows=2,
                min_rows=1,
                hint="At least one study. Links must start with https:// or http://.",
            ),
        ),
    ),
    Group(
        "size",
        "Lesion size",
        (
            Field("size_cc_mm", "Craniocaudal", **SIZE),
            Field("size_ap_mm", "Anteroposterior", **SIZE),
            Field("size_ml_mm", "Mediolateral", **SIZE),
        ),
        hint="All three axes in millimetres, or none.",
        all_or_none=True,
    ),
    Group(
        "characterisation",
        "Characterisation",
        (
            Field(
                "lodwick_madewell",
                "Modified Lodwick–Madewell grade",
                choices=_short(scores.MODIFIED_LODWICK_GRADES),
            ),
            Field(
                "bone_rads_system",
                "Bone-RADS system",
                choices=_pairs(scores.BONE_RADS_SYSTEMS),
            ),
            Field(
                "bone_rads_category",
                "Bone-RADS category",
                choices=BONE_RADS_CATEGORY_CHOICES,
            ),
            Field("matrix", "Matrix", choices=MATRIX),
            Field("cortical_destruction", "Cortical destruction", choices=CORTEX),
            Field("periosteal_reaction", "Periosteal reaction", choices=PERIOSTEAL),
        ),
    ),
    Group(
        "extent",
        "Local extent",
        (
            Field(
                "soft_tissue_extension", "Soft-tissue extension", choices=YES_NO_UNKNOWN
            ),
            Field("joint_involvement", "Joint involvement", choices=YES_NO_UNKNOWN),
            Field(
                "neurovascular_involvement",
                "Neurovascular involvement",
                choices=YES_NO_UNKNOWN,
            ),
            Field(
                "skip_lesions",
                "Skip lesions (discontinuous tumour in the same bone)",
                choices=YES_NO_UNKNOWN,
            ),
            Field(
                "pathological_fracture", "Pathological fracture", choices=YES_NO_UNKNOWN
            ),
        ),
    ),
    Group(
        "staging",
        "Staging studies",
        (
            Field("chest_ct", "Chest CT", choices=CHEST_CT),
            Field("bone_scan_pet", "Bone scan / PET", choices=BONE_SCAN),
            Field("regional_nodes", "Regional lymph nodes", choices=NODES),
        ),
    ),
    Group(
        "segments",
        "AJCC T category by segments",
        (
            Field(
                "t_category",
                "T category",
                choices=T_SEGMENT_CHOICES,
                hint="Spine: vertebral segments (T1–T4b). Pelvis: pelvic segments "
                "and size (T1a–T4b).",
            ),
        ),
        applies=is_segment_staged,
        not_applicable="The T category by segments is for spine and pelvis sites "
        "only; other sites are staged by size.",
    ),
    Group(
        "differential",
        "Conclusion",
        (
            Field(
                "differential",
                "Radiological differential diagnosis",
                TEXTAREA,
                max_length=2000,
                required=True,
            ),
        ),
    ),
    Group(
        "sins",
        "SINS (spinal lesions)",
        (
            Field(
                "sins_level",
                "Most relevant level",
                choices=tuple((lv, lv) for lv in scores.SINS_LEVELS),
            ),
            Field("sins_pain", "Pain", choices=scores.SINS_OPTIONS["pain"]),
            Field("sins_lesion", "Bone lesion", choices=scores.SINS_OPTIONS["lesion"]),
            Field(
                "sins_alignment",
                "Radiographic alignment",
                choices=scores.SINS_OPTIONS["alignment"],
            ),
            Field(
                "sins_collapse",
                "Vertebral body collapse",
                choices=scores.SINS_OPTIONS["collapse"],
            ),
            Field(
                "sins_posterolateral",
                "Posterolateral involvement",
                choices=scores.SINS_OPTIONS["posterolateral"],
            ),
        ),
        hint="The location points follow from the level (reference §5).",
        applies=is_spinal,
        not_applicable="SINS is scored for spinal lesions only (vertebral column "
        "C41.2, or the sacrum).",
        all_or_none=True,
    ),
)

_URL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def _check_radiology(data: dict[str, Any], case) -> None:
    for index, study in enumerate(data["studies"]):
        reference = study.get("reference") or ""
        if _URL.match(reference) and not reference.lower().startswith(
            ("https://", "http://")
        ):
            raise InvalidInput(
                "A viewer link must start with https:// or http://.",
                f"studies-{index}-reference",
            )
    system, category = data["bone_rads_system"], data["bone_rads_category"]
    if (system is None) != (category is None):
        raise InvalidInput(
            "Give both the Bone-RADS system and its category, or neither.",
            "bone_rads_category" if category is None else "bone_rads_system",
        )
    if system is not None:
        try:
            scores.bone_rads(system, category)
        except ValueError:
            raise InvalidInput(
                f"{_label(BONE_RADS_CATEGORY_CHOICES, category)} is not a category "
                f"of {_label(scores.BONE_RADS_SYSTEMS, system)}.",
                "bone_rads_category",
            ) from None
    if data["t_category"] is not None:
        allowed = staging.AJCC_T_CODES[site_group(case)]
        if data["t_category"] not in allowed:
            raise InvalidInput(
                f"{data['t_category']} is not a T category for this site "
                f"({', '.join(allowed)}).",
                "t_category",
            )
    level = data["sins_level"]
    if level is None or sins_level_fits(case, level):
        return
    if case.site_code == PELVIS_SITE:
        raise InvalidInput(
            "For a pelvic site SINS is scored at a sacral level (S1–S5).", "sins_level"
        )
    if case.site_code == SPINE_SITE:
        raise InvalidInput(
            "The sacrum is coded C41.4, not vertebral column C41.2; choose a level "
            "from the occiput to L5.",
            "sins_level",
        )


def greatest_dimension_mm(data: dict[str, Any]) -> float | None:
    """Largest of the three measured axes, or None if size was not recorded."""
    sizes = [data.get(k) for k in ("size_cc_mm", "size_ap_mm", "size_ml_mm")]
    return max(sizes) if all(s is not None for s in sizes) else None


def _radiology_scores(data: dict[str, Any], case) -> dict[str, Any]:
    out: dict[str, Any] = {}
    size = greatest_dimension_mm(data)
    if size is not None:
        out["size"] = _score(
            "Greatest dimension",
            f"Greatest dimension {size:g} mm ({size / 10:g} cm).",
            total=size,
        )
    grade = data["lodwick_madewell"]
    if grade is not None:
        grade = scores.modified_lodwick(grade)
        group = "III" if grade.startswith("III") else grade
        rate = scores.MODIFIED_LODWICK_RATES.get(group)
        text = (
            f"Modified Lodwick–Madewell {grade}: "
            + dict(scores.MODIFIED_LODWICK_GRADES)[grade].lower()
        )
        out["lodwick_madewell"] = _score(
            "Lodwick–Madewell",
            text + (f" (published: {rate})." if rate else "."),
            category=grade,
        )
    if data["bone_rads_system"] is not None:
        rads = scores.bone_rads(data["bone_rads_system"], data["bone_rads_category"])
        out["bone_rads"] = _score(
            "Bone-RADS",
            f"{rads.label} ({_label(scores.BONE_RADS_SYSTEMS, rads.system)}).",
            category=rads.category,
        )
    if data["sins_level"] is not None:
        result = scores.sins(
            scores.sins_location(data["sins_level"]),
            data["sins_pain"],
            data["sins_lesion"],
            data["sins_alignment"],
            data["sins_collapse"],
            data["sins_posterolateral"],
        )
        out["sins"] = _from_result("SINS", result)
    return out


# Pathology ----------------------------------------------------------------------

SPECIMENS = (
    ("core_needle", "Core needle biopsy"),
    ("open", "Open (incisional) biopsy"),
    ("excision", "Excision"),
    ("resection", "Resection"),
)
METASTASIS = "metastasis"
NON_DIAGNOSTIC = "non_diagnostic"
DIAGNOSES = (
    *((e.key, e.label) for e in catalogue.WHO_ENTITIES),
    (METASTASIS, "Metastasis (not a WHO bone entity)"),
    (NON_DIAGNOSTIC, "Non-diagnostic specimen"),
)
GRADES = (
    ("G1", "G1 — low grade"),
    ("G2", "G2 — high grade (moderately differentiated)"),
    ("G3", "G3 — high grade (poorly differentiated)"),
    ("GX", "GX — cannot be assessed"),
    ("not_applicable", "Not applicable (benign)"),
)
METHODS = (
    ("ihc", "Immunohistochemistry"),
    ("fish", "FISH"),
    ("pcr", "RT-PCR"),
    ("ngs", "Sequencing (NGS)"),
    ("other", "Other"),
)
REFERENCE_STATUS = (
    ("not_requested", "Not requested"),
    ("requested", "Requested, awaited"),
    ("concordant", "Done: concordant"),
    ("minor_discordance", "Done: minor discordance"),
    ("major_discordance", "Done: major discordance"),
)
MARGIN_SPECIMENS = ("excision", "resection")
ICDO_MORPHOLOGY = re.compile(r"^(\d{4})/?([0-369])$")

PATHOLOGY = (
    Group(
        "specimen",
        "Specimen",
        (
            Field("specimen", "Specimen", choices=SPECIMENS, required=True),
            Field("biopsy_date", "Biopsy / specimen date", DATE, required=True),
            Field(
                "at_treating_centre",
                "Done at the treating centre",
                choices=YES_NO,
                required=True,
            ),
        ),
    ),
    Group(
        "diagnosis",
        "Diagnosis",
        (
            Field(
                "who_entity",
                "WHO 2020 diagnosis",
                choices=DIAGNOSES,
                required=True,
            ),
            Field(
                "icdo_code",
                "ICD-O-3 morphology code",
                TEXT,
                max_length=6,
                hint="Leave empty to use the entity's catalogued code, e.g. 9180/3.",
            ),
            Field(
                "primary_histology",
                "Histology of the primary (metastases)",
                TEXT,
                max_length=200,
            ),
            Field("grade", "Histological grade", choices=GRADES),
        ),
    ),
    Group(
        "ancillary",
        "Immunohistochemistry and molecular findings",
        (
            Rows(
                "ancillary",
                "Findings",
                (
                    Field("method", "Method", choices=METHODS, required=True),
                    Field(
                        "marker", "Marker or test", TEXT, max_length=80, required=True
                    ),
                    Field("result", "Result", TEXT, max_length=200, required=True),
                ),
                blank_rows=3,
                max_rows=30,
            ),
        ),
    ),
    Group(
        "reference",
        "Reference (second) review",
        (
            Field("reference_status", "Status", choices=REFERENCE_STATUS),
            Field("reference_centre", "Reference centre", TEXT, max_length=160),
            Field("reference_result", "Result", TEXTAREA, max_length=2000),
        ),
    ),
    Group(
        "resection",
        "Margins and response (excision and resection specimens)",
        (
            Field(
                "margin",
                "Enneking margin",
                choices=_pairs(staging.ENNEKING_MARGINS),
            ),
            Field(
                "closest_margin_mm",
                "Closest margin",
                NUMBER,
                minimum=0,
                maximum=500,
                unit="mm",
            ),
            Field(
                "necrosis_percent",
                "Tumour necrosis",
                NUMBER,
                minimum=0,
                maximum=100,
                unit="%",
                hint="After neoadjuvant chemotherapy; gives the Huvos grade.",
            ),
        ),
    ),
)


def _check_pathology(data: dict[str, Any], case) -> None:
    if date.fromisoformat(data["biopsy_date"]) < case.birth_date:
        raise InvalidInput(
            "The biopsy date is before the patient's date of birth.", "biopsy_date"
        )
    diagnosis, code = data["who_entity"], data["icdo_code"]
    if code is not None:
        match = ICDO_MORPHOLOGY.match(code)
        if match is None:
            raise InvalidInput(
                f"'{code}' is not an ICD-O-3 morphology code (four digits, a slash "
                "and the behaviour digit, e.g. 9180/3).",
                "icdo_code",
            )
        code = data["icdo_code"] = f"{match.group(1)}/{match.group(2)}"
    if diagnosis == NON_DIAGNOSTIC and code is not None:
        raise InvalidInput(
            "A non-diagnostic specimen has no morphology code.", "icdo_code"
        )
    if diagnosis not in (METASTASIS, NON_DIAGNOSTIC):
        entity = catalogue.who_entity(diagnosis)
        if code is None:
            data["icdo_code"] = entity.icdo_code
        else:
            try:
                known = catalogue.who_entities_by_code(code)
            except ValueError:
                raise InvalidInput(
                    f"ICD-O-3 code {code} is not a catalogued bone tumour code.",
                    "icdo_code",
                ) from None
            if entity not in known:
                raise InvalidInput(
                    f"ICD-O-3 code {code} belongs to {known[0].name}, not to "
                    f"{entity.name}.",
                    "icdo_code",
                )
    if data["primary_histology"] is not None and diagnosis != METASTASIS:
        raise InvalidInput(
            "The primary's histology is recorded for metastases only.",
            "primary_histology",
        )
    status, result = data["reference_status"], data["reference_result"]
    if status in ("concordant", "minor_discordance", "major_discordance"):
        if result is None:
            raise InvalidInput(
                "Record the result of the reference review.", "reference_result"
            )
    elif result is not None:
        raise InvalidInput(
            "A reference result needs a completed reference review status.",
            "reference_status",
        )
    specimen = data["specimen"]
    for key in ("margin", "closest_margin_mm", "necrosis_percent"):
        if data[key] is not None and specimen not in MARGIN_SPECIMENS:
            raise InvalidInput(
                "Margins and necrosis are recorded for excision and resection "
                "specimens only.",
                key,
            )
    if specimen == "resection" and data["margin"] is None:
        raise InvalidInput("Record the Enneking margin of the resection.", "margin")


def _pathology_scores(data: dict[str, Any], case) -> dict[str, Any]:
    out: dict[str, Any] = {}
    diagnosis = data["who_entity"]
    if diagnosis not in (METASTASIS, NON_DIAGNOSTIC):
        entity = catalogue.who_entity(diagnosis)
        behaviour = (
            _label(catalogue.WHO_BEHAVIOURS, entity.behaviour).lower()
            if entity.behaviour
            else "WHO 2020 behaviour not found in the reference"
        )
        code = data["icdo_code"] or "no ICD-O-3 code catalogued"
        out["who"] = _score(
            "WHO 2020",
            f"{entity.name} ({entity.category_label}), {code}, {behaviour}.",
            category=entity.behaviour,
        )
    elif diagnosis == METASTASIS:
        out["who"] = _score(
            "Diagnosis",
            "Metastasis"
            + (f" of {data['primary_histology']}" if data["primary_histology"] else "")
            + (f", {data['icdo_code']}." if data["icdo_code"] else "."),
            category="metastasis",
        )
    if data["necrosis_percent"] is not None:
        percent = data["necrosis_percent"]
        grade = scores.huvos_grade(percent)
        responder = "good" if scores.is_good_responder(percent) else "poor"
        out["huvos"] = _score(
            "Huvos",
            f"Huvos {grade}: {percent:g} % necrosis, {responder} responder "
            f"({dict(scores.HUVOS_GRADES)[grade].split(' (')[0].lower()}).",
            category=grade,
        )
    if data["margin"] is not None:
        margin = data["margin"]
        distance = data["closest_margin_mm"]
        out["margin"] = _score(
            "Margin",
            f"{_label(staging.ENNEKING_MARGINS, margin)} margin"
            + (f", closest {distance:g} mm." if distance is not None else "."),
            category=margin,
        )
    return out


# Orthopaedic oncology ---------------------------------------------------------------

RESECTABILITY = (
    ("resectable", "Resectable"),
    ("borderline", "Borderline resectable"),
    ("unresectable", "Unresectable"),
    ("not_assessed", "Not assessed yet"),
)
PROCEDURES = (
    ("limb_salvage", "Limb salvage resection"),
    ("amputation", "Amputation"),
    ("rotationplasty", "Rotationplasty"),
    ("stabilisation", "Stabilisation / fixation"),
    ("curettage", "Curettage"),
    ("none", "No surgery"),
)
TRACT = (
    ("yes", "Yes, excise the tract"),
    ("no", "No"),
    ("not_applicable", "Not applicable"),
)
MIRELS_SIZE_DEFINITIONS = (
    ("diameter", "Fraction of bone diameter"),
    ("cortex", "Fraction of cortical thickness"),
)
MSTS_FIELDS = (
    ("msts_pain", "Pain"),
    ("msts_function", "Function"),
    ("msts_emotional_acceptance", "Emotional acceptance"),
    ("msts_4", "Supports (lower) / hand positioning (upper)"),
    ("msts_5", "Walking (lower) / manual dexterity (upper)"),
    ("msts_6", "Gait (lower) / lifting ability (upper)"),
)

ORTHOPAEDIC = (
    Group(
        "biopsy",
        "Biopsy plan",
        (
            Field("biopsy_route", "Biopsy route", TEXTAREA, max_length=1000),
            Field("tract_excised", "Biopsy tract to be excised", choices=TRACT),
        ),
    ),
    Group(
        "plan",
        "Surgical plan",
        (
            Field(
                "resectability", "Resectability", choices=RESECTABILITY, required=True
            ),
            Field("planned_procedure", "Planned procedure", choices=PROCEDURES),
            Field(
                "planned_margin",
                "Planned margin",
                choices=_pairs(staging.ENNEKING_MARGINS),
            ),
            Field("reconstruction", "Reconstruction", TEXT, max_length=300),
        ),
    ),
    Group(
        "enneking",
        "Enneking staging inputs",
        (
            Field(
                "compartment",
                "Compartment (malignant tumours)",
                choices=_pairs(staging.ENNEKING_COMPARTMENTS),
            ),
            Field(
                "benign_activity",
                "Activity (benign tumours)",
                choices=_pairs(staging.ENNEKING_BENIGN_STAGES),
            ),
        ),
        hint="The grade comes from the pathology review and metastasis from the "
        "radiology review; the staging panel shows the stage.",
    ),
    Group(
        "mirels",
        "Mirels score (long-bone metastasis)",
        (
            Field("mirels_site", "Site", choices=scores.MIRELS_OPTIONS["site"]),
            Field("mirels_pain", "Pain", choices=scores.MIRELS_OPTIONS["pain"]),
            Field("mirels_lesion", "Lesion", choices=scores.MIRELS_OPTIONS["lesion"]),
            Field("mirels_size", "Size", choices=scores.MIRELS_OPTIONS["size"]),
            Field(
                "mirels_size_definition",
                "Size measured as",
                choices=MIRELS_SIZE_DEFINITIONS,
            ),
        ),
        applies=is_long_bone_metastasis,
        not_applicable="Mirels is scored for metastases of the long bones only "
        "(C40.0, C40.2); use SINS for the spine.",
        all_or_none=True,
    ),
    Group(
        "msts",
        "MSTS functional score",
        (
            Field("msts_limb", "Limb", choices=_pairs(scores.MSTS_LIMBS)),
            *(
                Field(key, label, INT, minimum=0, maximum=5)
                for key, label in MSTS_FIELDS
            ),
        ),
        hint="Six categories scored 0–5 each (Enneking 1993).",
        all_or_none=True,
    ),
)


def _check_orthopaedic(data: dict[str, Any], case) -> None:
    if data["planned_procedure"] == "none" and data["planned_margin"] is not None:
        raise InvalidInput(
            "A planned margin needs a planned procedure.", "planned_margin"
        )
    if data["compartment"] is not None and data["benign_activity"] is not None:
        raise InvalidInput(
            "Give the compartment for a malignant tumour or the activity for a "
            "benign one, not both.",
            "benign_activity",
        )


def _orthopaedic_scores(data: dict[str, Any], case) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if data["mirels_site"] is not None:
        result = scores.mirels(
            data["mirels_site"],
            data["mirels_pain"],
            data["mirels_lesion"],
            data["mirels_size"],
        )
        out["mirels"] = _from_result("Mirels", result)
        out["mirels"]["interpretation"] += (
            " Size as "
            + _label(MIRELS_SIZE_DEFINITIONS, data["mirels_size_definition"]).lower()
            + "."
        )
    if data["msts_limb"] is not None:
        result = scores.msts_functional(
            data["msts_limb"], [data[key] for key, _ in MSTS_FIELDS]
        )
        out["msts"] = _from_result("MSTS", result)
    return out


# Palliative care -------------------------------------------------------------------

SEVERITY = (
    ("none", "None"),
    ("mild", "Mild"),
    ("moderate", "Moderate"),
    ("severe", "Severe"),
)
SYMPTOMS = (
    ("symptom_fatigue", "Fatigue"),
    ("symptom_breathlessness", "Breathlessness"),
    ("symptom_nausea", "Nausea"),
    ("symptom_constipation", "Constipation"),
    ("symptom_appetite", "Poor appetite"),
    ("symptom_mood", "Low mood or anxiety"),
)
ANALGESIA = (
    ("none", "None"),
    ("non_opioid", "Non-opioid"),
    ("weak_opioid", "Weak opioid"),
    ("strong_opioid", "Strong opioid"),
)
GOALS = (
    ("curative", "Curative"),
    ("life_prolonging", "Life-prolonging"),
    ("symptom_control", "Symptom control and function"),
    ("end_of_life", "End-of-life care"),
    ("not_discussed", "Not yet discussed"),
)
ACP = (
    ("not_started", "Not started"),
    ("in_progress", "In progress"),
    ("documented", "Documented"),
    ("declined", "Declined by the patient"),
)

PALLIATIVE = (
    Group(
        "performance",
        "Performance status",
        (
            Field("ecog", "ECOG", choices=_short(scores.ECOG_GRADES)),
            Field("karnofsky", "Karnofsky", choices=_short(scores.KARNOFSKY_VALUES)),
            Field(
                "pps",
                "Palliative Performance Scale",
                choices=scores.PPS_VALUES,
                hint="Levels only: the PPSv2 descriptors are © Victoria Hospice "
                "Society.",
            ),
        ),
        hint="ECOG or Karnofsky is part of the minimum dataset for the board.",
    ),
    Group(
        "symptoms",
        "Pain and symptoms",
        (
            Field(
                "pain_score",
                "Pain score (0–10)",
                INT,
                minimum=0,
                maximum=10,
            ),
            Field("analgesia_step", "Analgesia", choices=ANALGESIA),
            Field("analgesia", "Current analgesia", TEXT, max_length=300),
            *(Field(key, label, choices=SEVERITY) for key, label in SYMPTOMS),
            Field("symptom_other", "Other symptoms", TEXT, max_length=300),
        ),
    ),
    Group(
        "goals",
        "Goals of care",
        (
            Field("goals_of_care", "Goals of care", choices=GOALS, required=True),
            Field("patient_wishes", "Patient's wishes", TEXTAREA, max_length=2000),
            Field("consulted", "Who was consulted", TEXT, max_length=300),
            Field("acp_status", "Advance care planning", choices=ACP),
        ),
    ),
    Group(
        "tokuhashi",
        "Revised Tokuhashi (spinal metastases)",
        (
            Field(
                "tokuhashi_extraspinal",
                "Extraspinal bone metastases",
                INT,
                minimum=0,
                maximum=99,
            ),
            Field(
                "tokuhashi_vertebral",
                "Vertebral bodies involved",
                INT,
                minimum=1,
                maximum=24,
            ),
            Field(
                "tokuhashi_visceral",
                "Major internal organ metastases",
                choices=scores.TOKUHASHI_OPTIONS["visceral_mets"],
            ),
            Field(
                "tokuhashi_palsy", "Palsy", choices=scores.TOKUHASHI_OPTIONS["palsy"]
            ),
        ),
        hint="Uses the Karnofsky score above and the case's known primary.",
        applies=is_metastasis,
        not_applicable="The revised Tokuhashi score is for skeletal metastases only.",
        all_or_none=True,
    ),
)


def _check_palliative(data: dict[str, Any], case) -> None:
    if data["patient_wishes"] is not None and data["consulted"] is None:
        raise InvalidInput(
            "Record who was consulted about the patient's wishes.", "consulted"
        )
    if data["tokuhashi_palsy"] is not None:
        if data["karnofsky"] is None or data["karnofsky"] == 0:
            raise InvalidInput(
                "The revised Tokuhashi score needs the Karnofsky score (10–100 %).",
                "karnofsky",
            )


def _palliative_scores(data: dict[str, Any], case) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if data["ecog"] is not None:
        out["ecog"] = _from_result("ECOG", scores.ecog(data["ecog"]))
    if data["karnofsky"] is not None:
        out["karnofsky"] = _from_result(
            "Karnofsky", scores.karnofsky(data["karnofsky"])
        )
    if data["pps"] is not None:
        out["pps"] = _from_result("PPS", scores.pps(data["pps"]))
    if data["pain_score"] is not None:
        out["pain"] = _score(
            "Pain", f"Pain {data['pain_score']}/10.", total=data["pain_score"]
        )
    if data["tokuhashi_palsy"] is not None and case.known_primary:
        result = scores.tokuhashi_revised(
            data["karnofsky"],
            data["tokuhashi_extraspinal"],
            data["tokuhashi_vertebral"],
            data["tokuhashi_visceral"],
            case.known_primary,
            data["tokuhashi_palsy"],
        )
        out["tokuhashi"] = _from_result("Revised Tokuhashi", result)
    return out


SCHEMAS: dict[Discipline, Schema] = {
    Discipline.RADIOLOGY: Schema(
        Discipline.RADIOLOGY,
        "Radiology review",
        RADIOLOGY,
        _check_radiology,
        _radiology_scores,
    ),
    Discipline.PATHOLOGY: Schema(
        Discipline.PATHOLOGY,
        "Pathology review",
        PATHOLOGY,
        _check_pathology,
        _pathology_scores,
    ),
    Discipline.ORTHOPAEDIC_ONCOLOGY: Schema(
        Discipline.ORTHOPAEDIC_ONCOLOGY,
        "Orthopaedic oncology review",
        ORTHOPAEDIC,
        _check_orthopaedic,
        _orthopaedic_scores,
    ),
    Discipline.PALLIATIVE_CARE: Schema(
        Discipline.PALLIATIVE_CARE,
        "Palliative care review",
        PALLIATIVE,
        _check_palliative,
        _palliative_scores,
    ),
}


def schema_for(discipline: Discipline | str) -> Schema:
    """The schema of a review discipline; ValueError for any other discipline."""
    try:
        return SCHEMAS[Discipline(discipline)]
    except (ValueError, KeyError):
        raise InvalidInput(
            f"'{discipline}' is not one of the reviewing disciplines.", "discipline"
        ) from None


# Validation ----------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _unit(f: Field) -> str:
    return f" {f.unit}" if f.unit else ""


def clean_value(f: Field, value: Any, name: str) -> Any:
    """Validate one value of ``f``; returns the JSON-ready value or None."""
    if _blank(value):
        return None
    if f.kind == CHOICE:
        lookup = {str(key): key for key, _ in f.choices}
        key = lookup.get(str(value).strip())
        if key is None or isinstance(value, bool):
            raise InvalidInput(
                f"{f.label}: '{value}' is not one of the listed options.", name
            )
        return key
    if f.kind in (INT, NUMBER):
        try:
            if isinstance(value, bool):
                raise ValueError
            number = float(str(value).strip())
            if not math.isfinite(number):
                raise ValueError
        except ValueError:
            raise InvalidInput(f"{f.label} must be a number.", name) from None
        if f.kind == INT:
            if number != int(number):
                raise InvalidInput(f"{f.label} must be a whole number.", name)
            number = int(number)
        else:
            number = round(number, 2)
        if (f.minimum is not None and number < f.minimum) or (
            f.maximum is not None and number > f.maximum
        ):
            raise InvalidInput(
                f"{f.label} must be between {f.minimum:g} and {f.maximum:g}{_unit(f)}.",
                name,
            )
        return number
    if f.kind == DATE:
        if isinstance(value, date):
            parsed = value
        else:
            try:
                parsed = date.fromisoformat(str(value).strip())
            except ValueError:
                raise InvalidInput(
                    f"{f.label} must be a date (YYYY-MM-DD).", name
                ) from None
        if parsed > today():
            raise InvalidInput(f"{f.label} is in the future.", name)
        if parsed.year < 1900:
            raise InvalidInput(f"{f.label} is before 1900; please check it.", name)
        return parsed.isoformat()
    text = str(value).strip()
    if len(text) > f.max_length:
        raise InvalidInput(
            f"{f.label} must be at most {f.max_length} characters.", name
        )
    return text


def _clean_rows(rows: Rows, value: Any) -> list[dict[str, Any]]:
    if _blank(value):
        value = []
    if not isinstance(value, list | tuple):
        raise InvalidInput(f"{rows.label} must be a list.", rows.key)
    out = []
    for index, raw in enumerate(value):
        if not isinstance(raw, dict):
            raise InvalidInput(
                f"{rows.label}: row {index + 1} is not a record.", rows.key
            )
        unknown = set(raw) - {f.key for f in rows.fields}
        if unknown:
            raise InvalidInput(
                f"{rows.label}: unknown field '{sorted(unknown)[0]}'.", rows.key
            )
        row = {
            f.key: clean_value(f, raw.get(f.key), f"{rows.key}-{index}-{f.key}")
            for f in rows.fields
        }
        if all(v is None for v in row.values()):
            continue  # a blank row left in the form
        for f in rows.fields:
            if f.required and row[f.key] is None:
                raise InvalidInput(
                    f"{rows.label}, row {index + 1}: {f.label.lower()} is required.",
                    f"{rows.key}-{index}-{f.key}",
                )
        out.append(row)
    if len(out) > rows.max_rows:
        raise InvalidInput(f"{rows.label}: at most {rows.max_rows} rows.", rows.key)
    if len(out) < rows.min_rows:
        raise InvalidInput(
            f"{rows.label}: add at least {rows.min_rows} row"
            f"{'s' if rows.min_rows > 1 else ''}.",
            f"{rows.key}-0-{rows.fields[0].key}",
        )
    return out


def clean(schema: Schema, case, raw: dict[str, Any]) -> dict[str, Any]:
    """Validate a whole review against ``schema`` for ``case``; InvalidInput names
    the first bad field."""
    if not isinstance(raw, dict):
        raise InvalidInput("The review must be a record of fields.")
    known = schema.all_fields()
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise InvalidInput(f"Unknown review field '{unknown[0]}'.", unknown[0])
    data: dict[str, Any] = {}
    for group in schema.groups:
        values: dict[str, Any] = {}
        for item in group.items:
            if isinstance(item, Rows):
                values[item.key] = _clean_rows(item, raw.get(item.key))
            else:
                values[item.key] = clean_value(item, raw.get(item.key), item.key)
        given = [k for k, v in values.items() if v not in (None, [])]
        if not group.applies_to(case):
            if given:
                raise InvalidInput(group.not_applicable, given[0])
        else:
            if group.all_or_none and given and len(given) != len(values):
                missing = next(k for k, v in values.items() if v is None)
                raise InvalidInput(
                    f"{group.title}: also give {_item_label(known[missing])}, or "
                    "leave the whole section empty.",
                    missing,
                )
            for item in group.items:
                if (
                    isinstance(item, Field)
                    and item.required
                    and values[item.key] is None
                ):
                    raise InvalidInput(f"{item.label} is required.", item.key)
        data.update(values)
    schema.check(data, case)
    return data


def _item_label(item: Field | Rows) -> str:
    label = item.label
    return label[0].lower() + label[1:] if not label[:2].isupper() else label


def compute_scores(schema: Schema, case, data: dict[str, Any]) -> dict[str, Any]:
    """Scores computed by tumorboard.clinical from validated ``data``."""
    try:
        return schema.compute(data, case)
    except ValueError as error:  # clean() should have caught it; say which input
        raise InvalidInput(f"A score could not be computed: {error}") from None


# Display and comparison ---------------------------------------------------------------


def display_value(f: Field, value: Any) -> str:
    """A stored value as the reader sees it."""
    if value is None:
        return ""
    if f.kind == CHOICE:
        return _label(f.choices, value)
    if f.kind in (INT, NUMBER):
        return f"{value:g}{_unit(f)}"
    if f.kind == DATE:
        parsed = date.fromisoformat(value)
        return f"{parsed.day} {parsed:%b %Y}"
    return str(value)


@dataclass
class DisplayRow:
    """One labelled value of a review, ready for a template."""

    label: str
    value: str
    is_link: bool = False


@dataclass
class DisplayGroup:
    """A section of a review with the values that were recorded."""

    title: str
    rows: list[DisplayRow]
    tables: list[tuple[str, list[str], list[list[DisplayRow]]]]


def display(schema: Schema, data: dict[str, Any]) -> list[DisplayGroup]:
    """The recorded values of a revision, section by section (empty ones left out)."""
    groups = []
    for group in schema.groups:
        rows: list[DisplayRow] = []
        tables = []
        for item in group.items:
            if isinstance(item, Rows):
                records = data.get(item.key) or []
                if records:
                    tables.append(
                        (
                            item.label,
                            [f.label for f in item.fields],
                            [
                                [
                                    DisplayRow(
                                        f.label,
                                        display_value(f, record.get(f.key)),
                                        is_link=f.key == "reference"
                                        and str(record.get(f.key) or "")
                                        .lower()
                                        .startswith(("https://", "http://")),
                                    )
                                    for f in item.fields
                                ]
                                for record in records
                            ],
                        )
                    )
            elif data.get(item.key) is not None:
                rows.append(DisplayRow(item.label, display_value(item, data[item.key])))
        if rows or tables:
            groups.append(DisplayGroup(group.title, rows, tables))
    return groups


def flatten(schema: Schema, data: dict[str, Any]) -> dict[str, str]:
    """``{"Section · field": shown value}`` for comparing two revisions."""
    flat: dict[str, str] = {}
    for group in schema.groups:
        for item in group.items:
            if isinstance(item, Rows):
                for index, record in enumerate(data.get(item.key) or [], 1):
                    for f in item.fields:
                        value = display_value(f, record.get(f.key))
                        if value:
                            flat[f"{item.label} {index} · {f.label}"] = value
            else:
                value = display_value(item, data.get(item.key))
                if value:
                    flat[f"{group.title} · {item.label}"] = value
    return flat


def compare(
    schema: Schema, old: dict[str, Any] | None, new: dict[str, Any]
) -> dict[str, list[str | None]]:
    """``{label: [old, new]}`` for every value that differs between two revisions."""
    before = flatten(schema, old or {})
    after = flatten(schema, new)
    ordered = list(after) + [k for k in before if k not in after]
    return {
        key: [before.get(key), after.get(key)]
        for key in ordered
        if before.get(key) != after.get(key)
    }


def to_form_data(schema: Schema, data: dict[str, Any]) -> dict[str, Any]:
    """Stored values in the shapes the review form's fields expect."""
    out: dict[str, Any] = {}
    for key, item in schema.all_fields().items():
        value = data.get(key)
        if isinstance(item, Rows):
            out[key] = [
                {f.key: _form_value(f, record.get(f.key)) for f in item.fields}
                for record in value or []
            ]
        else:
            out[key] = _form_value(item, value)
    return out


def _form_value(f: Field, value: Any) -> Any:
    if value is None:
        return None
    if f.kind == DATE:
        return date.fromisoformat(value)
    if f.kind == CHOICE:
        return str(value)
    return value
