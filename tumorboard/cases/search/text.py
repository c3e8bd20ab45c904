"""What a case is found by: ``search_text`` builds a case's words from its fields,
and the index row is rebuilt whenever one of those fields changes.

To search one more field, add it to ``CASE_WORDS`` (or ``PATIENT_WORDS``): the
same entry builds the words and tells the flush listener to rebuild the row
when that field changes. Features above ``cases`` (the pathology review)
contribute words through ``register_source``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tumorboard.cases.models import CONFIRMED_METASTASIS, Case, CaseType, Laterality
from tumorboard.cases.search.models import FTS_TABLE, NAMES_FTS_TABLE, CaseSearch
from tumorboard.clinical import anatomy, catalogue
from tumorboard.clinical.search_terms import code_word, fold_words, topography_words
from tumorboard.patients.models import Patient

#: Longer words are left out of the index (no one types them; PostgreSQL
#: refuses lexemes over 2 kB).
MAX_WORD_LENGTH = 60


def compact(value: str) -> str:
    """Letters and digits only, lower case: how MRNs and codes are compared
    ("DEMO-100 009" → "demo100009")."""
    return "".join(fold_words(value))


def _optional(value: str | None) -> list[str]:
    return [value] if value else []


def _site_words(code: str) -> list[str]:
    try:
        site = catalogue.topography(code)
    except ValueError:
        return _optional(code)
    return [*_optional(site.code), site.label, *topography_words(site.code)]


def _laterality_words(value: Laterality | str) -> list[str]:
    laterality = Laterality(value)
    if laterality in (Laterality.NOT_APPLICABLE, Laterality.UNKNOWN):
        return []
    return [laterality.label]


def _primary_words(key: str | None) -> list[str]:
    if not key:
        return []
    try:
        primary = catalogue.metastatic_primary(key)
    except ValueError:
        return [key]
    return [primary.label, *primary.synonyms]


def entity_words(key: str | None) -> list[str]:
    """A WHO entity's names, synonyms and category (working or confirmed
    diagnosis, or a pathology review's); "metastasis" for a metastasis."""
    if not key:
        return []
    if key == CONFIRMED_METASTASIS:
        return ["metastasis"]
    try:
        entity = catalogue.who_entity(key)
    except ValueError:
        return []
    return [entity.name, entity.short_name, *entity.synonyms, entity.category_label]


def _bone_words(key: str | None) -> list[str]:
    if not key:
        return []
    try:
        return [anatomy.bone(key).name]
    except anatomy.LocationError:
        return []


#: Case fields searched, each with the words it contributes.
CASE_WORDS: dict[str, Callable[[Any], Iterable[str]]] = {
    "case_type": lambda value: [CaseType(value).label],
    "working_diagnosis": entity_words,
    "confirmed_diagnosis": entity_words,
    "bone": _bone_words,
    "bone_end": lambda value: _optional(value),
    "bone_segment": lambda value: _optional(value),
    "vertebral_level": lambda value: _optional(value),
    "site_code": _site_words,
    "laterality": _laterality_words,
    "known_primary": _primary_words,
    "presentation": lambda value: [value or ""],
    "clinical_question": lambda value: [value or ""],
}

#: Patient fields searched, each with the words it contributes.
PATIENT_WORDS: dict[str, Callable[[Any], Iterable[str]]] = {
    "mrn": _optional,
    "given_name": lambda value: [value],
    "family_name": lambda value: [value],
}


def _words(texts: Iterable[str]) -> list[str]:
    """Folded words of ``texts`` in order, each once, and each code typed with
    punctuation also run together (so "C40.2" is found as "c40.2" and "c402")."""
    seen: dict[str, None] = {}
    for text in texts:
        for chunk in text.split():
            joined = code_word(chunk)
            for word in [*fold_words(chunk), *([joined] if joined else [])]:
                if len(word) <= MAX_WORD_LENGTH:
                    seen.setdefault(word, None)
    return list(seen)


def search_text(case: Case, patient: Patient, extra: Iterable[str] = ()) -> str:
    """Every word ``case`` is found by: its reference, the patient's MRN and
    names, the searched case fields, and ``extra`` texts from registered sources."""
    texts: list[str] = [*_optional(f"TB-{case.id:05d}")]
    for field, words in PATIENT_WORDS.items():
        texts.extend(words(getattr(patient, field)))
    for field, words in CASE_WORDS.items():
        texts.extend(words(getattr(case, field)))
    texts.extend(extra)
    return " ".join(_words(texts))


def index_row(case: Case, patient: Patient, extra: Iterable[str] = ()) -> dict:
    """The ``case_search`` row of ``case``."""
    return {
        "case_id": case.id,
        "mrn_key": compact(patient.mrn),
        "names": " ".join(_words([patient.given_name, patient.family_name])),
        "document": search_text(case, patient, extra),
    }


# Sources ----------------------------------------------------------------------


