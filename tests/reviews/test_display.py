"""Reviews as readers see them: each score named once, whole descriptors, and
select choices shortened at a word."""

from __future__ import annotations

import re

import pytest

from tests.reviews.factories import make_review
from tumorboard.extensions import db
from tumorboard.reviews import schemas


@pytest.mark.parametrize(
    ("text", "width", "shown"),
    [
        ("Short enough", 20, "Short enough"),
        ("Unable to carry out any work activities", 27, "Unable to carry out any…"),
        (
            "Unable to carry out any work activities",
            30,
            "Unable to carry out any work…",
        ),
        # A cut right before a space keeps the whole word before it.
        ("Unable to carry out any work", 25, "Unable to carry out any…"),
        # Punctuation left hanging before the ellipsis goes.
        ("Cares for self; unable to work", 17, "Cares for self…"),
        # A single word longer than the width is all there is to cut.
        ("Supercalifragilistic", 10, "Supercali…"),
    ],
)
def test_shorten_cuts_at_a_word(text, width, shown):
    assert schemas.shorten(text, width) == shown
    assert len(shown) <= width


def test_performance_status_selects_show_whole_descriptors(client, login_as, make_case):
    """ECOG and Karnofsky options carry their whole definitions (reference §8.1,
    §8.2), never a descriptor cut mid-word."""
    case = make_case()
    db.session.commit()
    login_as("orthopedic_oncologist")
    page = client.get(f"/cases/{case.id}/performance-status").text
    options = re.findall(r"<option [^>]*>([^<]*)</option>", page)
    assert (
        "2 — Ambulatory and capable of all self-care but unable to carry out any "
        "work activities; up and about more than 50 % of waking hours"
    ) in options
    assert (
        "30 — Severely disabled; hospital admission indicated although death "
        "not imminent"
    ) in options
    assert not [o for o in options if o.endswith("…") and o != "Choose…"]


def test_score_lines_name_a_score_once():
    lines = schemas.score_lines(
        {
            "size": {
                "label": "Greatest dimension",
                "interpretation": "Greatest dimension 90 mm (9 cm).",
                "points": [],
            },
            "lodwick_madewell": {
                "label": "Lodwick–Madewell",
                "interpretation": "Modified Lodwick–Madewell IB: geographic.",
                "points": [],
            },
            "who": {
                "label": "WHO 2020",
                "interpretation": "Conventional osteosarcoma, 9180/3, malignant.",
                "points": [],
            },
            "sins": {
                "label": "SINS",
                "interpretation": "SINS 7/18: indeterminate instability.",
                "points": [["posterolateral", 1]],
            },
        }
    )
    assert [(line.label, line.text) for line in lines] == [
        (None, "Greatest dimension 90 mm (9 cm)."),
        (None, "Modified Lodwick–Madewell IB: geographic."),
        ("WHO 2020", "Conventional osteosarcoma, 9180/3, malignant."),
        (None, "SINS 7/18: indeterminate instability."),
    ]
    assert lines[3].points == [("posterolateral", 1)]
    assert schemas.score_lines(None) == []


def test_review_page_names_each_score_once(client, login_as, make_case):
    case = make_case()
    make_review(case, "radiology")
    make_review(case, "palliative_care")
    make_review(case, "pathology")
    db.session.commit()
    login_as("coordinator")
    radiology = client.get(f"/cases/{case.id}/reviews/radiology").text
    assert "<li>Greatest dimension 92 mm (9.2 cm)." in radiology
    assert "Greatest dimension</strong>: Greatest dimension" not in radiology
    palliative = client.get(f"/cases/{case.id}/reviews/palliative_care").text
    assert "<li>Pain 4/10." in palliative
    assert "<strong>Pain</strong>: Pain" not in palliative
    pathology = client.get(f"/cases/{case.id}/reviews/pathology").text
    # A score whose text does not name it keeps its name.
    assert "<li><strong>WHO 2020</strong>: " in pathology
