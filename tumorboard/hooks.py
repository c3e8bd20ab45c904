"""Hooks: how a lower layer lets higher layers take part without importing them.

A lower feature owns a :class:`Hook` and runs it at the right moment; a higher
feature registers its callbacks when its module is imported (``create_app``
imports every feature). This keeps imports pointing downward, as the layer
contracts in ``.importlinter`` require (Indico's signals play the same part).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
        if self._paused or Hook._everywhere_paused:
            return []
        return [callback(*args, **kwargs) for callback in self._callbacks]

    _paused = False
    _everywhere_paused = False

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Run no callback inside the block (e.g. while building records in a
        schema older than the features that listen)."""
        self._paused = True
        try:
            yield
        finally:
            self._paused = False

    @staticmethod
    @contextmanager
    def all_paused() -> Iterator[None]:
        """Run no callback of any hook inside the block."""
        Hook._everywhere_paused = True
        try:
            yield
        finally:
            Hook._everywhere_paused = False

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._callbacks)} callback(s)>"
