"""What features built on meetings add to them, without meetings importing them."""

from __future__ import annotations

from tumorboard.hooks import Hook

#: ``check(item)`` before an agenda item is deferred; raises a ServiceError to
#: refuse (recommendations: a discussion with a recommendation is amended,
#: not deferred).
before_defer = Hook("agenda.before_defer", "Checks run before deferring an item.")

#: ``has_decision(item) -> bool``: True if a recommendation (a draft is enough)
#: was recorded for the item. Marking an item discussed needs one, or a reason
#: why the board discussed the case without one.
has_decision = Hook(
    "agenda.has_decision", "Whether an agenda item has a recorded recommendation."
)

# Events: ``callback(actor, ...)`` after the change is flushed, inside the same
# transaction, so what the callbacks write (notifications, outbox e-mails) is
# stored or rolled back with the change itself.

#: ``(actor, item, case, meeting)`` after a case is listed (or carried over).
case_listed = Hook("agenda.case_listed", "A case was put on a meeting's agenda.")
#: ``(actor, item, case, meeting)`` after an item is marked discussed.
case_discussed = Hook("agenda.case_discussed", "An agenda item was discussed.")
#: ``(actor, item, case, meeting)`` after an item is deferred.
case_deferred = Hook("agenda.case_deferred", "An agenda item was deferred.")
#: ``(actor, meeting)`` after a meeting's agenda is published.
meeting_published = Hook("meeting.published", "A meeting's agenda was published.")
#: ``(actor, meeting)`` after a published meeting's time or place changed.
meeting_rescheduled = Hook("meeting.rescheduled", "A published meeting changed.")
#: ``(actor, meeting, was_published)`` after a meeting is cancelled.
meeting_cancelled = Hook("meeting.cancelled", "A meeting was cancelled.")
