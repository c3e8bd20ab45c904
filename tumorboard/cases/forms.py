"""Case intake, status and worklist-filter forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

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
from tumorboard.cases.services import RELEVANCE, SORTS
from tumorboard.clinical import catalogue
from tumorboard.forms import (
    CHOOSE,
    SelectField,
    coerce_int_or_none,
    empty_to_none,
    max_length,
    not_before,
    not_in_future,
    required,
    strip_filter,
)
from tumorboard.validation import NAME_LIMIT, REASON_LIMIT


class CaseForm(FlaskForm):
    """Everything the coordinator records when a case is referred."""

    case_type = SelectField(
        "Case type",
        choices=CHOOSE + CaseType.choices(),
        validators=[required("Choose the case type.")],
    )
    site_code = SelectField(
        "Site (ICD-O-3 topography)",
        validators=[required("Choose the bone site.")],
    )
    laterality = SelectField(
        "Laterality",
        choices=CHOOSE + Laterality.choices(),
        validators=[required("Choose the laterality.")],
    )
    known_primary = SelectField(
        "Known primary (metastases only)",
        filters=[empty_to_none],
        validators=[Optional()],
    )
    presentation = TextAreaField(
        "Presenting complaint",
        filters=[strip_filter],
        validators=[
            required("Describe the presentation."),
            max_length(PRESENTATION_LIMIT),
        ],
    )
    clinical_question = TextAreaField(
        "Question for the board",
        filters=[strip_filter],
        validators=[
            required("State the question for the board."),
            max_length(QUESTION_LIMIT),
        ],
    )
    referral_source = SelectField(
        "Referral source",
        choices=CHOOSE + ReferralSource.choices(),
        validators=[required("Choose the referral source.")],
    )
    referring_clinician = StringField(
        "Referring clinician",
        filters=[strip_filter],
        validators=[required("Name the referring clinician."), max_length(NAME_LIMIT)],
    )
    referral_date = DateField(
        "Referral date",
        validators=[
            required("Enter a valid referral date (YYYY-MM-DD)."),
            not_in_future,
            not_before(1900),
        ],
    )
    urgency = SelectField(
        "Urgency",
        choices=CHOOSE + Urgency.choices(),
        validators=[required("Choose the urgency.")],
    )
    biopsy_status = SelectField(
        "Biopsy",
        choices=CHOOSE + BiopsyStatus.choices(),
        validators=[required("Choose the biopsy status.")],
    )
    unplanned_excision_date = DateField(
        "Unplanned excision date",
        validators=[Optional(), not_in_future, not_before(1900)],
    )
    unplanned_excision_institution = StringField(
        "Unplanned excision institution",
        filters=[strip_filter],
        validators=[Optional(), max_length(INSTITUTION_LIMIT)],
    )
    lead_clinician_id = SelectField(
        "Lead clinician", coerce=coerce_int_or_none, validators=[Optional()]
    )
    version = IntegerField(widget=HiddenField.widget, validators=[Optional()])

    def __init__(self, *args, clinicians=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.site_code.choices = CHOOSE + catalogue.topography_choices()
        self.known_primary.choices = [("", "— not a metastasis —")] + list(
            catalogue.metastatic_primary_choices()
        )
        self.lead_clinician_id.choices = [(None, "— none yet —")] + [
            (u.id, f"{u.name} ({u.role_label})") for u in clinicians
        ]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.case_type.data == CaseType.SKELETAL_METASTASIS and not (
            self.known_primary.data
        ):
            self.known_primary.errors.append(
                "A skeletal metastasis needs its known primary "
                "(choose 'unknown primary' if it is not known)."
            )
            ok = False
        return ok

    def service_data(self) -> dict:
        """The fields the case services take."""
        data = dict(self.data)
        for key in ("csrf_token", "version"):
            data.pop(key, None)
        return data


class TransitionForm(FlaskForm):
    """Move a case to another status, with a reason where the table wants one."""

    target = HiddenField(validators=[required()])
    reason = TextAreaField(
        "Reason",
        filters=[strip_filter],
        validators=[Optional(), max_length(REASON_LIMIT)],
    )
    version = IntegerField(widget=HiddenField.widget, validators=[Optional()])


class CaseFilterForm(FlaskForm):
    """Worklist search, filters and sort (GET, no CSRF)."""

    class Meta:
        csrf = False

    # The length limit is the search service's (a clear 400, not an ignored filter).
    q = StringField("Search", filters=[strip_filter])
    status = SelectField(
        "Status", choices=[("", "Any status")] + CaseStatus.choices(), default=""
    )
    case_type = SelectField(
        "Type", choices=[("", "Any type")] + CaseType.choices(), default=""
    )
    site = SelectField("Site", default="")
    urgency = SelectField(
        "Urgency",
        choices=[("", "Any urgency")] + [(u.value, u.short_label) for u in Urgency],
        default="",
    )
    lead = SelectField("Lead clinician", coerce=coerce_int_or_none)
    sort = SelectField(
        "Sort by",
        choices=[(RELEVANCE, "Best match")]
        + [(key, label) for key, (label, _) in SORTS.items()],
        default=RELEVANCE,
    )

    def __init__(self, *args, clinicians=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.site.choices = [("", "Any site")] + catalogue.topography_choices()
        self.lead.choices = [(None, "Any lead clinician")] + [
            (u.id, u.name) for u in clinicians
        ]
