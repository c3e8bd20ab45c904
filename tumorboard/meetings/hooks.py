"""What features built on meetings add to them, without meetings importing them."""

from __future__ import annotations

from tumorboard.hooks import Hook

#: ``check(item)`` before an agenda item is deferred; raises a ServiceError to
#: refuse (recommendations: a discussion with a recommendation is amended,
#: not deferred).
before_defer = Hook("agenda.before_defer", "Checks run before deferring an item.")
