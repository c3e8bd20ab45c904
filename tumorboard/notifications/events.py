"""Who is told what when the board's work moves: callbacks registered on the
hooks of meetings, recommendations and annotations, run inside the
transaction of the change (so a rolled-back change tells nobody)."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm.attributes import set_committed_value

from tumorboard.annotations import hooks as annotation_hooks
from tumorboard.auth.disciplines import discipline_of
from tumorboard.auth.models import User
from tumorboard.auth.roles import Role
from tumorboard.cases import hooks as case_hooks
from tumorboard.cases.models import Case
from tumorboard.extensions import db
from tumorboard.meetings import hooks as meeting_hooks
from tumorboard.meetings.calendar import meeting_ics
from tumorboard.meetings.models import AgendaItem, Board, Meeting, board_members
from tumorboard.notifications.kinds import Kind
from tumorboard.notifications.services import (
    Invitation,
    notify,
    path_for,
    public_url,
)
from tumorboard.recommendations import hooks as recommendation_hooks
from tumorboard.recommendations.models import ActionItem, Recommendation
from tumorboard.reviews import readiness
from tumorboard.reviews.models import DisciplineReview, ReviewRevision

#: Where a review still counts as wanted before the discussion.
_WANTED = (readiness.MISSING, readiness.WAIVED)


def case_link(case: Case) -> str:
    """The case page's path."""
    return path_for("cases.detail", case_id=case.id)


def meeting_link(meeting: Meeting) -> str:
    """The meeting page's path."""
    return path_for("meetings.detail", meeting_id=meeting.id)


def board_members_of(board_id: int) -> list[User]:
    """The active members of a board."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(board_members, board_members.c.user_id == User.id)
            .where(board_members.c.board_id == board_id, User.is_active.is_(True))
            .order_by(User.id)
        )
    )


def board_of(meeting: Meeting) -> Board:
    """The meeting's board, attached without marking the meeting changed (so
    that ``when_label`` works and no version is spent)."""
    board = db.session.get(Board, meeting.board_id)
    if "board" in sa.inspect(meeting).unloaded:
        set_committed_value(meeting, "board", board)
    return board


def _lead(case: Case) -> User | None:
    if case.lead_clinician_id is None:
        return None
    return db.session.get(User, case.lead_clinician_id)


def _where(meeting: Meeting) -> str:
    return f"{board_of(meeting).name}, {meeting.when_label}"


def invitation_for(meeting: Meeting) -> Callable[[User], Invitation]:
    """Each attendee's own invitation (REQUEST, or CANCEL once cancelled),
    with the UID and SEQUENCE of the board's calendar feed."""
    board_of(meeting)
    url = public_url(meeting_link(meeting))
    organizer = current_app.config["MAIL_FROM"]

    def build(user: User) -> Invitation:
        ics = meeting_ics(
            meeting, url, invite=True, organizer=organizer, attendee=user.email
        )
        text = ics.decode()
        method = "CANCEL" if "METHOD:CANCEL" in text else "REQUEST"
        return Invitation(ics=text, method=method)

    return build


@meeting_hooks.case_listed.register
def _case_listed(actor: User, item: AgendaItem, case: Case, meeting: Meeting) -> None:
    where = _where(meeting)
    needs = readiness.preparation([case]).get(case.id, {})
    wanted = {d for d, state in needs.items() if state in _WANTED}
    reviewers = [
        u for u in board_members_of(meeting.board_id) if discipline_of(u.role) in wanted
    ]
    for user in reviewers:
        discipline = discipline_of(user.role)
        notify(
            [user],
            Kind.REVIEW_NEEDED,
            f"A {discipline.label.lower()} review is needed for {case.reference}, "
            f"listed for {where}.",
            case_link(case),
            case=case,
            exclude=actor,
        )
    notify(
        [_lead(case)],
        Kind.CASE_LISTED,
        f"{case.reference}, a case you lead, is listed for {where}.",
        case_link(case),
        case=case,
        exclude=actor,
    )


@meeting_hooks.case_discussed.register
def _case_discussed(
    actor: User, item: AgendaItem, case: Case, meeting: Meeting
) -> None:
    notify(
        [_lead(case)],
        Kind.CASE_DISCUSSED,
        f"{case.reference}, a case you lead, was discussed at {_where(meeting)}.",
        case_link(case),
        case=case,
        exclude=actor,
    )


@meeting_hooks.case_deferred.register
def _case_deferred(actor: User, item: AgendaItem, case: Case, meeting: Meeting) -> None:
    # The reason stays in the application: it may describe the patient.
    notify(
        [_lead(case)],
        Kind.CASE_DEFERRED,
        f"{case.reference}, a case you lead, was deferred at {_where(meeting)}; "
        "the reason is on the case page.",
        case_link(case),
        case=case,
        exclude=actor,
    )


