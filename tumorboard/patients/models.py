"""Patients (synthetic in every demo and test)."""

from __future__ import annotations

import enum
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tumorboard.db import TimestampMixin, enum_type
from tumorboard.extensions import db
from tumorboard.validation import NAME_LIMIT

#: The GP's practice with its address, on one line.
GP_PRACTICE_LIMIT = 300


class Sex(enum.StrEnum):
    """Administrative sex as recorded at registration."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        """Human-readable value."""
        return self.value.capitalize()


class Patient(TimestampMixin, db.Model):
    """A person whose tumour is discussed; identified by the hospital MRN."""

    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Medical record number, stored upper-case without surrounding spaces.
    mrn: Mapped[str] = mapped_column(sa.String(20), unique=True)
    given_name: Mapped[str] = mapped_column(sa.String(100))
    family_name: Mapped[str] = mapped_column(sa.String(100), index=True)
    birth_date: Mapped[date]
    sex: Mapped[Sex] = mapped_column(enum_type(Sex, "patient_sex"))
    #: The patient's general practitioner, copied on the outcome letter.
    gp_name: Mapped[str | None] = mapped_column(sa.String(NAME_LIMIT))
    #: The GP's practice and its address.
    gp_practice: Mapped[str | None] = mapped_column(sa.String(GP_PRACTICE_LIMIT))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def reference(self) -> str:
        """Internal reference used where the MRN must not appear (audit summaries)."""
        return f"P-{self.id:05d}"

    @property
    def display_name(self) -> str:
        """Family name first, as on a hospital wristband."""
        return f"{self.family_name.upper()}, {self.given_name}"

    @property
    def gp_label(self) -> str | None:
        """The GP as a letter names them: name and practice, or None if
        neither is recorded."""
        parts = [p for p in (self.gp_name, self.gp_practice) if p]
        return ", ".join(parts) or None

    def age_on(self, on: date) -> int:
        """Age in whole years on a given date."""
        years = on.year - self.birth_date.year
        if (on.month, on.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    def __repr__(self) -> str:
        return f"<Patient {self.id} {self.mrn}>"
