"""Password hashing with Argon2 (argon2-cffi)."""

from __future__ import annotations

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_PASSWORD_LENGTH = 12


def _hasher() -> PasswordHasher:
    name = current_app.config.get("ARGON2_PROFILE", "default")
    if name == "cheapest":
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher()


def hash_password(password: str) -> str:
    """Return an Argon2id hash of ``password``."""
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True if ``password`` matches ``stored_hash``."""
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher().check_needs_rehash(stored_hash)


# A hash to verify against when the account does not exist, so that signing in
# takes as long for an unknown email as for a wrong password.
_DUMMY: dict[str, str] = {}


def dummy_verify(password: str) -> None:
    """Spend the time of one verification without an account."""
    profile = current_app.config.get("ARGON2_PROFILE", "default")
    if profile not in _DUMMY:
        _DUMMY[profile] = hash_password("not-a-real-password")
    verify_password(_DUMMY[profile], password)
