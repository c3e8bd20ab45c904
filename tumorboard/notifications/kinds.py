"""What people are told about, how, and the defaults for each role."""

from __future__ import annotations

from tumorboard.auth.roles import Role
from tumorboard.db import LabelledEnum


class Kind(LabelledEnum):
    """A kind of notification; people choose a channel per kind."""

    REVIEW_NEEDED = "review_needed"
    REVIEW_MISSING = "review_missing"
    CASE_LISTED = "case_listed"
    CASE_DISCUSSED = "case_discussed"
    CASE_DEFERRED = "case_deferred"
    AGENDA_PUBLISHED = "agenda_published"
    MEETING_CHANGED = "meeting_changed"
    AGENDA_REMINDER = "agenda_reminder"
    SIGNATURE_NEEDED = "signature_needed"
    RECOMMENDATION_SIGNED = "recommendation_signed"
    ACTION_ASSIGNED = "action_assigned"
    ACTION_DUE = "action_due"
    ACTION_OVERDUE = "action_overdue"
    IMPLEMENTATION_OVERDUE = "implementation_overdue"
    MENTION = "mention"
    BREAK_GLASS = "break_glass"

    @classmethod
    def _labels(cls) -> dict:
        return KIND_LABELS


KIND_LABELS = {
    Kind.REVIEW_NEEDED: "Review needed from my discipline",
    Kind.REVIEW_MISSING: "Review still missing before the meeting",
    Kind.CASE_LISTED: "A case I lead was listed for a meeting",
    Kind.CASE_DISCUSSED: "A case I lead was discussed",
    Kind.CASE_DEFERRED: "A case I lead was deferred",
    Kind.AGENDA_PUBLISHED: "Agenda published for a board I sit on (with invitation)",
    Kind.MEETING_CHANGED: "A meeting of my board was moved or cancelled",
    Kind.AGENDA_REMINDER: "Weekly reminder of my board's next meeting",
    Kind.SIGNATURE_NEEDED: "A recommendation waits for my signature",
    Kind.RECOMMENDATION_SIGNED: (
        "A recommendation was signed on a case I lead or review"
    ),
    Kind.ACTION_ASSIGNED: "An action item was assigned to me",
    Kind.ACTION_DUE: "An action item of mine is due tomorrow",
    Kind.ACTION_OVERDUE: "An action item of mine is overdue",
    Kind.IMPLEMENTATION_OVERDUE: "A recommendation is past its start-by date",
    Kind.MENTION: "I was mentioned in an annotation",
    Kind.BREAK_GLASS: "Someone outside the board opened a case I lead (break-glass)",
}

#: The short title of a notification of each kind (no patient data).
KIND_TITLES = {
    Kind.REVIEW_NEEDED: "Review needed",
    Kind.REVIEW_MISSING: "Review still missing",
    Kind.CASE_LISTED: "Case listed",
    Kind.CASE_DISCUSSED: "Case discussed",
    Kind.CASE_DEFERRED: "Case deferred",
    Kind.AGENDA_PUBLISHED: "Agenda published",
    Kind.MEETING_CHANGED: "Meeting changed",
    Kind.AGENDA_REMINDER: "Meeting next week",
    Kind.SIGNATURE_NEEDED: "Signature needed",
    Kind.RECOMMENDATION_SIGNED: "Recommendation signed",
    Kind.ACTION_ASSIGNED: "Action assigned",
    Kind.ACTION_DUE: "Action due tomorrow",
    Kind.ACTION_OVERDUE: "Action overdue",
    Kind.IMPLEMENTATION_OVERDUE: "Implementation overdue",
    Kind.MENTION: "Mentioned",
    Kind.BREAK_GLASS: "Break-glass access",
}


class Channel(LabelledEnum):
    """How one person hears of one kind of notification."""

    IN_APP = "in_app"
    EMAIL = "email"
    DIGEST = "digest"
    OFF = "off"

    @classmethod
    def _labels(cls) -> dict:
        return CHANNEL_LABELS


CHANNEL_LABELS = {
    Channel.IN_APP: "In the app only",
    Channel.EMAIL: "In the app and by e-mail at once",
    Channel.DIGEST: "In the app and in a daily e-mail digest",
    Channel.OFF: "Off",
}

#: Safety-relevant kinds: they always reach the notification centre.
SAFETY_KINDS = frozenset({Kind.SIGNATURE_NEEDED, Kind.ACTION_OVERDUE})

#: Default channel of each kind for everyone.
DEFAULT_CHANNELS: dict[Kind, Channel] = {
    Kind.REVIEW_NEEDED: Channel.EMAIL,
    Kind.REVIEW_MISSING: Channel.EMAIL,
    Kind.CASE_LISTED: Channel.IN_APP,
    Kind.CASE_DISCUSSED: Channel.IN_APP,
    Kind.CASE_DEFERRED: Channel.EMAIL,
    Kind.AGENDA_PUBLISHED: Channel.EMAIL,
    Kind.MEETING_CHANGED: Channel.EMAIL,
    Kind.AGENDA_REMINDER: Channel.DIGEST,
    Kind.SIGNATURE_NEEDED: Channel.EMAIL,
    Kind.RECOMMENDATION_SIGNED: Channel.DIGEST,
    Kind.ACTION_ASSIGNED: Channel.EMAIL,
    Kind.ACTION_DUE: Channel.EMAIL,
    Kind.ACTION_OVERDUE: Channel.EMAIL,
    Kind.IMPLEMENTATION_OVERDUE: Channel.DIGEST,
    Kind.MENTION: Channel.EMAIL,
    Kind.BREAK_GLASS: Channel.EMAIL,
}

#: Where a role's default differs from everyone's.
ROLE_DEFAULTS: dict[Role, dict[Kind, Channel]] = {
    # The coordinator chases the pipeline: listings are theirs, so only the
    # exceptions come by e-mail.
    Role.COORDINATOR: {
        Kind.CASE_LISTED: Channel.IN_APP,
        Kind.IMPLEMENTATION_OVERDUE: Channel.EMAIL,
        Kind.AGENDA_REMINDER: Channel.IN_APP,
    },
    # Reviewing disciplines hear of every listing of a case they lead at once.
    Role.ORTHOPEDIC_ONCOLOGIST: {Kind.CASE_LISTED: Channel.EMAIL},
    Role.NURSE_SPECIALIST: {Kind.RECOMMENDATION_SIGNED: Channel.EMAIL},
}


def default_channel(role: Role | str, kind: Kind) -> Channel:
    """The channel of ``kind`` for someone of ``role`` who chose nothing."""
    return ROLE_DEFAULTS.get(Role(role), {}).get(kind, DEFAULT_CHANNELS[kind])


def allowed_channels(kind: Kind) -> list[Channel]:
    """Channels a person may choose for ``kind`` (never off for safety kinds)."""
    if kind in SAFETY_KINDS:
        return [c for c in Channel if c != Channel.OFF]
    return list(Channel)
