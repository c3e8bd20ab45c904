"""Import every model so that metadata is complete (Alembic, create_all)."""

from tumorboard.annotations.models import Annotation, AnnotationRevision
from tumorboard.api.models import ApiToken
from tumorboard.attachments.models import Attachment
from tumorboard.audit.models import AuditEntry
from tumorboard.auth.models import User
from tumorboard.cases.breakglass import BreakGlassGrant
from tumorboard.cases.models import Case
from tumorboard.cases.search import CaseSearch
from tumorboard.cases.status_counts import CaseStatusCount
from tumorboard.meetings.models import (
    AgendaItem,
    Attendance,
    Board,
    Meeting,
    PresenterPosition,
)
from tumorboard.notifications.models import (
    Notification,
    NotificationPreference,
    OutboxMessage,
    ReminderSent,
)
from tumorboard.patients.models import Patient
from tumorboard.performance.models import PerformanceStatus
from tumorboard.recommendations.models import ActionItem, Recommendation
from tumorboard.reviews.models import (
    DisciplineReview,
    ReadinessWaiver,
    ReviewRevision,
)

__all__ = [
    "ActionItem",
    "AgendaItem",
    "Annotation",
    "AnnotationRevision",
    "ApiToken",
    "Attachment",
    "Attendance",
    "AuditEntry",
    "Board",
    "BreakGlassGrant",
    "Case",
    "CaseSearch",
    "CaseStatusCount",
    "DisciplineReview",
    "Meeting",
    "Notification",
    "NotificationPreference",
    "OutboxMessage",
    "Patient",
    "PerformanceStatus",
    "PresenterPosition",
    "ReadinessWaiver",
    "ReminderSent",
    "Recommendation",
    "ReviewRevision",
    "User",
]
