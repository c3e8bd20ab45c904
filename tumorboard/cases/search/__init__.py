"""Case search: the index of words per case, how it is kept up to date, and
how the search box is read."""

from tumorboard.cases.search.models import CaseSearch
from tumorboard.cases.search.query import (
    MAX_QUERY_LENGTH,
    SearchQuery,
    matches,
    matching_ids,
    parse_query,
    rank,
    ranked_keys,
)
from tumorboard.cases.search.text import (
    CASE_WORDS,
    PATIENT_WORDS,
    SearchSource,
    entity_words,
    rebuild,
    refresh,
    register_source,
    search_text,
)

__all__ = [
    "CASE_WORDS",
    "MAX_QUERY_LENGTH",
    "PATIENT_WORDS",
    "CaseSearch",
    "SearchQuery",
    "SearchSource",
    "entity_words",
    "matches",
    "matching_ids",
    "parse_query",
    "rank",
    "ranked_keys",
    "rebuild",
    "refresh",
    "register_source",
    "search_text",
]
