"""Case intake, status and worklist-filter forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from tumorboard.auth.roles import Role
from tumorboard.cases.breakglass import GlassReason
from tumorboard.cases.listing import RELEVANCE, SORTS
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
from tumorboard.clinical import anatomy, catalogue
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


def _grouped(empty_label: str, groups: dict) -> list[SelectChoice]:
    """An empty first option, then the choices in their option groups."""
    return [SelectChoice("", empty_label)] + [
        SelectChoice(value, label, optgroup=group)
        for group, pairs in groups.items()
        for value, label in pairs
    ]


class CaseForm(FlaskForm):
    """Everything the coordinator records when a case is referred."""

    board_id = SelectField(
        "Board",
        coerce=coerce_int_or_none,
        validators=[required("Choose the board the case is referred to.")],
        description="The board's members read the case; others must ask for access.",
    )
    case_type = SelectField(
        "Case type",
        choices=CHOOSE + CaseType.choices(),
        validators=[required("Choose the case type.")],
    )
    # The service checks the diagnosis and location choices (validate_choice
    # is off) so that a wrong value gets a specific message.
    working_diagnosis = SelectField(
        "Working diagnosis (WHO 2020)",
        filters=[empty_to_none],
        validators=[Optional()],
        validate_choice=False,
    )
    bone = SelectField(
        "Bone",
        validators=[required("Choose the bone.")],
        validate_choice=False,
    )
    bone_end = SelectField(
        "End of the long bone",
        choices=[("", "— none (diaphysis or not known) —")] + list(anatomy.BONE_ENDS),
        filters=[empty_to_none],
        validators=[Optional()],
        validate_choice=False,
    )
    bone_segment = SelectField(
        "Segment of the long bone",
        choices=[("", "— not known yet —")] + list(anatomy.BONE_SEGMENTS),
        filters=[empty_to_none],
        validators=[Optional()],
        validate_choice=False,
    )
    pelvic_zones = SelectMultipleField(
        "Pelvic zones (Enneking–Dunham)",
        choices=[SelectChoice(key, label) for key, label in anatomy.PELVIC_ZONES],
        validators=[Optional()],
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    vertebral_level = SelectField(
        "Vertebral level",
        choices=[("", "— not known yet —")]
        + [(level, level) for level in anatomy.VERTEBRAL_LEVELS],
        filters=[empty_to_none],
        validators=[Optional()],
        validate_choice=False,
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
    key_worker_id = SelectField(
        "Key worker",
        coerce=coerce_int_or_none,
        validators=[Optional()],
        description="The patient's point of contact (usually the nurse "
        "specialist), who passes on the board's decisions.",
    )
    version = IntegerField(widget=HiddenField.widget, validators=[Optional()])

    def __init__(self, *args, clinicians=(), boards=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.board_id.choices = [(None, CHOOSE[0][1])] + list(boards)
        self.working_diagnosis.choices = _grouped(
            "— none yet —", catalogue.who_entity_choice_groups()
        )
        # data-kind lets static/js/case_location.js show the fields that fit.
        self.bone.choices = [SelectChoice("", CHOOSE[0][1])] + [
            SelectChoice(b.key, b.label, {"data-kind": b.kind}, optgroup=b.group)
            for b in anatomy.BONES
        ]
        obj = kwargs.get("obj")
        if obj is not None and not self.is_submitted():
            # Stored as "I+II"; the checkboxes want a list.
            self.pelvic_zones.data = list(anatomy.split_pelvic_zones(obj.pelvic_zones))
        self.known_primary.choices = [("", "— not a metastasis —")] + list(
            catalogue.metastatic_primary_choices()
        )
        self.lead_clinician_id.choices = [(None, "— none yet —")] + [
            (u.id, f"{u.name} ({u.role_label})") for u in clinicians
        ]
        # Nurse specialists first: they are most often the key worker.
        workers = sorted(
            clinicians, key=lambda u: (u.role != Role.NURSE_SPECIALIST, u.name)
        )
        self.key_worker_id.choices = [(None, "— none yet —")] + [
            (u.id, f"{u.name} ({u.role_label})") for u in workers
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


class BreakGlassForm(FlaskForm):
    """Ask for access to a case outside one's work."""

    reason = SelectField(
        "Why do you need this case?",
        choices=CHOOSE + GlassReason.choices(),
        validators=[required("Choose why you need this case.")],
    )
    explanation = TextAreaField(
        "Explain in a sentence",
        filters=[strip_filter],
        validators=[
            required("Say in a sentence why you need this case."),
            max_length(REASON_LIMIT),
        ],
        description="The privacy officer reads this when reviewing the access.",
    )


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
