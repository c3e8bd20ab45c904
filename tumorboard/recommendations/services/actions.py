"""Action items that follow from signed recommendations, and their lists."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tumorboard.audit import services as audit
from tumorboard.auth import scope
from tumorboard.auth.models import User
from tumorboard.auth.permissions import (
    BOARD_ROLES,
    Permission,
    authorize,
    can_change_action,
    has_permission,
    may_own_action,
)
from tumorboard.cases.models import Case
from tumorboard.db import today, utcnow
from tumorboard.errors import Conflict, InvalidInput
from tumorboard.extensions import db
from tumorboard.meetings.models import AgendaItem, Meeting
from tumorboard.recommendations.hooks import action_assigned
from tumorboard.recommendations.models import (
    ActionItem,
    ActionStatus,
    Recommendation,
    RecommendationState,
)
from tumorboard.recommendations.services.queries import meeting_date
from tumorboard.recommendations.services.validation import MAX_YEARS_AHEAD
from tumorboard.validation import clean_text


def action_owner_choices() -> list[User]:
    """Active clinicians and coordinators, by name: who may own an action."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.is_active.is_(True), User.role.in_(BOARD_ROLES))
            .order_by(User.name)
        )
    )


def _clean_owner(owner_id: Any) -> User:
    """The action's owner: an active clinician or coordinator."""
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
    return owner


def _clean_due(rec: Recommendation, due: Any) -> date:
    """A due date from the meeting day to five years after it."""
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
    return due


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
    description = clean_text(
        data.get("description"), "description", "The description", 500
    )
    if not description:
        raise InvalidInput("Describe the action.", "description")
    owner = _clean_owner(data.get("owner_id"))
    due = _clean_due(rec, data.get("due_date"))
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
        f"{case.reference}: action #{action.id} for {owner.name}, due {due:%d %b %Y}",
        changes=audit.diff(
            {},
            {"description": description, "owner_id": owner.id, "due_date": due},
        ),
        case_id=case.id,
        patient_id=case.patient_id,
    )
    action_assigned.run(actor, action)
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
        f"{case.reference}: action #{action.id} {status.label.lower()}",
        changes={"status": [old.value, status.value]},
        case_id=case.id,
        patient_id=case.patient_id,
    )
    return action


def update_action(
    actor: User, action: ActionItem, data: dict[str, Any], version: int | None
) -> ActionItem:
    """Give an open action another owner or due date (the keys of ``data``),
    with the checks of a new action; audited, and a new owner is told."""
    authorize(
        can_change_action(actor, action),
        "Only the owner, the person who created it or the coordinator changes "
        "this action.",
    )
    if version is None or version != action.version:
        raise Conflict(
            "This action changed since you opened the page; nothing was changed."
        )
    if action.status != ActionStatus.OPEN:
        raise InvalidInput(
            f"The action is {action.status.label.lower()}; reopen it to change "
            "its owner or due date."
        )
    rec = db.session.get(Recommendation, action.recommendation_id)
    values: dict[str, Any] = {}
    if "owner_id" in data:
        values["owner_id"] = _clean_owner(data["owner_id"]).id
    if "due_date" in data:
        values["due_date"] = _clean_due(rec, data["due_date"])
    changes = audit.apply(action, ("owner_id", "due_date"), values)
    if not changes:
        raise InvalidInput("Nothing changed: the owner and due date are the same.")
    db.session.flush()
    case = db.session.get(Case, rec.case_id)
    audit.record(
        actor,
        "action.update",
        "action_item",
        action.id,
        f"{case.reference}: action #{action.id} {' and '.join(changes)} changed",
        changes=changes,
        case_id=case.id,
        patient_id=case.patient_id,
    )
    if "owner_id" in changes:
        action_assigned.run(actor, action)
    return action


def _action_options():
    """Eager loads for action lists: the owner and the recommendation's patient."""
    return (
        joinedload(ActionItem.owner),
        joinedload(ActionItem.recommendation)
        .joinedload(Recommendation.case)
        .joinedload(Case.patient),
    )


def overdue_actions_query(user: User) -> sa.Select:
    """Open action items past their due date, oldest first, of the cases of
    ``user``'s work (access scope)."""
    # A member of every board has every case: the actions are not looked
    # up one by one.
    of_case_in_scope = sa.or_(
        scope.on_every_board(user.id),
        sa.exists()
        .where(
            Recommendation.id == ActionItem.recommendation_id,
            scope.covers(user.id, Recommendation.case_id),
        )
        .correlate(ActionItem),
    )
    return (
        sa.select(ActionItem)
        .where(
            ActionItem.status == ActionStatus.OPEN,
            ActionItem.due_date < today(),
            of_case_in_scope,
        )
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
