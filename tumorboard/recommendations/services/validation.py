"""Checks on the clinical content of a recommendation and on stale saves."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from tumorboard.audit import services as audit
from tumorboard.auth.disciplines import Discipline
from tumorboard.errors import (
    Conflict,
    ErrorCollector,
    InvalidInput,
    ServiceError,
    collect_errors,
)
from tumorboard.meetings.models import (
    AgendaItem,
    AgendaItemStatus,
    Meeting,
    MeetingStatus,
)
from tumorboard.recommendations.models import (
    ConferenceType,
    Recommendation,
    RecommendationCode,
    SurgeryKind,
    TreatmentIntent,
)
from tumorboard.recommendations.services.queries import meeting_date
from tumorboard.validation import LONG_TEXT_LIMIT, clean_text

#: ClinicalTrials.gov identifier: "NCT" and exactly eight digits.
NCT_PATTERN = re.compile(r"^NCT\d{8}$")

#: The clinical content of a revision; an amendment copies and edits these.
CONTENT_FIELDS = (
    "conference_type",
    "intent",
    "types",
    "free_text",
    "rationale",
    "consensus",
    "dissent",
    "standard_of_care",
    "start_by",
)

TEXT_LIMIT = LONG_TEXT_LIMIT
DETAIL_LIMIT = 200
#: Dates further than this many years after the meeting are taken for typos.
MAX_YEARS_AHEAD = 5
STALE = (
    "This recommendation was changed by someone else since you opened it. "
    "Your entries are kept below; check the current version and try again."
)


def normalise_nct(value: str | None) -> str:
    """Upper-case, trimmed NCT number; raises InvalidInput if it is malformed."""
    nct = (value or "").strip().upper()
    if not nct:
        raise InvalidInput(
            "Enter the trial's NCT number (ClinicalTrials.gov identifier).",
            "trial_nct",
        )
    if not NCT_PATTERN.match(nct):
        raise InvalidInput(
            f"'{value.strip()}' is not an NCT number: 'NCT' followed by exactly "
            "8 digits, e.g. NCT01234567.",
            "trial_nct",
        )
    return nct


def _clean_types(raw: Any, errors: ErrorCollector) -> list[dict[str, str]]:
    """Validate the coded recommendation items, one per code; the detail of
    each is checked even when another is wrong."""
    if not raw:
        raise InvalidInput(
            "The recommendation is empty: choose at least one recommendation type.",
            "types",
        )
    clean: list[dict[str, str]] = []
    seen: set[RecommendationCode] = set()
    for item in raw:
        try:
            code = RecommendationCode(item.get("code"))
        except (ValueError, AttributeError):
            raise InvalidInput(
                f"Unknown recommendation type: {item!r}.", "types"
            ) from None
        if code in seen:
            raise InvalidInput(f"'{code.label}' is chosen twice.", "types")
        seen.add(code)
        entry = {"code": code.value}
        with errors.check():
            if code == RecommendationCode.SURGERY:
                try:
                    entry["detail"] = SurgeryKind(item.get("detail")).value
                except ValueError:
                    raise InvalidInput(
                        "Choose the kind of surgery.", "surgery_kind"
                    ) from None
            elif code == RecommendationCode.CLINICAL_TRIAL:
                entry["nct"] = normalise_nct(item.get("nct"))
            elif code == RecommendationCode.REDISCUSSION:
                event = clean_text(
                    item.get("event"),
                    "rediscussion_event",
                    "The event for re-discussion",
                    DETAIL_LIMIT,
                )
                if not event:
                    raise InvalidInput(
                        "Say after which event the case comes back to the board "
                        "(e.g. 'after restaging MRI').",
                        "rediscussion_event",
                    )
                entry["event"] = event
        clean.append(entry)
    order = list(RecommendationCode)
    return sorted(clean, key=lambda e: order.index(RecommendationCode(e["code"])))


def _clean_dissent(consensus: bool, raw: Any) -> list[dict[str, str]]:
    """Validate the dissent rows: none with consensus, at least one without."""
    rows = [r for r in (raw or []) if r.get("discipline") or r.get("reason")]
    if consensus:
        if rows:
            raise InvalidInput(
                "Dissent was entered although consensus is ticked: untick "
                "consensus or clear the dissent.",
                "consensus",
            )
        return []
    if not rows:
        raise InvalidInput(
            "Without consensus, name the discipline that dissented and why.",
            "dissent",
        )
    clean = []
    with collect_errors() as errors:
        for row in rows:
            with errors.check():
                try:
                    discipline = Discipline(row.get("discipline"))
                except ValueError:
                    raise InvalidInput(
                        "Choose the discipline that dissented.", "dissent"
                    ) from None
                reason = clean_text(
                    row.get("reason"), "dissent", "The reason for dissent", 1000
                )
                if not reason:
                    raise InvalidInput(
                        f"Give the reason for {discipline.label}'s dissent.", "dissent"
                    )
                clean.append({"discipline": discipline.value, "reason": reason})
    return clean


def _clean_start_by(meeting: Meeting, start_by: Any) -> date:
    """A start-by date from the meeting day to five years after it."""
    if not isinstance(start_by, date):
        raise InvalidInput("Enter the date by which it should start.", "start_by")
    held = meeting_date(meeting)
    if start_by < held:
        raise InvalidInput(
            f"The start-by date is before the meeting ({held:%d %b %Y}).", "start_by"
        )
    if start_by.year > held.year + MAX_YEARS_AHEAD:
        raise InvalidInput(
            "The start-by date is more than five years after the meeting; "
            "please check it.",
            "start_by",
        )
    return start_by


def _clean_content(
    meeting: Meeting, data: dict[str, Any], errors: ErrorCollector | None = None
) -> dict[str, Any]:
    """Check the clinical content of a recommendation; returns column values.

    Every check runs, and all the errors are raised together (SeveralInvalid),
    so the form shows them at once. With ``errors`` given they are added to it
    instead, for the caller to raise with its own.
    """
    if errors is None:
        with collect_errors() as errors:
            return _clean_content(meeting, data, errors)
    clean: dict[str, Any] = {}
    with errors.check():
        try:
            clean["conference_type"] = ConferenceType(data.get("conference_type"))
        except ValueError:
            raise InvalidInput(
                "Choose the conference type.", "conference_type"
            ) from None
    with errors.check():
        try:
            clean["intent"] = TreatmentIntent(data.get("intent"))
        except ValueError:
            raise InvalidInput("Choose the treatment intent.", "intent") from None
    with errors.check():
        clean["types"] = _clean_types(data.get("types"), errors)
    with errors.check():
        clean["free_text"] = clean_text(
            data.get("free_text"), "free_text", "The free text", TEXT_LIMIT
        )
    with errors.check():
        clean["rationale"] = clean_text(
            data.get("rationale"), "rationale", "The rationale", TEXT_LIMIT
        )
    clean["consensus"] = bool(data.get("consensus"))
    with errors.check():
        clean["dissent"] = _clean_dissent(clean["consensus"], data.get("dissent"))
    clean["standard_of_care"] = bool(data.get("standard_of_care"))
    with errors.check():
        clean["start_by"] = _clean_start_by(meeting, data.get("start_by"))
    return clean


def content_errors(
    meeting: Meeting, data: dict[str, Any], *, amendment: bool = False
) -> list[ServiceError]:
    """Every rule the content breaks, without saving anything: lets a form
    that failed its own checks show the service's rules in the same round."""
    errors = ErrorCollector()
    if amendment:
        with errors.check():
            _clean_amendment_reason(data)
    _clean_content(meeting, data, errors)
    return errors.errors


