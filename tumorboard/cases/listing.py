"""The case list: filters, sorts, search, and what a reader sees masked."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from tumorboard.auth import scope
from tumorboard.cases import status_counts
from tumorboard.cases.models import (
    Case,
    CaseStatus,
    CaseType,
    Urgency,
)
from tumorboard.cases.search import (
    MAX_QUERY_LENGTH,
    CaseSearch,
    SearchQuery,
    matches,
    matching_ids,
    parse_query,
    rank,
    ranked_keys,
)
from tumorboard.extensions import db
from tumorboard.patients.models import Patient

URGENCY_ORDER = sa.case(
    {Urgency.EMERGENCY.value: 0, Urgency.URGENT.value: 1}, value=Case.urgency, else_=2
)

#: Sort by how well a case matches the search (the default while searching).
RELEVANCE = "relevance"

SORTS = {
    "referral": ("Newest referral", (Case.referral_date.desc(), Case.id.desc())),
    "urgency": ("Urgency", (URGENCY_ORDER, Case.referral_date, Case.id)),
    "name": ("Patient name", (Patient.family_name, Patient.given_name, Case.id)),
    "status": ("Status change", (Case.status_changed_at.desc(), Case.id.desc())),
    "updated": ("Recently updated", (Case.updated_at.desc(), Case.id.desc())),
}


@dataclass
class CaseFilters:
    """What the worklist is filtered and sorted by (all optional)."""

    #: Search words (``cases.search``); longer than MAX_QUERY_LENGTH raises
    #: InvalidInput.
    q: str = ""
    status: str = ""
    case_type: str = ""
    site: str = ""
    lead: int | None = None
    urgency: str = ""
    #: A key of SORTS, or RELEVANCE (best match first while searching; the
    #: newest referral otherwise).
    sort: str = RELEVANCE
    mine_for: int | None = None
    key_worker_for: int | None = None
    #: Whose list it is: cases outside their scope (tumorboard.auth.scope)
    #: are listed, masked, only where nothing about them is searched,
    #: filtered or sorted on but their status, or when the search is their
    #: reference ("TB-00012").
    viewer_id: int | None = None
    #: List only the cases the viewer reads (the API: no masked rows).
    readable_only: bool = False

    def audit_query(self) -> dict[str, Any]:
        """The filters as the audit log records them."""
        return {
            "q": self.q,
            "status": self.status,
            "case_type": self.case_type,
            "site": self.site,
            "lead": self.lead,
            "urgency": self.urgency,
            "sort": self.sort,
            "mine": self.mine_for is not None or None,
            "key_worker": self.key_worker_for is not None or None,
        }


def has_search_words(text: str) -> bool:
    """True if ``text`` holds a letter or digit to search for."""
    return len(text) <= MAX_QUERY_LENGTH and parse_query(text) is not None


#: "TB-00012", "tb 12", "TB00012": a case reference typed into the search.
REFERENCE = re.compile(r"^\s*TB[-\s]?0*(\d{1,9})\s*$", re.IGNORECASE)


def reference_id(text: str) -> int | None:
    """The case id of a reference typed into the search, if it is one."""
    match = REFERENCE.match(text or "")
    return int(match.group(1)) if match else None


def reveals_clinical_data(filters: CaseFilters) -> bool:
    """True if listing an out-of-scope case under ``filters`` would tell
    something about it beyond its reference, board and status."""
    searched = bool(filters.q) and reference_id(filters.q) is None
    return bool(
        searched
        or filters.case_type
        or filters.site
        or filters.lead
        or filters.urgency
        or filters.sort in ("name", "urgency")
    )


def _filtered_beyond_status(filters: CaseFilters) -> bool:
    return bool(
        filters.case_type
        or filters.site
        or filters.lead
        or filters.urgency
        or filters.mine_for
        or filters.key_worker_for
    )


def _scoped(filters: CaseFilters) -> bool:
    """Whether the list holds only the cases its viewer reads (see
    ``CaseFilters.viewer_id``)."""
    return filters.viewer_id is not None and (
        filters.readable_only or reveals_clinical_data(filters)
    )


def _lists_every_case(filters: CaseFilters) -> bool:
    """Every case the filters select is listed (masked or not), or the
    viewer has every case in scope."""
    return not _scoped(filters) or scope.has_every_case(filters.viewer_id)


def known_total(filters: CaseFilters) -> int | None:
    """The number of cases the list holds, when the numbers of cases by
    status (:mod:`tumorboard.cases.status_counts`) give it without counting:
    no search and no filter but the status, and every case listed. None
    otherwise."""
    if filters.q or _filtered_beyond_status(filters) or not _lists_every_case(filters):
        return None
    statuses = [CaseStatus(filters.status)] if filters.status else list(CaseStatus)
    return sum(status_counts.by_status(statuses).values())


def _plain_search(filters: CaseFilters) -> SearchQuery | None:
    """The words of a search that nothing else filters and whose every
    match is listed; None for any other list."""
    if (
        not filters.q
        or reference_id(filters.q) is not None
        or filters.status
        or _filtered_beyond_status(filters)
        or not _lists_every_case(filters)
    ):
        return None
    return parse_query(filters.q)


def search_counted(filters: CaseFilters) -> sa.Select | None:
    """The rows to count for a plain search (see ``_plain_search``): the
    search index's matches alone, without reading each match's case. None
    otherwise."""
    query = _plain_search(filters)
    if query is None:
        return None
    return matching_ids(query, db.session.get_bind().dialect.name)


def search_keys(
    filters: CaseFilters,
) -> Callable[[int, int], tuple[sa.Select, dict[str, Any]]] | None:
    """For a plain search in order of relevance, the page's case ids read
    off the search table alone, in ``case_list_query``'s order, each with
    the number of matches counted in the same scan (for
    ``pagination.paginate``'s ``keys``). None otherwise."""
    query = _plain_search(filters)
    if query is None or filters.sort not in ("", RELEVANCE):
        return None
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        return lambda offset, limit: ranked_keys(query, offset, limit)
    ordered = (
        sa.select(CaseSearch.case_id, sa.func.count().over())
        .where(matches(query, dialect))
        .order_by(rank(query), CaseSearch.case_id.desc())
    )
    return lambda offset, limit: (ordered.offset(offset).limit(limit), {})


def case_rows_query() -> sa.Select:
    """The SELECT a worklist page's cases are loaded with, by their ids: the
    columns and joins the page shows, without the list's filters."""
    return sa.select(Case).options(
        joinedload(Case.lead_clinician),
        joinedload(Case.board),
        joinedload(Case.patient, innerjoin=True),
    )


def case_list_query(filters: CaseFilters) -> sa.Select:
    """One SELECT for a worklist page: cases with patient and lead clinician.

    A search (``filters.q``) with no letter or digit finds nothing; one longer
    than MAX_QUERY_LENGTH raises InvalidInput. A reference ("TB-00012") finds
    that case alone.
    """
    stmt = sa.select(Case).options(
        joinedload(Case.lead_clinician), joinedload(Case.board)
    )
    reference = reference_id(filters.q)
    if _scoped(filters):
        stmt = stmt.where(scope.readable(filters.viewer_id))
    query = parse_query(filters.q) if filters.q and reference is None else None
    if reference is not None:
        stmt = stmt.where(Case.id == reference)
    elif filters.q and query is None:
        stmt = stmt.where(sa.false())
    if query is not None:
        stmt = stmt.join(CaseSearch, CaseSearch.case_id == Case.id).where(
            matches(query, db.session.get_bind().dialect.name)
        )
    if filters.status:
        stmt = stmt.where(Case.status == CaseStatus(filters.status))
    if filters.case_type:
        stmt = stmt.where(Case.case_type == CaseType(filters.case_type))
    if filters.site:
        stmt = stmt.where(Case.site_code == filters.site)
    if filters.lead:
        stmt = stmt.where(Case.lead_clinician_id == filters.lead)
    if filters.urgency:
        stmt = stmt.where(Case.urgency == Urgency(filters.urgency))
    if filters.mine_for:
        stmt = stmt.where(
            sa.or_(
                Case.lead_clinician_id == filters.mine_for,
                Case.created_by_id == filters.mine_for,
            )
        )
    if filters.key_worker_for:
        stmt = stmt.where(Case.key_worker_id == filters.key_worker_for)
    if query is not None and filters.sort in ("", RELEVANCE):
        order = (rank(query), Case.id.desc())
    else:
        _, order = SORTS.get(filters.sort, SORTS["referral"])
    if filters.sort == "name":
        stmt = stmt.join(Case.patient).options(contains_eager(Case.patient))
    else:
        # Joined only to load the page's rows: a page's keys (and the count)
        # are read from the cases table and its indexes alone.
        stmt = stmt.options(joinedload(Case.patient, innerjoin=True))
    return stmt.order_by(*order)
