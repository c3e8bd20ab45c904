"""Hooks: how a lower layer lets higher layers take part without importing them.

A lower feature owns a :class:`Hook` and runs it at the right moment; a higher
feature registers its callbacks when its module is imported (``create_app``
imports every feature). This keeps imports pointing downward, as the layer
contracts in ``.importlinter`` require (Indico's signals play the same part).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Hook:
    """An ordered list of callbacks run with the same arguments."""

    def __init__(self, name: str, doc: str) -> None:
        self.name = name
        self.__doc__ = doc
        self._callbacks: list[Callable[..., Any]] = []

    def register(self, callback: Callable[..., Any]) -> Callable[..., Any]:
        """Add ``callback`` (once); usable as a decorator."""
        if callback not in self._callbacks:
            self._callbacks.append(callback)
        return callback

    def run(self, *args: Any, **kwargs: Any) -> list[Any]:
        """Call every callback in registration order; return their results."""
        return [callback(*args, **kwargs) for callback in self._callbacks]

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._callbacks)} callback(s)>"
