"""Every access rule of tumorboard lives here.

Roles map to permissions in one table; views declare what they need with
:func:`permission_required` (or :func:`public` / :func:`authenticated`), services
call :func:`authorize` with a named object rule, templates call ``can(...)``.
Anything not declared is denied.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from flask import abort
from flask_login import current_user

from tumorboard.auth import scope
from tumorboard.auth.disciplines import discipline_of
from tumorboard.auth.roles import CLINICAL_ROLES, Role
from tumorboard.errors import AccessDenied
from tumorboard.extensions import login_manager

if TYPE_CHECKING:
    from tumorboard.auth.models import User

#: Records of the features above ``auth`` (cases, meetings, ...). The rules read
#: only their attributes, so this module depends on no feature.
Case = Meeting = Recommendation = Any


class Permission(enum.StrEnum):
    """Coarse permissions granted by role; object rules refine them."""

    PATIENT_READ = "patient.read"
    PATIENT_WRITE = "patient.write"
    CASE_READ = "case.read"
    CASE_WRITE = "case.write"
    CASE_TRANSITION = "case.transition"
    USER_MANAGE = "user.manage"
    AUDIT_READ = "audit.read"
    REVIEW_WRITE = "review.write"
    ANNOTATION_WRITE = "annotation.write"
    ATTACHMENT_UPLOAD = "attachment.upload"
    READINESS_WAIVE = "readiness.waive"
    WORKLIST_READ = "worklist.read"
    BOARD_MANAGE = "board.manage"
    MEETING_MANAGE = "meeting.manage"
    MEETING_READ = "meeting.read"
    MEETING_PRESENT = "meeting.present"
    ATTENDANCE_RECORD = "attendance.record"
    RECOMMENDATION_WRITE = "recommendation.write"
    RECOMMENDATION_SIGN = "recommendation.sign"
    IMPLEMENTATION_UPDATE = "implementation.update"
    IMPLEMENTATION_MONITOR = "implementation.monitor"
    ACTION_MANAGE = "action.manage"
    DOCUMENT_READ = "document.read"
    PERFORMANCE_RECORD = "performance.record"
    QUALITY_READ = "quality.read"
    TEACHING_EXPORT = "teaching.export"
    OUTBOX_READ = "outbox.read"
    BREAK_GLASS = "case.break_glass"
    PRIVACY_REVIEW = "privacy.review"


_CLINICIAN = frozenset(
    {
        Permission.PATIENT_READ,
        Permission.CASE_READ,
        Permission.MEETING_READ,
        Permission.MEETING_PRESENT,
        Permission.ANNOTATION_WRITE,
        Permission.ATTACHMENT_UPLOAD,
        Permission.WORKLIST_READ,
        Permission.RECOMMENDATION_WRITE,
        # Any clinician may chair a meeting; the object rule checks the chair.
        Permission.RECOMMENDATION_SIGN,
        # Narrowed to the case's lead clinician by can_update_implementation.
        Permission.IMPLEMENTATION_UPDATE,
        Permission.ACTION_MANAGE,
        Permission.DOCUMENT_READ,
        # The read-only quality lead view: clinical indicators only.
        Permission.QUALITY_READ,
        Permission.TEACHING_EXPORT,
        # Access to a case outside one's work, for a reason, reviewed later.
        Permission.BREAK_GLASS,
    }
)

#: Roles that write one of the four structured discipline reviews.
REVIEW_ROLES = frozenset(
    {
        Role.RADIOLOGIST,
        Role.PATHOLOGIST,
        Role.ORTHOPEDIC_ONCOLOGIST,
        Role.PALLIATIVE_CARE,
    }
)

#: Treating clinicians who assess and record a patient's performance status.
PERFORMANCE_ROLES = frozenset(
    {
        Role.ORTHOPEDIC_ONCOLOGIST,
        Role.MEDICAL_ONCOLOGIST,
        Role.RADIATION_ONCOLOGIST,
        Role.PALLIATIVE_CARE,
        Role.NURSE_SPECIALIST,
        Role.PAEDIATRIC_ONCOLOGIST,
        Role.PAEDIATRIC_SURGEON,
    }
)


def _clinician_permissions(role: Role) -> frozenset[Permission]:
    granted = set(_CLINICIAN)
    if role in REVIEW_ROLES:
        granted.add(Permission.REVIEW_WRITE)
    if role in PERFORMANCE_ROLES:
        granted.add(Permission.PERFORMANCE_RECORD)
    return frozenset(granted)


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.COORDINATOR: frozenset(
        {
            Permission.PATIENT_READ,
            Permission.PATIENT_WRITE,
            Permission.CASE_READ,
            Permission.CASE_WRITE,
            Permission.CASE_TRANSITION,
            Permission.BOARD_MANAGE,
            Permission.MEETING_MANAGE,
            Permission.MEETING_READ,
            Permission.MEETING_PRESENT,
            Permission.ATTENDANCE_RECORD,
            # Coordination notes and outside reports are not clinical reviews.
            Permission.ANNOTATION_WRITE,
            Permission.ATTACHMENT_UPLOAD,
            Permission.READINESS_WAIVE,
            Permission.WORKLIST_READ,
            # The coordinator records during the meeting; only the chair signs.
            Permission.RECOMMENDATION_WRITE,
            Permission.IMPLEMENTATION_UPDATE,
            Permission.IMPLEMENTATION_MONITOR,
            Permission.ACTION_MANAGE,
            Permission.DOCUMENT_READ,
            Permission.QUALITY_READ,
        }
    ),
    **{role: _clinician_permissions(role) for role in CLINICAL_ROLES},
    # Administrators manage accounts, boards and read the audit log; they see
    # no clinical data (no agendas: those name patients).
    Role.ADMIN: frozenset(
        {
            Permission.USER_MANAGE,
            Permission.AUDIT_READ,
            Permission.BOARD_MANAGE,
            # E-mail addresses, subjects and links: no patient data.
            Permission.OUTBOX_READ,
        }
    ),
    # Privacy officers review break-glass access and read the audit log's
    # metadata; like administrators they see no clinical values.
    Role.PRIVACY_OFFICER: frozenset({Permission.PRIVACY_REVIEW, Permission.AUDIT_READ}),
}


def has_permission(user: Any, permission: Permission) -> bool:
    """True if an active, signed-in user's role grants ``permission``."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not user.is_active:
        return False
    return permission in ROLE_PERMISSIONS.get(Role(user.role), frozenset())


