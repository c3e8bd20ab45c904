"""Deny by default: every endpoint declares its rule; each role gets exactly
what the permission table grants."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from tests.conftest import on_backend
from tumorboard.auth.permissions import (
    AUTHENTICATED,
    PUBLIC,
    ROLE_PERMISSIONS,
    Permission,
    Role,
    declared_access,
    has_permission,
)
from tumorboard.extensions import db


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


# (path, method, required permission or PUBLIC / AUTHENTICATED). Features add
# theirs in ``tests/<feature>/endpoints.py``: a list ``ENDPOINTS`` and, for
# path variables beyond {patient}, {case} and {user}, a function
# ``url_values(user, case) -> dict`` that creates what the paths point at.
FOUNDATION_ENDPOINTS = [
    ("/", "GET", AUTHENTICATED),
    ("/account/password", "GET", AUTHENTICATED),
    ("/patients/", "GET", Permission.PATIENT_READ),
    ("/patients/new", "GET", Permission.PATIENT_WRITE),
    ("/patients/{patient}", "GET", Permission.PATIENT_READ),
    ("/patients/{patient}/edit", "GET", Permission.PATIENT_WRITE),
    ("/cases/", "GET", Permission.CASE_READ),
    ("/cases/mine", "GET", Permission.CASE_READ),
    ("/cases/my-patients", "GET", Permission.CASE_READ),
    ("/cases/new", "GET", Permission.CASE_WRITE),
    ("/cases/new/{patient}", "GET", Permission.CASE_WRITE),
    ("/cases/{case}", "GET", Permission.CASE_READ),
    ("/cases/{case}/edit", "GET", Permission.CASE_WRITE),
    ("/cases/{case}/status", "POST", Permission.CASE_TRANSITION),
    ("/admin/users", "GET", Permission.USER_MANAGE),
    ("/admin/users/new", "GET", Permission.USER_MANAGE),
    ("/admin/users/{user}", "GET", Permission.USER_MANAGE),
    ("/admin/users/{user}/password", "POST", Permission.USER_MANAGE),
    ("/admin/users/{user}/unlock", "POST", Permission.USER_MANAGE),
    ("/admin/audit/", "GET", Permission.AUDIT_READ),
]


#: Allowed requests to these paths answer with a redirect, not a page.
REDIRECTS = {"/cases/new"}


def _feature_modules():
    tests_dir = Path(__file__).resolve().parent.parent
    for path in sorted(tests_dir.glob("*/endpoints.py")):
        yield importlib.import_module(f"tests.{path.parent.name}.endpoints")


FEATURE_MODULES = list(_feature_modules())
ENDPOINTS = FOUNDATION_ENDPOINTS + [
    row for module in FEATURE_MODULES for row in module.ENDPOINTS
]
REDIRECTS |= {
    path for module in FEATURE_MODULES for path in getattr(module, "REDIRECTS", ())
}


#: The feature module whose ``url_values`` fills each matrix path.
OWNER = {
    (path, method): module
    for module in FEATURE_MODULES
    for path, method, _ in module.ENDPOINTS
}


def _url_values(user, case, path: str | None = None, method: str | None = None):
    """Fresh objects for one request: the case, its patient and the user, and
    what the feature module that lists ``path`` builds (every module's when
    no path is given)."""
    values = {"patient": case.patient_id, "case": case.id, "user": user.id}
    owner = OWNER.get((path, method))
    modules = FEATURE_MODULES if path is None else [owner] if owner else []
    for module in modules:
        if hasattr(module, "url_values"):
            values.update(module.url_values(user, case))
    return values


def _shape(path: str) -> str:
    """A URL rule or matrix path with every variable part replaced by '*'."""
    return re.sub(r"<[^>]+>|\{[^}]+\}", "*", path)


def test_matrix_covers_every_endpoint(app):
    covered = {(_shape(path), method) for path, method, _ in ENDPOINTS}
    public = {"static", "main.health", "auth.login", "auth.logout"}
    for rule in app.url_map.iter_rules():
        if (
            rule.endpoint in public
            or declared_access(app.view_functions[rule.endpoint]) == PUBLIC
            # The JSON API answers 401 instead of redirecting: its access is
            # tested in tests/api (see tests/api/endpoints.py).
            or rule.rule.startswith("/api/v1/")
        ):
            continue
        methods = rule.methods - {"HEAD", "OPTIONS"}
        assert any((_shape(rule.rule), m) in covered for m in methods), (
            f"{rule.rule} is missing from the access matrix"
        )


def _expected(role: Role, rule) -> int:
    if rule == AUTHENTICATED:
        return 200
    return 200 if rule in ROLE_PERMISSIONS[role] else 403


def _acceptable(role: Role, path: str, method: str, rule) -> set[int]:
    """The status codes a request by ``role`` may get."""
    expected = _expected(role, rule)
    if method == "POST" and expected == 200:
        # An empty POST from an allowed role is a validation problem, never a 403.
        return {302, 400}
    if expected == 200 and (
        path in REDIRECTS
        or (role, path) in ((Role.ADMIN, "/"), (Role.PRIVACY_OFFICER, "/"))
    ):
        return {302}  # e.g. administrators land on Users, privacy officers on reviews
    return {expected}


@on_backend("sqlite")
@pytest.mark.parametrize("role", list(Role))
def test_role_endpoint_matrix(client, login_as, make_case, role):
    """Every endpoint for one role; fresh objects per request, one sign-in."""
    user = login_as(role)
    wrong = []
    for path, method, rule in ENDPOINTS:
        url = path.format(**_url_values(user, make_case(), path, method))
        db.session.commit()
        status = client.open(url, method=method, data={}).status_code
        allowed = _acceptable(role, path, method, rule)
        if status not in allowed:
            wrong.append(f"{method} {path}: got {status}, expected {sorted(allowed)}")
    assert wrong == []


def test_anonymous_user_is_redirected_to_login(client, make_case, make_user):
    admin = make_user("admin")
    wrong = []
    for path, method, _ in ENDPOINTS:
        url = path.format(**_url_values(admin, make_case(), path, method))
        db.session.commit()
        response = client.open(url, method=method)
        location = response.headers.get("Location", "")
        if response.status_code != 302 or "/login" not in location:
            wrong.append(f"{method} {path}: {response.status_code} {location}")
    assert wrong == []


def test_roles_page_matches_the_permission_table():
    """docs/roles.md lists exactly the permissions each role has."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "roles.md").read_text()
    documented = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and "`" in cells[1]:
            for role in cells[0].split(","):
                documented[Role(role.strip())] = set(
                    re.findall(r"`([a-z_.]+)`", cells[1])
                )
    assert documented == {
        role: {p.value for p in perms} for role, perms in ROLE_PERMISSIONS.items()
    }
