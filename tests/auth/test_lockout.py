"""Account lockout after wrong passwords in a row: counting, locking, the
uniform refusal, unlocking by time and by an administrator, and the audit."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD
from tumorboard.audit.models import AuditEntry
from tumorboard.auth import services
from tumorboard.db import utcnow
from tumorboard.errors import AccessDenied, InvalidInput
from tumorboard.extensions import db

T0 = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
WRONG = "not-the-password"


def _entries(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.action == action)
            .order_by(AuditEntry.id)
        )
    )


def _last_action() -> str:
    return db.session.scalar(
        sa.select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)
    )


def _fail(user, times: int, now: datetime = T0) -> None:
    for _ in range(times):
        assert services.authenticate(user.email, WRONG, now=now) is None


def test_ten_wrong_passwords_lock_the_account_for_fifteen_minutes(make_user):
    user = make_user("radiologist")
    _fail(user, 9)
    assert user.failed_logins == 9
    assert user.locked_until is None
    assert _entries("auth.lockout") == []

    _fail(user, 1)
    assert user.locked_until == T0 + timedelta(minutes=15)
    assert services.is_locked(user, T0)
    [lock] = _entries("auth.lockout")
    assert lock.actor_id is None and lock.entity_id == str(user.id)
    assert lock.changes == {
        "locked_until": [None, (T0 + timedelta(minutes=15)).isoformat()]
    }
    assert len(_entries("auth.login_failed")) == 10

    # The right password does not help while the lock lasts ...
    just_before = T0 + timedelta(minutes=15) - timedelta(seconds=1)
    assert services.authenticate(user.email, PASSWORD, now=just_before) is None
    assert _entries("auth.login_failed")[-1].summary.endswith(
        "(account locked; the password was not checked)"
    )
    assert user.last_login_at is None
    # ... and works again once it has run out; the expiry is audited.
    at_expiry = T0 + timedelta(minutes=15)
    assert services.authenticate(user.email, PASSWORD, now=at_expiry) == user
    [unlock] = _entries("auth.unlock")
    assert unlock.actor_id is None and "expired" in unlock.summary
    assert user.locked_until is None and user.failed_logins == 0
    assert user.last_login_at == at_expiry
    assert _last_action() == "auth.login"


def test_a_lock_that_ran_out_allows_a_full_new_series(make_user):
    user = make_user("radiologist")
    _fail(user, 10)
    later = T0 + timedelta(minutes=20)
    _fail(user, 9, later)
    assert not services.is_locked(user, later)
    _fail(user, 1, later)
    assert user.locked_until == later + timedelta(minutes=15)
    assert len(_entries("auth.lockout")) == 2


def test_a_successful_sign_in_resets_the_count(make_user):
    user = make_user("pathologist")
    _fail(user, 9)
    assert services.authenticate(user.email, PASSWORD, now=T0) == user
    assert user.failed_logins == 0
    _fail(user, 9)
    assert user.locked_until is None
    assert user.failed_logins == 9


def test_counting_does_not_make_an_open_admin_form_stale(make_user):
    user = make_user("pathologist")
    version = user.version
    _fail(user, 10)
    db.session.refresh(user)
    assert user.version == version
    assert user.locked_until is not None


class TestSettings:
    @pytest.fixture
    def app_config(self):
        return {"LOGIN_LOCKOUT_THRESHOLD": 3, "LOGIN_LOCKOUT_MINUTES": 2}

    def test_threshold_and_duration_come_from_the_settings(self, make_user):
        user = make_user("nurse_specialist")
        _fail(user, 2)
        assert user.locked_until is None
        _fail(user, 1)
        assert user.locked_until == T0 + timedelta(minutes=2)
        assert "locked until" in _entries("auth.lockout")[0].summary


@pytest.fixture
def verifications(monkeypatch):
    """Count real and dummy Argon2 verifications made by sign-in."""
    calls = {"real": 0, "dummy": 0}
    real, dummy = services.verify_password, services.dummy_verify

    def counted_real(stored_hash, password):
        calls["real"] += 1
        return real(stored_hash, password)

    def counted_dummy(password):
        calls["dummy"] += 1
        return dummy(password)

    monkeypatch.setattr(services, "verify_password", counted_real)
    monkeypatch.setattr(services, "dummy_verify", counted_dummy)
    return calls


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("wrong-password", {"real": 1, "dummy": 0}),
        ("unknown-email", {"real": 0, "dummy": 1}),
        ("locked", {"real": 0, "dummy": 1}),
    ],
)
def test_every_refusal_costs_one_verification(make_user, verifications, case, expected):
    user = make_user("radiologist", email="known@example.org")
    if case == "locked":
        user.locked_until = T0 + timedelta(minutes=5)
        db.session.flush()
    email = "unknown@example.org" if case == "unknown-email" else user.email
    password = WRONG if case == "wrong-password" else PASSWORD
    assert services.authenticate(email, password, now=T0) is None
    assert verifications == expected


def _alert(response) -> str:
    return re.search(
        r'<div class="alert alert-error" role="alert">(.*?)</div>', response.text, re.S
    )[1]


def test_a_locked_account_gets_the_same_answer_as_a_wrong_password(client, make_user):
    locked = make_user("coordinator", locked_until=utcnow() + timedelta(minutes=10))
    other = make_user("coordinator")
    db.session.commit()
    answers = [
        client.post("/login", data={"email": locked.email, "password": PASSWORD}),
        client.post("/login", data={"email": other.email, "password": WRONG}),
        client.post("/login", data={"email": "nobody@example.org", "password": WRONG}),
    ]
    assert [a.status_code for a in answers] == [400, 400, 400]
    assert len({_alert(a) for a in answers}) == 1
    assert "email or password is not correct" in _alert(answers[0])
    assert client.get("/cases/").status_code == 302  # not signed in


def test_lockout_through_the_sign_in_form(client, make_user):
    user = make_user("coordinator")
    db.session.commit()
    for _ in range(10):
        client.post("/login", data={"email": user.email, "password": WRONG})
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    db.session.refresh(user)
    assert services.is_locked(user)
    assert len(_entries("auth.lockout")) == 1
    assert len(_entries("auth.login_failed")) == 11
    text = " ".join(
        f"{e.summary} {e.changes}" for e in db.session.scalars(sa.select(AuditEntry))
    )
    assert WRONG not in text and PASSWORD not in text


def test_an_administrator_unlocks_from_the_account_page(client, login_as, make_user):
    admin = login_as("admin")
    until = utcnow() + timedelta(minutes=10)
    user = make_user("radiologist", locked_until=until, failed_logins=0)
    db.session.commit()
    listing = client.get("/admin/users").text
    assert 'class="badge warn">Locked</span>' in listing
    page = client.get(f"/admin/users/{user.id}").text
    assert "Sign-in is refused until" in page
    assert f'action="/admin/users/{user.id}/unlock"' in page

    response = client.post(f"/admin/users/{user.id}/unlock", follow_redirects=True)
    assert response.status_code == 200
    assert f"Sign-in for {user.name} is unlocked." in response.text
    assert "Unlock sign-in" not in response.text
    db.session.refresh(user)
    assert user.locked_until is None
    [unlock] = _entries("auth.unlock")
    assert unlock.actor_id == admin.id
    assert unlock.changes == {"locked_until": [until.isoformat(), None]}

    client.post("/logout")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_an_account_that_is_not_locked_has_no_unlock_button(
    client, login_as, make_user
):
    login_as("admin")
    user = make_user("radiologist")
    db.session.commit()
    assert "Unlock sign-in" not in client.get(f"/admin/users/{user.id}").text
    response = client.post(f"/admin/users/{user.id}/unlock", follow_redirects=True)
    assert f"The account of {user.name} is not locked." in response.text
    assert _entries("auth.unlock") == []


def test_only_administrators_unlock(client, login_as, make_user):
    clinician = login_as("radiologist")
    user = make_user("pathologist", locked_until=utcnow() + timedelta(minutes=10))
    db.session.commit()
    assert client.post(f"/admin/users/{user.id}/unlock").status_code == 403
    with pytest.raises(AccessDenied):
        services.unlock_user(clinician, user)
    db.session.refresh(user)
    assert user.locked_until is not None
    assert _entries("auth.unlock") == []


def test_unlock_service_with_a_fixed_clock(make_user):
    admin = make_user("admin")
    user = make_user("pathologist")
    _fail(user, 10)
    with pytest.raises(InvalidInput, match="not locked"):
        # by then the lock has run out and no failures are counted
        services.unlock_user(admin, user, now=T0 + timedelta(minutes=15))
    services.unlock_user(admin, user, now=T0 + timedelta(minutes=1))
    assert user.locked_until is None and user.failed_logins == 0
    assert services.authenticate(user.email, PASSWORD, now=T0 + timedelta(minutes=1))


def test_an_administrator_can_clear_a_running_count(make_user):
    admin = make_user("admin")
    user = make_user("pathologist")
    _fail(user, 4)
    services.unlock_user(admin, user, now=T0)
    assert user.failed_logins == 0
    assert _entries("auth.unlock")[0].changes == {"failed_logins": [4, 0]}