def can(permission: Permission | str, user: Any = None) -> bool:
    """Template helper: may the current (or given) user do ``permission``?"""
    return has_permission(
        current_user if user is None else user, Permission(permission)
    )


# Object rules ---------------------------------------------------------------


def _active_in(user: User | None, roles: frozenset[Role]) -> bool:
    return user is not None and bool(user.is_active) and Role(user.role) in roles


#: Who may take part in a board: every clinician and the coordinator.
BOARD_ROLES = CLINICAL_ROLES | {Role.COORDINATOR}


def may_lead_case(user: User | None) -> bool:
    """An active clinician may be a case's lead clinician."""
    return _active_in(user, CLINICAL_ROLES)


def may_chair(user: User | None) -> bool:
    """An active clinician may chair a meeting (and so sign its decisions)."""
    return _active_in(user, CLINICAL_ROLES)


def may_present(user: User | None) -> bool:
    """An active clinician may present a case at the board."""
    return _active_in(user, CLINICAL_ROLES)


def may_sit_on_board(user: User | None) -> bool:
    """Active clinicians and coordinators are board members; administrators not."""
    return _active_in(user, BOARD_ROLES)


def may_own_action(user: User | None) -> bool:
    """Active clinicians and coordinators own action items."""
    return _active_in(user, BOARD_ROLES)


def can_see_audit_values(user: User) -> bool:
    """Only those who read cases see old and new values in the audit log;
    administrators see which fields changed, never the clinical values."""
    return has_permission(user, Permission.CASE_READ)


def can_view_case(user: User, case: Case) -> bool:
    """Clinicians and coordinators read the cases of their work
    (:mod:`tumorboard.auth.scope`), and others under a break-glass grant."""
    return has_permission(user, Permission.CASE_READ) and scope.may_read_case(
        user.id, case.id
    )


def can_edit_case(user: User, case: Case) -> bool:
    """Only the coordinator registers and edits case data."""
    return has_permission(user, Permission.CASE_WRITE)


