"""Object rules that combine a role with a record's state, tested without a
database: the rules read attributes only, so plain objects stand in for users,
meetings and recommendations."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tumorboard.auth import permissions as rules
from tumorboard.auth.roles import CLINICAL_ROLES, Role

BOARD_ROLES = CLINICAL_ROLES | {Role.COORDINATOR}


def person(role: Role, *, user_id: int = 7, active: bool = True) -> SimpleNamespace:
    """A signed-in account of ``role``."""
    return SimpleNamespace(
        id=user_id, role=role.value, is_active=active, is_authenticated=True
    )


@pytest.mark.parametrize(
    ("rule", "allowed_roles"),
    [
        (rules.may_lead_case, CLINICAL_ROLES),
        (rules.may_chair, CLINICAL_ROLES),
        (rules.may_present, CLINICAL_ROLES),
        (rules.may_sit_on_board, BOARD_ROLES),
        (rules.may_own_action, BOARD_ROLES),
    ],
    ids=["lead", "chair", "present", "board-member", "action-owner"],
)
@pytest.mark.parametrize("role", list(Role))
def test_who_may_take_a_part_at_the_board(rule, allowed_roles, role):
    assert rule(person(role)) is (role in allowed_roles)
    # A deactivated account takes no part, whatever its role.
    assert rule(person(role, active=False)) is False


@pytest.mark.parametrize(
    "rule",
    [
        rules.may_lead_case,
        rules.may_chair,
        rules.may_present,
        rules.may_sit_on_board,
        rules.may_own_action,
    ],
)
def test_nobody_is_no_one(rule):
    assert rule(None) is False


@pytest.mark.parametrize("role", list(Role))
def test_only_those_who_read_cases_see_audit_values(role):
    expected = role not in (Role.ADMIN, Role.PRIVACY_OFFICER)
    assert rules.can_see_audit_values(person(role)) is expected


def _rec(state: str) -> SimpleNamespace:
    return SimpleNamespace(
        is_draft=state == "draft", is_in_force=state == "signed", state=state
    )


CHAIR_ID = 7
MEETING = SimpleNamespace(chair_id=CHAIR_ID, status=SimpleNamespace(value="closed"))


@pytest.mark.parametrize(
    ("rule", "state", "user", "expected"),
    [
        (rules.may_sign, "draft", person(Role.RADIOLOGIST), True),
        (rules.may_sign, "signed", person(Role.RADIOLOGIST), False),
        (rules.may_sign, "draft", person(Role.RADIOLOGIST, user_id=8), False),
        (rules.may_sign, "draft", person(Role.COORDINATOR), False),
        (rules.may_edit_recommendation, "draft", person(Role.COORDINATOR), True),
        (rules.may_edit_recommendation, "signed", person(Role.COORDINATOR), False),
        (rules.may_edit_recommendation, "draft", person(Role.ADMIN), False),
        (rules.may_amend, "signed", person(Role.PATHOLOGIST, user_id=3), True),
        (rules.may_amend, "draft", person(Role.PATHOLOGIST), False),
        (rules.may_amend, "superseded", person(Role.PATHOLOGIST), False),
        (rules.may_amend, "signed", person(Role.ADMIN), False),
    ],
)
def test_recommendation_rules_combine_role_and_state(rule, state, user, expected):
    assert rule(user, _rec(state), MEETING) is expected


@pytest.mark.parametrize(
    ("state", "user", "lead_id", "expected"),
    [
        ("signed", person(Role.COORDINATOR), None, True),
        ("signed", person(Role.MEDICAL_ONCOLOGIST, user_id=5), 5, True),
        ("signed", person(Role.MEDICAL_ONCOLOGIST, user_id=5), 6, False),
        ("draft", person(Role.COORDINATOR), None, False),
        ("superseded", person(Role.COORDINATOR), None, False),
    ],
)
def test_implementation_is_recorded_on_the_revision_in_force(
    state, user, lead_id, expected
):
    case = SimpleNamespace(lead_clinician_id=lead_id)
    assert rules.may_implement(user, _rec(state), case) is expected


@pytest.mark.parametrize(
    ("state", "role", "expected"),
    [
        ("signed", Role.NURSE_SPECIALIST, True),
        ("signed", Role.ADMIN, False),
        ("draft", Role.COORDINATOR, False),
    ],
)
def test_action_items_follow_the_revision_in_force(state, role, expected):
    assert rules.may_add_action(person(role), _rec(state)) is expected
