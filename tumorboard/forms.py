"""Form helpers shared by every feature."""

from __future__ import annotations

from datetime import date

import wtforms
from wtforms import ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from tumorboard.db import today


def required(message: str = "This field is required."):
    """DataRequired with a specific message (whitespace-only counts as empty)."""
    return DataRequired(message)


def max_length(limit: int):
    """Length check that names the limit in its message."""
    return Length(max=limit, message=f"At most {limit} characters.")


def not_in_future(form, field) -> None:
    """Refuse dates after today."""
    if field.data and field.data > today():
        raise ValidationError("This date is in the future.")


def not_before(year: int = 1900):
    """Refuse implausibly old dates."""

    def check(form, field) -> None:
        if field.data and field.data < date(year, 1, 1):
            raise ValidationError(f"This date is before {year}; please check it.")

    return check


#: First option of a required select: nothing chosen yet.
CHOOSE = [("", "Choose…")]


def coerce_int_or_none(value):
    """Coerce a select value to an int id, with '' or 'None' meaning no choice."""
    if value in (None, "", "None"):
        return None
    return int(value)


def show_current_version(form, version: int) -> None:
    """After a refused save, let the kept input be saved on purpose next time.

    The hidden field would otherwise re-render the submitted (stale) value,
    since WTForms prefers raw input over ``data``.
    """
    form.version.data = version
    form.version.raw_data = [str(version)]


def strip_filter(value):
    """Trim surrounding spaces from text input."""
    return value.strip() if isinstance(value, str) else value


def empty_to_none(value):
    """Treat an empty selection as no value."""
    return value or None


def as_select_choices(choices):
    """Turn ``(value, label)`` pairs, or ``{group: pairs}``, into SelectChoice items."""
    if choices is None or callable(choices):
        return choices
    if isinstance(choices, dict):
        return [
            SelectChoice(value, label, optgroup=group)
            for group, pairs in choices.items()
            for value, label in pairs
        ]
    return [
        item if isinstance(item, SelectChoice) else SelectChoice(item[0], item[1])
        for item in choices
    ]


class SelectField(wtforms.SelectField):
    """A SelectField that accepts plain ``(value, label)`` pairs as choices."""

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
