"""The append-only, tamper-evident audit log.

``create_app`` calls :func:`init_app`: it resolves the HMAC key (production
refuses to start without one) and sets up the JSON-lines copy. Without that
call both happen on the first audit write.
"""

from __future__ import annotations

from flask import Flask

# ``chain`` registers the session hooks that seal new entries and send copies;
# ``refusals`` records refused requests.
from tumorboard.audit import chain, keys, logcopy, refusals  # noqa: F401


def init_app(app: Flask) -> None:
    """Resolve the chain's key and set up the JSON-lines copy, or raise
    ``RuntimeError`` (the application must not start)."""
    keys.install_key(app)
    logcopy.init_app(app)
