"""The key that encrypts TOTP secrets at rest.

The key comes from configuration (``MFA_ENCRYPTION_KEY``, in the environment
``TUMORBOARD_MFA_ENCRYPTION_KEY``) and never from the database: a copy of the
database or of its backups does not give the second factors away.
Development generates one key into the instance folder, as it does for
``SECRET_KEY`` and the audit key; the test configuration sets a fixed key;
production refuses to start without one.

Secrets are encrypted with Fernet (AES-128-CBC with an HMAC-SHA256 tag, from
``cryptography``). A stored secret that the configured key cannot open (the
key was changed or mistyped) raises :class:`MfaUnavailable`, which the
sign-in pages turn into a clear page rather than an error with a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from flask import Flask, current_app

from tumorboard.instance_keys import instance_key

#: Environment variable read by ``create_app`` into ``MFA_ENCRYPTION_KEY``.
ENV_VAR = "TUMORBOARD_MFA_ENCRYPTION_KEY"
#: File in the instance folder holding the generated development key.
KEY_FILE = "mfa_encryption_key"
#: ``app.extensions`` entry of the resolved :class:`Fernet`.
_EXTENSION = "tumorboard.auth.mfa_key"

KEY_HINT = (
    "generate one with: python -c 'from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())'"
)


class MfaKeyError(RuntimeError):
    """The MFA key is missing or unusable; the application must not start."""


class MfaUnavailable(RuntimeError):
    """A stored secret cannot be decrypted with the configured key."""


def resolve_key(app: Flask) -> str:
    """The configured key, or in development the instance folder's key.

    Raises :class:`MfaKeyError` in production when no key is set, and
    everywhere when a configured key is not a Fernet key (32 bytes in
    URL-safe base64).
    """
    key = app.config.get("MFA_ENCRYPTION_KEY")
    if isinstance(key, bytes):
        key = key.decode()
    elif key is not None and not isinstance(key, str):
        # ``from_prefixed_env`` parses values as JSON; the environment holds
        # the exact text.
        key = os.environ.get(ENV_VAR) or str(key)
    if key:
        key = key.strip()
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise MfaKeyError(
                "MFA_ENCRYPTION_KEY is not a valid Fernet key (32 bytes in "
                f"URL-safe base64, 44 characters); {KEY_HINT}"
            ) from None
        return key
    if app.config.get("ENV_NAME") == "production":
        raise MfaKeyError(
            f"MFA_ENCRYPTION_KEY is not set. Production refuses to start without "
            f"it: set {ENV_VAR} (the same value in every worker, kept apart from "
            f"the database and its backups); {KEY_HINT}"
        )
    return instance_key(
        Path(app.instance_path) / KEY_FILE, lambda: Fernet.generate_key().decode()
    )


def install_key(app: Flask) -> None:
    """Resolve the key once and keep it in ``app.config``."""
    key = resolve_key(app)
    app.config["MFA_ENCRYPTION_KEY"] = key
    app.extensions[_EXTENSION] = Fernet(key)


def _fernet() -> Fernet:
    app = current_app._get_current_object()
    if _EXTENSION not in app.extensions:
        install_key(app)
    return app.extensions[_EXTENSION]


def encrypt(secret: str) -> str:
    """The secret encrypted with the configured key, as text for the database."""
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    """The secret stored as ``token``; :class:`MfaUnavailable` when the
    configured key cannot open it."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise MfaUnavailable(
            "A stored authenticator secret cannot be decrypted with the "
            "configured MFA_ENCRYPTION_KEY (the key was changed or mistyped)."
        ) from None
