"""Recording, signing and amending recommendations; implementation tracking;
action items; and the lists built on them.

``queries`` and ``validation`` are the base the other modules build on:
``recording`` (drafts), ``amendments`` (draft amendments and what moves to
them when signed), ``signoff`` (signature, quorum override),
``implementation`` and ``actions``.
"""

from tumorboard.recommendations.services.actions import (
    action_owner_choices,
    create_action,
    my_actions,
    overdue_actions_query,
    set_action_status,
    update_action,
)
from tumorboard.recommendations.services.amendments import (
    CARRIED_FIELDS,
    amend_recommendation,
    discard_amendment,
    pending_amendment,
)
from tumorboard.recommendations.services.implementation import (
    IMPLEMENTATION_FIELDS,
    update_implementation,
)
from tumorboard.recommendations.services.queries import (
    awaiting_signature_query,
    case_history,
    count_awaiting_signature,
    current_recommendation,
    meeting_date,
    overdue_recommendations_query,
    quorum,
    record_read,
    revisions_of,
)
from tumorboard.recommendations.services.recording import (
    AGENDA_REFUSED,
    record_item_read,
    record_recommendation,
    update_recommendation,
)
from tumorboard.recommendations.services.signoff import sign_recommendation
from tumorboard.recommendations.services.validation import (
    CONTENT_FIELDS,
    DETAIL_LIMIT,
    MAX_YEARS_AHEAD,
    NCT_PATTERN,
    STALE,
    TEXT_LIMIT,
    content_errors,
    normalise_nct,
)

__all__ = [
    "AGENDA_REFUSED",
    "CARRIED_FIELDS",
    "CONTENT_FIELDS",
    "DETAIL_LIMIT",
    "IMPLEMENTATION_FIELDS",
    "MAX_YEARS_AHEAD",
    "NCT_PATTERN",
    "STALE",
    "TEXT_LIMIT",
    "action_owner_choices",
    "amend_recommendation",
    "awaiting_signature_query",
    "case_history",
    "content_errors",
    "count_awaiting_signature",
    "create_action",
    "current_recommendation",
    "discard_amendment",
    "meeting_date",
    "my_actions",
    "normalise_nct",
    "overdue_actions_query",
    "overdue_recommendations_query",
    "pending_amendment",
    "quorum",
    "record_item_read",
    "record_read",
    "record_recommendation",
    "revisions_of",
    "set_action_status",
    "sign_recommendation",
    "update_action",
    "update_implementation",
    "update_recommendation",
]
