"""Multi-factor sign-in: time-based codes (TOTP, RFC 6238) and recovery codes.

- Codes: 6 digits, 30-second steps, HMAC-SHA-1 (what every authenticator app
  supports). A code is accepted from the current step or one either side
  (clock drift), and only if its step is later than the last accepted one
  (``users.mfa_last_step``), so a code is never accepted twice, nor an older
  one. Comparisons are constant-time.
- The secret is stored encrypted (:mod:`tumorboard.auth.mfa_keys`).
- Ten single-use recovery codes (``7kq2-m9xd-4tpa``) are made when enrolment
  is confirmed, shown once, and stored as Argon2 hashes.
- Wrong codes at sign-in count toward the account lockout of
  :mod:`tumorboard.auth.services`, like wrong passwords.

Between the password and the second factor the person is not signed in yet
(:mod:`tumorboard.auth.mfa_pending`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm.attributes import set_committed_value

from tumorboard.audit import services as audit
from tumorboard.auth import mfa_keys, services, sessions
from tumorboard.auth.models import RecoveryCode, User, new_login_id
from tumorboard.auth.passwords import hash_password, verify_password
from tumorboard.auth.permissions import Role, authorize, can_manage_users
from tumorboard.db import utcnow
from tumorboard.errors import InvalidInput
from tumorboard.extensions import db

TOTP_DIGITS = 6
TOTP_INTERVAL = 30
#: Steps accepted before and after the current one (clocks drift).
TOTP_WINDOW = 1

RECOVERY_CODE_COUNT = 10
#: Lower-case letters and digits without look-alikes (0/o, 1/l/i).
RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
RECOVERY_GROUPS = 3
RECOVERY_GROUP_LENGTH = 4

DEFAULT_ISSUER = "Tumour board"

WRONG_CODE = (
    "The code is not correct, or it has already been used. Wait for the next "
    "code in your authenticator app and enter it."
)


# --- policy -----------------------------------------------------------------


def _flag(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def mfa_required(user: User) -> bool:
    """Administrators always sign in with a second factor; everybody does
    when ``REQUIRE_MFA`` is set."""
    return Role(user.role) == Role.ADMIN or _flag(
        current_app.config.get("REQUIRE_MFA", False)
    )


def is_enrolled(user: User) -> bool:
    """True once the owner confirmed enrolment with a valid code."""
    return user.mfa_enabled_at is not None and user.mfa_secret is not None


def enrolment_due(user: User) -> bool:
    """A second factor is required and not set up yet."""
    return mfa_required(user) and not is_enrolled(user)


# --- codes ------------------------------------------------------------------


def issuer() -> str:
    """The name authenticator apps show for this application (``MFA_ISSUER``)."""
    return str(current_app.config.get("MFA_ISSUER") or DEFAULT_ISSUER)


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(
        secret, digits=TOTP_DIGITS, interval=TOTP_INTERVAL, digest=hashlib.sha1
    )


def current_step(now: datetime | None = None) -> int:
    """The TOTP time step of ``now``."""
    return int((now or utcnow()).timestamp()) // TOTP_INTERVAL


def code_at(secret: str, step: int) -> str:
    """The code of ``secret`` for time step ``step``."""
    return _totp(secret).generate_otp(step)


def matching_step(
    secret: str, code: str, *, after: int | None, now: datetime | None = None
) -> int | None:
    """The step within the window whose code is ``code`` and which is later
    than ``after``, or None. Every candidate is compared in constant time."""
    current = current_step(now)
    found = None
    for step in range(current - TOTP_WINDOW, current + TOTP_WINDOW + 1):
        expected = code_at(secret, step)
        if hmac.compare_digest(expected.encode(), code.encode()) and (
            after is None or step > after
        ):
            found = step
    return found


def provisioning_uri(user: User, secret: str) -> str:
    """The ``otpauth://`` address that authenticator apps read from the QR code."""
    return _totp(secret).provisioning_uri(name=user.email, issuer_name=issuer())


def qr_data_uri(uri: str) -> str:
    """A QR code of ``uri`` as an SVG ``data:`` address, made here (the secret
    is never sent to a QR service)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=4, light="#fff")


def grouped(secret: str) -> str:
    """The key in groups of four characters, for typing it by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def new_recovery_code() -> str:
    """A random recovery code such as ``7kq2-m9xd-4tpa`` (about 59 bits)."""
    return "-".join(
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUP_LENGTH))
        for _ in range(RECOVERY_GROUPS)
    )


