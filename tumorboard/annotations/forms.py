"""Annotation forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import Optional

from tumorboard.annotations.services import MAX_BODY
from tumorboard.forms import SelectField, max_length, required, strip_filter


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class AnnotationForm(FlaskForm):
    """A new note or reply; markdown."""

    body = TextAreaField(
        "Annotation",
        filters=[strip_filter],
        validators=[required("Write the annotation first."), max_length(MAX_BODY)],
        description="Markdown: **bold**, *italic*, lists, links (http, https, "
        "mailto). Mention a colleague with @ and the first part of their e-mail "
        "address (@radiology); they are notified.",
    )
    review_id = SelectField(
        "About", coerce=_int_or_none, validators=[Optional()], choices=[]
    )
    parent_id = IntegerField(widget=HiddenField.widget, validators=[Optional()])

    def __init__(self, *args, reviews=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.review_id.choices = [(None, "The whole case")] + [
            (r.id, f"The {r.discipline.label.lower()} review") for r in reviews
        ]


class EditAnnotationForm(FlaskForm):
    """Change the body of one's own note."""

    body = TextAreaField(
        "Annotation",
        filters=[strip_filter],
        validators=[required("Write the annotation first."), max_length(MAX_BODY)],
    )
    version = IntegerField(widget=HiddenField.widget, validators=[Optional()])


class DeleteAnnotationForm(FlaskForm):
    """Delete one's own note (kept as a revision)."""

    version = IntegerField(widget=HiddenField.widget, validators=[Optional()])
