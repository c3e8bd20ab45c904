"""A JSON-lines copy of every audit entry, kept outside the database.

Off by default. With ``AUDIT_LOG_PATH`` each committed entry is appended as one
line to that file; with ``AUDIT_SYSLOG_ADDRESS`` (``/dev/log`` or
``host:port``, UDP) it is sent to syslog; both may be set. The copy is
written after the commit by a background thread, so a slow disk or an
unreachable syslog server never delays or fails a request: errors are logged
and the entry stays in the database.

The copy carries every field of the entry and its MAC, but of ``changes``
only the names of the changed fields unless ``AUDIT_LOG_VALUES`` is true
(the old and new values hold clinical data).
"""

from __future__ import annotations

import atexit
import json
import logging
import logging.handlers
import os
import queue
import threading
import time
from typing import Any

from flask import Flask

log = logging.getLogger(__name__)

_EXTENSION = "tumorboard.audit.copy"
_STOP = object()


def syslog_address(value: str) -> str | tuple[str, int]:
    """``/dev/log`` stays a socket path; ``host:port``, ``[v6]:port`` or
    ``host`` (port 514) become a (host, port) pair."""
    value = value.strip()
    if value.startswith("/"):
        return value
    host, port = value, "514"
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        port = rest.removeprefix(":") or port
    elif value.count(":") == 1:
        host, port = value.split(":")
    if not host or not port.isascii() or not port.isdigit():
        raise ValueError(f"not a syslog address: {value!r}")
    return host, int(port)


def line_for(entry: dict[str, Any], *, values: bool) -> str:
    """The JSON line for one entry."""
    data = dict(entry)
    if not values:
        data["changes"] = sorted(data.get("changes") or {})
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class _SysLogHandler(logging.handlers.SysLogHandler):
    """Reports its errors to our log instead of printing them."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802
        log.error("audit copy: syslog did not take an entry", exc_info=True)


class AuditCopy:
    """Writes entries to a file and/or syslog from a background thread."""

    def __init__(
        self,
        path: str | None = None,
        syslog: str | None = None,
        facility: str = "local0",
        values: bool = False,
    ) -> None:
        self.path = path
        self.syslog = syslog_address(syslog) if syslog else None
        self.facility = logging.handlers.SysLogHandler.facility_names[facility]
        self.values = values
        self._guard = threading.Lock()
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._handler: _SysLogHandler | None = None

    def send(self, entries: list[dict[str, Any]]) -> None:
        """Queue ``entries``; never raises and never waits."""
        try:
            self._start()
            for entry in entries:
                self._queue.put_nowait(entry)
        except Exception:
            log.exception("audit copy: %d entries not queued", len(entries))

    def _start(self) -> None:
        if self._thread is not None and self._pid == os.getpid():
            return
        with self._guard:
            if self._thread is not None and self._pid == os.getpid():
                return
            # A forked worker starts its own thread (and queue).
            if self._pid is not None:
                self._queue = queue.Queue()
                self._handler = None
            self._pid = os.getpid()
            self._thread = threading.Thread(
                target=self._run, name="audit-copy", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        source = self._queue
        while True:
            batch = [source.get()]
            while len(batch) < 500:
                try:
                    batch.append(source.get_nowait())
                except queue.Empty:
                    break
            entries = [e for e in batch if e is not _STOP]
            try:
                if entries:
                    self._write(entries)
            except Exception:
                log.exception(
                    "audit copy: entries %s not written",
                    ", ".join(str(e.get("id")) for e in entries),
                )
            finally:
                for _ in batch:
                    source.task_done()
            if len(entries) != len(batch):
                return

    def _write(self, entries: list[dict[str, Any]]) -> None:
        lines = [line_for(entry, values=self.values) for entry in entries]
        failed = None
        if self.path:
            try:
                # One write per line on an O_APPEND descriptor, so lines from
                # several workers never interleave; reopened for every batch so
                # that log rotation needs no signal.
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    for line in lines:
                        os.write(fd, (line + "\n").encode())
                finally:
                    os.close(fd)
            except OSError as error:
                failed = error
        if self.syslog:
            if self._handler is None:
                handler = _SysLogHandler(address=self.syslog, facility=self.facility)
                handler.ident = "tumorboard-audit: "
                handler.append_nul = False
                self._handler = handler
            for line in lines:
                self._handler.emit(
                    logging.LogRecord(
                        "tumorboard.audit", logging.INFO, "", 0, line, None, None
                    )
                )
        if failed is not None:
            raise failed

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued entry was handled; False after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._queue.all_tasks_done:
            while self._queue.unfinished_tasks:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._queue.all_tasks_done.wait(remaining)
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued, then stop the thread."""
        if self._thread is None or self._pid != os.getpid():
            return
        self._queue.put(_STOP)
        self._thread.join(timeout)
        self._thread = None
        if self._handler is not None:
            self._handler.close()
            self._handler = None


def build(app: Flask) -> AuditCopy | None:
    """The copy the configuration asks for (None when off); raises
    ``ValueError`` for an unusable address or facility."""
    path = app.config.get("AUDIT_LOG_PATH") or None
    address = app.config.get("AUDIT_SYSLOG_ADDRESS") or None
    if not (path or address):
        return None
    facility = str(app.config.get("AUDIT_SYSLOG_FACILITY") or "local0")
    if facility not in logging.handlers.SysLogHandler.facility_names:
        raise ValueError(f"AUDIT_SYSLOG_FACILITY {facility!r} is not a facility name")
    copy = AuditCopy(
        path=str(path) if path else None,
        syslog=str(address) if address else None,
        facility=facility,
        values=bool(app.config.get("AUDIT_LOG_VALUES")),
    )
    atexit.register(copy.close)
    return copy


def init_app(app: Flask) -> None:
    """Set up the copy at start-up; a wrong setting stops the start."""
    try:
        app.extensions[_EXTENSION] = build(app)
    except ValueError as error:
        raise RuntimeError(f"Audit log copy: {error}") from None


def copy_for(app: Flask) -> AuditCopy | None:
    """The application's copy, set up on first use if ``init_app`` did not run
    (then a wrong setting is logged and the copy stays off)."""
    if _EXTENSION not in app.extensions:
        try:
            app.extensions[_EXTENSION] = build(app)
        except ValueError:
            log.exception("audit copy: the settings are not usable; copy is off")
            app.extensions[_EXTENSION] = None
    return app.extensions[_EXTENSION]


def send(app: Flask, entries: list[dict[str, Any]]) -> None:
    """Hand committed entries to the copy, if one is configured; never raises."""
    try:
        copy = copy_for(app)
        if copy is not None:
            copy.send(entries)
    except Exception:
        log.exception("audit copy: %d entries not sent", len(entries))
