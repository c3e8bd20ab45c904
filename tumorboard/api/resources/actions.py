"""Action items: those of a case or of a recommendation, a new one for the
revision in force, and changes of status, owner and due date."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import g
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from tumorboard.api.board_schemas import ActionIn, ActionList, ActionOut, ActionPatch
from tumorboard.api.core import access, etag_of, per_method_access, required_version
from tumorboard.api.problems import Problem, problem
from tumorboard.api.resources.cases import visible_case
from tumorboard.api.resources.recommendations import visible_recommendation
from tumorboard.auth.permissions import Permission, can_view_case
from tumorboard.cases.models import Case
from tumorboard.cases.services import record_read as record_case_read
from tumorboard.extensions import db
from tumorboard.recommendations import services
from tumorboard.recommendations.models import (
    ActionItem,
    ActionStatus,
    Recommendation,
)

bp = Blueprint("api_actions", __name__, url_prefix="", description="Action items")


def visible_action(action_id: int) -> ActionItem:
    """The action item if the caller may see its case; otherwise 404."""
    action = db.session.get(ActionItem, action_id)
    if action is not None:
        rec = db.session.get(Recommendation, action.recommendation_id)
        case = db.session.get(Case, rec.case_id)
        if can_view_case(current_user, case):
            return action
    raise Problem(404, f"There is no action item {action_id}.")


def _by_due_date(stmt: sa.Select) -> list[ActionItem]:
    return list(db.session.scalars(stmt.order_by(ActionItem.due_date, ActionItem.id)))


@bp.route("/cases/<int:case_id>/actions")
@access(Permission.CASE_READ)
@bp.response(200, ActionList)
@problem(bp, 404, "No such case, or not visible to the caller")
def case_actions(case_id: int):
    """Every action item of the case's recommendations, by due date; audited."""
    case = visible_case(case_id)
    items = _by_due_date(
        sa.select(ActionItem)
        .join(Recommendation, Recommendation.id == ActionItem.recommendation_id)
        .where(Recommendation.case_id == case.id)
    )
    record_case_read(current_user, case, "(its action items) through the API")
    return {"items": items}


@bp.route("/recommendations/<int:rec_id>/actions")
class RecommendationActions(MethodView):
    """The action items of one recommendation revision, and new ones."""

    decorators = [per_method_access]

    @access(Permission.CASE_READ)
    @bp.response(200, ActionList)
    @problem(bp, 404, "No such recommendation, or not visible to the caller")
    def get(self, rec_id: int):
        """The revision's action items by due date; audited as a read of it."""
        rec = visible_recommendation(rec_id)
        items = _by_due_date(
            sa.select(ActionItem).where(ActionItem.recommendation_id == rec.id)
        )
        services.record_read(current_user, rec)
        return {"items": items}

    @access(Permission.ACTION_MANAGE)
    @bp.arguments(ActionIn)
    @bp.response(201, ActionOut)
    @problem(bp, 404, "No such recommendation, or not visible to the caller")
    def post(self, data: dict[str, Any], rec_id: int):
        """Add an action item with an owner and a due date to the signed
        revision in force, with the form's checks."""
        rec = visible_recommendation(rec_id)
        action = services.create_action(current_user, rec, data)
        g.etag = etag_of(action)
        return action


@bp.route("/actions/<int:action_id>", methods=["PATCH"])
@access(Permission.ACTION_MANAGE)
@bp.arguments(ActionPatch)
@bp.response(200, ActionOut)
@problem(bp, 403, "Not the owner, the creator or the coordinator")
@problem(bp, 404, "No such action item, or not visible to the caller")
@problem(bp, 412, "If-Match names an older version")
@problem(bp, 428, "If-Match is missing")
def update(data: dict[str, Any], action_id: int):
    """Change an action's owner or due date (while open) and its status:
    done, cancelled or open again (If-Match)."""
    action = visible_action(action_id)
    version = required_version(action)
    if not data:
        raise Problem(
            422,
            "Send the status, the owner or the due date to change.",
            errors=[{"field": "body", "message": "Nothing to change."}],
        )
    status = data.pop("status", None)
    steps = []
    if data:
        steps.append(lambda v: services.update_action(current_user, action, data, v))
    if status is not None:
        steps.append(
            lambda v: services.set_action_status(current_user, action, status, v)
        )
    if status == ActionStatus.OPEN:
        # Reopened first, so that a new owner or date applies to an open action.
        steps.reverse()
    for step in steps:
        step(version)
        db.session.flush()
        version = action.version
    g.etag = etag_of(action)
    return action
