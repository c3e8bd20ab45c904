"""Jinja filters for dates, times and labels."""

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


FILTERS = {"date": format_date, "datetime": format_datetime, "label": label}
