"""What a case summary shows beyond the case record: staging, performance
status, each discipline's findings and the key images, all as labelled text
or embedded pictures (the PDF fetches nothing)."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from tumorboard.attachments import services as attachments
from tumorboard.attachments.models import Attachment, AttachmentKind
from tumorboard.auth.disciplines import Discipline
from tumorboard.cases.models import Case
from tumorboard.performance import services as performance
from tumorboard.reviews import schemas
from tumorboard.reviews import services as reviews
from tumorboard.reviews import staging as review_staging

#: At most this many key images and micrographs per case summary.
IMAGE_LIMIT = 6
#: Longest side of an embedded thumbnail, in pixels.
THUMBNAIL_PX = 480


@dataclass
class Thumbnail:
    """A key image as an inline ``data:`` URL, or why it could not be shown."""

    caption: str
    kind: str
    detail: str
    src: str | None = None
    problem: str = ""


@dataclass
class Findings:
    """One discipline's current review as labelled values."""

    discipline: str
    revision: int
    author: str
    at: Any
    scores: list[schemas.ScoreLine]
    groups: list[schemas.DisplayGroup] = field(default_factory=list)


def _data_url(attachment: Attachment) -> str:
    """A JPEG thumbnail of the stored image as a ``data:`` URL."""
    with Image.open(attachments.file_path(attachment)) as image:
        image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, "JPEG", quality=80)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()


def thumbnails(case: Case) -> list[Thumbnail]:
    """The case's key images and micrographs; one that cannot be read is a
    labelled placeholder."""
    shown = [
        a
        for a in attachments.case_attachments(case.id)
        if a.kind in (AttachmentKind.KEY_IMAGE, AttachmentKind.MICROGRAPH)
        and a.is_image
    ][:IMAGE_LIMIT]
    out = []
    for attachment in shown:
        thumb = Thumbnail(
            caption=attachment.caption,
            kind=AttachmentKind(attachment.kind).label,
            detail=attachment.series_slice or "",
        )
        try:
            thumb.src = _data_url(attachment)
        except (OSError, ValueError, Image.DecompressionBombError):
            thumb.problem = "Image could not be read; open it from the case page."
        out.append(thumb)
    return out


def findings(case: Case) -> tuple[list[Findings], review_staging.Staging]:
    """Each discipline's current review as labelled values, and the staging
    derived from them."""
    current = reviews.case_reviews(case.id)
    data = {Discipline(d).value: r.current_revision.data for d, r in current.items()}
    out = []
    for discipline in sorted(current, key=lambda d: d.label):
        revision = current[discipline].current_revision
        schema = schemas.SCHEMAS.get(discipline)
        out.append(
            Findings(
                discipline=discipline.label,
                revision=revision.number,
                author=revision.author.name,
                at=revision.created_at,
                scores=schemas.score_lines(revision.scores),
                groups=schemas.display(schema, revision.data) if schema else [],
            )
        )
    return out, review_staging.derive(case, data)


def performance_status(case: Case) -> str | None:
    """The current performance status as text, or None if none is recorded."""
    status = performance.current(case)
    if status is None:
        return None
    return (
        f"{status.values_label} (assessed {status.assessed_on:%d %b %Y}, "
        f"{status.source_label.lower()})"
    )
