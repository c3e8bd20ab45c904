"""The performance status form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, IntegerField
from wtforms.validators import Optional

from tumorboard.clinical import scores
from tumorboard.forms import (
    CHOOSE,
    SelectField,
    coerce_int_or_none,
    not_before,
    not_in_future,
    required,
)
from tumorboard.performance.models import AssessmentSource

NOT_ASSESSED = [("", "Not assessed")]


def _graded(pairs) -> list[tuple[int, str]]:
    return [(value, f"{value} — {text}") for value, text in pairs]


class PerformanceStatusForm(FlaskForm):
    """One assessment: ECOG and/or Karnofsky for adults, Lansky for children."""

    ecog = SelectField(
        "ECOG",
        choices=NOT_ASSESSED + _graded(scores.ECOG_GRADES),
        coerce=coerce_int_or_none,
        validators=[Optional()],
    )
    karnofsky = SelectField(
        "Karnofsky",
        choices=NOT_ASSESSED + _graded(scores.KARNOFSKY_VALUES),
        coerce=coerce_int_or_none,
        validators=[Optional()],
    )
    lansky = SelectField(
        "Lansky play-performance",
        choices=NOT_ASSESSED + list(scores.LANSKY_LEVELS),
        coerce=coerce_int_or_none,
        validators=[Optional()],
    )
    assessed_on = DateField(
        "Assessed on",
        validators=[
            required("Enter the date of the assessment (YYYY-MM-DD)."),
            not_in_future,
            not_before(1900),
        ],
    )
    source = SelectField(
        "Where it was assessed",
        choices=CHOOSE + AssessmentSource.choices(),
        validators=[required("Choose where the assessment was made.")],
    )
    confirm_disagreement = BooleanField(
        "ECOG and Karnofsky are both as assessed, although they disagree"
    )
    based_on = IntegerField(widget=HiddenField.widget, validators=[Optional()])
