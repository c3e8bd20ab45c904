"""Schemas of the case record in the API: clinical status and performance
status, discipline reviews, staging, annotations, attachments and the
clinical calculators. Field checks that are rules of the record (scales by
age, review fields, annotation bodies) stay in the services: these schemas
describe the shape and refuse unknown fields."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from tumorboard.api.schemas import StrictSchema, text
from tumorboard.attachments.models import (
    CAPTION_LIMIT,
    SERIES_LIMIT,
    AttachmentKind,
)
from tumorboard.auth.models import User
from tumorboard.extensions import db
from tumorboard.inputs import MAX_ID
from tumorboard.performance.models import AssessmentSource


def _choice(enum_cls) -> validate.OneOf:
    return validate.OneOf([m.value for m in enum_cls])


def _user_name(user_id: int) -> str:
    """A person's name (from the session when the list loaded it already)."""
    return db.session.get(User, user_id).name


# Clinical status and performance status -----------------------------------------


class PerformanceStatusOut(Schema):
    id = fields.Integer()
    number = fields.Integer()
    ecog = fields.Integer(allow_none=True)
    karnofsky = fields.Integer(allow_none=True)
    lansky = fields.Integer(allow_none=True)
    label = fields.String(attribute="values_label")
    assessed_on = fields.Date()
    source = fields.String()
    disagreement_confirmed = fields.Boolean()
    recorded_by = fields.Function(
        lambda s: s.recorded_by.name if s.recorded_by else None, allow_none=True
    )
    recorded_at = fields.DateTime()


class PerformanceOut(Schema):
    current = fields.Nested(PerformanceStatusOut, allow_none=True)
    history = fields.List(fields.Nested(PerformanceStatusOut))
    scale = fields.String(
        metadata={"description": "lansky for a child under 16 today, else ecog"}
    )
    disagreement = fields.String(allow_none=True)


class ClinicalStatusOut(Schema):
    case_id = fields.Integer()
    case_type = fields.String()
    working_diagnosis = fields.String(allow_none=True)
    confirmed_diagnosis = fields.String(allow_none=True)
    diagnosis = fields.String(metadata={"description": "as the case page shows it"})
    diagnosis_confirmed = fields.Boolean()
    known_primary = fields.String(allow_none=True)
    site_code = fields.String()
    bone = fields.String(allow_none=True)
    bone_end = fields.String(allow_none=True)
    bone_segment = fields.String(allow_none=True)
    pelvic_zones = fields.String(allow_none=True)
    vertebral_level = fields.String(allow_none=True)
    laterality = fields.String()
    location = fields.String()
    performance_status = fields.Nested(PerformanceOut)


class PerformanceStatusIn(StrictSchema):
    """One assessment, as the performance status form has it."""

    ecog = fields.Integer(allow_none=True, validate=validate.Range(0, 5))
    karnofsky = fields.Integer(allow_none=True, validate=validate.Range(0, 100))
    lansky = fields.Integer(allow_none=True, validate=validate.Range(0, 100))
    assessed_on = fields.Date(required=True)
    source = fields.String(required=True, validate=_choice(AssessmentSource))
    confirm_disagreement = fields.Boolean(load_default=False)


# Staging -------------------------------------------------------------------------


class ReportedStageOut(Schema):
    t = fields.String(allow_none=True)
    n = fields.String(allow_none=True)
    m = fields.String(allow_none=True)
    stage_group = fields.String(allow_none=True)


class StagingOut(Schema):
    applies = fields.Boolean()
    note = fields.String()
    site_group = fields.String()
    t = fields.String(allow_none=True)
    n = fields.String(allow_none=True)
    m = fields.String(allow_none=True)
    grade = fields.String(allow_none=True)
    labels = fields.Dict(keys=fields.String(), values=fields.String())
    stage_group = fields.String(allow_none=True)
    stage_note = fields.String()
    ajcc_missing = fields.List(fields.String())
    enneking = fields.String(allow_none=True)
    enneking_label = fields.String()
    enneking_missing = fields.List(fields.String())
    notes = fields.List(fields.String())
    reported = fields.Nested(
        ReportedStageOut,
        allow_none=True,
        metadata={
            "description": "AJCC 8th categories and stage group as the referral "
            "reported them (a FHIR import), kept as received; null when none came"
        },
    )


