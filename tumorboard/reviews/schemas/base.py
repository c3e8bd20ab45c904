"""What a review schema is made of: field kinds, fields, row lists, sections and
the schema itself, with the vocabularies and helpers the disciplines share.

A schema is data (groups of fields) plus two functions: ``check`` for rules
across fields and ``compute`` for what ``tumorboard.clinical`` computes from
the stored inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tumorboard.auth.disciplines import Discipline

# Field kinds -------------------------------------------------------------------

CHOICE, INT, NUMBER, TEXT, TEXTAREA, DATE = (
    "choice",
    "int",
    "number",
    "text",
    "textarea",
    "date",
)


@dataclass(frozen=True)
class Field:
    """One input of a review."""

    key: str
    label: str
    kind: str = CHOICE
    choices: tuple[tuple[Any, str], ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    step: int | None = None
    max_length: int = 200
    unit: str = ""
    hint: str = ""
    required: bool = False
    #: Longest text of a choice in the form's select, cut at a word with "…";
    #: None shows whole descriptors. Readers always see the whole descriptor.
    option_width: int | None = None


@dataclass(frozen=True)
class Rows:
    """A repeating list of small records (studies reviewed, IHC findings)."""

    key: str
    label: str
    fields: tuple[Field, ...]
    blank_rows: int = 2
    max_rows: int = 20
    min_rows: int = 0
    hint: str = ""


@dataclass(frozen=True)
class Group:
    """A titled section of the form; ``applies`` limits it to some cases."""

    key: str
    title: str
    items: tuple[Field | Rows, ...]
    hint: str = ""
    applies: Callable[[Any], bool] | None = None
    #: Message when inputs are given for a case the section does not apply to.
    not_applicable: str = ""
    #: Every field or none (score inputs: a partial score would mislead).
    all_or_none: bool = False

    def applies_to(self, case) -> bool:
        """True if this section belongs on ``case``'s review."""
        return self.applies is None or self.applies(case)


@dataclass(frozen=True)
class Schema:
    """Everything one discipline records, and what is computed from it."""

    discipline: Discipline
    title: str
    groups: tuple[Group, ...]
    check: Callable[[dict[str, Any], Any], None]
    compute: Callable[[dict[str, Any], Any], dict[str, Any]]

    def groups_for(self, case) -> list[Group]:
        """The sections shown for ``case``."""
        return [g for g in self.groups if g.applies_to(case)]

    def all_fields(self) -> dict[str, Field | Rows]:
        """Every top-level field and row list by key."""
        return {item.key: item for g in self.groups for item in g.items}


def unit_suffix(f: Field) -> str:
    """The field's unit with a leading space, or nothing."""
    return f" {f.unit}" if f.unit else ""


# Shared vocabularies ------------------------------------------------------------

YES_NO_UNKNOWN = (("yes", "Yes"), ("no", "No"), ("indeterminate", "Indeterminate"))
YES_NO = (("yes", "Yes"), ("no", "No"))


def choice_pairs(pairs) -> tuple[tuple[Any, str], ...]:
    """A clinical vocabulary of ``(key, label)`` pairs as select choices."""
    return tuple((key, label) for key, label in pairs)


#: Longest choice text in a review form's select before it is shortened.
SELECT_WIDTH = 70


def coded_choices(pairs) -> tuple[tuple[Any, str], ...]:
    """``(value, "value — definition")``: a graded scale with its definitions."""
    return tuple((key, f"{key} — {text}") for key, text in pairs)


def shorten(text: str, width: int) -> str:
    """``text`` if it fits in ``width`` characters, else cut after the last whole
    word that fits, with "…" (a word longer than ``width`` is cut inside)."""
    if len(text) <= width:
        return text
    room = text[: width - 1]
    if not (room[-1].isspace() or text[width - 1].isspace()):
        # The cut falls inside a word: leave that word out.
        head = room.rpartition(" ")[0]
        if head.strip():
            room = head
    return room.rstrip(" ,;:—–-") + "…"


def choice_label(choices, key) -> str:
    """The label of ``key`` among ``choices``, or the key itself if unlisted."""
    return dict(choices).get(key, str(key))


def stored_score(
    label: str,
    interpretation: str,
    *,
    total: Any = None,
    category: str | None = None,
    points=(),
) -> dict[str, Any]:
    """How a computed score is stored in a revision."""
    return {
        "label": label,
        "total": total,
        "category": category,
        "interpretation": interpretation,
        "points": [list(p) for p in points],
    }


def stored_result(label: str, result) -> dict[str, Any]:
    """A ``tumorboard.clinical`` score result as it is stored in a revision."""
    return stored_score(
        label,
        result.interpretation,
        total=result.total,
        category=result.category,
        points=result.points,
    )
