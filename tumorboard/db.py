"""Declarative base, column types and helpers shared by every model."""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


Statement = TypeVar("Statement", bound=sa.Executable)


def prebuilt(builder: Callable[[], Statement]) -> Callable[[], Statement]:
    """Build the statement ``builder`` returns on first use and keep it.

    For the statements every request or a busy page runs: building an ORM
    statement with its joins and loader options, and the cache key that
    finds its compiled SQL, costs several times what running a small one
    does, and a kept statement memoizes its key. The statement takes its
    values as named parameters (``sa.bindparam("case_id")``, expanding for
    a list), given when it runs. Statements are immutable, so threads share
    one safely."""
    return functools.cache(builder)


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def today() -> date:
    """Return today's date in UTC."""
    return utcnow().date()


class UTCDateTime(sa.TypeDecorator):
    """A timestamp stored as UTC and always returned timezone-aware.

    SQLite keeps no zone information, so naive values read back are UTC by
    construction; aware values are converted to UTC before they are written.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


#: Each LabelledEnum's labels, made once (lists show a label on every row).
_ENUM_LABELS: dict[type, dict] = {}


class LabelledEnum(enum.StrEnum):
    """A StrEnum whose members carry a human label from ``_labels``."""

    @property
    def label(self) -> str:
        """Human-readable value."""
        kind = type(self)
        labels = _ENUM_LABELS.get(kind)
        if labels is None:
            labels = _ENUM_LABELS[kind] = kind._labels()
        return labels[self]

    @classmethod
    def _labels(cls) -> dict:
        return {m: m.value.replace("_", " ").capitalize() for m in cls}

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, label) pairs for select fields, in declaration order."""
        return [(m.value, m.label) for m in cls]


def enum_type(enum_cls: type[enum.StrEnum], name: str) -> sa.Enum:
    """A StrEnum stored as VARCHAR with a named CHECK, never a native enum."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    """Declarative base with the constraint naming convention Alembic relies on."""

    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


class TimestampMixin:
    """created_at / updated_at columns maintained by the ORM."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


#: Names (and name prefixes) of database objects that DDL events create beside
#: the models, such as full-text tables and expression indexes. Features add
#: theirs; schema comparisons (autogenerate, the migration test) skip them.
DDL_ONLY_NAMES: set[str] = set()


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic name filter: leave out the objects listed in ``DDL_ONLY_NAMES``."""
    if name is None or type_ not in ("table", "index"):
        return True
    return not any(name.startswith(prefix) for prefix in DDL_ONLY_NAMES)
