"""Board, meeting, agenda and attendance forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from tumorboard.auth.disciplines import Discipline
from tumorboard.cases.models import QUESTION_LIMIT
from tumorboard.forms import (
    CHOOSE,
    SelectField,
    as_select_choices,
    coerce_int_or_none,
    max_length,
    required,
    strip_filter,
)
from tumorboard.meetings.models import WEEKDAYS, BoardKind
from tumorboard.validation import NAME_LIMIT, REASON_LIMIT, SHORT_TEXT_LIMIT


class CheckboxList(SelectMultipleField):
    """A multiple choice rendered as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, choices=None, **kwargs):
        super().__init__(
            label, validators, choices=as_select_choices(choices), **kwargs
        )

    @property
    def choices(self):
        return self._choices

    @choices.setter
    def choices(self, value):
        self._choices = as_select_choices(value)


class BoardForm(FlaskForm):
    """A recurring board: kind, quorum, recurrence, capacity, place, members."""

    name = StringField(
        "Name",
        filters=[strip_filter],
        validators=[required("Name the board."), max_length(NAME_LIMIT)],
    )
    kind = SelectField(
        "Kind",
        choices=CHOOSE + BoardKind.choices(),
        validators=[required("Choose the kind of board.")],
    )
    required_disciplines = CheckboxList(
        "Disciplines required for quorum",
        choices=Discipline.choices(),
        validators=[required("Choose at least one discipline required for quorum.")],
    )
    weekday = SelectField(
        "Weekday",
        coerce=coerce_int_or_none,
        choices=[(None, "Choose…")] + list(enumerate(WEEKDAYS)),
        # Monday is 0, which DataRequired would take for "empty".
        validators=[InputRequired("Choose the weekday.")],
    )
    start_time = TimeField(
        "Start time (local)",
        validators=[required("Enter the start time (HH:MM).")],
    )
    timezone = StringField(
        "Time zone (IANA)",
        default="Europe/London",
        filters=[strip_filter],
        validators=[required("Enter the time zone."), max_length(64)],
    )
    duration_minutes = IntegerField(
        "Meeting length (minutes)",
        default=120,
        validators=[
            required("Enter the meeting length in minutes."),
            NumberRange(15, 600, "Between 15 and 600 minutes."),
        ],
    )
    minutes_per_case = IntegerField(
        "Default minutes per case",
        default=10,
        validators=[
            required("Enter the default minutes per case."),
            NumberRange(1, 180, "Between 1 and 180 minutes."),
        ],
    )
    capacity = IntegerField(
        "Case capacity per meeting",
        default=12,
        validators=[
            required("Enter the case capacity."),
            NumberRange(1, 100, "Between 1 and 100 cases."),
        ],
    )
    review_reminder_days = IntegerField(
        "Remind of missing reviews (days before the meeting, 0 for never)",
        default=3,
        validators=[
            required("Enter the days before the meeting, or 0."),
            NumberRange(0, 30, "Between 0 and 30 days."),
        ],
    )
    location = StringField(
        "Location",
        filters=[strip_filter],
        validators=[Optional(), max_length(SHORT_TEXT_LIMIT)],
    )
    video_url = StringField(
        "Video-conference link",
        filters=[strip_filter],
        validators=[Optional(), max_length(500)],
    )
    is_active = BooleanField("Active (meetings can be planned)", default=True)
    member_ids = CheckboxList("Members (they receive the invitations)", coerce=int)
    version = IntegerField(widget=HiddenField.widget, validators=[Optional()])

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.member_ids.choices = [(u.id, f"{u.name} ({u.role_label})") for u in people]

    def service_data(self) -> dict:
        """The fields the board services take."""
        data = dict(self.data)
        for key in ("csrf_token", "version"):
            data.pop(key, None)
        return data


class GenerateForm(FlaskForm):
    """Create the board's meetings for the coming weeks."""

    weeks = IntegerField(
        "Weeks ahead",
        default=8,
        validators=[
            required("Enter how many weeks ahead."),
            NumberRange(1, 26, "Between 1 and 26 weeks."),
        ],
    )