def _attendees(meeting: Meeting) -> list[User]:
    people = board_members_of(meeting.board_id)
    if meeting.chair_id is not None:
        people.append(db.session.get(User, meeting.chair_id))
    return people


@meeting_hooks.meeting_published.register
def _meeting_published(actor: User, meeting: Meeting) -> None:
    notify(
        _attendees(meeting),
        Kind.AGENDA_PUBLISHED,
        f"The agenda of {_where(meeting)} is published; the invitation is attached "
        "to the e-mail.",
        meeting_link(meeting),
        invitation=invitation_for(meeting),
        exclude=actor,
    )


@meeting_hooks.meeting_rescheduled.register
def _meeting_rescheduled(actor: User, meeting: Meeting) -> None:
    notify(
        _attendees(meeting),
        Kind.MEETING_CHANGED,
        f"A meeting of your board changed its time or place: now {_where(meeting)}.",
        meeting_link(meeting),
        invitation=invitation_for(meeting),
        exclude=actor,
    )


@meeting_hooks.meeting_cancelled.register
def _meeting_cancelled(actor: User, meeting: Meeting, was_published: bool) -> None:
    if not was_published:
        return  # nobody was invited yet
    notify(
        _attendees(meeting),
        Kind.MEETING_CHANGED,
        f"The meeting of {_where(meeting)} is cancelled.",
        meeting_link(meeting),
        invitation=invitation_for(meeting),
        exclude=actor,
    )


@recommendation_hooks.awaiting_signature.register
def _awaiting_signature(actor: User, rec: Recommendation) -> None:
    item = db.session.get(AgendaItem, rec.agenda_item_id)
    meeting = db.session.get(Meeting, item.meeting_id)
    if meeting.chair_id is None:
        return
    case = db.session.get(Case, rec.case_id)
    notify(
        [db.session.get(User, meeting.chair_id)],
        Kind.SIGNATURE_NEEDED,
        f"Revision {rec.revision} of the recommendation for {case.reference} "
        "waits for your signature as chair.",
        path_for("recommendations.detail", rec_id=rec.id),
        case=case,
        exclude=actor,
    )


def reviewers_of(case: Case) -> list[User]:
    """Everyone who wrote a revision of a discipline review of ``case``."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.id.in_(
                    sa.select(ReviewRevision.author_id)
                    .join(
                        DisciplineReview,
                        DisciplineReview.id == ReviewRevision.review_id,
                    )
                    .where(DisciplineReview.case_id == case.id)
                )
            )
            .order_by(User.id)
        )
    )


@recommendation_hooks.signed.register
def _signed(actor: User, rec: Recommendation) -> None:
    case = db.session.get(Case, rec.case_id)
    notify(
        [_lead(case), *reviewers_of(case)],
        Kind.RECOMMENDATION_SIGNED,
        f"Revision {rec.revision} of the recommendation for {case.reference} "
        "was signed.",
        path_for("recommendations.detail", rec_id=rec.id),
        case=case,
        exclude=actor,
    )


@recommendation_hooks.action_assigned.register
def _action_assigned(actor: User, action: ActionItem) -> None:
    rec = db.session.get(Recommendation, action.recommendation_id)
    case = db.session.get(Case, rec.case_id)
    notify(
        [db.session.get(User, action.owner_id)],
        Kind.ACTION_ASSIGNED,
        f"An action for {case.reference} was assigned to you, due "
        f"{action.due_date:%d %b %Y}.",
        path_for("recommendations.my_actions"),
        case=case,
        exclude=actor,
    )


@annotation_hooks.mentioned.register
def _mentioned(actor: User, annotation, case: Case, users: list[User]) -> None:
    notify(
        users,
        Kind.MENTION,
        f"{actor.name} ({Role(actor.role).label}) mentioned you in a note on "
        f"{case.reference}.",
        case_link(case) + f"#annotation-{annotation.id}",
        case=case,
        exclude=actor,
    )


@case_hooks.glass_broken.register
def _glass_broken(actor: User, grant, case: Case) -> None:
    notify(
        [_lead(case)],
        Kind.BREAK_GLASS,
        f"{actor.name} ({Role(actor.role).label}) broke the glass on "
        f"{case.reference}, a case you lead: {grant.reason_label.lower()}. "
        f"Access ends {grant.expires_at:%d %b %Y %H:%M} UTC.",
        case_link(case),
        case=case,
        exclude=actor,
    )
