"""Jinja filters for dates, times and labels, and the English of generated text."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def format_date(value: date | datetime | None) -> str:
    """``27 Nov 2026``; empty for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value)
    return f"{value.day} {value:%b %Y}"


def format_datetime(value: datetime | None) -> str:
    """``27 Nov 2026 14:05`` in the display time zone; empty for None."""
    if value is None:
        return ""
    local = _local(value)
    return f"{local.day} {local:%b %Y %H:%M}"


def _local(value: datetime) -> datetime:
    return value.astimezone(ZoneInfo(current_app.config["DISPLAY_TIMEZONE"]))


def label(value) -> str:
    """The ``label`` of an enum member, or the value itself."""
    return getattr(value, "label", value) if value is not None else ""


#: Word beginnings spelt with a vowel but spoken with a consonant ("a unit",
#: "a urologist", "a one-off"); "un-" meaning "not" keeps "an" ("an unusual").
_CONSONANT_SOUNDS = (
    *("unic", "unif", "unil", "unio", "uniq", "unis", "unit", "univ", "unan"),
    *("use", "usu", "ute", "uti", "uto", "ura", "ure", "uri", "uro", "ubi"),
    *("eu", "ewe", "one", "once"),
)
#: Words spelt with a consonant that start with a vowel sound ("an hour", "an
#: https:// address", read letter by letter).
_VOWEL_SOUNDS = ("hour", "honest", "honour", "honor", "heir", "http")
#: Letters whose spoken name starts with a vowel sound ("an MRI", "an X-ray").
_VOWEL_NAMED_LETTERS = frozenset("AEFHILMNORSX")


def indefinite_article(phrase: str) -> str:
    """ "a" or "an", whichever goes before ``phrase``'s first word when spoken.

    An acronym (two capitals or more, or one capital letter) is read letter by
    letter: "an MRI", "a CT", "an X-ray".
    """
    word = phrase.strip().split(" ", 1)[0].split("-", 1)[0]
    if not word:
        return "a"
    if word.isupper() and (len(word) > 1 or word.isalpha()):
        return "an" if word[0] in _VOWEL_NAMED_LETTERS else "a"
    lower = word.lower()
    if lower.startswith(_CONSONANT_SOUNDS):
        return "a"
    if lower.startswith(_VOWEL_SOUNDS):
        return "an"
    return "an" if lower[0] in "aeiou" else "a"


def with_article(phrase: str) -> str:
    """``phrase`` after "a" or "an": "an orthopaedic oncology review"."""
    return f"{indefinite_article(phrase)} {phrase}"


FILTERS = {
    "date": format_date,
    "datetime": format_datetime,
    "label": label,
    "with_article": with_article,
}
