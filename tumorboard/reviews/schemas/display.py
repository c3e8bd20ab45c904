"""Stored reviews as readers see them: values section by section, computed
scores, the changes between two revisions, and the values in the shapes the
review form expects."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from tumorboard.reviews.schemas.base import (
    CHOICE,
    DATE,
    INT,
    NUMBER,
    Field,
    Rows,
    Schema,
    choice_label,
    unit_suffix,
)


def display_value(f: Field, value: Any) -> str:
    """A stored value as the reader sees it."""
    if value is None:
        return ""
    if f.kind == CHOICE:
        # The whole descriptor: selects may show it shortened, readers never.
        return choice_label(f.choices, value)
    if f.kind in (INT, NUMBER):
        return f"{value:g}{unit_suffix(f)}"
    if f.kind == DATE:
        parsed = date.fromisoformat(value)
        return f"{parsed.day} {parsed:%b %Y}"
    return str(value)


@dataclass
class DisplayRow:
    """One labelled value of a review, ready for a template."""

    label: str
    value: str
    is_link: bool = False


@dataclass
class DisplayGroup:
    """A section of a review with the values that were recorded."""

    title: str
    rows: list[DisplayRow]
    tables: list[tuple[str, list[str], list[list[DisplayRow]]]]


def display(schema: Schema, data: dict[str, Any]) -> list[DisplayGroup]:
    """The recorded values of a revision, section by section (empty ones left out)."""
    groups = []
    for group in schema.groups:
        rows: list[DisplayRow] = []
        tables = []
        for item in group.items:
            if isinstance(item, Rows):
                records = data.get(item.key) or []
                if records:
                    tables.append(
                        (
                            item.label,
                            [f.label for f in item.fields],
                            [
                                [
                                    DisplayRow(
                                        f.label,
                                        display_value(f, record.get(f.key)),
                                        is_link=f.key == "reference"
                                        and str(record.get(f.key) or "")
                                        .lower()
                                        .startswith(("https://", "http://")),
                                    )
                                    for f in item.fields
                                ]
                                for record in records
                            ],
                        )
                    )
            elif data.get(item.key) is not None:
                rows.append(DisplayRow(item.label, display_value(item, data[item.key])))
        if rows or tables:
            groups.append(DisplayGroup(group.title, rows, tables))
    return groups


@dataclass
class ScoreLine:
    """A computed score as a reader sees it: its name, unless the text names it
    already ("Greatest dimension 90 mm" needs no "Greatest dimension:")."""

    label: str | None
    text: str
    points: list[tuple[str, Any]]


def _names(text: str, label: str) -> bool:
    """True if ``text`` contains ``label`` as whole words, whatever the case."""
    pattern = rf"(?<![\w-]){re.escape(label)}(?![\w-])"
    return re.search(pattern, text, re.IGNORECASE) is not None


def score_lines(scores: dict[str, dict[str, Any]] | None) -> list[ScoreLine]:
    """The stored scores of a revision, each named once."""
    lines = []
    for score in (scores or {}).values():
        label, text = score["label"], score["interpretation"]
        lines.append(
            ScoreLine(
                None if _names(text, label) else label,
                text,
                [(str(name).replace("_", " "), pts) for name, pts in score["points"]],
            )
        )
    return lines


def flatten(schema: Schema, data: dict[str, Any]) -> dict[str, str]:
    """``{"Section · field": shown value}`` for comparing two revisions."""
    flat: dict[str, str] = {}
    for group in schema.groups:
        for item in group.items:
            if isinstance(item, Rows):
                for index, record in enumerate(data.get(item.key) or [], 1):
                    for f in item.fields:
                        value = display_value(f, record.get(f.key))
                        if value:
                            flat[f"{item.label} {index} · {f.label}"] = value
            else:
                value = display_value(item, data.get(item.key))
                if value:
                    flat[f"{group.title} · {item.label}"] = value
    return flat


def compare(
    schema: Schema, old: dict[str, Any] | None, new: dict[str, Any]
) -> dict[str, list[str | None]]:
    """``{label: [old, new]}`` for every value that differs between two revisions."""
    before = flatten(schema, old or {})
    after = flatten(schema, new)
    ordered = list(after) + [k for k in before if k not in after]
    return {
        key: [before.get(key), after.get(key)]
        for key in ordered
        if before.get(key) != after.get(key)
    }


def to_form_data(schema: Schema, data: dict[str, Any]) -> dict[str, Any]:
    """Stored values in the shapes the review form's fields expect."""
    out: dict[str, Any] = {}
    for key, item in schema.all_fields().items():
        value = data.get(key)
        if isinstance(item, Rows):
            out[key] = [
                {f.key: _form_value(f, record.get(f.key)) for f in item.fields}
                for record in value or []
            ]
        else:
            out[key] = _form_value(item, value)
    return out


def _form_value(f: Field, value: Any) -> Any:
    if value is None:
        return None
    if f.kind == DATE:
        return date.fromisoformat(value)
    if f.kind == CHOICE:
        return str(value)
    return value


def key_findings(
    schema: Schema, data: dict[str, Any], keys: tuple[str, ...]
) -> list[DisplayRow]:
    """The recorded values of ``keys`` (those a board reads first), in that
    order; fields left empty are left out."""
    fields = schema.all_fields()
    rows = []
    for key in keys:
        item = fields.get(key)
        if isinstance(item, Field) and data.get(key) is not None:
            rows.append(DisplayRow(item.label, display_value(item, data[key])))
    return rows
