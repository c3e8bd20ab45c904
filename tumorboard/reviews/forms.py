"""Review forms, built from the discipline schemas; waiver forms."""

from __future__ import annotations

from typing import Any

import wtforms
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    FloatField,
    FormField,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional

from tumorboard.clinical import staging
from tumorboard.forms import (
    SelectField,
    max_length,
    not_in_future,
    required,
    strip_filter,
)
from tumorboard.reviews import schemas
from tumorboard.reviews.models import WAIVER_REASON_LIMIT, ReadinessDeclaration

NOT_RECORDED = [("", "— not recorded —")]


def _field(f: schemas.Field, case):
    """The WTForms field for one schema field (checks repeated by the service)."""
    kwargs: dict[str, Any] = {"description": f.hint}
    label = f"{f.label} ({f.unit})" if f.unit else f.label
    if f.kind == schemas.CHOICE:
        choices = list(f.choices)
        if f.key == "t_category" and schemas.is_segment_staged(case):
            choices = staging.ajcc_t_choices(schemas.site_group(case))
        if f.key == "sins_level":
            # Only the levels of the case's site: occiput–L5 or S1–S5.
            choices = [(k, v) for k, v in choices if schemas.sins_level_fits(case, k)]
        if f.option_width:
            choices = [(k, schemas.shorten(v, f.option_width)) for k, v in choices]
        return SelectField(
            label,
            choices=NOT_RECORDED + [(str(k), v) for k, v in choices],
            validators=[Optional()],
            **kwargs,
        )
    if f.kind in (schemas.INT, schemas.NUMBER):
        message = f"{f.label} must be between {f.minimum:g} and {f.maximum:g}" + (
            f" {f.unit}." if f.unit else "."
        )
        # NumberRange %-formats its message: a literal "%" unit must be doubled.
        message = message.replace("%", "%%")
        validators = [Optional(), NumberRange(f.minimum, f.maximum, message=message)]
        if f.kind == schemas.INT:
            return IntegerField(label, validators=validators, **kwargs)
        return FloatField(
            label, validators=validators, render_kw={"step": "any"}, **kwargs
        )
    if f.kind == schemas.DATE:
        return DateField(label, validators=[Optional(), not_in_future], **kwargs)
    field_class = TextAreaField if f.kind == schemas.TEXTAREA else StringField
    return field_class(
        label,
        filters=[strip_filter],
        validators=[Optional(), max_length(f.max_length)],
        render_kw={"maxlength": f.max_length},
        **kwargs,
    )


class ReviewFormBase(FlaskForm):
    """Fields every review form has: the revision the author started from."""

    base = IntegerField(widget=HiddenField.widget, validators=[Optional()])

    schema: schemas.Schema
    groups: list[schemas.Group]

    def service_data(self) -> dict[str, Any]:
        """The review inputs as the service takes them."""
        data = {}
        for group in self.groups:
            for item in group.items:
                data[item.key] = self[item.key].data
        return data

    def field_named(self, name: str):
        """The field posted as ``name``, also inside a row list (``rows-0-field``)."""
        parts = name.split("-")
        if len(parts) == 1:
            return self._fields.get(name)
        if len(parts) == 3 and parts[1].isdigit() and parts[0] in self._fields:
            entries = self._fields[parts[0]].entries
            index = int(parts[1])
            if index < len(entries):
                return entries[index].form._fields.get(parts[2])
        return None

    def add_row(self, key: str) -> bool:
        """Append a blank row to the list ``key``; False if it is full or unknown."""
        item = self.schema.all_fields().get(key)
        if not isinstance(item, schemas.Rows) or key not in self:
            return False
        rows = self[key]
        if len(rows.entries) >= item.max_rows:
            return False
        rows.append_entry()
        return True


def review_form_class(schema: schemas.Schema, case) -> type[ReviewFormBase]:
    """A form class with the sections of ``schema`` that apply to ``case``."""
    groups = schema.groups_for(case)
    attrs: dict[str, Any] = {"schema": schema, "groups": groups}
    for group in groups:
        for item in group.items:
            if isinstance(item, schemas.Rows):
                row_form = type(
                    f"{item.key.title()}Row",
                    (wtforms.Form,),
                    {f.key: _field(f, case) for f in item.fields},
                )
                attrs[item.key] = FieldList(
                    FormField(row_form),
                    label=item.label,
                    min_entries=item.blank_rows,
                    max_entries=item.max_rows,
                )
            else:
                attrs[item.key] = _field(item, case)
    name = f"{schema.discipline.value.title().replace('_', '')}ReviewForm"
    return type(name, (ReviewFormBase,), attrs)


class WaiverForm(FlaskForm):
    """Waive one readiness item, or declare a pre-biopsy discussion."""

    item = HiddenField(validators=[required("Choose the item to waive.")])
    kind = HiddenField(default=ReadinessDeclaration.WAIVER.value)
    reason = TextAreaField(
        "Reason",
        filters=[strip_filter],
        validators=[required("Give a reason."), max_length(WAIVER_REASON_LIMIT)],
    )


class WithdrawWaiverForm(FlaskForm):
    """Withdraw a waiver (CSRF only)."""
