"""Audit summaries are shown to administrators, who have no access to clinical
data: a summary is built from references, labels, counts and field names,
never from free text (captions, reasons, notes, descriptions) or names.

The guard reads the code: for every ``audit.record(...)`` call, and every call
of a helper that passes its ``summary`` parameter on, it looks at what the
summary interpolates (following local variables) and flags fields that hold
free text or names.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "tumorboard"

#: Fields and variables that hold free text, names or contact details.
FREE_TEXT = {
    "amendment_reason",
    "body",
    "cancel_reason",
    "caption",
    "clinical_question",
    "comment",
    "deviation_note",
    "description",
    "email",
    "family_name",
    "free_text",
    "given_name",
    "guest_name",
    "mrn",
    "name",
    "note",
    "notes",
    "original_name",
    "presentation",
    "question",
    "quorum_override_reason",
    "rationale",
    "reason",
    "referring_clinician",
    "series_slice",
    "text",
    "unplanned_excision_institution",
    "withdraw_reason",
}
#: Endings of other names for free text (``override_reason``).
FREE_TEXT_ENDINGS = ("_reason", "_note", "_notes", "_text", "_comment", "_caption")
#: An interpolation that ends in one of these is a reference or a catalogue
#: label (``case.reference``, ``reason.label``), not the free text itself.
DERIVED = {"label", "reference", "value", "when_label", "revision", "number", "id"}

#: Staff accounts are not clinical data and administrators manage them: a
#: summary may name the account a sign-in or account change is about, or the
#: colleague who wrote a note or owns an action (``user.name``,
#: ``actor.email``; in ``auth`` also the account email being handled).
STAFF = {"user", "actor", "owner"}

#: Reviewed: the value is one of a few fixed phrases, not typed text.
FIXED_PHRASES = {("auth/services.py", "record_failure", "reason")}

#: Summaries that still carry free text or names, waiting for their services
#: to be changed: (module, function, field). Remove an entry once fixed; an
#: entry that no longer matches fails the test so that the list only shrinks.
PENDING: set[tuple[str, str, str]] = set()


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    function: str
    field: str
    source: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.path, self.function, self.field)

    @property
    def allowed(self) -> bool:
        """Names a staff account, or is a reviewed fixed phrase."""
        if self.key in FIXED_PHRASES:
            return True
        if self.field not in {"name", "email"}:
            return False
        base = self.source.split(".")[0]
        return base in STAFF or (
            self.path == "auth/services.py" and self.field == "email"
        )

    def __str__(self) -> str:
        where = f"{self.path}:{self.line} in {self.function}()"
        return f"{where}: {self.field} in {self.source}"


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _summary_parameters(trees: dict[str, ast.Module]) -> dict[str, int]:
    """Functions taking a ``summary`` parameter, with its position."""
    positions = {"record": 4}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names = [a.arg for a in node.args.posonlyargs + node.args.args]
                if "summary" in names:
                    positions.setdefault(node.name, names.index("summary"))
    return positions


def _summary_argument(call: ast.Call, position: int) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == "summary":
            return keyword.value
    return call.args[position] if len(call.args) > position else None


def _assignments(function: ast.AST, name: str) -> list[ast.expr]:
    return [
        node.value
        for node in ast.walk(function)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    ]


def _embedded(expr: ast.expr, function: ast.AST, seen: set[str]) -> Iterator[ast.expr]:
    """The expressions whose values end up in the string ``expr`` builds."""
    if isinstance(expr, ast.Constant):
        return
    if isinstance(expr, ast.JoinedStr):
        for part in expr.values:
            if isinstance(part, ast.FormattedValue):
                yield from _embedded(part.value, function, seen)
    elif isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        yield from _embedded(expr.left, function, seen)
        yield from _embedded(expr.right, function, seen)
    elif isinstance(expr, ast.IfExp):
        yield from _embedded(expr.body, function, seen)
        yield from _embedded(expr.orelse, function, seen)
    elif isinstance(expr, ast.Name) and (values := _assignments(function, expr.id)):
        if expr.id not in seen:
            resolved = [
                part
                for value in values
                for part in _embedded(value, function, seen | {expr.id})
            ]
            yield from resolved
            if resolved and _is_free_text(expr.id):
                # ``reason = clean_text(form_reason)``: the variable says it.
                yield expr
    else:
        yield expr


def _is_free_text(name: str) -> bool:
    return name in FREE_TEXT or name.endswith(FREE_TEXT_ENDINGS)


def _free_text_fields(expr: ast.expr) -> set[str]:
    names = {
        node.attr if isinstance(node, ast.Attribute) else node.id
        for node in ast.walk(expr)
        if isinstance(node, ast.Attribute | ast.Name)
    }
    if names & DERIVED:
        return set()
    functions = {id(n.func) for n in ast.walk(expr) if isinstance(n, ast.Call)}
    fields = set()
    for node in ast.walk(expr):
        if id(node) in functions:
            continue
        if isinstance(node, ast.Name) and _is_free_text(node.id):
            fields.add(node.id)
        elif isinstance(node, ast.Attribute) and _is_free_text(node.attr):
            # A board's name is an administrative label.
            if node.attr == "name" and "board" in ast.unparse(node.value):
                continue
            fields.add(node.attr)
    return fields


def scan(sources: dict[str, str]) -> list[Finding]:
    """Summaries in ``sources`` ({path: code}) that interpolate free text."""
    trees = {path: ast.parse(code) for path, code in sources.items()}
    positions = _summary_parameters(trees)
    findings = []
    for path, tree in trees.items():
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for call in ast.walk(function):
                if not isinstance(call, ast.Call):
                    continue
                name = _name(call.func)
                if name not in positions or name == function.name:
                    continue
                summary = _summary_argument(call, positions[name])
                if summary is None:
                    continue
                for embedded in _embedded(summary, function, set()):
                    for field in sorted(_free_text_fields(embedded)):
                        findings.append(
                            Finding(
                                path,
                                embedded.lineno,
                                function.name,
                                field,
                                ast.unparse(embedded),
                            )
                        )
    return findings


def _package_sources() -> dict[str, str]:
    return {
        str(path.relative_to(PACKAGE)): path.read_text()
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def test_no_new_summary_carries_free_text():
    findings = scan(_package_sources())
    new = [str(f) for f in findings if f.key not in PENDING and not f.allowed]
    assert new == [], "audit summaries with free text:\n" + "\n".join(new)


def test_the_pending_list_only_names_summaries_still_to_fix():
    found = {f.key for f in scan(_package_sources())}
    assert PENDING - found == set(), "fixed: remove these from PENDING"


def test_the_guard_finds_free_text_however_the_summary_is_built():
    code = """
