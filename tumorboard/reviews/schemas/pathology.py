"""The pathology review: specimen, WHO 2020 diagnosis and ICD-O-3 code,
ancillary findings, reference review, margins and Huvos response."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from tumorboard.auth.disciplines import Discipline
from tumorboard.clinical import catalogue, scores, staging
from tumorboard.errors import InvalidInput
from tumorboard.reviews.schemas.base import (
    DATE,
    NUMBER,
    TEXT,
    TEXTAREA,
    YES_NO,
    Field,
    Group,
    Rows,
    Schema,
    choice_label,
    choice_pairs,
    stored_score,
)

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
                choices=choice_pairs(staging.ENNEKING_MARGINS),
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
    Group(
        "comment",
        "Comment",
        (
            Field(
                "comment",
                "Pathologist's comment",
                TEXTAREA,
                max_length=4000,
                hint="Anything the structured fields do not hold: differential, "
                "caveats, what further material would settle.",
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


def confirmed_diagnosis(data: dict[str, Any]) -> str | None:
    """What a pathology review confirms: a WHO entity key, ``"metastasis"``,
    or None for a non-diagnostic specimen."""
    diagnosis = data.get("who_entity")
    return None if diagnosis in (None, NON_DIAGNOSTIC) else diagnosis


def _pathology_scores(data: dict[str, Any], case) -> dict[str, Any]:
    out: dict[str, Any] = {}
    diagnosis = data["who_entity"]
    if diagnosis not in (METASTASIS, NON_DIAGNOSTIC):
        entity = catalogue.who_entity(diagnosis)
        behaviour = (
            choice_label(catalogue.WHO_BEHAVIOURS, entity.behaviour).lower()
            if entity.behaviour
            else "WHO 2020 behaviour not found in the reference"
        )
        code = data["icdo_code"] or "no ICD-O-3 code catalogued"
        out["who"] = stored_score(
            "WHO 2020",
            f"{entity.name} ({entity.category_label}), {code}, {behaviour}.",
            category=entity.behaviour,
        )
    elif diagnosis == METASTASIS:
        out["who"] = stored_score(
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
        out["huvos"] = stored_score(
            "Huvos",
            f"Huvos {grade}: {percent:g} % necrosis, {responder} responder "
            f"({dict(scores.HUVOS_GRADES)[grade].split(' (')[0].lower()}).",
            category=grade,
        )
    if data["margin"] is not None:
        margin = data["margin"]
        distance = data["closest_margin_mm"]
        out["margin"] = stored_score(
            "Margin",
            f"{choice_label(staging.ENNEKING_MARGINS, margin)} margin"
            + (f", closest {distance:g} mm." if distance is not None else "."),
            category=margin,
        )
    return out


#: The pathology review.
PATHOLOGY_SCHEMA = Schema(
    Discipline.PATHOLOGY,
    "Pathology review",
    PATHOLOGY,
    _check_pathology,
    _pathology_scores,
)
