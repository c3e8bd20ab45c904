"""The dashboard's filter form (GET, no CSRF) and the ratification form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from tumorboard.cases.models import CaseType


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

    password = PasswordField("Your password")