def withdraw(actor, attachment, reason, case):
    label = f"'{attachment.caption}'"
    audit.record(actor, "a.b", "attachment", 1, f"Withdrew {label} of {case.reference}")
    audit.record(actor, "a.b", "attachment", 1, "Withdrew: " + reason)
    audit.record(actor, "a.b", "x", 1, summary=f"{case.reference} by {actor.name}")
    _note(actor, f"Note {note.body[:40]}")
    why = clean(form.override_reason)
    audit.record(actor, "a.b", "x", 1, f"Overridden: {why}")

def _note(actor, summary):
    audit.record(actor, "a.b", "x", 1, summary)

def fine(actor, case, board, reason, kind, changes):
    audit.record(actor, "a.b", "x", 1, f"{case.reference} at {board.name}")
    audit.record(actor, "a.b", "x", 1, f"{kind.label}" + (" (why)" if reason else ""))
    audit.record(actor, "a.b", "x", 1, f"{reason.label.lower()}: {', '.join(changes)}")
"""
    findings = scan({"example.py": code})
    assert {(f.function, f.field) for f in findings} == {
        ("withdraw", "caption"),
        ("withdraw", "reason"),
        ("withdraw", "name"),
        ("withdraw", "note"),
        ("withdraw", "body"),
        ("withdraw", "override_reason"),
    }
    allowed = {f.field for f in findings if f.allowed}
    assert allowed == {"name"}  # actor.name: a staff account
