"""Recommendation, sign-off, amendment, implementation and action-item forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional, ValidationError

from tumorboard.auth.disciplines import Discipline
from tumorboard.forms import (
    CHOOSE,
    SelectField,
    coerce_int_or_none,
    max_length,
    not_before,
    not_in_future,
    required,
    strip_filter,
)
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
from tumorboard.recommendations.services import NCT_PATTERN
from tumorboard.validation import LONG_TEXT_LIMIT, REASON_LIMIT, SHORT_TEXT_LIMIT


def nct_format(form, field) -> None:
    """'NCT' and eight digits, any case; stored upper-case."""
    if field.data and not NCT_PATTERN.match(field.data.strip().upper()):
        raise ValidationError(
            "An NCT number is 'NCT' followed by exactly 8 digits, e.g. NCT01234567."
        )


class DissentForm(Form):
    """One discipline's dissent (a sub-form: the page's form carries the token)."""

    discipline = SelectField(
        "Dissenting discipline",
        choices=[("", "—")] + Discipline.choices(),
        validators=[Optional()],
    )
    reason = StringField(
        "Reason for dissent",
        filters=[strip_filter],
        validators=[Optional(), max_length(1000)],
    )


class RecommendationForm(FlaskForm):
    """What the board recommends for one agenda item."""

    conference_type = SelectField(
        "Conference type",
        choices=CHOOSE + ConferenceType.choices(),
        validators=[required("Choose the conference type.")],
    )
    intent = SelectField(
        "Treatment intent",
        choices=CHOOSE + TreatmentIntent.choices(),
        validators=[required("Choose the treatment intent.")],
    )
    surgery_kind = SelectField(
        "Kind of surgery",
        choices=CHOOSE + SurgeryKind.choices(),
        validators=[Optional()],
    )
    trial_nct = StringField(
        "Trial NCT number",
        filters=[strip_filter],
        validators=[Optional(), max_length(11), nct_format],
    )
    rediscussion_event = StringField(
        "Re-discuss after",
        filters=[strip_filter],
        validators=[Optional(), max_length(SHORT_TEXT_LIMIT)],
    )
    free_text = TextAreaField(
        "Recommendation (free text)",
        filters=[strip_filter],
        validators=[Optional(), max_length(LONG_TEXT_LIMIT)],
    )
    rationale = TextAreaField(
        "Rationale",
        filters=[strip_filter],
        validators=[Optional(), max_length(LONG_TEXT_LIMIT)],
    )
    consensus = BooleanField("The board reached consensus", default=True)
    dissent = FieldList(FormField(DissentForm), min_entries=2, max_entries=4)
    standard_of_care = BooleanField("Standard of care", default=True)
    start_by = DateField(
        "Start by",
        validators=[
            required("Enter a valid start-by date (YYYY-MM-DD)."),
            not_before(),
        ],
    )
    version = IntegerField(widget=HiddenField.widget, validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One checkbox per coded type, named ``type_<code>``.
        self.type_fields = [
            (code, getattr(self, f"type_{code.value}")) for code in RecommendationCode
        ]

    @classmethod
    def from_recommendation(cls, rec, **kwargs) -> RecommendationForm:
        """A form prefilled with a stored revision (GET only)."""
        data = {
            "conference_type": rec.conference_type.value,
            "intent": rec.intent.value,
            "free_text": rec.free_text,
            "rationale": rec.rationale,
            "consensus": rec.consensus,
            "standard_of_care": rec.standard_of_care,
            "start_by": rec.start_by,
            "dissent": list(rec.dissent),
            "version": rec.version,
        }
        for item in rec.types:
            data[f"type_{item['code']}"] = True
            if item["code"] == RecommendationCode.SURGERY:
                data["surgery_kind"] = item.get("detail", "")
            elif item["code"] == RecommendationCode.CLINICAL_TRIAL:
                data["trial_nct"] = item.get("nct", "")
            elif item["code"] == RecommendationCode.REDISCUSSION:
                data["rediscussion_event"] = item.get("event", "")
        return cls(data=data, **kwargs)

    def chosen_codes(self) -> list[RecommendationCode]:
        """The ticked recommendation types."""
        return [code for code, field in self.type_fields if field.data]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        codes = self.chosen_codes()
        if not codes:
            self.form_errors.append(
                "The recommendation is empty: choose at least one recommendation type."
            )
            ok = False
        if RecommendationCode.SURGERY in codes and not self.surgery_kind.data:
            self.surgery_kind.errors.append("Choose the kind of surgery.")
            ok = False
        if RecommendationCode.CLINICAL_TRIAL in codes and not self.trial_nct.data:
            self.trial_nct.errors.append("Enter the trial's NCT number.")
            ok = False
        if RecommendationCode.REDISCUSSION in codes and not (
            self.rediscussion_event.data
        ):
            self.rediscussion_event.errors.append(
                "Say after which event the case comes back to the board."
            )
            ok = False
        return ok

    def add_rule_errors(self, errors) -> None:
        """Show the services' rule errors beside the form's own in the same
        round; a field the form already flagged keeps only its own message."""
        flagged = {name for name, field in self._fields.items() if any(field.errors)}
        for error in errors:
            field = getattr(self, error.field, None) if error.field else None
            if field is None:
                if error.message not in self.form_errors:
                    self.form_errors.append(error.message)
            elif error.field not in flagged and error.message not in field.errors:
                field.errors = [*field.errors, error.message]

    def service_data(self) -> dict:
        """The fields the recommendation services take."""
        types = []
        for code in self.chosen_codes():
            item = {"code": code.value}
            if code == RecommendationCode.SURGERY:
                item["detail"] = self.surgery_kind.data
            elif code == RecommendationCode.CLINICAL_TRIAL:
                item["nct"] = self.trial_nct.data
            elif code == RecommendationCode.REDISCUSSION:
                item["event"] = self.rediscussion_event.data
            types.append(item)
        data = {
            "conference_type": self.conference_type.data,
            "intent": self.intent.data,
            "types": types,
            "free_text": self.free_text.data,
            "rationale": self.rationale.data,
            "consensus": self.consensus.data,
            "dissent": [
                {"discipline": e.discipline.data, "reason": e.reason.data}
                for e in self.dissent.entries
            ],
            "standard_of_care": self.standard_of_care.data,
            "start_by": self.start_by.data,
        }
        amendment = getattr(self, "amendment_reason", None)
        if amendment is not None:
            data["amendment_reason"] = amendment.data
        return data


for _code in RecommendationCode:
    setattr(RecommendationForm, f"type_{_code.value}", BooleanField(_code.label))


#: The version of the revision the page showed; edits of a stored revision
#: always render it, and a form without it cannot be checked for staleness.
_REQUIRED_VERSION = IntegerField(
    widget=HiddenField.widget,
    validators=[required("the version of the revision you opened is missing")],
)


class DraftForm(RecommendationForm):
    """Editing a stored draft (revision 1): the version is required."""

    version = _REQUIRED_VERSION


class AmendForm(RecommendationForm):
    """A new revision of a signed recommendation, with the reason for it."""

    amendment_reason = TextAreaField(
        "Reason for the amendment",
        filters=[strip_filter],
        validators=[
            required("Give the reason for the amendment."),
            max_length(LONG_TEXT_LIMIT),
        ],
    )
    version = _REQUIRED_VERSION


class DraftAmendmentForm(RecommendationForm):
    """Editing an unsigned amendment keeps its reason editable."""

    amendment_reason = AmendForm.amendment_reason
    version = _REQUIRED_VERSION


class SignForm(FlaskForm):
    """The chair's signature, with a reason when the meeting is not quorate."""

    override_reason = TextAreaField(
        "Reason for signing without quorum",
        filters=[strip_filter],
        validators=[Optional(), max_length(REASON_LIMIT)],
    )
    password = PasswordField(
        "Your password (to confirm the signature)",
        validators=[required("Enter your password to sign.")],
    )
    version = IntegerField(
        widget=HiddenField.widget, validators=[required("The form was incomplete.")]
    )


