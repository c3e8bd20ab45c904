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

from tumorboard.extensions import login_manager

if TYPE_CHECKING:
    from tumorboard.auth.models import User
    from tumorboard.cases.models import Case


class Role(enum.StrEnum):
    """One role per account."""

    COORDINATOR = "coordinator"
    ORTHOPEDIC_ONCOLOGIST = "orthopedic_oncologist"
    RADIOLOGIST = "radiologist"
    PATHOLOGIST = "pathologist"
    PALLIATIVE_CARE = "palliative_care"
    MEDICAL_ONCOLOGIST = "medical_oncologist"
    RADIATION_ONCOLOGIST = "radiation_oncologist"
    NURSE_SPECIALIST = "nurse_specialist"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """Human-readable role name."""
        return ROLE_LABELS[self]

    @property
    def is_clinician(self) -> bool:
        """True for roles that take part in clinical discussion."""
        return self in CLINICAL_ROLES


ROLE_LABELS = {
    Role.COORDINATOR: "Coordinator",
    Role.ORTHOPEDIC_ONCOLOGIST: "Orthopaedic oncologist",
    Role.RADIOLOGIST: "Radiologist",
    Role.PATHOLOGIST: "Pathologist",
    Role.PALLIATIVE_CARE: "Palliative care",
    Role.MEDICAL_ONCOLOGIST: "Medical oncologist",
    Role.RADIATION_ONCOLOGIST: "Radiation oncologist",
    Role.NURSE_SPECIALIST: "Nurse specialist",
    Role.ADMIN: "Administrator",
}

CLINICAL_ROLES = frozenset(
    {
        Role.ORTHOPEDIC_ONCOLOGIST,
        Role.RADIOLOGIST,
        Role.PATHOLOGIST,
        Role.PALLIATIVE_CARE,
        Role.MEDICAL_ONCOLOGIST,
        Role.RADIATION_ONCOLOGIST,
        Role.NURSE_SPECIALIST,
    }
)


class Permission(enum.StrEnum):
    """Coarse permissions granted by role; object rules refine them."""

    PATIENT_READ = "patient.read"
    PATIENT_WRITE = "patient.write"
    CASE_READ = "case.read"
    CASE_WRITE = "case.write"
    CASE_TRANSITION = "case.transition"
    USER_MANAGE = "user.manage"
    AUDIT_READ = "audit.read"


_CLINICIAN = frozenset({Permission.PATIENT_READ, Permission.CASE_READ})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.COORDINATOR: frozenset(
        {
            Permission.PATIENT_READ,
            Permission.PATIENT_WRITE,
            Permission.CASE_READ,
            Permission.CASE_WRITE,
            Permission.CASE_TRANSITION,
        }
    ),
    **{role: _CLINICIAN for role in CLINICAL_ROLES},
    # Administrators manage accounts and read the audit log; they see no
    # clinical data.
    Role.ADMIN: frozenset({Permission.USER_MANAGE, Permission.AUDIT_READ}),
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


def can_view_case(user: User, case: Case) -> bool:
    """Every clinician and the coordinator may read every board case."""
    return has_permission(user, Permission.CASE_READ)


def can_edit_case(user: User, case: Case) -> bool:
    """Only the coordinator registers and edits case data."""
    return has_permission(user, Permission.CASE_WRITE)


def can_transition_case(user: User, case: Case) -> bool:
    """Only the coordinator moves cases between statuses by hand."""
    return has_permission(user, Permission.CASE_TRANSITION)


def can_manage_users(user: User) -> bool:
    """Administrators create, edit and deactivate accounts."""
    return has_permission(user, Permission.USER_MANAGE)


class AccessDenied(Exception):
    """Raised by services when an object rule refuses the actor."""


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
