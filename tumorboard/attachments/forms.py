"""Upload and withdraw forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, TextAreaField
from wtforms.validators import Optional

from tumorboard.attachments.models import (
    CAPTION_LIMIT,
    SERIES_LIMIT,
    WITHDRAW_REASON_LIMIT,
    AttachmentKind,
)
from tumorboard.auth.permissions import can_upload_attachment
from tumorboard.forms import SelectField, max_length, required, strip_filter


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class UploadForm(FlaskForm):
    """Attach a file to a case."""

    kind = SelectField(
        "Kind of file", validators=[required("Choose the kind of file.")]
    )
    file = FileField("File", validators=[FileRequired("Choose a file to upload.")])
    caption = StringField(
        "Caption",
        filters=[strip_filter],
        validators=[required("Give the file a caption."), max_length(CAPTION_LIMIT)],
    )
    series_slice = StringField(
        "Series / slice (key images)",
        filters=[strip_filter],
        validators=[Optional(), max_length(SERIES_LIMIT)],
        description="For example: MRI 2026-03-02, series 7 (T1 fat-sat), slice 23.",
    )
    review_id = SelectField(
        "Belongs to", coerce=_int_or_none, validators=[Optional()], choices=[]
    )

    def __init__(self, *args, user=None, case=None, reviews=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [("", "Choose…")] + [
            (k.value, k.label)
            for k in AttachmentKind
            if user is not None and can_upload_attachment(user, case, k.value)
        ]
        self.review_id.choices = [(None, "The case")] + [
            (r.id, f"The {r.discipline.label.lower()} review") for r in reviews
        ]


class WithdrawForm(FlaskForm):
    """Withdraw an attachment, with the reason."""

    reason = TextAreaField(
        "Reason",
        filters=[strip_filter],
        validators=[
            required("Give a reason to withdraw the file."),
            max_length(WITHDRAW_REASON_LIMIT),
        ],
    )
