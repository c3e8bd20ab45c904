"""The dashboard's filter form (GET, no CSRF) and the ratification form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from tumorboard.cases.models import CaseType
from tumorboard.forms import max_length, required, strip_filter
from tumorboard.validation import REASON_LIMIT


class QualityFilterForm(FlaskForm):
    """Date range of meetings, board and case type."""

    class Meta:
        csrf = False

    start = StringField("From")
    end = StringField("To")
    board = SelectField("Board", default="", validate_choice=False)
    case_type = SelectField(
        "Case type",
        choices=[SelectChoice("", "Both types")]
        + [SelectChoice(value, label) for value, label in CaseType.choices()],
        default="",
        # The filter service checks the choice and says which field is wrong.
        validate_choice=False,
    )

    def __init__(self, *args, boards=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.board.choices = [SelectChoice("", "All boards")] + [
            SelectChoice(str(b.id), b.name) for b in boards
        ]


class RatifyForm(FlaskForm):
    """The chair ratifies the standard-of-care items with their password."""

    override_reason = TextAreaField(
        "Reason for signing without quorum",
        filters=[strip_filter],
        validators=[Optional(), max_length(REASON_LIMIT)],
    )
    password = PasswordField(
        "Your password (to confirm the signatures)",
        validators=[required("Enter your password to sign.")],
    )
