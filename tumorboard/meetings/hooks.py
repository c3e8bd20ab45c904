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
