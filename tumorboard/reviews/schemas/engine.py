"""The validation engine: every save is checked against its schema, whatever
sent it (form or API), and the scores are computed from the checked inputs."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from tumorboard.db import today
from tumorboard.errors import InvalidInput
from tumorboard.reviews.schemas.base import (
    CHOICE,
    DATE,
    INT,
    NUMBER,
    Field,
    Rows,
    Schema,
    unit_suffix,
)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean_value(f: Field, value: Any, name: str) -> Any:
    """Validate one value of ``f``; returns the JSON-ready value or None."""
    if _blank(value):
        return None
    if f.kind == CHOICE:
        lookup = {str(key): key for key, _ in f.choices}
        key = lookup.get(str(value).strip())
        if key is None or isinstance(value, bool):
            raise InvalidInput(
                f"{f.label}: '{value}' is not one of the listed options.", name
            )
        return key
    if f.kind in (INT, NUMBER):
        try:
            if isinstance(value, bool):
                raise ValueError
            number = float(str(value).strip())
            if not math.isfinite(number):
                raise ValueError
        except ValueError:
            raise InvalidInput(f"{f.label} must be a number.", name) from None
        if f.kind == INT:
            if number != int(number):
                raise InvalidInput(f"{f.label} must be a whole number.", name)
            number = int(number)
        else:
            number = round(number, 2)
        if (f.minimum is not None and number < f.minimum) or (
            f.maximum is not None and number > f.maximum
        ):
            raise InvalidInput(
                f"{f.label} must be between {f.minimum:g} and {f.maximum:g}"
                f"{unit_suffix(f)}.",
                name,
            )
        return number
    if f.kind == DATE:
        if isinstance(value, date):
            parsed = value
        else:
            try:
                parsed = date.fromisoformat(str(value).strip())
            except ValueError:
                raise InvalidInput(
                    f"{f.label} must be a date (YYYY-MM-DD).", name
                ) from None
        if parsed > today():
            raise InvalidInput(f"{f.label} is in the future.", name)
        if parsed.year < 1900:
            raise InvalidInput(f"{f.label} is before 1900; please check it.", name)
        return parsed.isoformat()
    text = str(value).strip()
    if len(text) > f.max_length:
        raise InvalidInput(
            f"{f.label} must be at most {f.max_length} characters.", name
        )
    return text


def _clean_rows(rows: Rows, value: Any) -> list[dict[str, Any]]:
    if _blank(value):
        value = []
    if not isinstance(value, list | tuple):
        raise InvalidInput(f"{rows.label} must be a list.", rows.key)
    out = []
    for index, raw in enumerate(value):
        if not isinstance(raw, dict):
            raise InvalidInput(
                f"{rows.label}: row {index + 1} is not a record.", rows.key
            )
        unknown = set(raw) - {f.key for f in rows.fields}
        if unknown:
            raise InvalidInput(
                f"{rows.label}: unknown field '{sorted(unknown)[0]}'.", rows.key
            )
        row = {
            f.key: clean_value(f, raw.get(f.key), f"{rows.key}-{index}-{f.key}")
            for f in rows.fields
        }
        if all(v is None for v in row.values()):
            continue  # a blank row left in the form
        for f in rows.fields:
            if f.required and row[f.key] is None:
                raise InvalidInput(
                    f"{rows.label}, row {index + 1}: {f.label.lower()} is required.",
                    f"{rows.key}-{index}-{f.key}",
                )
        out.append(row)
    if len(out) > rows.max_rows:
        raise InvalidInput(f"{rows.label}: at most {rows.max_rows} rows.", rows.key)
    if len(out) < rows.min_rows:
        raise InvalidInput(
            f"{rows.label}: add at least {rows.min_rows} row"
            f"{'s' if rows.min_rows > 1 else ''}.",
            f"{rows.key}-0-{rows.fields[0].key}",
        )
    return out


def clean(schema: Schema, case, raw: dict[str, Any]) -> dict[str, Any]:
    """Validate a whole review against ``schema`` for ``case``; InvalidInput names
    the first bad field."""
    if not isinstance(raw, dict):
        raise InvalidInput("The review must be a record of fields.")
    known = schema.all_fields()
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise InvalidInput(f"Unknown review field '{unknown[0]}'.", unknown[0])
    data: dict[str, Any] = {}
    for group in schema.groups:
        values: dict[str, Any] = {}
        for item in group.items:
            if isinstance(item, Rows):
                values[item.key] = _clean_rows(item, raw.get(item.key))
            else:
                values[item.key] = clean_value(item, raw.get(item.key), item.key)
        given = [k for k, v in values.items() if v not in (None, [])]
        if not group.applies_to(case):
            if given:
                raise InvalidInput(group.not_applicable, given[0])
        else:
            if group.all_or_none and given and len(given) != len(values):
                missing = next(k for k, v in values.items() if v is None)
                raise InvalidInput(
                    f"{group.title}: also give {_item_label(known[missing])}, or "
                    "leave the whole section empty.",
                    missing,
                )
            for item in group.items:
                if (
                    isinstance(item, Field)
                    and item.required
                    and values[item.key] is None
                ):
                    raise InvalidInput(f"{item.label} is required.", item.key)
        data.update(values)
    schema.check(data, case)
    return data


def _item_label(item: Field | Rows) -> str:
    label = item.label
    return label[0].lower() + label[1:] if not label[:2].isupper() else label


def compute_scores(schema: Schema, case, data: dict[str, Any]) -> dict[str, Any]:
    """Scores computed by tumorboard.clinical from validated ``data``."""
    try:
        return schema.compute(data, case)
    except ValueError as error:  # clean() should have caught it; say which input
        raise InvalidInput(f"A score could not be computed: {error}") from None
