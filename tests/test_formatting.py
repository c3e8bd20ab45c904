"""The English of generated text: "a" or "an" by the sound of the next word."""

from __future__ import annotations

import pytest

from tumorboard.formatting import indefinite_article, with_article


@pytest.mark.parametrize(
    ("phrase", "article"),
    [
        ("orthopaedic oncology review", "an"),
        ("radiology review", "a"),
        ("outside report", "an"),
        ("key image", "a"),
        ("unidentified primary", "an"),
        ("unusual lesion", "an"),
        ("unilateral lesion", "a"),
        ("unit", "a"),
        ("urologist", "a"),
        ("European centre", "a"),
        ("one-off", "a"),
        ("hour", "an"),
        ("https:// address", "an"),
        ("MRI", "an"),
        ("X-ray", "an"),
        ("CT", "a"),
        ("PDF", "a"),
        ("PNG image", "a"),
        ("", "a"),
    ],
)
def test_indefinite_article_follows_the_sound(phrase, article):
    assert indefinite_article(phrase) == article


def test_with_article_keeps_the_phrase():
    assert with_article("orthopaedic oncology review") == (
        "an orthopaedic oncology review"
    )
