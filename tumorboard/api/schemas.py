"""Request and response schemas of the API (marshmallow; unknown fields are
refused and named)."""

from __future__ import annotations

from marshmallow import INCLUDE, RAISE, Schema, fields, validate

from tumorboard.api.core import DEFAULT_PAGE, MAX_PAGE
from tumorboard.cases.models import (
    INSTITUTION_LIMIT,
    PRESENTATION_LIMIT,
    QUESTION_LIMIT,
    BiopsyStatus,
    CaseStatus,
    CaseType,
    Laterality,
    ReferralSource,
    Urgency,
)
from tumorboard.inputs import MAX_ID
from tumorboard.validation import NAME_LIMIT, REASON_LIMIT


def _choice(enum_cls) -> validate.OneOf:
    return validate.OneOf([m.value for m in enum_cls])


#: Text without control characters (tab and line breaks allowed in bodies),
#: as every request is checked (tumorboard.inputs); the pattern puts the rule
#: in the API's description.
BODY_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
QUERY_TEXT = r"^[^\x00-\x1f\x7f-\x9f]*$"


def text(*, query: bool = False, **kwargs) -> fields.String:
    """A text field that refuses control characters, naming the rule."""
    checks = kwargs.pop("validate", None)
    checks = list(checks) if isinstance(checks, list | tuple) else [checks]
    pattern = validate.Regexp(
        QUERY_TEXT if query else BODY_TEXT, error="Contains a control character."
    )
    return fields.String(validate=[pattern, *filter(None, checks)], **kwargs)


class StrictSchema(Schema):
    """Refuses fields it does not know, naming them."""

    class Meta:
        unknown = RAISE


class PageQuery(StrictSchema):
    cursor = fields.Integer(
        validate=validate.Range(1, MAX_ID),
        metadata={"description": "next_cursor of the page before: records after it"},
    )
    limit = fields.Integer(
        load_default=DEFAULT_PAGE,
        validate=validate.Range(1, MAX_PAGE),
        metadata={"description": f"records per page, at most {MAX_PAGE}"},
    )


class PatientSearchQuery(StrictSchema):
    q = text(
        query=True,
        load_default="",
        validate=validate.Length(max=100),
        metadata={"description": "MRN or name words; without them, no patients"},
    )


class PatientOut(Schema):
    id = fields.Integer()
    reference = fields.String()
    mrn = fields.String()
    given_name = fields.String()
    family_name = fields.String()
    birth_date = fields.Date()
    sex = fields.String()
    version = fields.Integer()


class PatientList(Schema):
    items = fields.List(fields.Nested(PatientOut))


class CaseOut(Schema):
    id = fields.Integer()
    reference = fields.String()
    patient_id = fields.Integer()
    board_id = fields.Integer()
    status = fields.String(validate=_choice(CaseStatus))
    case_type = fields.String()
    working_diagnosis = fields.String(allow_none=True)
    confirmed_diagnosis = fields.String(allow_none=True)
    site_code = fields.String()
    bone = fields.String(allow_none=True)
    bone_end = fields.String(allow_none=True)
    bone_segment = fields.String(allow_none=True)
    pelvic_zones = fields.String(allow_none=True)
    vertebral_level = fields.String(allow_none=True)
    laterality = fields.String()
    presentation = fields.String()
    clinical_question = fields.String()
    referral_source = fields.String()
    referring_clinician = fields.String()
    referral_date = fields.Date()
    urgency = fields.String()
    biopsy_status = fields.String()
    unplanned_excision_date = fields.Date(allow_none=True)
    unplanned_excision_institution = fields.String(allow_none=True)
    known_primary = fields.String(allow_none=True)
    lead_clinician_id = fields.Integer(allow_none=True)
    key_worker_id = fields.Integer(allow_none=True)
    status_changed_at = fields.DateTime()
    version = fields.Integer()


class CasePage(Schema):
    items = fields.List(fields.Nested(CaseOut))
    next_cursor = fields.Integer(allow_none=True)


class CaseListQuery(PageQuery):
    status = fields.String(validate=_choice(CaseStatus))
    case_type = fields.String(validate=_choice(CaseType))
    urgency = fields.String(validate=_choice(Urgency))
    q = text(query=True, validate=validate.Length(1, 200))