class DiscardForm(FlaskForm):
    """Abandon a draft amendment (the signed revision stays in force)."""

    version = IntegerField(
        widget=HiddenField.widget, validators=[required("The form was incomplete.")]
    )


class ImplementationForm(FlaskForm):
    """Whether the signed recommendation was carried out."""

    implementation_status = SelectField(
        "Implementation status",
        choices=ImplementationStatus.choices(),
        validators=[required("Choose the implementation status.")],
    )
    implementation_date = DateField(
        "Date", validators=[Optional(), not_in_future, not_before()]
    )
    deviation_reason = SelectField(
        "Reason for deviation",
        choices=[("", "— not deviated —")] + DeviationReason.choices(),
        validators=[Optional()],
    )
    patient_wish = SelectField(
        "Was it the patient's wish?",
        choices=[("", "—")] + PatientWish.choices(),
        validators=[Optional()],
    )
    deviation_note = TextAreaField(
        "Note",
        filters=[strip_filter],
        validators=[Optional(), max_length(REASON_LIMIT)],
    )
    version = IntegerField(
        widget=HiddenField.widget, validators=[required("The form was incomplete.")]
    )


class ActionForm(FlaskForm):
    """A task that follows from the recommendation."""

    description = StringField(
        "Action",
        filters=[strip_filter],
        validators=[required("Describe the action."), max_length(500)],
    )
    owner_id = SelectField(
        "Owner",
        coerce=coerce_int_or_none,
        validators=[required("Choose who owns the action.")],
    )
    due_date = DateField(
        "Due",
        validators=[required("Enter a valid due date (YYYY-MM-DD)."), not_before()],
    )

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.owner_id.choices = [(None, "Choose…")] + [
            (u.id, f"{u.name} ({u.role_label})") for u in owners
        ]


class ActionStatusForm(FlaskForm):
    """Mark an action done, cancel it, or reopen it."""

    status = SelectField(
        "Status", choices=ActionStatus.choices(), validators=[required()]
    )
    version = IntegerField(
        widget=HiddenField.widget, validators=[required("The form was incomplete.")]
    )