def can_transition_case(user: User, case: Case) -> bool:
    """Only the coordinator moves cases between statuses by hand."""
    return has_permission(user, Permission.CASE_TRANSITION)


def can_write_review(user: User, case: Case, discipline: str) -> bool:
    """Each discipline writes only its own review, and only of an open case."""
    return (
        has_permission(user, Permission.REVIEW_WRITE)
        and can_view_case(user, case)
        and discipline_of(user.role) == discipline
        and case.is_open
    )


def can_record_performance_status(user: User, case: Case) -> bool:
    """Treating clinicians record performance status on the open cases they see."""
    return (
        has_permission(user, Permission.PERFORMANCE_RECORD)
        and can_view_case(user, case)
        and case.is_open
    )


def can_annotate(user: User, case: Case) -> bool:
    """Clinicians and the coordinator annotate the cases they can see."""
    return has_permission(user, Permission.ANNOTATION_WRITE) and can_view_case(
        user, case
    )


def can_change_annotation(user: User, annotation: Any) -> bool:
    """Only the author edits or deletes an annotation."""
    return has_permission(user, Permission.ANNOTATION_WRITE) and (
        annotation.author_id == user.id
    )


#: Attachment kinds each role may upload besides outside reports.
ATTACHMENT_KINDS_BY_ROLE: dict[Role, frozenset[str]] = {
    Role.RADIOLOGIST: frozenset({"key_image"}),
    Role.PATHOLOGIST: frozenset({"micrograph", "report"}),
}


def can_upload_attachment(user: User, case: Case, kind: str) -> bool:
    """Radiologists attach key images, pathologists micrographs and report PDFs;
    anyone who may attach adds outside reports."""
    if not has_permission(user, Permission.ATTACHMENT_UPLOAD) or not can_view_case(
        user, case
    ):
        return False
    if kind == "outside_report":
        return True
    return kind in ATTACHMENT_KINDS_BY_ROLE.get(Role(user.role), frozenset())


def can_withdraw_attachment(user: User, attachment: Any) -> bool:
    """The uploader, or the coordinator, withdraws an attachment."""
    return attachment.uploaded_by_id == user.id or has_permission(
        user, Permission.READINESS_WAIVE
    )


def can_waive_readiness(user: User, case: Case) -> bool:
    """The coordinator waives readiness items and declares pre-biopsy discussions."""
    return has_permission(user, Permission.READINESS_WAIVE) and case.is_open


def can_manage_users(user: User) -> bool:
    """Administrators create, edit and deactivate accounts."""
    return has_permission(user, Permission.USER_MANAGE)


def can_manage_board(user: User) -> bool:
    """Administrators and the coordinator set up boards and their members."""
    return has_permission(user, Permission.BOARD_MANAGE)


def can_manage_meeting(user: User, meeting: Meeting | None) -> bool:
    """The coordinator schedules meetings and builds their agendas."""
    return has_permission(user, Permission.MEETING_MANAGE)


def can_view_agenda(user: User, meeting: Meeting) -> bool:
    """The board's members, the chair and those present read published agendas;
    the coordinator of the board also sees drafts (the agenda names patients)."""
    if not scope.sits_at(user.id, meeting):
        return False
    if has_permission(user, Permission.MEETING_MANAGE):
        return True
    published = meeting.status.value in ("published", "in_progress", "closed")
    return has_permission(user, Permission.MEETING_READ) and published


def can_record_attendance(user: User, meeting: Meeting) -> bool:
    """The coordinator, and the meeting's chair, record who is present."""
    if has_permission(user, Permission.ATTENDANCE_RECORD):
        return True
    return (
        has_permission(user, Permission.MEETING_READ)
        and meeting.chair_id is not None
        and meeting.chair_id == user.id
    )


def can_run_meeting(user: User, meeting: Meeting) -> bool:
    """The coordinator and the chair mark items discussed or deferred."""
    if has_permission(user, Permission.MEETING_MANAGE):
        return True
    return (
        has_permission(user, Permission.MEETING_PRESENT)
        and meeting.chair_id is not None
        and meeting.chair_id == user.id
    )


def can_record_recommendation(user: User, meeting: Meeting) -> bool:
    """Clinicians and the coordinator record recommendations."""
    return has_permission(user, Permission.RECOMMENDATION_WRITE)