@dataclass(frozen=True)
class SearchSource:
    """Words a higher feature adds to cases (the pathology diagnosis)."""

    name: str
    #: ``load(case_ids) -> {case_id: [text, ...]}`` in a fixed number of queries.
    load: Callable[[Sequence[int]], dict[int, list[str]]]
    #: Model classes whose added or changed rows may change a case's words.
    watches: tuple[type, ...]
    #: ``case_of(obj) -> case id or None`` for such a row, called after the flush.
    case_of: Callable[[Any], int | None]


_sources: dict[str, SearchSource] = {}


def register_source(source: SearchSource) -> SearchSource:
    """Add (or replace, by name) a source of case words."""
    _sources[source.name] = source
    return source


def _extra_texts(case_ids: Sequence[int]) -> dict[int, list[str]]:
    extra: dict[int, list[str]] = {case_id: [] for case_id in case_ids}
    for source in _sources.values():
        for case_id, texts in source.load(case_ids).items():
            extra.setdefault(case_id, []).extend(texts)
    return extra


# Keeping the index up to date ------------------------------------------------------


def refresh(session: Session, case_ids: Iterable[int]) -> int:
    """Rebuild the index rows of ``case_ids``; returns how many were written."""
    ids = sorted(set(case_ids))
    if not ids:
        return 0
    with session.no_autoflush:
        pairs = session.execute(
            sa.select(Case, Patient)
            .join(Patient, Patient.id == Case.patient_id)
            .where(Case.id.in_(ids))
        ).all()
        extra = _extra_texts([case.id for case, _ in pairs])
        rows = [index_row(case, patient, extra[case.id]) for case, patient in pairs]
        if rows:
            session.execute(_upsert(session.get_bind().dialect.name), rows)
    return len(rows)


def _upsert(dialect: str) -> sa.Insert:
    """INSERT … ON CONFLICT (case_id) DO UPDATE: two transactions refreshing
    the same case (a patient edit and a case edit) cannot collide on the key."""
    table = CaseSearch.__table__
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table)
    return stmt.on_conflict_do_update(
        index_elements=[table.c.case_id],
        set_={name: stmt.excluded[name] for name in ("mrn_key", "names", "document")},
    )


def rebuild(session: Session, batch_size: int = 500) -> int:
    """Rebuild the whole index from the cases; returns the number of cases."""
    session.flush()
    session.execute(CaseSearch.__table__.delete())
    total, last_id = 0, 0
    while True:
        ids = session.scalars(
            sa.select(Case.id)
            .where(Case.id > last_id)
            .order_by(Case.id)
            .limit(batch_size)
        ).all()
        if not ids:
            break
        total += refresh(session, ids)
        last_id = ids[-1]
    if session.get_bind().dialect.name == "sqlite":
        # Re-reads the whole table, so the FTS indexes match it whatever happened.
        for statement in REBUILD_FTS:
            session.execute(sa.text(statement))
    return total


#: SQLite: the statements that re-read ``case_search`` into its FTS5 tables.
REBUILD_FTS = (
    "INSERT INTO case_search_fts(case_search_fts) VALUES ('rebuild')",
    "INSERT INTO case_search_names_fts(case_search_names_fts) VALUES ('rebuild')",
)
assert all(
    table in statement
    for table, statement in zip((FTS_TABLE, NAMES_FTS_TABLE), REBUILD_FTS, strict=True)
)

_STALE = "case_search.stale"


def _fields_changed(obj: Any, fields: Iterable[str]) -> bool:
    attrs = sa.inspect(obj).attrs
    return any(attrs[field].history.has_changes() for field in fields)


@event.listens_for(Session, "after_flush")
def _collect_changes(session: Session, flush_context) -> None:
    """Note the cases, patients and source rows whose words this flush changed."""
    stale = session.info.setdefault(
        _STALE, {"cases": set(), "patients": set(), "rows": []}
    )
    watched = tuple(t for s in _sources.values() for t in s.watches)
    for obj in session.new:
        if isinstance(obj, Case):
            stale["cases"].add(obj.id)
        elif watched and isinstance(obj, watched):
            stale["rows"].append(obj)
    for obj in session.dirty:
        if isinstance(obj, Case):
            if _fields_changed(obj, CASE_WORDS):
                stale["cases"].add(obj.id)
        elif isinstance(obj, Patient):
            if _fields_changed(obj, PATIENT_WORDS):
                stale["patients"].add(obj.id)
        elif watched and isinstance(obj, watched):
            stale["rows"].append(obj)


@event.listens_for(Session, "after_flush_postexec")
def _refresh_changed(session: Session, flush_context) -> None:
    """Rebuild the index rows of the cases noted by ``_collect_changes``."""
    stale = session.info.pop(_STALE, None)
    if not stale or not any(stale.values()):
        return
    case_ids = set(stale["cases"])
    with session.no_autoflush:
        if stale["patients"]:
            case_ids.update(
                session.scalars(
                    sa.select(Case.id).where(Case.patient_id.in_(stale["patients"]))
                )
            )
        for obj in stale["rows"]:
            for source in _sources.values():
                if isinstance(obj, source.watches):
                    case_id = source.case_of(obj)
                    if case_id is not None:
                        case_ids.add(case_id)
    refresh(session, case_ids)
