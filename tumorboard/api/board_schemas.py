"""Request and response schemas of the board's work over the API: boards,
agenda changes, attendance, recommendation changes, action items, the audit
log and partial case edits (marshmallow; unknown fields are refused)."""

from __future__ import annotations

import copy

from marshmallow import Schema, fields, validate

from tumorboard.api.schemas import (
    AgendaItemOut,
    CaseIn,
    MeetingOut,
    PageQuery,
    RecommendationOut,
    StrictSchema,
    _choice,
    text,
)
from tumorboard.auth.disciplines import Discipline
from tumorboard.cases.models import QUESTION_LIMIT
from tumorboard.inputs import MAX_ID
from tumorboard.meetings.models import BoardKind
from tumorboard.recommendations.models import (
    ActionStatus,
    ConferenceType,
    DeviationReason,
    ImplementationStatus,
    PatientWish,
    RecommendationCode,
    SurgeryKind,
    TreatmentIntent,
)
from tumorboard.validation import LONG_TEXT_LIMIT, NAME_LIMIT, REASON_LIMIT


def _id(**kwargs) -> fields.Integer:
    return fields.Integer(validate=validate.Range(1, MAX_ID), **kwargs)


# Boards -----------------------------------------------------------------------


class PersonOut(Schema):
    id = fields.Integer()
    name = fields.String()
    role = fields.String()
    discipline = fields.String(allow_none=True)