def can_amend_recommendation(user: User, meeting: Meeting) -> bool:
    """Whoever may record a meeting's recommendations may amend a signed one."""
    return can_record_recommendation(user, meeting)


def can_sign_recommendation(user: User, meeting: Meeting) -> bool:
    """Only the meeting's chair signs its recommendations."""
    return (
        has_permission(user, Permission.RECOMMENDATION_SIGN)
        and meeting.chair_id is not None
        and meeting.chair_id == user.id
    )


def may_sign(user: User, rec: Recommendation, meeting: Meeting) -> bool:
    """The chair may sign a draft revision."""
    return can_sign_recommendation(user, meeting) and rec.is_draft


def may_edit_recommendation(user: User, rec: Recommendation, meeting: Meeting) -> bool:
    """A draft revision is edited by whoever may record recommendations."""
    return can_record_recommendation(user, meeting) and rec.is_draft


def may_amend(user: User, rec: Recommendation, meeting: Meeting) -> bool:
    """Only the signed revision in force is amended."""
    return can_amend_recommendation(user, meeting) and rec.is_in_force


def may_implement(user: User, rec: Recommendation, case: Case) -> bool:
    """Implementation is recorded on the signed revision in force."""
    return can_update_implementation(user, case) and rec.is_in_force


def may_add_action(user: User, rec: Recommendation) -> bool:
    """Action items follow from the signed revision in force."""
    return has_permission(user, Permission.ACTION_MANAGE) and rec.is_in_force


def can_update_implementation(user: User, case: Case) -> bool:
    """The coordinator, or the case's lead clinician, records implementation."""
    if not has_permission(user, Permission.IMPLEMENTATION_UPDATE):
        return False
    return Role(user.role) == Role.COORDINATOR or (
        case.lead_clinician_id is not None and case.lead_clinician_id == user.id
    )


def can_change_action(user: User, action: Any) -> bool:
    """The owner, the creator or the coordinator closes or cancels an action."""
    if not has_permission(user, Permission.ACTION_MANAGE):
        return False
    return (
        user.id in (action.owner_id, action.created_by_id)
        or Role(user.role) == Role.COORDINATOR
    )


def can_read_documents(user: User) -> bool:
    """Clinicians and the coordinator download board documents."""
    return has_permission(user, Permission.DOCUMENT_READ)


def can_read_quality(user: User) -> bool:
    """The coordinator and clinicians open the quality dashboard."""
    return has_permission(user, Permission.QUALITY_READ)


def can_see_indicator(user: User, audience: str, chairs_meetings: bool) -> bool:
    """Every quality reader sees the clinical indicators; the operational ones
    (readiness, deferrals, meeting load) only the coordinator and clinicians
    who chair meetings (``chairs_meetings``)."""
    if not can_read_quality(user):
        return False
    if audience == "all":
        return True
    return has_permission(user, Permission.MEETING_MANAGE) or chairs_meetings


def can_export_teaching(user: User) -> bool:
    """Clinicians export de-identified cases and meetings for teaching."""
    return has_permission(user, Permission.TEACHING_EXPORT)


def authorize(allowed: bool, message: str = "You are not allowed to do that.") -> None:
    """Raise :class:`AccessDenied` unless ``allowed``; services call this first."""
    if not allowed:
        raise AccessDenied(message)


# View declarations ------------------------------------------------------------

#: Attribute set on every view function to declare how it is protected.
ACCESS_ATTR = "_tumorboard_access"
PUBLIC = "public"
AUTHENTICATED = "authenticated"


def public(view: Callable) -> Callable:
    """Mark a view as reachable without signing in."""
    setattr(view, ACCESS_ATTR, PUBLIC)
    return view


def authenticated(view: Callable) -> Callable:
    """Mark a view as open to every signed-in user, whatever the role."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    setattr(wrapper, ACCESS_ATTR, AUTHENTICATED)
    return wrapper


def permission_required(permission: Permission) -> Callable[[Callable], Callable]:
    """Require sign-in and ``permission``; anonymous users go to the login page."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not has_permission(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapper, ACCESS_ATTR, permission)
        return wrapper

    return decorator


def declared_access(view: Callable) -> str | None:
    """The access declaration of a view function, or None if it has none."""
    return getattr(view, ACCESS_ATTR, None)
