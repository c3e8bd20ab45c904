"""Import every model so that metadata is complete (Alembic, create_all)."""

from tumorboard.audit.models import AuditEntry
from tumorboard.auth.models import User
from tumorboard.cases.models import Case
from tumorboard.meetings.models import AgendaItem, Attendance, Board, Meeting
from tumorboard.patients.models import Patient

__all__ = [
    "AgendaItem",
    "Attendance",
    "AuditEntry",
    "Board",
    "Case",
    "Meeting",
    "Patient",
    "User",
]
