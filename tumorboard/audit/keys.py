"""The secret key of the audit log's HMAC chain.

The key comes from configuration (``AUDIT_HMAC_KEY``, in the environment
``TUMORBOARD_AUDIT_HMAC_KEY``) and never from the database, so that whoever can
write to the database cannot re-seal entries they changed. Development
generates one key into the instance folder, as it does for ``SECRET_KEY``; the
test configuration sets a fixed key; production refuses to start without one.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, current_app

from tumorboard.instance_keys import instance_key, random_hex

#: Environment variable read by ``create_app`` into ``AUDIT_HMAC_KEY``.
ENV_VAR = "TUMORBOARD_AUDIT_HMAC_KEY"
#: File in the instance folder holding the generated development key.
KEY_FILE = "audit_hmac_key"
#: Shortest key accepted: 32 characters (``secrets.token_hex(32)`` gives 64).
MIN_LENGTH = 32


class AuditKeyError(RuntimeError):
    """The audit key is missing or unusable; the application must not start."""


def resolve_key(app: Flask) -> str:
    """The configured key, or in development the instance folder's key.

    Raises :class:`AuditKeyError` in production when no key is set, and
    everywhere when a configured key is shorter than :data:`MIN_LENGTH`.
    """
    key = app.config.get("AUDIT_HMAC_KEY")
    if isinstance(key, bytes):
        key = key.decode()
    elif key is not None and not isinstance(key, str):
        # ``from_prefixed_env`` parses values as JSON: a key made of digits
        # arrives as a number. The environment holds the exact text.
        key = os.environ.get(ENV_VAR) or str(key)
    if key:
        if len(key) < MIN_LENGTH:
            raise AuditKeyError(
                f"AUDIT_HMAC_KEY must be at least {MIN_LENGTH} characters; "
                "generate one with: python -c 'import secrets; "
                "print(secrets.token_hex(32))'"
            )
        return key
    if app.config.get("ENV_NAME") == "production":
        raise AuditKeyError(
            f"AUDIT_HMAC_KEY is not set. Production refuses to start without it: "
            f"set {ENV_VAR} (the same value in every worker, kept apart from "
            "the database and its backups)."
        )
    return instance_key(Path(app.instance_path) / KEY_FILE, random_hex)


def install_key(app: Flask) -> None:
    """Resolve the key once and keep it in ``app.config``."""
    app.config["AUDIT_HMAC_KEY"] = resolve_key(app)
    app.extensions["tumorboard.audit.key"] = True


def signing_key() -> bytes:
    """The current application's key as bytes (resolved on first use when
    :func:`tumorboard.audit.init_app` has not run)."""
    app = current_app._get_current_object()
    if not app.extensions.get("tumorboard.audit.key"):
        install_key(app)
    return app.config["AUDIT_HMAC_KEY"].encode()
