"""The quality indicators: names, outcomes, who sees them (declarative).

Every indicator is a SELECT of one row per subject (a case, an agenda item, a
signed recommendation or a meeting) with its ``month`` (of the meeting), an
``outcome`` computed by a SQL CASE and, for intervals, a ``value`` in days.
The figures, the monthly trends, the CSV and the drill-down are all built on
that same SELECT, so a figure and the list behind it cannot disagree.
Definitions, exclusions and sources: docs/quality.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa

from tumorboard.quality import rows
from tumorboard.quality.filters import Filters

#: Who sees an indicator: everyone with the dashboard, or only the coordinator
#: and chairs (operational figures of running the board).
ALL, MANAGEMENT = "all", "management"


@dataclass(frozen=True)
class Indicator:
    """How one indicator is named, classified and shown."""

    key: str
    title: str
    #: "share" (numerator / denominator), "interval" (days: median, 90th
    #: percentile) or "load" (meetings: cases and minutes).
    kind: str
    #: What one row is: "cases" or "meetings" (for the drill-down).
    subject: str
    rows: Callable[[Filters], sa.Select]
    #: Outcome value → label, in display order.
    outcomes: dict[str, str]
    #: Outcomes counted in the numerator (shares) or measured (intervals).
    numerator: frozenset[str]
    #: Outcomes left out of the denominator and counted as not computable.
    excluded: frozenset[str] = frozenset()
    audience: str = ALL
    #: One line under the title.
    question: str = ""
    #: Whether a higher share is better (for the wording of trends).
    higher_is_better: bool = True
    #: Only primary bone tumours count.
    primary_only: bool = False
    extra: dict[str, str] = field(default_factory=dict)


# The indicators -------------------------------------------------------------------

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "referral_to_discussion",
        "Referral to first discussion",
        "interval",
        "cases",
        rows.member("first_discussion", "referral_to_discussion"),
        {"measured": "Measured", "not_computable": "Referral dated after the meeting"},
        frozenset({"measured"}),
        frozenset({"not_computable"}),
        question="Days from the referral date to the case's first discussion.",
    ),
    Indicator(
        "discussion_to_treatment",
        "Discussion to treatment start",
        "interval",
        "cases",
        rows.member("recommendations", "discussion_to_treatment"),
        {
            "measured": "Measured",
            "not_computable": "Start dated before the discussion",
            "not_started": "No start recorded (not started, deviated or cancelled)",
        },
        frozenset({"measured"}),
        frozenset({"not_computable", "not_started"}),
        question="Days from the meeting to the recorded start of the recommended "
        "treatment.",
    ),
    Indicator(
        "discussed_before_treatment",
        "Discussed before definitive treatment",
        "share",
        "cases",
        rows.member("first_discussion", "discussed_before_treatment"),
        {
            "before": "Before treatment",
            "after": "After surgery or other treatment",
            "not_computable": "No conference type recorded",
        },
        frozenset({"before"}),
        frozenset({"not_computable"}),
        question="Cases whose first discussion came before surgery, chemotherapy "
        "or radiotherapy.",
    ),
    Indicator(
        "unplanned_excision",
        "Unplanned excisions",
        "share",
        "cases",
        rows.member("first_discussion", "unplanned_excision"),
        {"unplanned": "Unplanned excision", "planned": "No unplanned excision"},
        frozenset({"unplanned"}),
        question="Primary bone tumours that arrived after an unplanned (“whoops”) "
        "excision.",
        higher_is_better=False,
        primary_only=True,
    ),
    Indicator(
        "biopsy_at_centre",
        "Biopsy at the treating centre",
        "share",
        "cases",
        rows.member("first_discussion", "biopsy_at_centre"),
        {
            "at_centre": "At the treating centre",
            "elsewhere": "Elsewhere",
            "no_biopsy": "No biopsy yet",
        },
        frozenset({"at_centre"}),
        frozenset({"no_biopsy"}),
        question="Biopsied primary bone tumours whose biopsy was done here.",
        primary_only=True,
    ),
    Indicator(
        "readiness",
        "Ready at discussion",
        "share",
        "cases",
        rows.member("discussed_items", "readiness"),
        {"complete": "Complete minimum dataset", "waived": "With a waiver"},
        frozenset({"complete"}),
        audience=MANAGEMENT,
        question="Discussions with the complete minimum dataset, without waivers.",
    ),
    Indicator(
        "deferrals",
        "Deferrals",
        "share",
        "cases",
        rows.member("discussed_items", "deferrals"),
        {"deferred": "Deferred", "discussed": "Discussed"},
        frozenset({"deferred"}),
        audience=MANAGEMENT,
        question="Agenda items deferred to a later meeting.",
        higher_is_better=False,
    ),
    Indicator(
        "meeting_load",
        "Cases and minutes per meeting",
        "load",
        "meetings",
        rows.meeting_load,
        {"timed": "Start and close recorded", "not_computable": "Times not recorded"},
        frozenset({"timed"}),
        frozenset({"not_computable"}),
        audience=MANAGEMENT,
        question="Cases discussed per closed meeting; minutes per case, planned "
        "and actual.",
    ),
    Indicator(
        "quorum",
        "Quorate meetings",
        "share",
        "meetings",
        rows.quorum,
        {
            "quorate": "Quorate",
            "not_quorate": "Not quorate",
            "not_computable": "Quorum not recorded",
        },
        frozenset({"quorate"}),
        frozenset({"not_computable"}),
        question="Closed meetings at which every required discipline was present.",
    ),
    Indicator(
        "standard_of_care",
        "Standard-of-care ratifications",
        "share",
        "cases",
        rows.member("discussed_items", "standard_of_care"),
        {"standard_of_care": "Standard of care", "full": "Full discussion"},
        frozenset({"standard_of_care"}),
        question="Discussions listed as standard of care and ratified in one step.",
    ),
    Indicator(
        "implementation",
        "Recommendations implemented",
        "share",
        "cases",
        rows.member("recommendations", "implementation"),
        {
            "implemented": "Implemented as recommended",
            "deviated": "Deviated",
            "cancelled": "Cancelled",
            "overdue": "Pending past the start-by date",
            "not_yet_due": "Pending, not yet due",
        },
        frozenset({"implemented"}),
        frozenset({"not_yet_due"}),
        question="Signed recommendations carried out as recommended.",
    ),
    Indicator(
        "rediscussion",
        "Re-discussions",
        "share",
        "cases",
        rows.member("first_discussion", "rediscussion"),
        {"rediscussed": "Discussed again", "once": "Discussed once"},
        frozenset({"rediscussed"}),
        question="Cases first discussed in the range that came back to the board.",
        higher_is_better=False,
    ),
    Indicator(
        "time_to_signature",
        "Discussion to signed recommendation",
        "interval",
        "cases",
        rows.member("recommendations", "time_to_signature"),
        {"measured": "Signed", "not_computable": "Not signed yet"},
        frozenset({"measured"}),
        frozenset({"not_computable"}),
        question="Days from the meeting to the chair's signature of the first "
        "revision.",
    ),
)

BY_KEY = {indicator.key: indicator for indicator in INDICATORS}
