"""One schema per discipline review: the fields, their checks, and the scores
computed from them.

A schema is data (groups of fields) plus two functions: ``check`` for rules
across fields and ``compute`` for what ``tumorboard.clinical`` computes from
the stored inputs. The service validates every save against the schema, whatever
sent it (form or API); the review form is built from the same schema, so the
two cannot drift apart.

Modules: ``base`` (field kinds and the schema types), ``facts`` (what the rules
know about a case), one module per discipline (``radiology``, ``pathology``,
``orthopaedic``, ``palliative``), ``registry`` (the schema of each discipline),
``engine`` (validation) and ``display`` (reading revisions and their scores,
comparing revisions).
Callers import from this package.
"""

from __future__ import annotations

from tumorboard.reviews.schemas.base import (
    CHOICE,
    DATE,
    INT,
    NUMBER,
    SELECT_WIDTH,
    TEXT,
    TEXTAREA,
    YES_NO,
    YES_NO_UNKNOWN,
    Field,
    Group,
    Rows,
    Schema,
    coded_choices,
    shorten,
)
from tumorboard.reviews.schemas.display import (
    DisplayGroup,
    DisplayRow,
    ScoreLine,
    compare,
    display,
    display_value,
    flatten,
    key_findings,
    score_lines,
    to_form_data,
)
from tumorboard.reviews.schemas.engine import clean, clean_value, compute_scores
from tumorboard.reviews.schemas.facts import (
    CaseFacts,
    is_long_bone,
    is_long_bone_metastasis,
    is_metastasis,
    is_segment_staged,
    is_spinal,
    is_vertebral,
    sins_level_fits,
    sins_required,
    site_group,
)
from tumorboard.reviews.schemas.orthopaedic import ORTHOPAEDIC, ORTHOPAEDIC_SCHEMA
from tumorboard.reviews.schemas.palliative import PALLIATIVE, PALLIATIVE_SCHEMA
from tumorboard.reviews.schemas.pathology import (
    METASTASIS,
    NON_DIAGNOSTIC,
    PATHOLOGY,
    PATHOLOGY_SCHEMA,
)
from tumorboard.reviews.schemas.radiology import (
    RADIOLOGY,
    RADIOLOGY_SCHEMA,
    greatest_dimension_mm,
)
from tumorboard.reviews.schemas.registry import (
    KEY_FINDINGS,
    SCHEMAS,
    find_schema,
    schema_for,
)

__all__ = [
    "KEY_FINDINGS",
    "key_findings",
    "CHOICE",
    "DATE",
    "INT",
    "METASTASIS",
    "NON_DIAGNOSTIC",
    "NUMBER",
    "ORTHOPAEDIC",
    "ORTHOPAEDIC_SCHEMA",
    "PALLIATIVE",
    "PALLIATIVE_SCHEMA",
    "PATHOLOGY",
    "PATHOLOGY_SCHEMA",
    "RADIOLOGY",
    "RADIOLOGY_SCHEMA",
    "SCHEMAS",
    "SELECT_WIDTH",
    "TEXT",
    "TEXTAREA",
    "YES_NO",
    "YES_NO_UNKNOWN",
    "CaseFacts",
    "DisplayGroup",
    "DisplayRow",
    "Field",
    "Group",
    "Rows",
    "Schema",
    "ScoreLine",
    "clean",
    "clean_value",
    "coded_choices",
    "compare",
    "compute_scores",
    "display",
    "display_value",
    "find_schema",
    "flatten",
    "greatest_dimension_mm",
    "is_long_bone_metastasis",
    "is_metastasis",
    "is_segment_staged",
    "is_long_bone",
    "is_spinal",
    "is_vertebral",
    "schema_for",
    "score_lines",
    "shorten",
    "sins_level_fits",
    "sins_required",
    "site_group",
    "to_form_data",
]
