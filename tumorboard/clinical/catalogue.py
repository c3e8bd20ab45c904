"""Catalogues: WHO 2020 bone entities, ICD-O-3 bone topography, metastatic primaries.

Every value comes from ``/work/shared/reference/bone-tumor-reference.md`` (cited
below as "reference §x"). Where the reference says NOT FOUND / [NF] the value is
left out (``None``) and the entry's ``note`` says so; nothing is filled in from
memory.

Licensing (reference, licensing notes): WHO Classification of Tumours content is
IARC copyright, so only codes and short names are stored here, never descriptor
text. ICD-O-3 codes are distributed by IARC/WHO.

Items of the reference deliberately not catalogued:

- "Giant cell tumour of bone treated with denosumab" (reference §1.1, new in
  2020) has no row, behaviour or code in §1.2; record it as giant cell tumour of
  bone.
- Skeletal metastases are not WHO bone entities (§1.2): record the primary's
  site (``METASTATIC_PRIMARIES``) and the bone site (``TOPOGRAPHIES``).

The module is one file on purpose, although it is long: it is mostly
declarative data (the catalogue tables, one row per entity, site or primary),
and the lookup and search functions are short and belong next to their tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ._validate import choice, integer, reject, text
from .search_terms import fold

__all__ = [
    "AJCC_SITE_GROUP_KEYS",
    "CODE_STATUSES",
    "METASTATIC_PRIMARIES",
    "TOKUHASHI_2014_POINTS",
    "TOPOGRAPHIES",
    "WHO_BEHAVIOURS",
    "WHO_CATEGORIES",
    "WHO_ENTITIES",
    "MetastaticPrimary",
    "Topography",
    "WhoEntity",
    "metastatic_primary",
    "metastatic_primary_by_name",
    "metastatic_primary_choices",
    "search_metastatic_primaries",
    "search_topographies",
    "search_who_entities",
    "topography",
    "topography_by_name",
    "topography_choices",
    "who_entities_by_code",
    "who_entity",
    "who_entity_by_code",
    "who_entity_by_name",
    "who_entity_choice_groups",
    "who_entity_choices",
]

# ---------------------------------------------------------------------------
# Vocabularies
# ---------------------------------------------------------------------------

#: WHO 2020 bone categories, keys as suggested by reference §1.1.
WHO_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("chondrogenic", "Chondrogenic tumours"),
    ("osteogenic", "Osteogenic tumours"),
    ("fibrogenic", "Fibrogenic tumours"),
    ("vascular", "Vascular tumours of bone"),
    ("osteoclastic_gc_rich", "Osteoclastic giant cell-rich tumours"),
    ("notochordal", "Notochordal tumours"),
    ("other_mesenchymal", "Other mesenchymal tumours of bone"),
    ("haematopoietic", "Haematopoietic neoplasms of bone"),
    (
        "usrcs",
        "Undifferentiated small round cell sarcomas of bone and soft tissue",
    ),
)

#: WHO 2020 behaviour categories (reference §1.2). Kept apart from the ICD-O
#: behaviour digit, which does not always agree (e.g. osteoblastoma 9200/0).
WHO_BEHAVIOURS: tuple[tuple[str, str], ...] = (
    ("benign", "Benign"),
    ("intermediate_locally_aggressive", "Intermediate, locally aggressive"),
    ("intermediate_rarely_metastasizing", "Intermediate, rarely metastasizing"),
    ("malignant", "Malignant"),
)

#: Status of the stored ICD-O code, after the reference's marks [V], [S], [NF].
CODE_STATUSES: tuple[tuple[str, str], ...] = (
    ("verified", "[V] read in the cited source"),
    ("provisional", "[S] one secondary source only; treat as provisional"),
    ("not_found", "[NF] not found in any reachable source; no code stored"),
)

#: Staging site groups of tumorboard.clinical.staging, repeated here so the
#: catalogue does not import the staging module.
AJCC_SITE_GROUP_KEYS: tuple[str, ...] = (
    "appendicular",
    "trunk",
    "skull",
    "facial",
    "spine",
    "pelvis",
)

_CATEGORY_LABELS = dict(WHO_CATEGORIES)
_BEHAVIOUR_KEYS = tuple(key for key, _ in WHO_BEHAVIOURS)
_CODE_STATUS_KEYS = tuple(key for key, _ in CODE_STATUSES)
_ICDO_MORPHOLOGY = re.compile(r"^(\d{4})/?([0-369])$")


# ---------------------------------------------------------------------------
# Search helpers
# ---------------------------------------------------------------------------


def _normalise(value: str) -> str:
    """Lower-case, strip accents, turn punctuation into spaces, fold spellings."""
    return fold(value)


def _matches(wanted: str, word: str) -> bool:
    """Partial-word match; numbers must start a word, so '4' does not hit 'c41'."""
    if any(ch.isdigit() for ch in wanted):
        return word.startswith(wanted)
    return wanted in word


def _search(
    func: str,
    query: object,
    limit: object,
    entries: Iterable[tuple[object, Iterable[str]]],
) -> list:
    """Rank entries whose texts contain every query word (case/accents ignored)."""
    query = text(func, "query", query)
    limit = integer(func, "limit", limit, minimum=1)
    wanted = _normalise(query).split()
    if not wanted:
        return []
    phrase = " ".join(wanted)
    ranked = []
    for position, (entry, texts) in enumerate(entries):
        normalised = [_normalise(t) for t in texts if t]
        words = " ".join(normalised).split()
        if not all(any(_matches(w, word) for word in words) for w in wanted):
            continue
        if any(n.startswith(phrase) for n in normalised):
            rank = 0  # the typed text starts a name: best for autocompletion
        elif all(any(word.startswith(w) for word in words) for w in wanted):
            rank = 1  # every typed word starts a word
        else:
            rank = 2  # partial words inside words ("sarcoma" in "osteosarcoma")
        ranked.append((rank, position, entry))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [entry for _, _, entry in ranked[:limit]]


def _by_name(func: str, name: object, entries: Iterable[tuple[object, Iterable[str]]]):
    """Return the entry one of whose names equals ``name`` (case/accents ignored)."""
    wanted = _normalise(text(func, "name", name))
    for entry, names in entries:
        if wanted and any(_normalise(n) == wanted for n in names):
            return entry
    raise reject(func, "name", name, "a catalogued name")


# ---------------------------------------------------------------------------
# WHO 2020 bone entities (reference §1.2)
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WhoEntity:
    """One WHO 2020 bone entity with its behaviour and ICD-O-3 morphology code.

    ``behaviour`` is ``None`` where the reference has no WHO 2020 behaviour
    ([NF]); ``icdo_code`` is ``None`` where it has no code ([NF]). ``alt_codes``
    are other codes the reference names for the same entity (older ICD-O
    editions, ICD-O-3.2 variants); code lookups accept them too.
    """

    key: str
    name: str
    category: str
    category_label: str
    behaviour: str | None
    icdo_code: str | None
    code_status: str
    alt_codes: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    note: str = ""

    @property
    def label(self) -> str:
        """Short display label: name and ICD-O code where one is stored."""
        return f"{self.name} ({self.icdo_code})" if self.icdo_code else self.name

    @property
    def short_name(self) -> str:
        """The name without its parenthesised qualifier, for one-line case
        summaries: "Atypical cartilaginous tumour", "Osteosarcoma"."""
        if self.key in _SHORT_NAMES:
            return _SHORT_NAMES[self.key]
        return re.sub(r"\s*\([^)]*\)$", "", self.name)


def _entity(
    key: str,
    name: str,
    category: str,
    behaviour: str | None,
    icdo_code: str | None,
    code_status: str,
    *,
    alt_codes: tuple[str, ...] = (),
    synonyms: tuple[str, ...] = (),
    note: str = "",
) -> WhoEntity:
    """Build a catalogue row, checking its vocabulary at import time."""
    choice("catalogue", "category", category, _CATEGORY_LABELS)
    if behaviour is not None:
        choice("catalogue", "behaviour", behaviour, _BEHAVIOUR_KEYS)
    choice("catalogue", "code_status", code_status, _CODE_STATUS_KEYS)
    if (icdo_code is None) != (code_status == "not_found"):
        raise ValueError(f"catalogue: {key} code/status mismatch")
    return WhoEntity(
        key=key,
        name=name,
        category=category,
        category_label=_CATEGORY_LABELS[category],
        behaviour=behaviour,
        icdo_code=icdo_code,
        code_status=code_status,
        alt_codes=alt_codes,
        synonyms=synonyms,
        note=note,
    )


#: Short names where stripping the qualifier is not enough. Reference §1.2
#: names the 9180/3 row "Osteosarcoma NOS / conventional osteosarcoma".
_SHORT_NAMES: Mapping[str, str] = MappingProxyType(
    {"conventional_osteosarcoma": "Osteosarcoma", "conventional_chordoma": "Chordoma"}
)

_B = "benign"
_ILA = "intermediate_locally_aggressive"
_M = "malignant"
_V = "verified"
_S = "provisional"
_NF = "not_found"

# The table is hand-aligned for review against reference §1.2.
# fmt: off
#: WHO 2020 bone entities in the reference's order (§1.2). Keys are stable
#: storage keys: never rename one, add a new entry instead.
WHO_ENTITIES: tuple[WhoEntity, ...] = (
    # Chondrogenic tumours. Behaviour: mdwiki citing WHO 2020 [S].
    _entity("subungual_exostosis", "Subungual exostosis", "chondrogenic", _B,
            "9213/0", _V),
    _entity("bpop", "Bizarre parosteal osteochondromatous proliferation",
            "chondrogenic", _B, "9212/0", _V, synonyms=("BPOP",)),
    _entity("periosteal_chondroma", "Periosteal chondroma", "chondrogenic", _B,
            "9221/0", _V),
    _entity("enchondroma", "Enchondroma", "chondrogenic", _B, "9220/0", _V,
            note="ICD-O term: Chondroma, NOS."),
    _entity("osteochondroma", "Osteochondroma", "chondrogenic", _B, "9210/0", _V),
    _entity("chondroblastoma", "Chondroblastoma", "chondrogenic", _B, "9230/1", _V,
            alt_codes=("9230/0",),
            note="9230/1 in ICD-O-3.2 (Chondroblastoma, NOS); 9230/0 in ICD-O-3 "
                 "(2000). The code digit differs from the WHO category."),
    _entity("chondromyxoid_fibroma", "Chondromyxoid fibroma", "chondrogenic", _B,
            "9241/0", _V),
    _entity("osteochondromyxoma", "Osteochondromyxoma", "chondrogenic", _B,
            "9211/0", _V),
    _entity("synovial_chondromatosis", "Synovial chondromatosis", "chondrogenic",
            _ILA, "9220/1", _V, synonyms=("Chondromatosis NOS",)),
    _entity("atypical_cartilaginous_tumour",
            "Atypical cartilaginous tumour (central; secondary peripheral)",
            "chondrogenic", _ILA, "9222/1", _V, synonyms=("ACT",),
            note="Used for appendicular-skeleton lesions (reference §1.1)."),
    _entity("chondrosarcoma_grade_1",
            "Chondrosarcoma grade 1 (central; secondary peripheral)",
            "chondrogenic", _M, None, _NF,
            note="Used for axial lesions (pelvis, scapula, skull base). ICD-O code "
                 "[NF]: 9222/3 appears in a registry list, name not confirmed."),
    _entity("central_chondrosarcoma_grade_2_3", "Central chondrosarcoma grade 2–3",
            "chondrogenic", _M, "9220/3", _V),
    _entity("secondary_peripheral_chondrosarcoma_grade_2_3",
            "Secondary (peripheral) chondrosarcoma grade 2–3", "chondrogenic", _M,
            "9220/3", _V),
    _entity("chondrosarcoma_nos", "Chondrosarcoma NOS", "chondrogenic", _M,
            "9220/3", _V),
    _entity("periosteal_chondrosarcoma", "Periosteal chondrosarcoma",
            "chondrogenic", _M, "9221/3", _V,
            note="Code read in ICD-O-3.2; the WHO 2020 listing was not seen."),
    _entity("clear_cell_chondrosarcoma", "Clear cell chondrosarcoma",
            "chondrogenic", _M, "9242/3", _V),
    _entity("mesenchymal_chondrosarcoma", "Mesenchymal chondrosarcoma",
            "chondrogenic", _M, "9240/3", _V),
    _entity("dedifferentiated_chondrosarcoma", "Dedifferentiated chondrosarcoma",
            "chondrogenic", _M, "9243/3", _V),
    # Osteogenic tumours. Behaviour: mdwiki citing WHO 2020 [S].
    _entity("osteoma", "Osteoma", "osteogenic", _B, "9180/0", _V),
    _entity("osteoid_osteoma", "Osteoid osteoma", "osteogenic", _B, "9191/0", _V),
    _entity("osteoblastoma", "Osteoblastoma", "osteogenic", _ILA, "9200/0", _V,
            alt_codes=("9200/1",),
            note="ICD-O-3.2 also has 9200/1 Aggressive osteoblastoma. The code "
                 "digit differs from the WHO category."),
    _entity("low_grade_central_osteosarcoma", "Low-grade central osteosarcoma",
            "osteogenic", _M, "9187/3", _V),
    _entity("conventional_osteosarcoma", "Conventional osteosarcoma (NOS)",
            "osteogenic", _M, "9180/3", _V, synonyms=("Osteosarcoma NOS",)),
    _entity("chondroblastic_osteosarcoma", "Chondroblastic osteosarcoma",
            "osteogenic", _M, "9181/3", _V),
    _entity("fibroblastic_osteosarcoma", "Fibroblastic osteosarcoma",
            "osteogenic", _M, "9182/3", _V),
    _entity("telangiectatic_osteosarcoma", "Telangiectatic osteosarcoma",
            "osteogenic", _M, "9183/3", _V),
    _entity("small_cell_osteosarcoma", "Small cell osteosarcoma", "osteogenic", _M,
            "9185/3", _V),
    _entity("parosteal_osteosarcoma", "Parosteal osteosarcoma", "osteogenic", _M,
            "9192/3", _V),
    _entity("periosteal_osteosarcoma", "Periosteal osteosarcoma", "osteogenic",
            _M, "9193/3", _V),
    _entity("high_grade_surface_osteosarcoma", "High-grade surface osteosarcoma",
            "osteogenic", _M, "9194/3", _V),
    _entity("secondary_osteosarcoma", "Secondary osteosarcoma", "osteogenic", _M,
            None, _NF,
            note="WHO 2020 code [NF]: ICD-O-3.2 9184/3 is Osteosarcoma in Paget "
                 "disease of bone; WHO 2002 coded secondary osteosarcoma 9180/3."),
    _entity("intracortical_osteosarcoma", "Intracortical osteosarcoma",
            "osteogenic", None, "9195/3", _V,
            note="ICD-O-3.2 code only; the reference gives no WHO 2020 behaviour."),
    # Fibrogenic tumours.
    _entity("desmoplastic_fibroma", "Desmoplastic fibroma of bone", "fibrogenic",
            None, "8823/1", _V,
            note="WHO 2020 behaviour [NF]: the reference suggests intermediate, "
                 "locally aggressive but has no 2020 source for it."),
    _entity("fibrosarcoma_of_bone", "Fibrosarcoma of bone", "fibrogenic", _M,
            "8810/3", _V),
    # Vascular tumours of bone. Behaviour: mdwiki citing WHO 2020 [S].
    _entity("haemangioma", "Haemangioma", "vascular", _B, "9120/0", _V),
    _entity("epithelioid_haemangioma", "Epithelioid haemangioma", "vascular", _ILA,
            "9125/0", _V, note="The code digit differs from the WHO category."),
    _entity("epithelioid_haemangioendothelioma",
            "Epithelioid haemangioendothelioma", "vascular", _M, "9133/3", _V),
    _entity("angiosarcoma", "Angiosarcoma", "vascular", _M, "9120/3", _V,
            synonyms=("Hemangiosarcoma",)),
    # Osteoclastic giant cell-rich tumours. Behaviour per entity mostly [NF].
    _entity("non_ossifying_fibroma", "Non-ossifying fibroma",
            "osteoclastic_gc_rich", None, "8830/0", _S, synonyms=("NOF",),
            note="WHO 2020 behaviour [NF]. ICD-O term is Benign fibrous "
                 "histiocytoma; the Hiroshima registry maps NOF here [S]."),
    _entity("aneurysmal_bone_cyst", "Aneurysmal bone cyst", "osteoclastic_gc_rich",
            None, "9260/0", _V, synonyms=("ABC",),
            note="WHO 2020 behaviour [NF]."),
    _entity("giant_cell_tumour_of_bone", "Giant cell tumour of bone NOS",
            "osteoclastic_gc_rich", None, "9250/1", _V, synonyms=("GCTB",),
            note="Intermediate (ICD-O /1), but the exact WHO 2020 behaviour "
                 "wording is [NF], so no behaviour is stored."),
    _entity("giant_cell_tumour_of_bone_malignant",
            "Giant cell tumour of bone, malignant", "osteoclastic_gc_rich", _M,
            "9250/3", _V),
    # Notochordal tumours.
    _entity("benign_notochordal_cell_tumour", "Benign notochordal cell tumour",
            "notochordal", _B, "9370/0", _V),
    _entity("conventional_chordoma", "Conventional chordoma (chordoma NOS)",
            "notochordal", _M, "9370/3", _V),
    _entity("chondroid_chordoma", "Chondroid chordoma", "notochordal", _M,
            "9371/3", _V, note="ICD-O term."),
    _entity("dedifferentiated_chordoma", "Dedifferentiated chordoma",
            "notochordal", _M, "9372/3", _V),
    _entity("poorly_differentiated_chordoma", "Poorly differentiated chordoma",
            "notochordal", _M, None, _NF, note="ICD-O code [NF]."),
    # Other mesenchymal tumours of bone. Behaviour mostly [NF].
    _entity("chondromesenchymal_hamartoma",
            "Chondromesenchymal hamartoma of chest wall", "other_mesenchymal",
            None, None, _NF, note="WHO 2020 behaviour and ICD-O code [NF]."),
    _entity("simple_bone_cyst", "Simple bone cyst", "other_mesenchymal", None,
            None, _NF,
            note="WHO 2020 behaviour [NF]; not an ICD-O neoplasm code in the list "
                 "read."),
    _entity("fibrous_dysplasia", "Fibrous dysplasia", "other_mesenchymal", None,
            "8818/0", _V, note="WHO 2020 behaviour [NF] (ICD-O digit /0)."),
    _entity("osteofibrous_dysplasia", "Osteofibrous dysplasia",
            "other_mesenchymal", None, None, _NF,
            note="WHO 2020 behaviour and code [NF] (WHO 2002 shows 9262/0 = "
                 "Ossifying fibroma; not used)."),
    _entity("intraosseous_lipoma", "Lipoma of bone (intraosseous lipoma)",
            "other_mesenchymal", None, "8850/0", _S,
            note="WHO 2020 behaviour [NF]. Code is ICD-O Lipoma, NOS; mapping [S]."),
    _entity("ofd_like_adamantinoma", "Osteofibrous dysplasia-like adamantinoma",
            "other_mesenchymal", None, None, _NF,
            note="WHO 2020 behaviour and ICD-O code [NF]."),
    _entity("adamantinoma", "Adamantinoma of long bones", "other_mesenchymal", _M,
            "9261/3", _V),
    _entity("leiomyosarcoma_of_bone", "Leiomyosarcoma of bone",
            "other_mesenchymal", _M, "8890/3", _S, note="Code mapping [S]."),
    _entity("undifferentiated_pleomorphic_sarcoma",
            "Undifferentiated pleomorphic sarcoma", "other_mesenchymal", _M, None,
            _NF,
            note="ICD-O code [NF] (8802/3 is Giant cell sarcoma in ICD-O-3.2)."),
    # Haematopoietic neoplasms of bone.
    _entity("solitary_plasmacytoma", "Plasmacytoma of bone (solitary)",
            "haematopoietic", _M, "9731/3", _V),
    _entity("plasma_cell_myeloma", "Plasma cell myeloma", "haematopoietic", _M,
            "9732/3", _V, synonyms=("Myeloma",)),
    _entity("primary_lymphoma_of_bone_dlbcl",
            "Primary lymphoma of bone, diffuse large B-cell lymphoma",
            "haematopoietic", _M, "9680/3", _V, synonyms=("DLBCL",)),
    _entity("primary_lymphoma_of_bone_nos", "Primary lymphoma of bone, NOS",
            "haematopoietic", _M, "9590/3", _V,
            note="ICD-O term: Malignant lymphoma, NOS."),
    _entity("langerhans_cell_histiocytosis", "Langerhans cell histiocytosis NOS",
            "haematopoietic", None, "9751/1", _V, synonyms=("LCH",),
            note="WHO 2020 behaviour wording [NF]."),
    _entity("langerhans_cell_histiocytosis_disseminated",
            "Langerhans cell histiocytosis, disseminated", "haematopoietic", None,
            "9751/3", _V, synonyms=("LCH",),
            note="WHO 2020 behaviour wording [NF]."),
    _entity("erdheim_chester_disease", "Erdheim–Chester disease",
            "haematopoietic", None, "9749/3", _V,
            note="WHO 2020 behaviour wording [NF]."),
    _entity("rosai_dorfman_disease", "Rosai–Dorfman disease", "haematopoietic",
            None, None, _NF, note="WHO 2020 behaviour and ICD-O code [NF]."),
    # Undifferentiated small round cell sarcomas: all malignant.
    _entity("ewing_sarcoma", "Ewing sarcoma", "usrcs", _M, "9364/3", _V,
            note="WHO 2002 used 9260/3; do not use it."),
    _entity("round_cell_sarcoma_ewsr1_non_ets",
            "Round cell sarcoma with EWSR1–non-ETS fusions", "usrcs", _M, None,
            _NF,
            note="ICD-O code [NF] (9366/3 appears in a registry list, name "
                 "unconfirmed)."),
    _entity("cic_rearranged_sarcoma", "CIC-rearranged sarcoma", "usrcs", _M, None,
            _NF,
            note="ICD-O code [NF] (9367/3 appears in a registry list, name "
                 "unconfirmed)."),
    _entity("bcor_sarcoma", "Sarcoma with BCOR genetic alterations", "usrcs", _M,
            None, _NF,
            note="ICD-O code [NF] (9368/3 appears in a registry list, name "
                 "unconfirmed)."),
)
# fmt: on

_ENTITIES_BY_KEY: Mapping[str, WhoEntity] = MappingProxyType(
    {entity.key: entity for entity in WHO_ENTITIES}
)
if len(_ENTITIES_BY_KEY) != len(WHO_ENTITIES):  # pragma: no cover - data guard
    raise RuntimeError("duplicate WHO entity key")


def _icdo_code(func: str, code: object) -> str:
    """Normalise an ICD-O-3 morphology code: '9180/3', '91803' → '9180/3'."""
    match = _ICDO_MORPHOLOGY.match(text(func, "icdo_code", code).strip())
    if match is None:
        raise reject(func, "icdo_code", code, "an ICD-O-3 morphology code like 9180/3")
    return f"{match.group(1)}/{match.group(2)}"


def who_entity(key: object) -> WhoEntity:
    """Return the WHO entity stored under ``key``."""
    if isinstance(key, str) and key in _ENTITIES_BY_KEY:
        return _ENTITIES_BY_KEY[key]
    # Seventy keys would drown the message; point at the catalogue instead.
    raise reject("who_entity", "key", key, "a key of WHO_ENTITIES, e.g. ewing_sarcoma")


def _entities_by_code(func: str, icdo_code: object) -> list[WhoEntity]:
    """Entities for a code, primary codes first, or ValueError naming ``func``."""
    code = _icdo_code(func, icdo_code)
    primary = [e for e in WHO_ENTITIES if e.icdo_code == code]
    alternate = [e for e in WHO_ENTITIES if code in e.alt_codes]
    if not primary + alternate:
        raise reject(func, "icdo_code", icdo_code, "a catalogued bone tumour code")
    return primary + alternate


def who_entities_by_code(icdo_code: object) -> list[WhoEntity]:
    """Return every entity carrying ``icdo_code``, primary codes before alt codes."""
    return _entities_by_code("who_entities_by_code", icdo_code)


def who_entity_by_code(icdo_code: object) -> WhoEntity:
    """Return the first entity in catalogue order for ``icdo_code``.

    A code can belong to several entities (9220/3 is central and secondary
    chondrosarcoma grade 2–3 and chondrosarcoma NOS); use
    ``who_entities_by_code`` to see them all. Alt codes (e.g. 9230/0 for
    chondroblastoma in ICD-O-3 (2000)) are matched after primary codes.
    """
    return _entities_by_code("who_entity_by_code", icdo_code)[0]


def _entity_names(entity: WhoEntity) -> tuple[str, ...]:
    """Name and synonyms of an entity, for lookups and search."""
    return (entity.name, *entity.synonyms)


def who_entity_by_name(name: object) -> WhoEntity:
    """Return the entity whose name or synonym equals ``name`` (case ignored)."""
    return _by_name(
        "who_entity_by_name", name, ((e, _entity_names(e)) for e in WHO_ENTITIES)
    )


def search_who_entities(query: object, limit: object = 20) -> list[WhoEntity]:
    """Return up to ``limit`` entities matching every (partial) word of ``query``."""
    return _search(
        "search_who_entities",
        query,
        limit,
        (
            (e, (*_entity_names(e), e.icdo_code or "", *e.alt_codes))
            for e in WHO_ENTITIES
        ),
    )


def who_entity_choices() -> list[tuple[str, str]]:
    """Return flat ``(key, label)`` pairs for a select field, in catalogue order."""
    return [(entity.key, entity.label) for entity in WHO_ENTITIES]


def who_entity_choice_groups() -> dict[str, list[tuple[str, str]]]:
    """Return ``{category label: [(key, label), ...]}`` for optgroup select fields."""
    groups: dict[str, list[tuple[str, str]]] = {
        label: [] for _, label in WHO_CATEGORIES
    }
    for entity in WHO_ENTITIES:
        groups[entity.category_label].append((entity.key, entity.label))
    return groups


# ---------------------------------------------------------------------------
# ICD-O-3 bone topography (reference §1.3)
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Topography:
    """One ICD-O-3 bone topography code with its AJCC 8th staging site group."""

    code: str
    label: str
    ajcc_site_group: str

    @property
    def choice_label(self) -> str:
        """Label for select fields: ``"C40.2 — Long bones of lower limb ..."``."""
        return f"{self.code} — {self.label}"

    @property
    def key(self) -> str:
        """Stable storage key: the ICD-O-3 topography code itself."""
        return self.code


# Site groups: SEER selects one schema for "appendicular skeleton, trunk, skull
# and facial bones" (C40.0–C41.1, C41.3, C41.8–C41.9), one for spine (C41.2) and
# one for pelvis (C41.4) (reference §1.3). Within the shared schema the four
# staging groups have the same T categories and stage groups (§2.1a, §2.5), so
# the split below changes no stage: limbs → appendicular, C41.0 → skull,
# C41.1 (mandible) → facial, C41.3 → trunk, and the unspecified or overlapping
# C41.8 and C41.9 → trunk (they are in the shared schema but not limb-only).
#: Bone topography codes in code order (reference §1.3). The code is the key.
TOPOGRAPHIES: tuple[Topography, ...] = (
    Topography(
        "C40.0",
        "Long bones of upper limb, scapula and associated joints",
        "appendicular",
    ),
    Topography(
        "C40.1", "Short bones of upper limb and associated joints", "appendicular"
    ),
    Topography(
        "C40.2", "Long bones of lower limb and associated joints", "appendicular"
    ),
    Topography(
        "C40.3", "Short bones of lower limb and associated joints", "appendicular"
    ),
    Topography(
        "C40.8",
        "Overlapping lesion of bones, joints and articular cartilage of limbs",
        "appendicular",
    ),
    Topography("C40.9", "Bone of limb, NOS", "appendicular"),
    Topography(
        "C41.0",
        "Bones of skull and face and associated joints (excludes mandible, C41.1)",
        "skull",
    ),
    Topography("C41.1", "Mandible", "facial"),
    Topography(
        "C41.2",
        "Vertebral column (excludes sacrum and coccyx, which are C41.4)",
        "spine",
    ),
    Topography("C41.3", "Rib, sternum, clavicle and associated joints", "trunk"),
    Topography("C41.4", "Pelvic bones, sacrum, coccyx and associated joints", "pelvis"),
    Topography(
        "C41.8",
        "Overlapping lesion of bones, joints and articular cartilage",
        "trunk",
    ),
    Topography("C41.9", "Bone, NOS", "trunk"),
)

# Data guard: a typo in a site group would otherwise only surface at staging.
if not {t.ajcc_site_group for t in TOPOGRAPHIES} <= set(AJCC_SITE_GROUP_KEYS):
    raise RuntimeError("topography with an unknown AJCC site group")  # pragma: no cover

_TOPOGRAPHY_BY_CODE: Mapping[str, Topography] = MappingProxyType(
    {t.code: t for t in TOPOGRAPHIES}
)
_TOPOGRAPHY_CODE = re.compile(r"^C4([01])\.?(\d)$")


def topography(code: object) -> Topography:
    """Return the bone topography for ``code`` ('C40.2'; 'c402' is accepted too)."""
    if isinstance(code, str):
        match = _TOPOGRAPHY_CODE.match(code.strip().upper())
        if match:
            found = _TOPOGRAPHY_BY_CODE.get(f"C4{match.group(1)}.{match.group(2)}")
            if found is not None:
                return found
    raise reject("topography", "code", code, "one of " + ", ".join(_TOPOGRAPHY_BY_CODE))


def topography_by_name(name: object) -> Topography:
    """Return the topography whose label equals ``name`` (case ignored)."""
    return _by_name("topography_by_name", name, ((t, (t.label,)) for t in TOPOGRAPHIES))


def search_topographies(query: object, limit: object = 20) -> list[Topography]:
    """Return up to ``limit`` topographies whose code or label matches ``query``."""
    return _search(
        "search_topographies",
        query,
        limit,
        ((t, (t.code, t.label)) for t in TOPOGRAPHIES),
    )


def topography_choices() -> list[tuple[str, str]]:
    """Return ``(code, "C40.2 — label")`` pairs for a select field, in code order."""
    return [(t.code, t.choice_label) for t in TOPOGRAPHIES]


# ---------------------------------------------------------------------------
# Metastatic primary sites (revised Tokuhashi, reference §9.1)
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MetastaticPrimary:
    """A primary cancer site seen at a skeletal-metastasis board.

    ``tokuhashi_points`` are the revised Tokuhashi (2005) points of the row named
    in ``tokuhashi_row`` (reference §9.1). Sites the table does not name are
    scored in its "Others" row (2 points), which ``note`` says.
    """

    key: str
    label: str
    tokuhashi_points: int
    tokuhashi_row: str
    synonyms: tuple[str, ...] = ()
    note: str = ""


_OTHERS_NOTE = "Not named in the revised Tokuhashi table; scored in its 'Others' row."
# Row names of the revised Tokuhashi primary-site table (reference §9.1).
_ROW_0 = "Lung, osteosarcoma, stomach, bladder, oesophagus, pancreas"
_ROW_1 = "Liver, gallbladder, unidentified"
_ROW_2 = "Others"
_ROW_3 = "Kidney, uterus"
_ROW_4 = "Rectum"
_ROW_5 = "Thyroid, breast, prostate, carcinoid tumour"

#: Metastatic primary sites; keys are stable storage keys.
METASTATIC_PRIMARIES: tuple[MetastaticPrimary, ...] = (
    MetastaticPrimary("breast", "Breast", 5, _ROW_5),
    MetastaticPrimary(
        "breast_triple_negative",
        "Breast, hormone-receptor-negative / triple-negative",
        5,
        _ROW_5,
        synonyms=("triple negative", "TNBC"),
        note="Breast in the 2005 table (5). The 2014 modification scores it 3 "
        "(reference §9.1, single secondary source [S]): "
        "tokuhashi_revised(..., version='2014').",
    ),
    MetastaticPrimary("prostate", "Prostate", 5, _ROW_5),
    MetastaticPrimary("lung", "Lung", 0, _ROW_0),
    MetastaticPrimary("kidney", "Kidney (renal)", 3, _ROW_3, synonyms=("renal cell",)),
    MetastaticPrimary("thyroid", "Thyroid", 5, _ROW_5),
    MetastaticPrimary(
        "myeloma",
        "Myeloma / plasma cell neoplasm",
        2,
        _ROW_2,
        synonyms=("plasmacytoma", "plasma cell myeloma"),
        note="Myeloma is not a Tokuhashi primary site. " + _OTHERS_NOTE,
    ),
    MetastaticPrimary(
        "colon", "Colon", 2, _ROW_2, synonyms=("colorectal",), note=_OTHERS_NOTE
    ),
    MetastaticPrimary("rectum", "Rectum", 4, _ROW_4, synonyms=("colorectal", "rectal")),
    MetastaticPrimary("liver", "Liver", 1, _ROW_1, synonyms=("hepatocellular",)),
    MetastaticPrimary("gallbladder", "Gallbladder", 1, _ROW_1),
    MetastaticPrimary("stomach", "Stomach", 0, _ROW_0, synonyms=("gastric",)),
    MetastaticPrimary("oesophagus", "Oesophagus", 0, _ROW_0),
    MetastaticPrimary("pancreas", "Pancreas", 0, _ROW_0),
    MetastaticPrimary("bladder", "Bladder", 0, _ROW_0),
    MetastaticPrimary("uterus", "Uterus", 3, _ROW_3),
    MetastaticPrimary("carcinoid", "Carcinoid tumour", 5, _ROW_5),
    MetastaticPrimary("osteosarcoma", "Osteosarcoma", 0, _ROW_0),
    MetastaticPrimary("melanoma", "Melanoma", 2, _ROW_2, note=_OTHERS_NOTE),
    MetastaticPrimary("unidentified", "Unknown primary (unidentified)", 1, _ROW_1),
    MetastaticPrimary("other", "Other", 2, _ROW_2),
)

#: Points that the 2014 Tokuhashi modification changes (reference §9.1, [S]).
TOKUHASHI_2014_POINTS: Mapping[str, int] = MappingProxyType(
    {"breast_triple_negative": 3}
)

_PRIMARY_BY_KEY: Mapping[str, MetastaticPrimary] = MappingProxyType(
    {p.key: p for p in METASTATIC_PRIMARIES}
)


def metastatic_primary(key: object) -> MetastaticPrimary:
    """Return the metastatic primary site stored under ``key``."""
    choice("metastatic_primary", "key", key, _PRIMARY_BY_KEY)
    return _PRIMARY_BY_KEY[key]  # type: ignore[index]


def metastatic_primary_by_name(name: object) -> MetastaticPrimary:
    """Return the primary site whose label or synonym equals ``name``."""
    return _by_name(
        "metastatic_primary_by_name",
        name,
        ((p, (p.label, *p.synonyms)) for p in METASTATIC_PRIMARIES),
    )


def search_metastatic_primaries(
    query: object, limit: object = 20
) -> list[MetastaticPrimary]:
    """Return up to ``limit`` primary sites matching every word of ``query``."""
    return _search(
        "search_metastatic_primaries",
        query,
        limit,
        ((p, (p.label, *p.synonyms)) for p in METASTATIC_PRIMARIES),
    )


def metastatic_primary_choices() -> list[tuple[str, str]]:
    """Return ``(key, label)`` pairs for a select field."""
    return [(p.key, p.label) for p in METASTATIC_PRIMARIES]
