"""Import every model so that metadata is complete (Alembic, create_all)."""

from tumorboard.audit.models import AuditEntry
from tumorboard.auth.models import User
from tumorboard.cases.models import Case
from tumorboard.patients.models import Patient

__all__ = ["AuditEntry", "Case", "Patient", "User"]
