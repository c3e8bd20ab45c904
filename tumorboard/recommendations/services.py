"""Recording, signing and amending recommendations; implementation tracking;
action items; and the lists built on them."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from tumorboard.audit import services as audit
from tumorboard.auth.disciplines import Discipline
from tumorboard.auth.models import User
from tumorboard.auth.permissions import (
    BOARD_ROLES,
    Permission,
    authorize,
    can_amend_recommendation,
    can_change_action,
    can_record_recommendation,
    can_sign_recommendation,
    can_update_implementation,
    can_view_agenda,
    can_view_case,
    has_permission,
    may_own_action,
)
from tumorboard.cases.models import Case, CaseStatus
from tumorboard.db import today, utcnow
from tumorboard.errors import Conflict, InvalidInput
from tumorboard.extensions import db
from tumorboard.meetings.models import (
    AgendaItem,
    AgendaItemStatus,
    Meeting,
    MeetingStatus,
)
from tumorboard.recommendations.models import (
    ActionItem,
    ActionStatus,
    ConferenceType,
    DeviationReason,
    ImplementationStatus,
    PatientWish,
    Recommendation,
    RecommendationCode,
    RecommendationState,
    SurgeryKind,
    TreatmentIntent,
)

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

IMPLEMENTATION_FIELDS = (
    "implementation_status",
    "deviation_reason",
    "patient_wish",
    "deviation_note",
    "implementation_date",
)

TEXT_LIMIT = 4000
DETAIL_LIMIT = 200
#: Dates further than this many years after the meeting are taken for typos.
MAX_YEARS_AHEAD = 5
AGENDA_REFUSED = (
    "The agenda of this meeting is not published; only the coordinator sees it."
)
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


# Quorum ----------------------------------------------------------------------


def quorum(meeting: Meeting):
    """The meeting's quorum (``is_quorate``, ``present``, ``missing``), as the
    meetings feature counts it."""
    # Imported here: the meetings feature may show recommendations one day, and
    # a module-level import would then be circular.
    from tumorboard.meetings.services import quorum as meetings_quorum

    return meetings_quorum(meeting)


# Loading ---------------------------------------------------------------------


def meeting_date(meeting: Meeting) -> date:
    """The calendar day of the meeting in its board's time zone."""
    from zoneinfo import ZoneInfo

    from tumorboard.meetings.models import Board

    tz = db.session.scalar(
        sa.select(Board.timezone).where(Board.id == meeting.board_id)
    )
    return meeting.starts_at.astimezone(ZoneInfo(tz or "UTC")).date()


def current_recommendation(item: AgendaItem) -> Recommendation | None:
    """The current (not superseded) revision for an agenda item, if any."""
    return db.session.scalar(
        sa.select(Recommendation).where(Recommendation.current_key == item.id)
    )


def revisions_of(item_id: int) -> list[Recommendation]:
    """Every revision for an agenda item, newest first, with signer and author."""
    return list(
        db.session.scalars(
            sa.select(Recommendation)
            .where(Recommendation.agenda_item_id == item_id)
            .options(
                joinedload(Recommendation.signed_by),
                joinedload(Recommendation.created_by),
                joinedload(Recommendation.implementation_updated_by),
            )
            .order_by(Recommendation.revision.desc())
        )
    )


# Validation ------------------------------------------------------------------


def _text(value: Any, key: str, label: str, limit: int = TEXT_LIMIT) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise InvalidInput(f"{label} must be at most {limit} characters.", key)
    return text