# Discipline reviews ----------------------------------------------------------------


class RevisionOut(Schema):
    number = fields.Integer()
    author_id = fields.Integer()
    author = fields.Function(lambda r: r.author.name)
    created_at = fields.DateTime()
    data = fields.Dict(metadata={"description": "the inputs, in the review's fields"})
    scores = fields.Dict(metadata={"description": "computed from the inputs"})
    changes = fields.Dict(metadata={"description": "{field: [old, new]}"})


class ReviewSummary(Schema):
    discipline = fields.String()
    title = fields.String()
    review_id = fields.Integer(allow_none=True)
    current_number = fields.Integer(allow_none=True)
    updated_by = fields.String(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)
    may_write = fields.Boolean()
    version = fields.Integer(allow_none=True)


class ReviewList(Schema):
    items = fields.List(fields.Nested(ReviewSummary))


class ReviewOut(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    discipline = fields.String()
    title = fields.String()
    current_number = fields.Integer()
    version = fields.Integer()
    may_write = fields.Boolean()
    revisions = fields.List(fields.Nested(RevisionOut))


class ReviewIn(StrictSchema):
    """The whole review, as the discipline's form sends it: every field of
    the review's schema by its key (absent or null is empty). The rules are
    the review's own (tumorboard.reviews.schemas); a refused value is named
    by its key, or ``<list>-<row>-<field>`` inside a list."""

    data = fields.Dict(keys=fields.String(), required=True)


# Annotations ---------------------------------------------------------------------


class AnnotationOut(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    parent_id = fields.Integer(allow_none=True)
    review_id = fields.Integer(allow_none=True)
    author_id = fields.Integer()
    author = fields.Function(lambda a: _user_name(a.author_id))
    discipline = fields.String()
    body = fields.Function(
        lambda a: None if a.is_deleted else a.body,
        allow_none=True,
        metadata={"description": "markdown as typed; null once deleted"},
    )
    deleted = fields.Boolean(attribute="is_deleted")
    edited = fields.Boolean(attribute="is_edited")
    created_at = fields.DateTime()
    version = fields.Integer()


class AnnotationList(Schema):
    items = fields.List(fields.Nested(AnnotationOut))


class AnnotationIn(StrictSchema):
    body = text(required=True, validate=validate.Length(1, 20_000))
    review_id = fields.Integer(allow_none=True, validate=validate.Range(1, MAX_ID))
    parent_id = fields.Integer(allow_none=True, validate=validate.Range(1, MAX_ID))


class AnnotationEdit(StrictSchema):
    body = text(required=True, validate=validate.Length(1, 20_000))


# Attachments ---------------------------------------------------------------------


class AttachmentOut(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    review_id = fields.Integer(allow_none=True)
    kind = fields.String(validate=_choice(AttachmentKind))
    caption = fields.String()
    series_slice = fields.String(allow_none=True)
    file_name = fields.String(attribute="original_name")
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_by_id = fields.Integer()
    uploaded_at = fields.DateTime()


class AttachmentList(Schema):
    items = fields.List(fields.Nested(AttachmentOut))


class AttachmentUpload(StrictSchema):
    """One file and what it is, as the upload form sends them
    (``multipart/form-data``). The file's type is sniffed from its bytes."""

    file = Upload(required=True, metadata={"description": "PNG, JPEG or PDF"})
    kind = fields.String(required=True, validate=_choice(AttachmentKind))
    caption = text(required=True, validate=validate.Length(1, CAPTION_LIMIT))
    series_slice = text(
        validate=validate.Length(max=SERIES_LIMIT),
        metadata={"description": "required for key images"},
    )
    review_id = fields.Integer(validate=validate.Range(1, MAX_ID))


# Calculators ---------------------------------------------------------------------


class PointsOut(Schema):
    component = fields.String()
    points = fields.Integer()


class ScoreOut(Schema):
    calculator = fields.String()
    total = fields.Integer(allow_none=True)
    category = fields.String()
    interpretation = fields.String()
    points = fields.List(
        fields.Nested(PointsOut), metadata={"description": "how the total was reached"}
    )
