"""Password hashing with Argon2 (argon2-cffi) and the password policy.

The policy follows NIST SP 800-63B and OWASP ASVS 5.0: a length between
:data:`MIN_PASSWORD_LENGTH` and :data:`MAX_PASSWORD_LENGTH` characters, no
composition rules (no required digits or symbols), and a refusal of passwords
that are easy to guess: one of the most common passwords (the list in
``data/common-passwords.txt``), one character or a short group repeated, a
plain sequence, or one that contains the account's email address or a word of
the holder's name. See docs/security.md.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_PASSWORD_LENGTH = 12
#: Longest password accepted (NIST asks for at least 64); hashing cost does
#: not grow with the length, and the request size limit bounds it anyway.
MAX_PASSWORD_LENGTH = 200
#: Name words shorter than this are not refused inside a password ("Dr", "Li").
MIN_NAME_WORD = 4

COMMON_PASSWORDS_FILE = (
    Path(__file__).resolve().parent / "data" / "common-passwords.txt"
)


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of the most common passwords, lower case.

    Lines starting with ``#`` are the file's header (source and licence).
    """
    with COMMON_PASSWORDS_FILE.open(encoding="utf-8") as lines:
        return frozenset(
            line.strip().casefold()
            for line in lines
            if line.strip() and not line.startswith("#")
        )


def _words(text: str) -> list[str]:
    """Runs of letters in ``text``, as written."""
    return re.findall(r"[^\W\d_]+", text)


def _is_repetition(password: str) -> bool:
    """One character or a group of up to four repeated (``aaaa…``, ``abcabc…``)."""
    folded = password.casefold()
    for size in range(1, 5):
        unit = folded[:size]
        if len(folded) % size == 0 and unit * (len(folded) // size) == folded:
            return True
    return False


def _step(a: str, b: str) -> int:
    """How far ``b`` is from ``a``; digits wrap around (9 → 0 is one up)."""
    if a.isdigit() and b.isdigit():
        return (int(b) - int(a) + 5) % 10 - 5
    return ord(b) - ord(a)


def _is_sequence(password: str) -> bool:
    """Characters going up or down one at a time (``123456789012``, ``abcd…``)."""
    folded = password.casefold()
    steps = {_step(a, b) for a, b in zip(folded, folded[1:], strict=False)}
    return steps in ({1}, {-1})


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why ``password`` may not be used for the account with ``email`` and
    ``name``, or None when it may. Comparisons ignore case."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"The password must have at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"The password must have at most {MAX_PASSWORD_LENGTH} characters."
    folded = password.casefold()
    if folded in common_passwords() or folded.strip() in common_passwords():
        return (
            "This is one of the most commonly used passwords, which attackers try "
            "first. Choose another, for example a few unrelated words."
        )
    if _is_repetition(password):
        return (
            "The password must not be one character or a short group of "
            "characters repeated."
        )
    if _is_sequence(password):
        return "The password must not be a plain sequence such as 123456789012."
    email = email.strip().casefold()
    local_part = email.partition("@")[0]
    email_words = [local_part, *_words(local_part)]
    if email and (
        email in folded
        or any(len(w) >= MIN_NAME_WORD and w in folded for w in email_words)
    ):
        return (
            "The password must not contain the email address or the part of it "
            "before the @."
        )
    for word in _words(name):
        if len(word) >= MIN_NAME_WORD and word.casefold() in folded:
            return f"The password must not contain “{word}” from the person’s name."
    return None


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