def normalise_recovery_code(text: str) -> str | None:
    """The code as stored (lower case, with hyphens), or None when ``text``
    cannot be a recovery code. Spaces and hyphens may be left out or added."""
    letters = "".join(ch for ch in text.lower() if ch not in " -")
    size = RECOVERY_GROUPS * RECOVERY_GROUP_LENGTH
    if len(letters) != size or any(ch not in RECOVERY_ALPHABET for ch in letters):
        return None
    return "-".join(
        letters[i : i + RECOVERY_GROUP_LENGTH]
        for i in range(0, size, RECOVERY_GROUP_LENGTH)
    )


def recovery_codes_left(user: User) -> int:
    """Unused recovery codes of ``user``."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def _replace_recovery_codes(user: User, now: datetime) -> list[str]:
    """Drop the user's recovery codes and store ten new ones (hashed)."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=hash_password(code), created_at=now)
        for code in codes
    )
    db.session.flush()
    return codes


def _accept_step(user: User, step: int) -> bool:
    """Store ``step`` as the last accepted one unless a later or equal step
    was accepted meanwhile (one UPDATE, so two requests cannot both use one
    code); bypasses the account's edit version, like the sign-in counters."""
    result = db.session.execute(
        sa.update(User)
        .where(
            User.id == user.id,
            sa.or_(User.mfa_last_step.is_(None), User.mfa_last_step < step),
        )
        .values(mfa_last_step=step),
    )
    if result.rowcount != 1:
        return False
    # The loaded account shows the new value without a versioned UPDATE.
    set_committed_value(user, "mfa_last_step", step)
    return True


# --- enrolment --------------------------------------------------------------


def start_enrolment(user: User) -> str:
    """The secret to enrol: the one already drafted, or a new one stored
    encrypted. Returns it in clear, for the QR code and the manual key."""
    if is_enrolled(user):
        raise InvalidInput("Multi-factor sign-in is already set up for your account.")
    if user.mfa_secret is not None:
        try:
            return mfa_keys.decrypt(user.mfa_secret)
        except mfa_keys.MfaUnavailable:
            pass  # a draft under an earlier key: start again with a new one
    secret = pyotp.random_base32()
    user.mfa_secret = mfa_keys.encrypt(secret)
    db.session.flush()
    return secret


def confirm_enrolment(
    user: User, code: str, *, now: datetime | None = None
) -> list[str] | None:
    """Turn the second factor on once ``code`` matches the drafted secret;
    return the ten new recovery codes (to be shown once), or None after
    auditing a wrong code (nothing is turned on)."""
    now = now or utcnow()
    if is_enrolled(user):
        raise InvalidInput("Multi-factor sign-in is already set up for your account.")
    if user.mfa_secret is None:
        raise InvalidInput(
            "Enrolment has not started; open the set-up page again.", "code"
        )
    step = matching_step(
        mfa_keys.decrypt(user.mfa_secret), code, after=user.mfa_last_step, now=now
    )
    if step is None:
        audit.record(
            user,
            "auth.mfa_failed",
            "user",
            user.id,
            f"Wrong code while setting up multi-factor sign-in for {user.email}; "
            "not turned on",
        )
        return None
    user.mfa_enabled_at = now
    user.mfa_last_step = step
    codes = _replace_recovery_codes(user, now)
    audit.record(
        user,
        "auth.mfa_enrolled",
        "user",
        user.id,
        f"Multi-factor sign-in set up for {user.email}; "
        f"{RECOVERY_CODE_COUNT} recovery codes made",
        changes={"mfa_enabled_at": [None, now.isoformat()]},
    )
    return codes


def regenerate_recovery_codes(
    user: User, *, step_up: services.StepUp | None, now: datetime | None = None
) -> list[str]:
    """Replace the user's recovery codes with ten new ones (own password first)."""
    if step_up is None or step_up.actor_id != user.id:
        raise InvalidInput("Confirm with your password.", "password")
    if not is_enrolled(user):
        raise InvalidInput("Multi-factor sign-in is not set up for your account.")
    now = now or utcnow()
    left = recovery_codes_left(user)
    codes = _replace_recovery_codes(user, now)
    audit.record(
        user,
        "auth.recovery_codes_regenerated",
        "user",
        user.id,
        f"New recovery codes for {user.email} ({left} unused ones replaced)",
    )
    return codes