class CaseIn(StrictSchema):
    """The intake fields of a case, as the intake form has them."""

    board_id = fields.Integer(
        allow_none=True,
        validate=validate.Range(1, MAX_ID),
        metadata={
            "description": "The board the case is referred to (its members read "
            "the case); when absent, the caller's only board, or the only "
            "active board."
        },
    )
    case_type = fields.String(required=True, validate=_choice(CaseType))
    working_diagnosis = text(allow_none=True, validate=validate.Length(max=60))
    bone = text(allow_none=True, validate=validate.Length(max=24))
    bone_end = text(allow_none=True, validate=validate.Length(max=8))
    bone_segment = text(allow_none=True, validate=validate.Length(max=10))
    pelvic_zones = fields.List(
        text(validate=validate.Length(max=4)),
        allow_none=True,
        validate=validate.Length(max=4),
    )
    vertebral_level = text(allow_none=True, validate=validate.Length(max=3))
    site_code = text(allow_none=True, validate=validate.Length(max=8))
    laterality = fields.String(required=True, validate=_choice(Laterality))
    presentation = text(required=True, validate=validate.Length(1, PRESENTATION_LIMIT))
    clinical_question = text(required=True, validate=validate.Length(1, QUESTION_LIMIT))
    referral_source = fields.String(required=True, validate=_choice(ReferralSource))
    referring_clinician = text(required=True, validate=validate.Length(1, NAME_LIMIT))
    referral_date = fields.Date(required=True)
    urgency = fields.String(required=True, validate=_choice(Urgency))
    biopsy_status = fields.String(required=True, validate=_choice(BiopsyStatus))
    unplanned_excision_date = fields.Date(allow_none=True)
    unplanned_excision_institution = text(
        allow_none=True, validate=validate.Length(max=INSTITUTION_LIMIT)
    )
    known_primary = text(allow_none=True, validate=validate.Length(max=40))
    lead_clinician_id = fields.Integer(
        allow_none=True, validate=validate.Range(1, MAX_ID)
    )
    key_worker_id = fields.Integer(allow_none=True, validate=validate.Range(1, MAX_ID))


class CaseCreate(CaseIn):
    patient_id = fields.Integer(required=True, validate=validate.Range(1, MAX_ID))


class TransitionIn(StrictSchema):
    target = fields.String(required=True, validate=_choice(CaseStatus))
    reason = text(allow_none=True, validate=validate.Length(max=REASON_LIMIT))


class FhirBundle(Schema):
    """A FHIR R4B Bundle (validated against the FHIR models in the tests)."""

    class Meta:
        unknown = INCLUDE

    resourceType = fields.String()  # noqa: N815
    type = fields.String()
    entry = fields.List(fields.Dict())


class ImportResult(Schema):
    case = fields.Nested(CaseOut)
    patient_id = fields.Integer()
    patient_created = fields.Boolean()


class MeetingQuery(StrictSchema):
    upcoming = fields.Boolean(load_default=True)
    limit = fields.Integer(
        load_default=DEFAULT_PAGE, validate=validate.Range(1, MAX_PAGE)
    )


class MeetingOut(Schema):
    id = fields.Integer()
    board_id = fields.Integer()
    board = fields.Function(lambda m: m.board.name)
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    status = fields.String()
    chair_id = fields.Integer(allow_none=True)
    is_quorate = fields.Boolean(allow_none=True)
    version = fields.Integer()


class MeetingList(Schema):
    items = fields.List(fields.Nested(MeetingOut))


class AgendaItemOut(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    case_reference = fields.Function(lambda i: i.case.reference)
    position = fields.Integer()
    question = fields.String()
    presenter_id = fields.Integer(allow_none=True)
    planned_minutes = fields.Integer()
    status = fields.String()
    discussed_at = fields.DateTime(allow_none=True)
    version = fields.Integer()


class AgendaOut(MeetingOut):
    items = fields.List(
        fields.Nested(AgendaItemOut), attribute="items_shown", data_key="items"
    )


class RecommendationOut(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    agenda_item_id = fields.Integer()
    meeting_id = fields.Function(lambda r: r.agenda_item.meeting_id)
    revision = fields.Integer()
    supersedes_id = fields.Integer(allow_none=True)
    state = fields.String()
    conference_type = fields.String()
    intent = fields.String()
    types = fields.List(fields.Dict())
    free_text = fields.String()
    rationale = fields.String()
    consensus = fields.Boolean()
    standard_of_care = fields.Boolean()
    start_by = fields.Date()
    signed_by_id = fields.Integer(allow_none=True)
    signed_at = fields.DateTime(allow_none=True)
    implementation_status = fields.String()
    implementation_date = fields.Date(allow_none=True)
    version = fields.Integer()


class RecommendationList(Schema):
    items = fields.List(fields.Nested(RecommendationOut))


class SignIn(StrictSchema):
    """The chair's own password (step-up, as on the signing page) and, for a
    meeting without quorum, the reason to sign all the same."""

    password = fields.String(required=True, validate=validate.Length(1, 1024))
    override_reason = text(allow_none=True, validate=validate.Length(max=REASON_LIMIT))