class MeetingForm(FlaskForm):
    """An ad hoc meeting, or changes to a planned one (times local to the board)."""

    board_id = SelectField(
        "Board",
        coerce=coerce_int_or_none,
        validators=[required("Choose the board.")],
    )
    day = DateField("Date", validators=[required("Enter the date (YYYY-MM-DD).")])
    start_time = TimeField(
        "Start time", validators=[required("Enter the start time (HH:MM).")]
    )
    end_time = TimeField("End time", validators=[required("Enter the end time.")])
    chair_id = SelectField("Chair", coerce=coerce_int_or_none, validators=[Optional()])
    location = StringField(
        "Location",
        filters=[strip_filter],
        validators=[Optional(), max_length(SHORT_TEXT_LIMIT)],
    )
    video_url = StringField(
        "Video-conference link",
        filters=[strip_filter],
        validators=[Optional(), max_length(500)],
    )
    version = IntegerField(widget=HiddenField.widget, validators=[Optional()])

    def __init__(self, *args, boards=(), clinicians=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.board_id.choices = [(None, "Choose…")] + [(b.id, b.name) for b in boards]
        self.chair_id.choices = [(None, "— not chosen yet —")] + [
            (u.id, f"{u.name} ({u.role_label})") for u in clinicians
        ]

    def service_data(self) -> dict:
        """The fields the meeting services take."""
        data = dict(self.data)
        for key in ("csrf_token", "version", "board_id"):
            data.pop(key, None)
        return data


class AgendaItemForm(FlaskForm):
    """A case on the agenda: the question for this discussion, presenter, time."""

    question = TextAreaField(
        "Question for this discussion",
        filters=[strip_filter],
        validators=[
            required("State the question for this discussion."),
            max_length(QUESTION_LIMIT),
        ],
    )
    presenter_id = SelectField(
        "Presenter", coerce=coerce_int_or_none, validators=[Optional()]
    )
    planned_minutes = IntegerField(
        "Planned minutes",
        validators=[
            required("Enter the planned minutes."),
            NumberRange(1, 180, "Between 1 and 180 minutes."),
        ],
    )
    standard_of_care = BooleanField(
        "Standard of care: needs only ratification (grouped at the end of the "
        "agenda, signed by the chair in one step)"
    )

    def __init__(self, *args, clinicians=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.presenter_id.choices = [(None, "— not chosen yet —")] + [
            (u.id, f"{u.name} ({u.role_label})") for u in clinicians
        ]

    def service_data(self) -> dict:
        """The fields the agenda services take."""
        return {
            "question": self.question.data,
            "presenter_id": self.presenter_id.data,
            "planned_minutes": self.planned_minutes.data,
            "standard_of_care": self.standard_of_care.data,
        }


class ReasonForm(FlaskForm):
    """Remove, defer or cancel: each needs a reason."""

    reason = TextAreaField(
        "Reason",
        filters=[strip_filter],
        validators=[required("Give a reason."), max_length(REASON_LIMIT)],
    )


class CancelForm(ReasonForm):
    """Cancelling a meeting: a reason and an explicit confirmation."""

    confirm = BooleanField(
        "I understand that the cases on the agenda go back to the ready pool "
        "and that a cancelled meeting cannot be reopened.",
        validators=[required("Tick the box to confirm cancelling the meeting.")],
    )


class ActionForm(FlaskForm):
    """A bare POST (publish, start, close, discussed): the CSRF token only."""


class DiscussedForm(FlaskForm):
    """Mark an item discussed; the reason is needed only when no
    recommendation was recorded (the service decides)."""

    reason = TextAreaField(
        "Why the board gives no recommendation",
        filters=[strip_filter],
        validators=[Optional(), max_length(REASON_LIMIT)],
    )


class MoveForm(FlaskForm):
    """Move one agenda item up or down."""

    direction = SelectField(
        choices=[("up", "Up"), ("down", "Down")],
        validators=[required("Move up or down.")],
    )


class GuestForm(FlaskForm):
    """A guest without an account, present for a discipline."""

    guest_name = StringField(
        "Guest's name",
        filters=[strip_filter],
        validators=[required("Enter the guest's name."), max_length(NAME_LIMIT)],
    )
    discipline = SelectField(
        "Discipline",
        choices=CHOOSE + Discipline.choices(),
        validators=[required("Choose the guest's discipline.")],
    )
