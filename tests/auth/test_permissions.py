"""Deny by default: every endpoint declares its rule; each role gets exactly
what the permission table grants."""

from __future__ import annotations

import pytest

from tumorboard.auth.permissions import (
    AUTHENTICATED,
    ROLE_PERMISSIONS,
    Permission,
    Role,
    declared_access,
    has_permission,
)


def test_every_endpoint_declares_access(app):
    undeclared = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        and declared_access(app.view_functions[rule.endpoint]) is None
    ]
    assert undeclared == []


def test_an_undeclared_endpoint_is_refused_at_runtime(app, client, login_as):
    app.add_url_rule("/undeclared", "undeclared", lambda: "secret")
    login_as("coordinator")
    response = client.get("/undeclared")
    assert response.status_code == 403
    assert "secret" not in response.text


def test_every_role_has_a_permission_entry():
    assert set(ROLE_PERMISSIONS) == set(Role)


def test_admin_sees_no_clinical_data():
    admin = ROLE_PERMISSIONS[Role.ADMIN]
    assert Permission.CASE_READ not in admin
    assert Permission.PATIENT_READ not in admin


def test_deactivated_user_has_no_permission(make_user):
    user = make_user("coordinator", is_active=False)
    assert not has_permission(user, Permission.CASE_READ)


# (path, method, required permission or PUBLIC / AUTHENTICATED)
ENDPOINTS = [
    ("/", "GET", AUTHENTICATED),
    ("/account/password", "GET", AUTHENTICATED),
    ("/patients/", "GET", Permission.PATIENT_READ),
    ("/patients/new", "GET", Permission.PATIENT_WRITE),
    ("/patients/{patient}", "GET", Permission.PATIENT_READ),
    ("/patients/{patient}/edit", "GET", Permission.PATIENT_WRITE),
    ("/cases/", "GET", Permission.CASE_READ),
    ("/cases/mine", "GET", Permission.CASE_READ),
    ("/cases/new/{patient}", "GET", Permission.CASE_WRITE),
    ("/cases/{case}", "GET", Permission.CASE_READ),
    ("/cases/{case}/edit", "GET", Permission.CASE_WRITE),
    ("/cases/{case}/status", "POST", Permission.CASE_TRANSITION),
    ("/admin/users", "GET", Permission.USER_MANAGE),
    ("/admin/users/new", "GET", Permission.USER_MANAGE),
    ("/admin/users/{user}", "GET", Permission.USER_MANAGE),
    ("/admin/users/{user}/password", "POST", Permission.USER_MANAGE),
    ("/admin/audit/", "GET", Permission.AUDIT_READ),
]


def test_matrix_covers_every_endpoint(app):
    covered = {path.split("{")[0].rstrip("/") for path, _, _ in ENDPOINTS}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "main.health", "auth.login", "auth.logout"):
            continue
        prefix = rule.rule.split("<")[0].rstrip("/")
        assert prefix in covered, f"{rule.rule} is missing from the matrix"


def _expected(role: Role, rule) -> int:
    if rule == AUTHENTICATED:
        return 200
    return 200 if rule in ROLE_PERMISSIONS[role] else 403


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("path", "method", "rule"), ENDPOINTS)
def test_role_endpoint_matrix(
    client, login_as, make_patient, make_case, role, path, method, rule
):
    case = make_case()
    user = login_as(role)
    url = path.format(patient=case.patient_id, case=case.id, user=user.id)
    response = client.open(url, method=method, data={})
    expected = _expected(role, rule)
    if method == "POST" and expected == 200:
        # An empty POST from an allowed role is a validation problem, never a 403.
        assert response.status_code in (302, 400)
    elif role == Role.ADMIN and path == "/" and expected == 200:
        assert response.status_code == 302  # administrators land on Users
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(("path", "method", "rule"), ENDPOINTS)
def test_anonymous_user_is_redirected_to_login(client, make_case, path, method, rule):
    case = make_case()
    url = path.format(patient=case.patient_id, case=case.id, user=1)
    response = client.open(url, method=method)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
