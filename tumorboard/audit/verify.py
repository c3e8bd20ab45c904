"""Checking the audit log's HMAC chain (``flask audit verify``)."""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tumorboard.audit.chain import GENESIS, compute_mac
from tumorboard.audit.keys import signing_key
from tumorboard.audit.models import AuditEntry
from tumorboard.extensions import db

_BATCH = 1000


def _entries(count: int) -> str:
    return f"{count} {'entry' if count == 1 else 'entries'}"


@dataclass
class Verification:
    """The outcome of :func:`verify`; ``entry_id`` names the first bad entry."""

    ok: bool = True
    entries: int = 0
    sealed: int = 0
    unsealed: int = 0
    first_sealed: int | None = None
    last_id: int | None = None
    head: str | None = None
    entry_id: int | None = None
    problem: str | None = None
    message: str = ""

    def fail(self, entry_id: int, problem: str, message: str) -> Verification:
        self.ok, self.entry_id, self.problem, self.message = (
            False,
            entry_id,
            problem,
            message,
        )
        return self

    def summary(self) -> str:
        """One paragraph for the command line."""
        if not self.ok:
            return f"Audit log BROKEN at entry {self.entry_id}: {self.message}"
        if not self.entries:
            return "Audit log OK: no entries yet."
        text = f"Audit log OK: {_entries(self.entries)}"
        if self.sealed:
            text += (
                f"; the chain of entries {self.first_sealed}–{self.last_id} is intact"
            )
        if self.unsealed:
            text += (
                f"; {_entries(self.unsealed)} written before the chain existed "
                "are unsealed"
            )
        text += "."
        if self.head:
            text += f"\nLast entry {self.last_id}, MAC {self.head}."
        return text


def _rows() -> sa.Result:
    stmt = sa.select(AuditEntry.__table__).order_by(AuditEntry.id)
    return db.session.execute(stmt.execution_options(yield_per=_BATCH))


def _follows(key: bytes, previous: str, row: Mapping[str, Any]) -> bool:
    return row["mac"] is not None and hmac.compare_digest(
        compute_mac(key, previous, row), row["mac"]
    )


def verify() -> Verification:
    """Walk the log in id order and check every link of the chain (see
    :func:`_walk`)."""
    rows = _rows()
    try:
        return _walk(rows.mappings())
    finally:
        rows.close()


def _walk(rows: Iterable[Mapping[str, Any]]) -> Verification:
    """Check every link, in id order.

    Entries without a MAC before the first sealed entry were written before
    the chain existed: they are counted as unsealed. After it, every entry
    must carry the next id and a MAC over its predecessor's MAC and its own
    content.
    """
    key = signing_key()
    result = Verification()
    previous, previous_id = GENESIS, None
    suspect: Mapping[str, Any] | None = None
    for row in rows:
        if suspect is not None:
            return _explain(result, key, suspect, row)
        entry_id = row["id"]
        if row["mac"] is None:
            if result.first_sealed is None:
                result.entries += 1
                result.unsealed += 1
                previous_id = entry_id
                continue
            return result.fail(
                entry_id,
                "unsealed",
                f"entry {entry_id} has no MAC although the entries before it are "
                "sealed: it was written outside the application.",
            )
        if result.first_sealed is not None and entry_id != previous_id + 1:
            return result.fail(
                previous_id + 1,
                "missing",
                f"entry {previous_id + 1} is missing: the log goes from entry "
                f"{previous_id} to entry {entry_id} (entries were deleted).",
            )
        if not _follows(key, previous, row):
            suspect = row
            continue
        result.entries += 1
        result.sealed += 1
        if result.first_sealed is None:
            result.first_sealed = entry_id
        result.last_id, result.head = entry_id, row["mac"]
        previous, previous_id = row["mac"], entry_id
    if suspect is not None:
        return _explain(result, key, suspect, None)
    if result.head is None and result.entries:
        result.last_id = previous_id
    return result


def _explain(
    result: Verification,
    key: bytes,
    suspect: Mapping[str, Any],
    following: Mapping[str, Any] | None,
) -> Verification:
    """Name what happened to ``suspect``, whose MAC does not match."""
    entry_id = suspect["id"]
    if result.first_sealed is None and result.unsealed:
        return result.fail(
            entry_id,
            "broken",
            f"entry {entry_id} does not follow from the start of the chain: the "
            "MACs of the entries before it were removed, or it was altered.",
        )
    if following is None:
        return result.fail(
            entry_id,
            "mismatch",
            f"entry {entry_id} does not match its MAC: it was altered, or written "
            "outside the application.",
        )
    if following["id"] == entry_id + 1 and _follows(key, suspect["mac"], following):
        return result.fail(
            entry_id,
            "altered",
            f"entry {entry_id} was altered: its content no longer matches the MAC "
            "it was sealed with.",
        )
    return result.fail(
        entry_id,
        "forged",
        f"entry {entry_id} does not match its MAC and entry {following['id']} does "
        f"not follow from it: entry {entry_id} was inserted or replaced outside "
        "the application.",
    )


@dataclass
class CopyComparison:
    """The outcome of :func:`compare_with_copy`."""

    ok: bool = True
    checked: int = 0
    entry_id: int | None = None
    message: str = ""

    def summary(self) -> str:
        if self.ok:
            return f"Copy OK: {_entries(self.checked)}, all in the database."
        return f"Copy DIFFERS: {self.message}"


def compare_with_copy(lines: Iterable[str]) -> CopyComparison:
    """Check that every entry of a JSON-lines copy is in the database with the
    same MAC: this shows entries deleted from the end of the log, and entries
    rewritten and re-sealed by someone holding the key, which the chain alone
    cannot show. Lines may carry a syslog prefix before the JSON object."""
    result = CopyComparison()
    batch: dict[int, str] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line[line.index("{") :])
            batch[int(data["id"])] = str(data["mac"])
        except (ValueError, KeyError, TypeError):
            result.ok, result.message = False, f"line {number} is not an audit entry."
            return result
        if len(batch) >= _BATCH and not _compare(result, batch):
            return result
    _compare(result, batch)
    return result


def _compare(result: CopyComparison, batch: dict[int, str]) -> bool:
    if not batch:
        return True
    stored = dict(
        db.session.execute(
            sa.select(AuditEntry.id, AuditEntry.mac).where(AuditEntry.id.in_(batch))
        ).all()
    )
    for entry_id, mac in sorted(batch.items()):
        if entry_id not in stored:
            result.ok, result.entry_id = False, entry_id
            result.message = (
                f"entry {entry_id} is in the copy but not in the database: "
                "it was deleted."
            )
            return False
        if not hmac.compare_digest(stored[entry_id] or "", mac):
            result.ok, result.entry_id = False, entry_id
            result.message = (
                f"entry {entry_id} has another MAC in the database than in the "
                "copy: it was rewritten."
            )
            return False
    result.checked += len(batch)
    batch.clear()
    return True
