"""Code systems, mCODE profiles and the value maps of the FHIR export and
import (reference §8 and §10). Declarative data."""

from __future__ import annotations

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
ICDO3 = "http://terminology.hl7.org/CodeSystem/icd-o-3"
AJCC = "http://cancerstaging.org"
NCIT = "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl"
UCUM = "http://unitsofmeasure.org"

MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition/"


def profile(name: str) -> str:
    """The canonical URL of an mCODE profile or extension (§10)."""
    return MCODE + name


CANCER_PATIENT = profile("mcode-cancer-patient")
PRIMARY_CONDITION = profile("mcode-primary-cancer-condition")
SECONDARY_CONDITION = profile("mcode-secondary-cancer-condition")
HISTOLOGY_EXTENSION = profile("mcode-histology-morphology-behavior")
LATERALITY_EXTENSION = profile("mcode-laterality-qualifier")
RELATED_PRIMARY_EXTENSION = profile("mcode-related-primary-cancer-condition")
STAGE_GROUP = profile("mcode-tnm-stage-group")
T_CATEGORY = profile("mcode-tnm-primary-tumor-category")
N_CATEGORY = profile("mcode-tnm-regional-nodes-category")
M_CATEGORY = profile("mcode-tnm-distant-metastases-category")
ECOG = profile("mcode-ecog-performance-status")
KARNOFSKY = profile("mcode-karnofsky-performance-status")
LANSKY = profile("mcode-lansky-play-performance-status")
TUMOR = profile("mcode-tumor")
TUMOR_SIZE = profile("mcode-tumor-size")

#: §10.1 SecondaryCancerCondition: secondary malignant neoplastic disease.
SECONDARY_DISEASE = ("128462008", "Secondary malignant neoplastic disease")
#: §10.1 TNMStagingMethodVS: AJCC 8th edition.
AJCC_8TH = "897275008"
#: §10.1: the generic SNOMED codes of the TNM observations.
TNM_CODES = {
    "t": ("78873005", "T category", T_CATEGORY),
    "n": ("277206009", "N category", N_CATEGORY),
    "m": ("277208005", "M category", M_CATEGORY),
}
STAGE_GROUP_CODE = ("399390009", "TNM stage group")

#: §10.1 ECOG: LOINC 89247-1, interpretation from LL529-9 (§8.1).
ECOG_CODE = "89247-1"
ECOG_ANSWERS = {
    0: "LA9622-7",
    1: "LA9623-5",
    2: "LA9624-3",
    3: "LA9625-0",
    4: "LA9626-8",
    5: "LA9627-6",
}
#: §10.1 Karnofsky: LOINC 89243-0, interpretation from LL4986-7 (§8.2).
KARNOFSKY_CODE = "89243-0"
KARNOFSKY_ANSWERS = {
    100: "LA29175-9",
    90: "LA29176-7",
    80: "LA29177-5",
    70: "LA29178-3",
    60: "LA29179-1",
    50: "LA29180-9",
    40: "LA29181-7",
    30: "LA29182-5",
    20: "LA29183-3",
    10: "LA29184-1",
    0: "LA9627-6",
}
#: §10.1 Lansky: NCIT C38144 (its interpretation value set is extensible and
#: not in the reference: none is sent).
LANSKY_CODE = "C38144"

#: §10.1 TumorSize: LOINC 21889-1, the longest dimension as component LOINC
#: 33728-7 (1..1) and the others as LOINC 33729-5 (0..2), in UCUM mm; its
#: focus is the Tumor (BodyStructure) measured.
TUMOR_SIZE_CODE = "21889-1"
LONGEST_DIMENSION = "33728-7"
OTHER_DIMENSION = "33729-5"

#: SNOMED CT laterality qualifiers; the other sides have no code sent.
LATERALITY = {
    "left": ("7771000", "Left"),
    "right": ("24028007", "Right"),
    "bilateral": ("51440002", "Bilateral"),
}

#: CarePlan.status from the implementation status.
CAREPLAN_STATUS = {
    "not_started": "active",
    "in_progress": "active",
    "completed": "completed",
    "deviated": "revoked",
    "cancelled": "revoked",
}
#: CarePlan.activity.detail.status from the implementation status.
ACTIVITY_STATUS = {
    "not_started": "not-started",
    "in_progress": "in-progress",
    "completed": "completed",
    "deviated": "stopped",
    "cancelled": "cancelled",
}

#: Patient.gender from the recorded administrative sex.
GENDER = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}

#: The application's own code systems: the parts of the location that ICD-O-3
#: topography does not carry, and the known primary of a metastasis. Exported
#: beside the standard codes so that an import gets the same location back.
LOCAL = "urn:tumorboard:"
LOCATION_SYSTEMS = {
    "bone": LOCAL + "bone",
    "bone_end": LOCAL + "bone-end",
    "bone_segment": LOCAL + "bone-segment",
    "pelvic_zones": LOCAL + "pelvic-zones",
    "vertebral_level": LOCAL + "vertebral-level",
}
KNOWN_PRIMARY = LOCAL + "known-primary"
#: Identifier system of the tumour a case follows (one per case).
TUMOR_IDENTIFIER = LOCAL + "tumor"
