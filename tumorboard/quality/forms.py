"""The dashboard's filter form (GET, no CSRF) and the ratification form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField

from tumorboard.cases.models import CaseType


class QualityFilterForm(FlaskForm):
    """Date range of meetings, board and case type."""

    class Meta:
        csrf = False

    start = StringField("From")
    end = StringField("To")
    board = SelectField("Board", default="")
    case_type = SelectField(
        "Case type", choices=[("", "Both types")] + CaseType.choices(), default=""
    )

    def __init__(self, *args, boards=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.board.choices = [("", "All boards")] + [
            (str(b.id), b.name) for b in boards
        ]


class RatifyForm(FlaskForm):
    """The chair ratifies the standard-of-care items with their password."""

    password = PasswordField("Your password")
