"""@mentions: parsing, and who is told when a note is written or edited."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests import factories
from tumorboard.annotations import services as annotations
from tumorboard.annotations.mentions import handles
from tumorboard.errors import InvalidInput
from tumorboard.extensions import db
from tumorboard.notifications.models import Notification


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@ray please look", ["ray"]),
        ("cc @Ray, @sam@two.example.org and @ray.", ["ray", "sam@two.example.org"]),
        ("mail ray@example.org", []),
        ("(@dr.ray)", ["dr.ray"]),
        ("no mention @ here", []),
    ],
)
def test_handles(text, expected):
    assert handles(text) == expected


def _told(user) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.recipient_id == user.id
        )
    )


def test_an_edit_tells_only_people_it_adds(app):
    author = factories.make_user("orthopedic_oncologist")
    ray = factories.make_user("radiologist", email="ray@example.org")
    pat = factories.make_user("pathologist", email="pat@example.org")
    case = factories.make_case()
    note = annotations.create_annotation(author, case, "@ray the femur")
    assert (_told(ray), _told(pat)) == (1, 0)
    annotations.edit_annotation(
        author, case, note, "@ray and @pat the femur", note.version
    )
    assert (_told(ray), _told(pat)) == (1, 1)


def test_an_edit_with_an_unknown_mention_is_refused(app):
    author = factories.make_user("orthopedic_oncologist")
    case = factories.make_case()
    note = annotations.create_annotation(author, case, "The femur")
    with pytest.raises(InvalidInput, match="Nobody is called @nobody"):
        annotations.edit_annotation(author, case, note, "@nobody look", note.version)


def test_too_many_mentions_are_refused(app):
    author = factories.make_user("orthopedic_oncologist")
    case = factories.make_case()
    body = " ".join(f"@person{i}" for i in range(11))
    with pytest.raises(InvalidInput, match="at most 10 people"):
        annotations.create_annotation(author, case, body)