def _clean_amendment_reason(data: dict[str, Any]) -> str:
    """The reason for an amendment, required."""
    reason = clean_text(
        data.get("amendment_reason"),
        "amendment_reason",
        "The amendment reason",
        LONG_TEXT_LIMIT,
    )
    if not reason:
        raise InvalidInput(
            "Give the reason for the amendment (it is shown with the new revision).",
            "amendment_reason",
        )
    return reason


def _check_item_open_for_recording(item: AgendaItem, meeting: Meeting) -> None:
    """Refuse recording unless the item is discussed or under discussion."""
    if item.status == AgendaItemStatus.DISCUSSED:
        return
    if (
        item.status == AgendaItemStatus.LISTED
        and meeting.status == MeetingStatus.IN_PROGRESS
    ):
        return
    if item.status == AgendaItemStatus.LISTED:
        raise InvalidInput(
            "A recommendation is recorded during the discussion (meeting in "
            "progress) or after the item was marked discussed."
        )
    raise InvalidInput(
        f"This agenda item was {item.status.label.lower()}; there is no "
        "recommendation to record."
    )


def recording_closed_reason(item: AgendaItem, meeting: Meeting) -> str | None:
    """None if a recommendation may be recorded for the item now, else why not."""
    try:
        _check_item_open_for_recording(item, meeting)
    except InvalidInput as error:
        return error.message
    return None


def _snapshot(rec: Recommendation) -> dict[str, Any]:
    """The audited clinical content of a revision."""
    return audit.snapshot(rec, CONTENT_FIELDS)


def _check_version(rec: Recommendation, version: int | None) -> None:
    """Raise Conflict unless the form saw the revision's current version."""
    # A form without the version cannot prove it saw the current revision.
    if version is None or version != rec.version:
        raise Conflict(STALE)