def _clear(user: User) -> None:
    user.mfa_secret = None
    user.mfa_enabled_at = None
    user.mfa_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def disable(
    user: User,
    code: str,
    *,
    step_up: services.StepUp | None,
    now: datetime | None = None,
) -> None:
    """Turn the second factor off (own password and a current code), unless
    it is mandatory for this account."""
    if mfa_required(user):
        raise InvalidInput(
            "Multi-factor sign-in is required for your account and cannot be "
            "turned off."
        )
    if not is_enrolled(user):
        raise InvalidInput("Multi-factor sign-in is not set up for your account.")
    if step_up is None or step_up.actor_id != user.id:
        raise InvalidInput("Confirm with your password.", "password")
    now = now or utcnow()
    step = matching_step(
        mfa_keys.decrypt(user.mfa_secret), code, after=user.mfa_last_step, now=now
    )
    if step is None:
        raise InvalidInput(WRONG_CODE, "code")
    enabled = user.mfa_enabled_at
    _clear(user)
    db.session.flush()
    audit.record(
        user,
        "auth.mfa_disabled",
        "user",
        user.id,
        f"Multi-factor sign-in turned off by {user.email}",
        changes={"mfa_enabled_at": [enabled.isoformat(), None]},
    )


def admin_reset(actor: User, user: User, *, step_up: services.StepUp | None) -> None:
    """An administrator removes someone's second factor (after confirming
    their own password): secret and recovery codes are deleted and every
    session of that person ends. They enrol again at the next sign-in when it
    is mandatory for them."""
    authorize(can_manage_users(actor), "Only administrators reset sign-in factors.")
    if step_up is None or step_up.actor_id != actor.id:
        raise InvalidInput("Confirm with your own password.", "admin_password")
    if user.id == actor.id:
        raise InvalidInput(
            "You cannot reset your own multi-factor sign-in here; another "
            "administrator can."
        )
    has_codes = db.session.scalar(
        sa.select(RecoveryCode.id).where(RecoveryCode.user_id == user.id).limit(1)
    )
    if user.mfa_secret is None and user.mfa_enabled_at is None and not has_codes:
        raise InvalidInput(f"{user.name} has not set up multi-factor sign-in.")
    enabled = user.mfa_enabled_at
    _clear(user)
    user.login_id = new_login_id()
    sessions.revoke_all(user)
    db.session.flush()
    audit.record(
        actor,
        "auth.mfa_reset",
        "user",
        user.id,
        f"Reset the multi-factor sign-in of {user.email}; their sessions were "
        "signed out",
        changes={"mfa_enabled_at": [enabled.isoformat() if enabled else None, None]},
    )


# --- sign-in ----------------------------------------------------------------


def _refuse_locked(user: User, what: str, now: datetime) -> bool:
    """Audit and refuse a second factor for a locked or deactivated account."""
    if services.is_locked(user, now) or not user.is_active:
        reason = "account locked" if user.is_active else "inactive account"
        audit.record(
            None,
            "auth.mfa_failed",
            "user",
            user.id,
            f"Failed sign-in ({reason}; the {what} was not checked)",
        )
        return True
    return False


def verify_sign_in_code(user: User, code: str, *, now: datetime | None = None) -> bool:
    """Second step of signing in with an authenticator code. On success the
    sign-in is recorded (:func:`services.record_sign_in`); a wrong or reused
    code counts toward the lockout. Both outcomes are audited."""
    now = now or utcnow()
    if _refuse_locked(user, "code", now):
        return False
    secret = mfa_keys.decrypt(user.mfa_secret)
    step = matching_step(secret, code, after=user.mfa_last_step, now=now)
    if step is None or not _accept_step(user, step):
        services.record_failure(
            user, "wrong or reused authenticator code", now, action="auth.mfa_failed"
        )
        return False
    audit.record(
        user,
        "auth.mfa_verified",
        "user",
        user.id,
        f"Authenticator code accepted for {user.email}",
    )
    services.record_sign_in(user, now=now)
    return True


def verify_recovery_code(user: User, code: str, *, now: datetime | None = None) -> bool:
    """Second step of signing in with a recovery code, which is then used up.
    Audited; a wrong or used code counts toward the lockout."""
    now = now or utcnow()
    if _refuse_locked(user, "recovery code", now):
        return False
    normalised = normalise_recovery_code(code)
    unused = db.session.scalars(
        sa.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    ).all()
    match = None
    if normalised is not None:
        match = next(
            (row for row in unused if verify_password(row.code_hash, normalised)), None
        )
    used = match is not None and (
        db.session.execute(
            sa.update(RecoveryCode)
            .where(RecoveryCode.id == match.id, RecoveryCode.used_at.is_(None))
            .values(used_at=now),
            execution_options={"synchronize_session": "fetch"},
        ).rowcount
        == 1
    )
    if not used:
        services.record_failure(
            user, "wrong or used recovery code", now, action="auth.mfa_failed"
        )
        return False
    audit.record(
        user,
        "auth.recovery_code_used",
        "user",
        user.id,
        f"Recovery code used to sign in to {user.email}; {len(unused) - 1} left",
    )
    services.record_sign_in(user, now=now)
    return True
