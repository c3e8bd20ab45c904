"""Multi-factor sign-in services: codes and their window, replay, encryption of
the secret, recovery codes, lockout, disabling and the administrator's reset."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from tests.factories import MFA_SECRET, PASSWORD
from tumorboard.audit.models import AuditEntry
from tumorboard.auth import mfa, mfa_keys, services
from tumorboard.auth.models import RecoveryCode
from tumorboard.errors import AccessDenied, InvalidInput
from tumorboard.extensions import db

#: A fixed clock, at the start of a 30-second step.
T0 = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)
STEP0 = mfa.current_step(T0)
RECOVERY_FORMAT = re.compile(r"^[23456789abcdefghjkmnpqrstuvwxyz]{4}(-[^-]{4}){2}$")


def code(offset: int = 0, secret: str = MFA_SECRET) -> str:
    """The code ``offset`` steps away from T0."""
    return mfa.code_at(secret, STEP0 + offset)


def _entries(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.action == action)
            .order_by(AuditEntry.id)
        )
    )


def _audit_text() -> str:
    return " ".join(
        f"{e.summary} {e.changes}" for e in db.session.scalars(sa.select(AuditEntry))
    )


def _enrolled(make_user, role="coordinator", **fields):
    """A user with multi-factor sign-in on, with the test secret."""
    return make_user(role, mfa=True, **fields)


# --- the code and its window --------------------------------------------------


def test_the_code_matches_an_authenticator_app():
    # RFC 6238 test vector for SHA-1 (8 digits there; the last 6 here).
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # "12345678901234567890"
    assert mfa.code_at(secret, 59 // 30) == "287082"
    assert mfa.code_at(secret, 1111111109 // 30) == "081804"


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_a_code_one_step_either_side_is_accepted(offset):
    assert mfa.matching_step(MFA_SECRET, code(offset), after=None, now=T0) == (
        STEP0 + offset
    )


@pytest.mark.parametrize("offset", [-2, 2, -10])
def test_a_code_two_windows_away_is_refused(offset):
    assert mfa.matching_step(MFA_SECRET, code(offset), after=None, now=T0) is None


def test_a_used_step_and_older_ones_are_refused():
    assert mfa.matching_step(MFA_SECRET, code(0), after=STEP0, now=T0) is None
    assert mfa.matching_step(MFA_SECRET, code(-1), after=STEP0, now=T0) is None
    assert mfa.matching_step(MFA_SECRET, code(1), after=STEP0, now=T0) == STEP0 + 1


def test_codes_of_another_shape_never_match():
    for typed in ["", "12345", "1234567", "abcdef", code(0) + "0", " " + code(0)]:
        assert mfa.matching_step(MFA_SECRET, typed, after=None, now=T0) is None


def test_mfa_is_mandatory_for_administrators(app, make_user):
    assert mfa.mfa_required(make_user("admin"))
    assert not mfa.mfa_required(make_user("coordinator"))
    app.config["REQUIRE_MFA"] = True
    assert mfa.mfa_required(make_user("coordinator"))
    app.config["REQUIRE_MFA"] = "false"  # as text from somewhere
    assert not mfa.mfa_required(make_user("radiologist"))


# --- the secret at rest -------------------------------------------------------


def test_enrolment_stores_the_secret_encrypted_and_keeps_the_draft(make_user):
    user = make_user("coordinator")
    secret = mfa.start_enrolment(user)
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert user.mfa_secret and secret not in user.mfa_secret
    assert user.mfa_enabled_at is None
    stored = db.session.scalar(
        sa.select(sa.text("mfa_secret"))
        .select_from(sa.text("users"))
        .where(sa.text("id = :id")),
        {"id": user.id},
    )
    assert secret not in stored and mfa_keys.decrypt(stored) == secret
    # Reloading the page shows the same key, so a scanned code stays valid.
    assert mfa.start_enrolment(user) == secret


def test_a_wrong_key_gives_a_clear_error(app, make_user):
    user = make_user("coordinator", mfa=True)
    app.config["MFA_ENCRYPTION_KEY"] = Fernet.generate_key().decode()
    mfa_keys.install_key(app)
    with pytest.raises(mfa_keys.MfaUnavailable, match="MFA_ENCRYPTION_KEY"):
        mfa.verify_sign_in_code(user, code(), now=T0)


def test_a_draft_under_an_earlier_key_is_replaced(app, make_user):
    user = make_user("coordinator")
    first = mfa.start_enrolment(user)
    app.config["MFA_ENCRYPTION_KEY"] = Fernet.generate_key().decode()
    mfa_keys.install_key(app)
    second = mfa.start_enrolment(user)
    assert second != first and mfa_keys.decrypt(user.mfa_secret) == second


def test_production_refuses_to_start_without_a_key(app, tmp_path):
    app.config.update(ENV_NAME="production", MFA_ENCRYPTION_KEY=None)
    with pytest.raises(mfa_keys.MfaKeyError, match="TUMORBOARD_MFA_ENCRYPTION_KEY"):
        mfa_keys.resolve_key(app)
    app.config["MFA_ENCRYPTION_KEY"] = "not-a-fernet-key"
    with pytest.raises(mfa_keys.MfaKeyError, match="not a valid Fernet key"):
        mfa_keys.resolve_key(app)


def test_development_generates_one_key_into_the_instance_folder(app, tmp_path):
    app.config.update(ENV_NAME="development", MFA_ENCRYPTION_KEY=None)
    app.instance_path = str(tmp_path / "instance")
    first = mfa_keys.resolve_key(app)
    key_file = tmp_path / "instance" / mfa_keys.KEY_FILE
    assert key_file.read_text() == first
    assert key_file.stat().st_mode & 0o777 == 0o600
    Fernet(first)  # a usable key
    assert mfa_keys.resolve_key(app) == first


# --- enrolment ----------------------------------------------------------------


def test_a_wrong_code_at_enrolment_turns_nothing_on(make_user):
    user = make_user("coordinator")
    secret = mfa.start_enrolment(user)
    assert mfa.confirm_enrolment(user, code(5, secret), now=T0) is None
    assert user.mfa_enabled_at is None and not mfa.is_enrolled(user)
    assert mfa.recovery_codes_left(user) == 0
    [failed] = _entries("auth.mfa_failed")
    assert "not turned on" in failed.summary


def test_enrolment_makes_ten_hashed_recovery_codes(make_user):
    user = make_user("coordinator")
    secret = mfa.start_enrolment(user)
    codes = mfa.confirm_enrolment(user, code(0, secret), now=T0)
    assert mfa.is_enrolled(user) and user.mfa_enabled_at == T0
    assert user.mfa_last_step == STEP0
    assert len(codes) == 10 == len(set(codes))
    assert all(RECOVERY_FORMAT.match(c) for c in codes), codes
    hashes = db.session.scalars(
        sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)
    ).all()
    assert len(hashes) == 10
    assert all(h.startswith("$argon2") for h in hashes)
    assert not any(c in h for c in codes for h in hashes)
    [entry] = _entries("auth.mfa_enrolled")
    assert user.email in entry.summary
    text = _audit_text()
    assert secret not in text and not any(c in text for c in codes)
    # The code that confirmed enrolment cannot sign in afterwards.
    assert not mfa.verify_sign_in_code(user, code(0, secret), now=T0)


def test_enrolment_cannot_be_confirmed_twice(make_user):
    user = make_user("coordinator", mfa=True)
    with pytest.raises(InvalidInput, match="already set up"):
        mfa.confirm_enrolment(user, code(), now=T0)
    with pytest.raises(InvalidInput, match="already set up"):
        mfa.start_enrolment(user)


def test_recovery_codes_look_right_and_normalise():
    for _ in range(50):
        assert RECOVERY_FORMAT.match(mfa.new_recovery_code())
    assert mfa.normalise_recovery_code("7KQ2 M9XD 4TPA") == "7kq2-m9xd-4tpa"
    assert mfa.normalise_recovery_code("7kq2m9xd4tpa") == "7kq2-m9xd-4tpa"
    for bad in [
        "",
        "7kq2-m9xd-4tp",
        "7kq2-m9xd-4tpa5",
        "0kq2-m9xd-4tpa",  # 0, 1, i, l and o are never used
        "ikq2-m9xd-4tpa",
        "éééé-éééé-éééé",
        "7kq2-m9xd-4tp\x00",
    ]:
        assert mfa.normalise_recovery_code(bad) is None, bad


# --- second step of signing in ---------------------------------------------------


def test_a_good_code_signs_in_and_a_replay_is_refused(make_user):
    user = _enrolled(make_user)
    assert mfa.verify_sign_in_code(user, code(), now=T0)
    assert user.mfa_last_step == STEP0
    assert len(_entries("auth.mfa_verified")) == 1
    assert len(_entries("auth.login")) == 1
    assert user.last_login_at == T0

    # The same code again (a replay), and an older one: refused and counted.
    assert not mfa.verify_sign_in_code(user, code(), now=T0 + timedelta(seconds=5))
    assert not mfa.verify_sign_in_code(user, code(-1), now=T0)
    db.session.refresh(user)
    assert user.failed_logins == 2
    assert len(_entries("auth.mfa_failed")) == 2
    # The next step's code still works, and resets the count.
    assert mfa.verify_sign_in_code(user, code(1), now=T0 + timedelta(seconds=30))
    db.session.refresh(user)
    assert user.failed_logins == 0


def test_a_code_from_two_windows_ago_is_refused(make_user):
    user = _enrolled(make_user)
    assert not mfa.verify_sign_in_code(user, code(-2), now=T0)
    assert user.mfa_last_step is None
    [failed] = _entries("auth.mfa_failed")
    assert "wrong or reused authenticator code; 1 in a row" in failed.summary


def test_wrong_codes_lock_the_account_and_a_correct_password_does_not_reset(
    make_user,
):
    user = _enrolled(make_user)
    for n in range(9):
        assert not mfa.verify_sign_in_code(user, "000000", now=T0)
        # Knowing the password does not clear the count of wrong codes.
        assert services.check_credentials(user.email, PASSWORD, now=T0) is user
        db.session.refresh(user)
        assert user.failed_logins == n + 1
    assert not mfa.verify_sign_in_code(user, "000000", now=T0)
    db.session.refresh(user)
    assert services.is_locked(user, T0)
    [lock] = _entries("auth.lockout")
    assert "10 failed attempts in a row" in lock.summary
    # While locked, even the right code is refused without being checked.
    assert not mfa.verify_sign_in_code(user, code(), now=T0 + timedelta(minutes=1))
    assert user.mfa_last_step is None
    assert "the code was not checked" in _entries("auth.mfa_failed")[-1].summary


def test_a_recovery_code_works_once(make_user):
    user = make_user("coordinator")
    secret = mfa.start_enrolment(user)
    codes = mfa.confirm_enrolment(user, code(0, secret), now=T0)
    later = T0 + timedelta(hours=1)
    assert mfa.verify_recovery_code(user, codes[3].upper().replace("-", " "), now=later)
    used = db.session.scalars(
        sa.select(RecoveryCode).where(RecoveryCode.used_at.is_not(None))
    ).all()
    assert len(used) == 1 and used[0].used_at == later
    assert mfa.recovery_codes_left(user) == 9
    [entry] = _entries("auth.recovery_code_used")
    assert entry.summary.endswith("9 left")
    assert codes[3] not in _audit_text()

    # Used twice: refused and counted toward the lockout.
    assert not mfa.verify_recovery_code(user, codes[3], now=later)
    assert not mfa.verify_recovery_code(user, "2222-3333-4444", now=later)
    assert not mfa.verify_recovery_code(user, "not a code", now=later)
    db.session.refresh(user)
    assert user.failed_logins == 3
    assert mfa.recovery_codes_left(user) == 9


def test_new_recovery_codes_replace_the_old_ones(make_user):
    user = make_user("coordinator")
    secret = mfa.start_enrolment(user)
    old = mfa.confirm_enrolment(user, code(0, secret), now=T0)
    assert mfa.verify_recovery_code(user, old[0], now=T0)
    with pytest.raises(InvalidInput, match="password"):
        mfa.regenerate_recovery_codes(user, step_up=None)
    step_up = services.confirm_identity(user, PASSWORD, purpose="test")
    new = mfa.regenerate_recovery_codes(user, step_up=step_up)
    assert len(new) == 10 and not set(new) & set(old)
    assert mfa.recovery_codes_left(user) == 10
    assert not mfa.verify_recovery_code(user, old[1], now=T0)
    assert mfa.verify_recovery_code(user, new[1], now=T0)
    [entry] = _entries("auth.recovery_codes_regenerated")
    assert "9 unused ones replaced" in entry.summary


# --- turning it off, and the administrator's reset --------------------------------


def test_a_voluntary_user_can_turn_it_off_with_password_and_code(make_user):
    user = _enrolled(make_user)
    step_up = services.confirm_identity(user, PASSWORD, purpose="test")
    with pytest.raises(InvalidInput, match="not correct"):
        mfa.disable(user, code(-3), step_up=step_up, now=T0)
    with pytest.raises(InvalidInput, match="password"):
        mfa.disable(user, code(), step_up=None, now=T0)
    assert mfa.is_enrolled(user)
    mfa.disable(user, code(), step_up=step_up, now=T0)
    assert not mfa.is_enrolled(user) and user.mfa_secret is None
    assert user.mfa_last_step is None and mfa.recovery_codes_left(user) == 0
    assert len(_entries("auth.mfa_disabled")) == 1


def test_an_administrator_cannot_turn_it_off(app, make_user):
    admin = make_user("admin")
    step_up = services.confirm_identity(admin, PASSWORD, purpose="test")
    with pytest.raises(InvalidInput, match="required"):
        mfa.disable(admin, code(), step_up=step_up, now=T0)
    app.config["REQUIRE_MFA"] = True
    user = _enrolled(make_user)
    step_up = services.confirm_identity(user, PASSWORD, purpose="test")
    with pytest.raises(InvalidInput, match="required"):
        mfa.disable(user, code(), step_up=step_up, now=T0)
    assert mfa.is_enrolled(admin) and mfa.is_enrolled(user)


def test_an_administrator_resets_someone_s_second_factor(make_user):
    admin = make_user("admin")
    user = make_user("admin")
    assert mfa.verify_sign_in_code(user, code(), now=T0)
    db.session.add(RecoveryCode(user_id=user.id, code_hash="x"))
    login_id = user.login_id
    with pytest.raises(InvalidInput, match="own password"):
        mfa.admin_reset(admin, user, step_up=None)
    with pytest.raises(InvalidInput, match="cannot reset your own"):
        mfa.admin_reset(
            admin,
            admin,
            step_up=services.confirm_identity(admin, PASSWORD, purpose="t"),
        )
    mfa.admin_reset(
        admin, user, step_up=services.confirm_identity(admin, PASSWORD, purpose="t")
    )
    assert user.mfa_secret is None and user.mfa_enabled_at is None
    assert user.mfa_last_step is None and mfa.recovery_codes_left(user) == 0
    assert user.login_id != login_id  # signed out everywhere
    assert mfa.enrolment_due(user)
    [entry] = _entries("auth.mfa_reset")
    assert entry.actor_id == admin.id and user.email in entry.summary
    with pytest.raises(InvalidInput, match="has not set up"):
        mfa.admin_reset(
            admin, user, step_up=services.confirm_identity(admin, PASSWORD, purpose="t")
        )


def test_only_administrators_reset(make_user):
    clinician = make_user("radiologist")
    user = _enrolled(make_user)
    step_up = services.confirm_identity(clinician, PASSWORD, purpose="t")
    with pytest.raises(AccessDenied):
        mfa.admin_reset(clinician, user, step_up=step_up)
    assert mfa.is_enrolled(user)
