"""Checks of submitted values shared by every service, with their limits.

Forms check the same limits first (``tumorboard.forms.max_length``), so a
person sees the message next to the field; services check again because the
API and the command line reach them without a form.
"""

from __future__ import annotations

from typing import Any

from tumorboard.errors import InvalidInput

#: A person's or an institution's name.
NAME_LIMIT = 120
#: A short label: a location, a caption, a dose.
SHORT_TEXT_LIMIT = 200
#: A reason given for waiving, deferring, withdrawing or overriding.
REASON_LIMIT = 2000
#: A paragraph of clinical text: presentation, rationale, recommendation.
LONG_TEXT_LIMIT = 4000


def clean_text(
    value: Any,
    field: str,
    label: str,
    limit: int,
    *,
    required: bool = False,
) -> str:
    """Stripped text, at most ``limit`` characters; "" when empty and optional."""
    text = (value or "").strip() if isinstance(value, str | None) else str(value)
    if required and not text:
        raise InvalidInput(f"{label} is required.", field)
    if len(text) > limit:
        raise InvalidInput(f"{label} must be at most {limit} characters.", field)
    return text


def clean_id(value: Any, field: str, label: str) -> int:
    """A submitted record id as an int, or InvalidInput naming the field."""
    if isinstance(value, bool):
        raise InvalidInput(f"The {label} is not valid.", field)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"The {label} is not valid.", field) from None
