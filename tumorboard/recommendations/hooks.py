"""Events of recommendations that features built on them react to.

Each hook runs ``callback(actor, ...)`` after the change is flushed, inside the
same transaction, so what the callbacks write is stored or rolled back with it.
"""

from __future__ import annotations

from tumorboard.hooks import Hook

#: ``(actor, rec)`` after a draft (a first revision or an amendment) is recorded:
#: it waits for the chair's signature.
awaiting_signature = Hook(
    "recommendation.awaiting_signature", "A draft waits for the chair's signature."
)
#: ``(actor, rec)`` after a revision is signed.
signed = Hook("recommendation.signed", "A recommendation revision was signed.")
#: ``(actor, action)`` after an action item is created for its owner.
action_assigned = Hook("action.assigned", "An action item was assigned.")