def _clean_types(raw: Any) -> list[dict[str, str]]:
    """Validate the coded recommendation items, one per code."""
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
            event = _text(
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
    for row in rows:
        try:
            discipline = Discipline(row.get("discipline"))
        except ValueError:
            raise InvalidInput(
                "Choose the discipline that dissented.", "dissent"
            ) from None
        reason = _text(row.get("reason"), "dissent", "The reason for dissent", 1000)
        if not reason:
            raise InvalidInput(
                f"Give the reason for {discipline.label}'s dissent.", "dissent"
            )
        clean.append({"discipline": discipline.value, "reason": reason})
    return clean


def _clean_content(meeting: Meeting, data: dict[str, Any]) -> dict[str, Any]:
    """Check the clinical content of a recommendation; returns column values."""
    clean: dict[str, Any] = {}
    try:
        clean["conference_type"] = ConferenceType(data.get("conference_type"))
    except ValueError:
        raise InvalidInput("Choose the conference type.", "conference_type") from None
    try:
        clean["intent"] = TreatmentIntent(data.get("intent"))
    except ValueError:
        raise InvalidInput("Choose the treatment intent.", "intent") from None
    clean["types"] = _clean_types(data.get("types"))
    clean["free_text"] = _text(data.get("free_text"), "free_text", "The free text")
    clean["rationale"] = _text(data.get("rationale"), "rationale", "The rationale")
    clean["consensus"] = bool(data.get("consensus"))
    clean["dissent"] = _clean_dissent(clean["consensus"], data.get("dissent"))
    clean["standard_of_care"] = bool(data.get("standard_of_care"))
    start_by = data.get("start_by")
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
    clean["start_by"] = start_by
    return clean


def _check_item_open_for_recording(item: AgendaItem, meeting: Meeting) -> None:
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


def _snapshot(rec: Recommendation) -> dict[str, Any]:
    return audit.snapshot(rec, CONTENT_FIELDS)


# Recording -------------------------------------------------------------------


def record_recommendation(
    actor: User, item: AgendaItem, data: dict[str, Any]
) -> Recommendation:
    """Record revision 1 (a draft) of the recommendation for a discussed item."""
    meeting = db.session.get(Meeting, item.meeting_id)
    authorize(
        can_record_recommendation(actor, meeting),
        "Only clinicians and the coordinator record recommendations.",
    )
    authorize(can_view_agenda(actor, meeting), AGENDA_REFUSED)
    _check_item_open_for_recording(item, meeting)
    existing = current_recommendation(item)
    if existing is not None:
        raise Conflict(
            "A recommendation for this item was already recorded (revision "
            f"{existing.revision}, {existing.state.label.lower()}); open it "
            "instead. Your entries are kept below."
        )
    clean = _clean_content(meeting, data)
    rec = Recommendation(
        agenda_item_id=item.id,
        case_id=item.case_id,
        revision=1,
        current_key=item.id,
        state=RecommendationState.DRAFT,
        created_by_id=actor.id,
        **clean,
    )
    db.session.add(rec)
    db.session.flush()
    case = db.session.get(Case, item.case_id)
    audit.record(
        actor,
        "recommendation.create",
        "recommendation",
        rec.id,
        f"Recorded the draft recommendation for {case.reference}",
        changes=audit.diff({}, _snapshot(rec)),
        case_id=case.id,
        patient_id=case.patient_id,
    )
    return rec


def _check_version(rec: Recommendation, version: int | None) -> None:
    # A form without the version cannot prove it saw the current revision.
    if version is None or version != rec.version:
        raise Conflict(STALE)


def record_item_read(actor: User, item: AgendaItem) -> None:
    """Audit that ``actor`` opened the recording form of an agenda item."""
    meeting = db.session.get(Meeting, item.meeting_id)
    authorize(can_view_agenda(actor, meeting), AGENDA_REFUSED)
    case = db.session.get(Case, item.case_id)
    audit.record(
        actor,
        "agenda_item.read",
        "agenda_item",
        item.id,
        f"Opened the recommendation form for {case.reference}",
        case_id=case.id,
        patient_id=case.patient_id,
    )


def update_recommendation(
    actor: User, rec: Recommendation, data: dict[str, Any], version: int | None
) -> Recommendation:
    """Edit a draft; signed and superseded revisions are immutable."""
    item = db.session.get(AgendaItem, rec.agenda_item_id)
    meeting = db.session.get(Meeting, item.meeting_id)
    authorize(
        can_record_recommendation(actor, meeting),
        "Only clinicians and the coordinator edit recommendations.",
    )
    if rec.state != RecommendationState.DRAFT:
        raise InvalidInput(
            f"Revision {rec.revision} is {rec.state.label.lower()} and cannot be "
            "edited; amend it instead (the amendment becomes a new revision)."
        )
    _check_version(rec, version)
    if rec.revision == 1:
        _check_item_open_for_recording(item, meeting)
    clean = _clean_content(meeting, data)
    if rec.revision > 1:
        reason = _text(
            data.get("amendment_reason"), "amendment_reason", "The amendment reason"
        )
        if not reason:
            raise InvalidInput("Give the reason for the amendment.", "amendment_reason")
        clean["amendment_reason"] = reason
    before = {**_snapshot(rec), "amendment_reason": rec.amendment_reason}
    for key, value in clean.items():
        setattr(rec, key, value)
    after = {**_snapshot(rec), "amendment_reason": rec.amendment_reason}
    changes = audit.diff(before, after)
    if changes:
        db.session.flush()
        case = db.session.get(Case, rec.case_id)
        audit.record(
            actor,
            "recommendation.update",
            "recommendation",
            rec.id,
            f"Edited draft revision {rec.revision} for {case.reference}: "
            f"{', '.join(changes)}",
            changes=changes,
            case_id=case.id,
            patient_id=case.patient_id,
        )
    return rec


# Sign-off ---------------------------------------------------------------------


def sign_recommendation(
    actor: User,
    rec: Recommendation,
    *,
    override_reason: str | None = None,
    version: int | None,
) -> Recommendation:
    """The chair signs a draft: the item must be discussed and the meeting
    quorate, or the chair gives an override reason. Signing revision 1 moves the
    case from discussed to follow-up.

    The chair of the meeting that discussed the item signs every revision,
    including amendments made after the meeting closed.
    """
    item = db.session.get(AgendaItem, rec.agenda_item_id)
    meeting = db.session.get(Meeting, item.meeting_id)
    if meeting.chair_id is None:
        raise InvalidInput(
            "This meeting has no chair; the coordinator must assign one before "
            "recommendations can be signed."
        )
    chair = db.session.get(User, meeting.chair_id)
    authorize(
        can_sign_recommendation(actor, meeting),
        f"Only the chair of this meeting ({chair.name}) signs its recommendations.",
    )
    if rec.state == RecommendationState.SIGNED:
        signer = db.session.get(User, rec.signed_by_id)
        raise InvalidInput(
            f"Revision {rec.revision} was already signed by {signer.name} on "
            f"{rec.signed_at:%d %b %Y %H:%M} UTC; nothing was changed."
        )
    if rec.state == RecommendationState.SUPERSEDED:
        raise InvalidInput(
            f"Revision {rec.revision} was superseded by an amendment; sign the "
            "current revision instead."
        )
    _check_version(rec, version)
    if item.status != AgendaItemStatus.DISCUSSED:
        raise InvalidInput(
            "Mark the agenda item discussed before signing its recommendation."
        )
    if meeting.status not in (MeetingStatus.IN_PROGRESS, MeetingStatus.CLOSED):
        raise InvalidInput(
            "Recommendations are signed at or after the meeting, not while it "
            f"is {meeting.status.label.lower()}."
        )
    reason = (override_reason or "").strip() or None
    if reason and len(reason) > 2000:
        raise InvalidInput(
            "The override reason must be at most 2000 characters.", "override_reason"
        )
    q = quorum(meeting)
    if not q.is_quorate and not reason:
        missing = ", ".join(d.label for d in q.missing)
        raise InvalidInput(
            f"The meeting is not quorate (missing: {missing}). Sign only with a "
            "reason for overriding the quorum.",
            "override_reason",
        )
    if q.is_quorate:
        # A reason given for a quorate meeting would record an override that
        # did not happen.
        reason = None
    rec.state = RecommendationState.SIGNED
    rec.signed_by_id = actor.id
    rec.signed_at = utcnow()
    rec.quorum_override_reason = reason
    db.session.flush()
    case = db.session.get(Case, rec.case_id)
    changes = {"state": ["draft", "signed"]}
    if reason:
        changes["quorum_override_reason"] = [None, reason]
    audit.record(
        actor,
        "recommendation.sign",
        "recommendation",
        rec.id,
        f"Signed revision {rec.revision} of the recommendation for {case.reference}"
        + (" (quorum overridden)" if reason else ""),
        changes=changes,
        case_id=case.id,
        patient_id=case.patient_id,
    )
    if reason:
        audit.record(
            actor,
            "recommendation.quorum_override",
            "recommendation",
            rec.id,
            "Signed without quorum (missing: "
            f"{', '.join(d.label for d in q.missing)}): {reason}",
            changes={"missing": [None, [d.value for d in q.missing]]},
            case_id=case.id,
            patient_id=case.patient_id,
        )
    if rec.revision == 1 and case.status == CaseStatus.DISCUSSED:
        from tumorboard.cases.services import transition_case

        transition_case(actor, case, CaseStatus.FOLLOW_UP, manual=False)
    return rec


# Amendment -------------------------------------------------------------------


def amend_recommendation(
    actor: User, rec: Recommendation, data: dict[str, Any], version: int | None
) -> Recommendation:
    """Create revision n+1 from a signed revision; the old one becomes superseded
    and the new one waits for the chair's signature."""
    item = db.session.get(AgendaItem, rec.agenda_item_id)
    meeting = db.session.get(Meeting, item.meeting_id)
    authorize(
        can_amend_recommendation(actor, meeting),
        "Only clinicians and the coordinator amend recommendations.",
    )
    if rec.state == RecommendationState.DRAFT:
        raise InvalidInput(
            "This revision is still a draft: edit it instead of amending it."
        )
    if rec.state == RecommendationState.SUPERSEDED:
        raise InvalidInput(
            f"Revision {rec.revision} was already amended; amend the current "
            "revision instead."
        )
    _check_version(rec, version)
    reason = _text(
        data.get("amendment_reason"), "amendment_reason", "The amendment reason"
    )
    if not reason:
        raise InvalidInput(
            "Give the reason for the amendment (it is shown with the new revision).",
            "amendment_reason",
        )
    clean = _clean_content(meeting, data)
    if all(clean[k] == getattr(rec, k) for k in CONTENT_FIELDS):
        raise InvalidInput(
            "The amendment changes nothing: edit the recommendation before saving."
        )
    old_version = rec.version
    rec.state = RecommendationState.SUPERSEDED
    rec.current_key = None
    # The unique current_key must be released before the new revision takes it.
    db.session.flush()
    new = Recommendation(
        agenda_item_id=item.id,
        case_id=rec.case_id,
        revision=rec.revision + 1,
        supersedes_id=rec.id,
        current_key=item.id,
        state=RecommendationState.DRAFT,
        amendment_reason=reason,
        created_by_id=actor.id,
        **clean,
    )
    db.session.add(new)
    db.session.flush()
    case = db.session.get(Case, rec.case_id)
    audit.record(
        actor,
        "recommendation.amend",
        "recommendation",
        new.id,
        f"Amended the recommendation for {case.reference}: revision {new.revision} "
        f"supersedes revision {rec.revision} ({reason[:120]})",
        changes={
            **audit.diff(_snapshot(rec), _snapshot(new)),
            "amendment_reason": [None, reason],
            "supersedes": [None, f"revision {rec.revision} (v{old_version})"],
        },
        case_id=case.id,
        patient_id=case.patient_id,
    )
    return new


def record_read(actor: User, rec: Recommendation) -> None:
    """Audit that ``actor`` opened a recommendation."""
    case = db.session.get(Case, rec.case_id)
    authorize(can_view_case(actor, case), "You cannot see this case.")
    audit.record(
        actor,
        "recommendation.read",
        "recommendation",
        rec.id,
        f"Viewed the recommendation for {case.reference} (revision {rec.revision})",
        case_id=case.id,
        patient_id=case.patient_id,
    )


# Implementation --------------------------------------------------------------


def update_implementation(
    actor: User, rec: Recommendation, data: dict[str, Any], version: int | None
) -> Recommendation:
    """Record whether a signed recommendation was carried out (and why not)."""
    case = db.session.get(Case, rec.case_id)
    authorize(
        can_update_implementation(actor, case),
        "Only the coordinator or the case's lead clinician records implementation.",
    )
    if rec.state != RecommendationState.SIGNED:
        raise InvalidInput(
            "Implementation is recorded on the current, signed revision only."
        )
    _check_version(rec, version)
    try:
        status = ImplementationStatus(data.get("implementation_status"))
    except ValueError:
        raise InvalidInput(
            "Choose the implementation status.", "implementation_status"
        ) from None
    on: date | None = data.get("implementation_date")
    reason = patient_wish = None
    note = _text(data.get("deviation_note"), "deviation_note", "The note", 2000) or None
    if status == ImplementationStatus.NOT_STARTED:
        on = None
    else:
        if not isinstance(on, date):
            raise InvalidInput(
                f"Enter the date the recommendation was {status.label.lower()}.",
                "implementation_date",
            )
        if on > today():
            raise InvalidInput("This date is in the future.", "implementation_date")
        item = db.session.get(AgendaItem, rec.agenda_item_id)
        held = meeting_date(db.session.get(Meeting, item.meeting_id))
        if on < held:
            raise InvalidInput(
                f"This date is before the meeting ({held:%d %b %Y}).",
                "implementation_date",
            )
    if status == ImplementationStatus.DEVIATED:
        try:
            reason = DeviationReason(data.get("deviation_reason"))
        except ValueError:
            raise InvalidInput(
                "Choose the reason for the deviation.", "deviation_reason"
            ) from None
        try:
            patient_wish = PatientWish(data.get("patient_wish"))
        except ValueError:
            raise InvalidInput(
                "Say whether the deviation was the patient's wish (yes, no or "
                "unknown).",
                "patient_wish",
            ) from None
        if reason == DeviationReason.OTHER and not note:
            raise InvalidInput(
                "Describe the deviation when the reason is 'other'.", "deviation_note"
            )
    before = audit.snapshot(rec, IMPLEMENTATION_FIELDS)
    rec.implementation_status = status
    rec.deviation_reason = reason
    rec.patient_wish = patient_wish
    rec.deviation_note = note
    rec.implementation_date = on
    changes = audit.diff(before, audit.snapshot(rec, IMPLEMENTATION_FIELDS))
    if not changes:
        raise InvalidInput("Nothing changed: the implementation is already recorded.")
    rec.implementation_updated_by_id = actor.id
    rec.implementation_updated_at = utcnow()
    db.session.flush()
    audit.record(
        actor,
        "recommendation.implementation",
        "recommendation",
        rec.id,
        f"{case.reference}: implementation {status.label.lower()}"
        + (f" ({reason.label.lower()})" if reason else ""),
        changes=changes,
        case_id=case.id,
        patient_id=case.patient_id,
    )
    return rec


# Action items ----------------------------------------------------------------


def action_owner_choices() -> list[User]:
    """Active clinicians and coordinators, by name: who may own an action."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.is_active.is_(True), User.role.in_(BOARD_ROLES))
            .order_by(User.name)
        )
    )


def create_action(actor: User, rec: Recommendation, data: dict[str, Any]) -> ActionItem:
    """Add an action item with an owner and a due date to a signed recommendation."""
    authorize(
        has_permission(actor, Permission.ACTION_MANAGE),
        "Only clinicians and the coordinator create action items.",
    )
    if rec.state != RecommendationState.SIGNED:
        raise InvalidInput(
            "Action items follow from the current, signed revision of a recommendation."
        )
    description = _text(data.get("description"), "description", "The description", 500)
    if not description:
        raise InvalidInput("Describe the action.", "description")
    owner_id = data.get("owner_id")
    if owner_id and not isinstance(owner_id, bool):
        try:
            owner_id = int(owner_id)
        except (TypeError, ValueError):
            raise InvalidInput(
                "The chosen owner is not valid; choose from the list.", "owner_id"
            ) from None
    owner = db.session.get(User, owner_id) if owner_id else None
    if owner is None:
        raise InvalidInput("Choose who owns the action.", "owner_id")
    if not owner.is_active:
        raise InvalidInput(
            f"{owner.name}'s account is deactivated; choose an active owner.",
            "owner_id",
        )
    if not may_own_action(owner):
        raise InvalidInput(
            "The owner must be a clinician or the coordinator.", "owner_id"
        )
    due: date | None = data.get("due_date")
    if not isinstance(due, date):
        raise InvalidInput("Enter the due date.", "due_date")
    item = db.session.get(AgendaItem, rec.agenda_item_id)
    held = meeting_date(db.session.get(Meeting, item.meeting_id))
    if due < held:
        raise InvalidInput(
            f"The due date is before the meeting ({held:%d %b %Y}).", "due_date"
        )
    if due.year > held.year + MAX_YEARS_AHEAD:
        raise InvalidInput(
            "The due date is more than five years after the meeting; please check it.",
            "due_date",
        )
    action = ActionItem(
        recommendation_id=rec.id,
        description=description,
        owner_id=owner.id,
        due_date=due,
        created_by_id=actor.id,
    )
    db.session.add(action)
    db.session.flush()
    case = db.session.get(Case, rec.case_id)
    audit.record(
        actor,
        "action.create",
        "action_item",
        action.id,
        f"{case.reference}: action '{description[:80]}' for {owner.name}, "
        f"due {due:%d %b %Y}",
        changes=audit.diff(
            {},
            {"description": description, "owner_id": owner.id, "due_date": due},
        ),
        case_id=case.id,
        patient_id=case.patient_id,
    )
    return action


def set_action_status(
    actor: User, action: ActionItem, status: ActionStatus | str, version: int | None
) -> ActionItem:
    """Mark an open action done or cancelled (or reopen it); audited."""
    authorize(
        can_change_action(actor, action),
        "Only the owner, the person who created it or the coordinator changes "
        "this action.",
    )
    try:
        status = ActionStatus(status)
    except ValueError:
        raise InvalidInput("Choose done, cancelled or open.", "status") from None
    if version is None or version != action.version:
        raise Conflict(
            "This action changed since you opened the page; nothing was changed."
        )
    if status == action.status:
        raise InvalidInput(f"The action is already {status.label.lower()}.")
    old = action.status
    action.status = status
    action.completed_at = utcnow() if status == ActionStatus.DONE else None
    db.session.flush()
    rec = db.session.get(Recommendation, action.recommendation_id)
    case = db.session.get(Case, rec.case_id)
    audit.record(
        actor,
        "action.status",
        "action_item",
        action.id,
        f"{case.reference}: action '{action.description[:80]}' {status.label.lower()}",
        changes={"status": [old.value, status.value]},
        case_id=case.id,
        patient_id=case.patient_id,
    )
    return action


# Lists -----------------------------------------------------------------------


def overdue_recommendations_query() -> sa.Select:
    """Signed, current recommendations not started by their start-by date."""
    return (
        sa.select(Recommendation)
        .where(
            Recommendation.state == RecommendationState.SIGNED,
            Recommendation.implementation_status == ImplementationStatus.NOT_STARTED,
            Recommendation.start_by < today(),
        )
        .options(
            joinedload(Recommendation.case).joinedload(Case.patient),
            joinedload(Recommendation.case).joinedload(Case.lead_clinician),
            joinedload(Recommendation.agenda_item).joinedload(AgendaItem.meeting),
            joinedload(Recommendation.signed_by),
        )
        .order_by(Recommendation.start_by, Recommendation.id)
    )


def _action_options():
    return (
        joinedload(ActionItem.owner),
        joinedload(ActionItem.recommendation)
        .joinedload(Recommendation.case)
        .joinedload(Case.patient),
    )


def overdue_actions_query() -> sa.Select:
    """Open action items past their due date, oldest first."""
    return (
        sa.select(ActionItem)
        .where(ActionItem.status == ActionStatus.OPEN, ActionItem.due_date < today())
        .options(*_action_options())
        .order_by(ActionItem.due_date, ActionItem.id)
    )


def my_actions(user: User) -> tuple[list[ActionItem], list[ActionItem]]:
    """The user's open actions (by due date) and the last 20 closed ones."""
    open_items = db.session.scalars(
        sa.select(ActionItem)
        .where(ActionItem.owner_id == user.id, ActionItem.status == ActionStatus.OPEN)
        .options(*_action_options())
        .order_by(ActionItem.due_date, ActionItem.id)
    ).all()
    closed = db.session.scalars(
        sa.select(ActionItem)
        .where(ActionItem.owner_id == user.id, ActionItem.status != ActionStatus.OPEN)
        .options(*_action_options())
        .order_by(ActionItem.updated_at.desc(), ActionItem.id.desc())
        .limit(20)
    ).all()
    return list(open_items), list(closed)


def case_history(case_id: int) -> list[Recommendation]:
    """Every revision of every recommendation for a case, newest first."""
    return list(
        db.session.scalars(
            sa.select(Recommendation)
            .join(Recommendation.agenda_item)
            .join(AgendaItem.meeting)
            .join(Meeting.board)
            .where(Recommendation.case_id == case_id)
            .options(
                contains_eager(Recommendation.agenda_item)
                .contains_eager(AgendaItem.meeting)
                .contains_eager(Meeting.board),
                joinedload(Recommendation.signed_by),
            )
            .order_by(Meeting.starts_at.desc(), Recommendation.revision.desc())
        )
    )