class BoardOut(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String(validate=_choice(BoardKind))
    required_disciplines = fields.List(fields.String())
    weekday = fields.Integer(metadata={"description": "0 = Monday"})
    start_time = fields.Time(metadata={"description": "local time in `timezone`"})
    timezone = fields.String()
    duration_minutes = fields.Integer()
    minutes_per_case = fields.Integer()
    capacity = fields.Integer()
    review_reminder_days = fields.Integer()
    location = fields.String()
    video_url = fields.String()
    is_active = fields.Boolean()
    members = fields.List(fields.Nested(PersonOut))
    coordinators = fields.List(fields.Nested(PersonOut))
    version = fields.Integer()


class BoardPage(Schema):
    items = fields.List(fields.Nested(BoardOut))
    next_cursor = fields.Integer(allow_none=True)


# Agenda -----------------------------------------------------------------------


class AgendaItemIn(StrictSchema):
    """A case on the agenda, as the agenda item form has it; the question,
    minutes and presenter default to the form's."""

    case_id = _id(required=True)
    question = text(validate=validate.Length(1, QUESTION_LIMIT))
    planned_minutes = fields.Integer(validate=validate.Range(1, 180))
    presenter_id = _id(allow_none=True)
    standard_of_care = fields.Boolean(load_default=False)


class OrderIn(StrictSchema):
    item_ids = fields.List(
        _id(),
        required=True,
        validate=validate.Length(1, 250),
        metadata={"description": "every item still on the agenda, in the new order"},
    )


class ReasonIn(StrictSchema):
    reason = text(required=True, validate=validate.Length(1, REASON_LIMIT))


class DiscussedIn(StrictSchema):
    reason = text(
        allow_none=True,
        validate=validate.Length(max=REASON_LIMIT),
        metadata={"description": "why it was discussed without a recommendation"},
    )


class DeferralOut(Schema):
    item = fields.Nested(AgendaItemOut)
    carried_to_item_id = fields.Integer(allow_none=True)
    carried_to_meeting_id = fields.Integer(allow_none=True)
    message = fields.String()


# Attendance -------------------------------------------------------------------


class AttendanceRowOut(Schema):
    id = fields.Integer()
    user_id = fields.Integer(allow_none=True)
    name = fields.String()
    is_guest = fields.Boolean()
    discipline = fields.String()
    present = fields.Boolean()
    recorded_at = fields.DateTime(allow_none=True)


class QuorumOut(Schema):
    is_quorate = fields.Boolean()
    required = fields.List(fields.String())
    present = fields.List(fields.String())
    missing = fields.List(fields.String())


class AttendanceOut(Schema):
    meeting = fields.Nested(MeetingOut)
    members = fields.List(fields.Nested(PersonOut))
    attendance = fields.List(fields.Nested(AttendanceRowOut))
    quorum = fields.Nested(QuorumOut)
    may_record = fields.Boolean()


class AttendanceIn(StrictSchema):
    present = fields.List(
        _id(),
        required=True,
        validate=validate.Length(max=500),
        metadata={"description": "ids of the board members present (others absent)"},
    )


class GuestIn(StrictSchema):
    guest_name = text(required=True, validate=validate.Length(1, NAME_LIMIT))
    discipline = fields.String(required=True, validate=_choice(Discipline))


# Recommendations --------------------------------------------------------------


class TypeIn(StrictSchema):
    """One coded recommendation type, with the detail its code needs."""

    code = fields.String(required=True, validate=_choice(RecommendationCode))
    detail = fields.String(
        validate=_choice(SurgeryKind), metadata={"description": "kind of surgery"}
    )
    nct = text(validate=validate.Length(max=20), metadata={"description": "trial"})
    event = text(
        validate=validate.Length(max=200),
        metadata={"description": "event after which the case comes back"},
    )


class DissentIn(StrictSchema):
    discipline = fields.String(required=True, validate=_choice(Discipline))
    reason = text(required=True, validate=validate.Length(1, 1000))


class RecommendationIn(StrictSchema):
    """The clinical content of a recommendation, as the form has it."""

    conference_type = fields.String(required=True, validate=_choice(ConferenceType))
    intent = fields.String(required=True, validate=_choice(TreatmentIntent))
    types = fields.List(
        fields.Nested(TypeIn), required=True, validate=validate.Length(1, 20)
    )
    free_text = text(load_default="", validate=validate.Length(max=LONG_TEXT_LIMIT))
    rationale = text(load_default="", validate=validate.Length(max=LONG_TEXT_LIMIT))
    consensus = fields.Boolean(load_default=True)
    dissent = fields.List(
        fields.Nested(DissentIn), load_default=list, validate=validate.Length(max=4)
    )
    standard_of_care = fields.Boolean(load_default=True)
    start_by = fields.Date(required=True)


class AmendmentIn(RecommendationIn):
    amendment_reason = text(required=True, validate=validate.Length(1, LONG_TEXT_LIMIT))


class ImplementationIn(StrictSchema):
    implementation_status = fields.String(
        required=True, validate=_choice(ImplementationStatus)
    )
    implementation_date = fields.Date(allow_none=True)
    deviation_reason = fields.String(allow_none=True, validate=_choice(DeviationReason))
    patient_wish = fields.String(allow_none=True, validate=_choice(PatientWish))
    deviation_note = text(allow_none=True, validate=validate.Length(max=REASON_LIMIT))


class RecommendationDetail(RecommendationOut):
    dissent = fields.List(fields.Dict())
    amendment_reason = fields.String(allow_none=True)
    deviation_reason = fields.String(allow_none=True)
    patient_wish = fields.String(allow_none=True)
    deviation_note = fields.String(allow_none=True)


# Action items -----------------------------------------------------------------


class ActionOut(Schema):
    id = fields.Integer()
    recommendation_id = fields.Integer()
    description = fields.String()
    owner_id = fields.Integer()
    due_date = fields.Date()
    status = fields.String(validate=_choice(ActionStatus))
    completed_at = fields.DateTime(allow_none=True)
    created_by_id = fields.Integer(allow_none=True)
    version = fields.Integer()


class ActionList(Schema):
    items = fields.List(fields.Nested(ActionOut))


class ActionIn(StrictSchema):
    description = text(required=True, validate=validate.Length(1, 500))
    owner_id = _id(required=True)
    due_date = fields.Date(required=True)


class ActionPatch(StrictSchema):
    status = fields.String(validate=_choice(ActionStatus))
    owner_id = _id()
    due_date = fields.Date()


# Audit log --------------------------------------------------------------------


class AuditQuery(PageQuery):
    actor_id = _id()
    action = text(
        query=True,
        validate=validate.Length(1, 64),
        metadata={"description": "actions that start with this, e.g. case.status"},
    )
    case_id = _id(metadata={"description": "entries about the case or lists of it"})
    date_from = fields.Date()
    date_to = fields.Date()


class AuditEntryOut(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor_id = fields.Integer(allow_none=True)
    actor = fields.String(allow_none=True)
    action = fields.String()
    entity_type = fields.String()
    entity_id = fields.String()
    case_id = fields.Integer(allow_none=True)
    patient_id = fields.Integer(allow_none=True)
    summary = fields.String()
    ip_address = fields.String(allow_none=True)
    changed_fields = fields.List(fields.String())
    changes = fields.Dict(
        allow_none=True,
        metadata={"description": "old and new values; null for those who may not"},
    )
    listed = fields.Dict(
        allow_none=True,
        metadata={"description": "what a list read showed (references and query)"},
    )


class AuditPage(Schema):
    items = fields.List(fields.Nested(AuditEntryOut))
    next_cursor = fields.Integer(allow_none=True)


# Cases ------------------------------------------------------------------------


def _optional(schema: type[Schema], name: str) -> type[Schema]:
    """``schema`` with every field optional: a partial change (PATCH)."""
    declared = {}
    for key, field in schema._declared_fields.items():
        field = copy.copy(field)
        field.required = False
        declared[key] = field
    return type(name, (StrictSchema,), declared)


#: Some intake fields of a case; the others keep their values.
CasePatch = _optional(CaseIn, "CasePatch")
