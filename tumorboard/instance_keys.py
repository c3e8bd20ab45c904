"""Keys that development generates once into the instance folder.

Production takes every key from its settings; development, where nobody has
set one, keeps a generated key in a file of its own so that sessions, the
audit chain and the encrypted secrets survive a restart.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path


def instance_key(path: Path, make: Callable[[], str]) -> str:
    """Read the key in ``path``, creating it once with ``make()`` (readable by
    the owner only, and atomically, so that workers starting together agree on
    one key)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(make())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def random_hex() -> str:
    """64 hexadecimal characters (32 random bytes)."""
    return secrets.token_hex(32)
