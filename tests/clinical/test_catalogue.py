"""Tests for tumorboard.clinical.catalogue against the bone-tumour reference."""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tumorboard.clinical import catalogue
from tumorboard.clinical.catalogue import (
    METASTATIC_PRIMARIES,
    TOKUHASHI_2014_POINTS,
    TOPOGRAPHIES,
    WHO_BEHAVIOURS,
    WHO_CATEGORIES,
    WHO_ENTITIES,
    MetastaticPrimary,
    Topography,
    WhoEntity,
    metastatic_primary,
    metastatic_primary_by_name,
    metastatic_primary_choices,
    search_metastatic_primaries,
    search_topographies,
    search_who_entities,
    topography,
    topography_by_name,
    topography_choices,
    who_entities_by_code,
    who_entity,
    who_entity_by_code,
    who_entity_by_name,
    who_entity_choice_groups,
    who_entity_choices,
)
from tumorboard.clinical.staging import AJCC_SITE_GROUPS, AJCC_T_CODES

B = "benign"
ILA = "intermediate_locally_aggressive"
M = "malignant"
V, S, NF = "verified", "provisional", "not_found"

# reference §1.2: one tuple per table row (rows listing several entities or
# codes are split): key, category, WHO 2020 behaviour, ICD-O code, code status.
WHO_ROWS = [
    # Chondrogenic tumours
    ("subungual_exostosis", "chondrogenic", B, "9213/0", V),
    ("bpop", "chondrogenic", B, "9212/0", V),
    ("periosteal_chondroma", "chondrogenic", B, "9221/0", V),
    ("enchondroma", "chondrogenic", B, "9220/0", V),
    ("osteochondroma", "chondrogenic", B, "9210/0", V),
    ("chondroblastoma", "chondrogenic", B, "9230/1", V),
    ("chondromyxoid_fibroma", "chondrogenic", B, "9241/0", V),
    ("osteochondromyxoma", "chondrogenic", B, "9211/0", V),
    ("synovial_chondromatosis", "chondrogenic", ILA, "9220/1", V),
    ("atypical_cartilaginous_tumour", "chondrogenic", ILA, "9222/1", V),
    ("chondrosarcoma_grade_1", "chondrogenic", M, None, NF),
    ("central_chondrosarcoma_grade_2_3", "chondrogenic", M, "9220/3", V),
    ("secondary_peripheral_chondrosarcoma_grade_2_3", "chondrogenic", M, "9220/3", V),
    ("chondrosarcoma_nos", "chondrogenic", M, "9220/3", V),
    ("periosteal_chondrosarcoma", "chondrogenic", M, "9221/3", V),
    ("clear_cell_chondrosarcoma", "chondrogenic", M, "9242/3", V),
    ("mesenchymal_chondrosarcoma", "chondrogenic", M, "9240/3", V),
    ("dedifferentiated_chondrosarcoma", "chondrogenic", M, "9243/3", V),
    # Osteogenic tumours
    ("osteoma", "osteogenic", B, "9180/0", V),
    ("osteoid_osteoma", "osteogenic", B, "9191/0", V),
    ("osteoblastoma", "osteogenic", ILA, "9200/0", V),
    ("low_grade_central_osteosarcoma", "osteogenic", M, "9187/3", V),
    ("conventional_osteosarcoma", "osteogenic", M, "9180/3", V),
    ("chondroblastic_osteosarcoma", "osteogenic", M, "9181/3", V),
    ("fibroblastic_osteosarcoma", "osteogenic", M, "9182/3", V),
    ("telangiectatic_osteosarcoma", "osteogenic", M, "9183/3", V),
    ("small_cell_osteosarcoma", "osteogenic", M, "9185/3", V),
    ("parosteal_osteosarcoma", "osteogenic", M, "9192/3", V),
    ("periosteal_osteosarcoma", "osteogenic", M, "9193/3", V),
    ("high_grade_surface_osteosarcoma", "osteogenic", M, "9194/3", V),
    ("secondary_osteosarcoma", "osteogenic", M, None, NF),
    ("intracortical_osteosarcoma", "osteogenic", None, "9195/3", V),
    # Fibrogenic tumours (desmoplastic fibroma behaviour source is [NF])
    ("desmoplastic_fibroma", "fibrogenic", None, "8823/1", V),
    ("fibrosarcoma_of_bone", "fibrogenic", M, "8810/3", V),
    # Vascular tumours of bone
    ("haemangioma", "vascular", B, "9120/0", V),
    ("epithelioid_haemangioma", "vascular", ILA, "9125/0", V),
    ("epithelioid_haemangioendothelioma", "vascular", M, "9133/3", V),
    ("angiosarcoma", "vascular", M, "9120/3", V),
    # Osteoclastic giant cell-rich tumours
    ("non_ossifying_fibroma", "osteoclastic_gc_rich", None, "8830/0", S),
    ("aneurysmal_bone_cyst", "osteoclastic_gc_rich", None, "9260/0", V),
    ("giant_cell_tumour_of_bone", "osteoclastic_gc_rich", None, "9250/1", V),
    ("giant_cell_tumour_of_bone_malignant", "osteoclastic_gc_rich", M, "9250/3", V),
    # Notochordal tumours
    ("benign_notochordal_cell_tumour", "notochordal", B, "9370/0", V),
    ("conventional_chordoma", "notochordal", M, "9370/3", V),
    ("chondroid_chordoma", "notochordal", M, "9371/3", V),
    ("dedifferentiated_chordoma", "notochordal", M, "9372/3", V),
    ("poorly_differentiated_chordoma", "notochordal", M, None, NF),
    # Other mesenchymal tumours of bone
    ("chondromesenchymal_hamartoma", "other_mesenchymal", None, None, NF),
    ("simple_bone_cyst", "other_mesenchymal", None, None, NF),
    ("fibrous_dysplasia", "other_mesenchymal", None, "8818/0", V),
    ("osteofibrous_dysplasia", "other_mesenchymal", None, None, NF),
    ("intraosseous_lipoma", "other_mesenchymal", None, "8850/0", S),
    ("ofd_like_adamantinoma", "other_mesenchymal", None, None, NF),
    ("adamantinoma", "other_mesenchymal", M, "9261/3", V),
    ("leiomyosarcoma_of_bone", "other_mesenchymal", M, "8890/3", S),
    ("undifferentiated_pleomorphic_sarcoma", "other_mesenchymal", M, None, NF),
    # Haematopoietic neoplasms of bone
    ("solitary_plasmacytoma", "haematopoietic", M, "9731/3", V),
    ("plasma_cell_myeloma", "haematopoietic", M, "9732/3", V),
    ("primary_lymphoma_of_bone_dlbcl", "haematopoietic", M, "9680/3", V),
    ("primary_lymphoma_of_bone_nos", "haematopoietic", M, "9590/3", V),
    ("langerhans_cell_histiocytosis", "haematopoietic", None, "9751/1", V),
    ("langerhans_cell_histiocytosis_disseminated", "haematopoietic", None, "9751/3", V),
    ("erdheim_chester_disease", "haematopoietic", None, "9749/3", V),
    ("rosai_dorfman_disease", "haematopoietic", None, None, NF),
    # Undifferentiated small round cell sarcomas (all malignant)
    ("ewing_sarcoma", "usrcs", M, "9364/3", V),
    ("round_cell_sarcoma_ewsr1_non_ets", "usrcs", M, None, NF),
    ("cic_rearranged_sarcoma", "usrcs", M, None, NF),
    ("bcor_sarcoma", "usrcs", M, None, NF),
]

# reference §1.3: code, label, staging site group (schema table, see module).
TOPOGRAPHY_ROWS = [
    (
        "C40.0",
        "Long bones of upper limb, scapula and associated joints",
        "appendicular",
    ),
    ("C40.1", "Short bones of upper limb and associated joints", "appendicular"),
    ("C40.2", "Long bones of lower limb and associated joints", "appendicular"),
    ("C40.3", "Short bones of lower limb and associated joints", "appendicular"),
    (
        "C40.8",
        "Overlapping lesion of bones, joints and articular cartilage of limbs",
        "appendicular",
    ),
    ("C40.9", "Bone of limb, NOS", "appendicular"),
    (
        "C41.0",
        "Bones of skull and face and associated joints (excludes mandible, C41.1)",
        "skull",
    ),
    ("C41.1", "Mandible", "facial"),
    (
        "C41.2",
        "Vertebral column (excludes sacrum and coccyx, which are C41.4)",
        "spine",
    ),
    ("C41.3", "Rib, sternum, clavicle and associated joints", "trunk"),
    ("C41.4", "Pelvic bones, sacrum, coccyx and associated joints", "pelvis"),
    ("C41.8", "Overlapping lesion of bones, joints and articular cartilage", "trunk"),
    ("C41.9", "Bone, NOS", "trunk"),
]

# reference §9.1 revised Tokuhashi primary site: every site the table names,
# then sites scored in its "Others" row (2 points).
PRIMARY_ROWS = [
    ("lung", 0),
    ("osteosarcoma", 0),
    ("stomach", 0),
    ("bladder", 0),
    ("oesophagus", 0),
    ("pancreas", 0),
    ("liver", 1),
    ("gallbladder", 1),
    ("unidentified", 1),
    ("other", 2),
    ("kidney", 3),
    ("uterus", 3),
    ("rectum", 4),
    ("thyroid", 5),
    ("breast", 5),
    ("prostate", 5),
    ("carcinoid", 5),
    # not named by Tokuhashi: "Others"
    ("melanoma", 2),
    ("colon", 2),
    ("myeloma", 2),
    # 2014 modification is versioned; in the 2005 table this is breast
    ("breast_triple_negative", 5),
]


# --- WHO 2020 entities -----------------------------------------------------


@pytest.mark.parametrize(("key", "category", "behaviour", "code", "status"), WHO_ROWS)
def test_who_entity_matches_reference_row(key, category, behaviour, code, status):
    # reference §1.2
    entity = who_entity(key)
    assert entity.key == key
    assert entity.category == category
    assert entity.category_label == dict(WHO_CATEGORIES)[category]
    assert entity.behaviour == behaviour
    assert entity.icdo_code == code
    assert entity.code_status == status


def test_catalogue_holds_exactly_the_reference_rows_in_order():
    # reference §1.2: nothing added beyond the table
    assert [e.key for e in WHO_ENTITIES] == [row[0] for row in WHO_ROWS]


def test_categories_follow_reference_1_1():
    # reference §1.1 category keys and names
    assert WHO_CATEGORIES == (
        ("chondrogenic", "Chondrogenic tumours"),
        ("osteogenic", "Osteogenic tumours"),
        ("fibrogenic", "Fibrogenic tumours"),
        ("vascular", "Vascular tumours of bone"),
        ("osteoclastic_gc_rich", "Osteoclastic giant cell-rich tumours"),
        ("notochordal", "Notochordal tumours"),
        ("other_mesenchymal", "Other mesenchymal tumours of bone"),
        ("haematopoietic", "Haematopoietic neoplasms of bone"),
        ("usrcs", "Undifferentiated small round cell sarcomas of bone and soft tissue"),
    )


def test_behaviour_keys_are_the_reference_vocabulary():
    # reference §1.2 behaviour values
    assert [key for key, _ in WHO_BEHAVIOURS] == [
        "benign",
        "intermediate_locally_aggressive",
        "intermediate_rarely_metastasizing",
        "malignant",
    ]


@pytest.mark.parametrize(
    "entity",
    [e for e in WHO_ENTITIES if e.icdo_code is None or e.behaviour is None],
    ids=lambda e: e.key,
)
def test_missing_values_are_explained_in_the_note(entity):
    # reference §1.2/§11: NF values are left out and the entry says so
    assert "[NF]" in entity.note or "no WHO 2020 behaviour" in entity.note


def test_alt_codes_are_the_ones_the_reference_names():
    # reference §1.2: chondroblastoma 9230/0 (ICD-O-3 2000); osteoblastoma 9200/1
    with_alt = {e.key: e.alt_codes for e in WHO_ENTITIES if e.alt_codes}
    assert with_alt == {"chondroblastoma": ("9230/0",), "osteoblastoma": ("9200/1",)}
    assert who_entity_by_code("9230/0").key == "chondroblastoma"
    assert who_entity_by_code("9200/1").key == "osteoblastoma"


def test_keys_are_unique_snake_case():
    keys = [e.key for e in WHO_ENTITIES]
    assert len(keys) == len(set(keys))
    assert all(re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", k) for k in keys)


def test_entities_are_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        WHO_ENTITIES[0].behaviour = "malignant"  # type: ignore[misc]


@pytest.mark.parametrize(
    "entity", [e for e in WHO_ENTITIES if e.icdo_code], ids=lambda e: e.key
)
def test_every_code_finds_its_entity(entity):
    # reference §1.2 ICD-O column
    assert entity in who_entities_by_code(entity.icdo_code)
    assert who_entity_by_code(entity.icdo_code).icdo_code == entity.icdo_code


def test_shared_code_returns_first_entity_and_lists_all():
    # reference §1.2: 9220/3 covers central, secondary CS grade 2-3 and CS NOS
    assert who_entity_by_code("9220/3").key == "central_chondrosarcoma_grade_2_3"
    assert [e.key for e in who_entities_by_code("9220/3")] == [
        "central_chondrosarcoma_grade_2_3",
        "secondary_peripheral_chondrosarcoma_grade_2_3",
        "chondrosarcoma_nos",
    ]


@pytest.mark.parametrize("code", ["92203", " 9220/3 "])
def test_code_lookup_tolerates_registry_spelling(code):
    assert who_entity_by_code(code).icdo_code == "9220/3"


@pytest.mark.parametrize(
    "code",
    [
        "9260/3",  # reference §1.2: WHO 2002 Ewing code, "do not use"
        "9222/3",  # reference §1.2: CS grade 1 registry code, name not confirmed
        "8140/3",  # adenocarcinoma: not a bone entity
        "9366/3",  # unconfirmed USRCS registry code
    ],
)
def test_unconfirmed_or_foreign_codes_raise_naming_the_code(code):
    with pytest.raises(ValueError, match=re.escape(f"icdo_code '{code}'")):
        who_entity_by_code(code)
    with pytest.raises(ValueError, match="who_entities_by_code"):
        who_entities_by_code(code)


@pytest.mark.parametrize("code", ["", "abc", "9180-3", "9180/7", 91803, None, True])
def test_malformed_codes_raise(code):
    with pytest.raises(ValueError, match=r"who_entity_by_code: icdo_code .* expected"):
        who_entity_by_code(code)


@pytest.mark.parametrize("key", ["Ewing_sarcoma", "ewing", "", None, 3, True])
def test_unknown_entity_key_raises(key):
    with pytest.raises(ValueError, match=rf"who_entity: key {re.escape(repr(key))}"):
        who_entity(key)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Ewing sarcoma", "ewing_sarcoma"),
        ("EWING SARCOMA", "ewing_sarcoma"),
        ("Erdheim-Chester disease", "erdheim_chester_disease"),  # hyphen for dash
        ("GCTB", "giant_cell_tumour_of_bone"),
        ("hemangioma", "haemangioma"),
    ],
)
def test_entity_by_name(name, key):
    assert who_entity_by_name(name).key == key


@pytest.mark.parametrize("name", ["Ewing", "", "osteosarcoma of bone", 7])
def test_entity_by_unknown_name_raises(name):
    with pytest.raises(ValueError, match="who_entity_by_name: name"):
        who_entity_by_name(name)


@pytest.mark.parametrize(
    ("query", "expected_first"),
    [
        ("ewing", "ewing_sarcoma"),
        ("EWING", "ewing_sarcoma"),
        ("osteosarc", "conventional_osteosarcoma"),  # synonym "Osteosarcoma NOS"
        ("telang osteo", "telangiectatic_osteosarcoma"),
        ("hemangioendo", "epithelioid_haemangioendothelioma"),  # US spelling
        ("giant cell tumor", "giant_cell_tumour_of_bone"),  # US spelling
        ("rosai dorfman", "rosai_dorfman_disease"),
        ("9364", "ewing_sarcoma"),  # by code
        ("lch", "langerhans_cell_histiocytosis"),
    ],
)
def test_search_tolerates_case_and_partial_words(query, expected_first):
    results = search_who_entities(query)
    assert results
    assert results[0].key == expected_first


def test_search_finds_words_inside_words_after_prefix_matches():
    keys = [e.key for e in search_who_entities("sarcoma", limit=100)]
    # "sarcoma" starting a word ranks before "osteosarcoma"
    assert keys.index("ewing_sarcoma") < keys.index("conventional_osteosarcoma")
    assert "dedifferentiated_chondrosarcoma" in keys
    assert "haemangioma" not in keys


def test_search_respects_limit_and_blank_queries():
    assert len(search_who_entities("osteo", limit=3)) == 3
    assert search_who_entities("") == []
    assert search_who_entities("   ") == []
    assert search_who_entities("zzzz") == []


@pytest.mark.parametrize(
    ("query", "limit", "param"),
    [(None, 20, "query"), (3, 20, "query"), ("os", 0, "limit"), ("os", True, "limit")],
)
def test_search_rejects_bad_arguments(query, limit, param):
    with pytest.raises(ValueError, match=f"search_who_entities: {param} "):
        search_who_entities(query, limit)


@given(st.text(max_size=40), st.integers(min_value=1, max_value=100))
def test_search_is_total_over_text(query, limit):
    results = search_who_entities(query, limit)
    assert len(results) <= limit
    assert all(isinstance(e, WhoEntity) for e in results)


def test_flat_choices_cover_every_entity_with_code_in_label():
    choices = who_entity_choices()
    assert [key for key, _ in choices] == [e.key for e in WHO_ENTITIES]
    labels = dict(choices)
    assert labels["ewing_sarcoma"] == "Ewing sarcoma (9364/3)"
    assert labels["rosai_dorfman_disease"] == "Rosai–Dorfman disease"


def test_grouped_choices_follow_category_order():
    groups = who_entity_choice_groups()
    assert list(groups) == [label for _, label in WHO_CATEGORIES]
    assert sum(len(items) for items in groups.values()) == len(WHO_ENTITIES)
    assert ("ewing_sarcoma", "Ewing sarcoma (9364/3)") in groups[
        "Undifferentiated small round cell sarcomas of bone and soft tissue"
    ]


# --- ICD-O-3 topography ------------------------------------------------------


@pytest.mark.parametrize(("code", "label", "site_group"), TOPOGRAPHY_ROWS)
def test_topography_matches_reference_row(code, label, site_group):
    # reference §1.3 code list and AJCC schema table
    found = topography(code)
    assert found == Topography(code, label, site_group)
    assert found.key == code


def test_topographies_are_the_reference_list_in_code_order():
    # reference §1.3
    assert [t.code for t in TOPOGRAPHIES] == [row[0] for row in TOPOGRAPHY_ROWS]


def test_catalogue_site_group_keys_match_staging():
    assert catalogue.AJCC_SITE_GROUP_KEYS == tuple(k for k, _ in AJCC_SITE_GROUPS)


def test_topography_site_groups_follow_the_seer_schemas():
    # reference §1.3: spine C41.2, pelvis C41.4, all others the shared schema
    for t in TOPOGRAPHIES:
        assert t.ajcc_site_group in AJCC_T_CODES
        if t.code == "C41.2":
            assert t.ajcc_site_group == "spine"
        elif t.code == "C41.4":
            assert t.ajcc_site_group == "pelvis"
        else:
            assert t.ajcc_site_group in ("appendicular", "trunk", "skull", "facial")


@pytest.mark.parametrize("code", ["c40.2", "C402", " C40.2 "])
def test_topography_lookup_tolerates_case_and_missing_dot(code):
    assert topography(code).code == "C40.2"


@pytest.mark.parametrize("code", ["C42.0", "C40.5", "C41", "", "40.2", None, 40.2])
def test_unknown_topography_raises_naming_the_code(code):
    with pytest.raises(ValueError, match=rf"topography: code {re.escape(repr(code))}"):
        topography(code)


def test_topography_choices_format():
    choices = topography_choices()
    assert len(choices) == 13
    assert choices[2] == (
        "C40.2",
        "C40.2 — Long bones of lower limb and associated joints",
    )


def test_topography_by_name_and_search():
    assert topography_by_name("mandible").code == "C41.1"
    assert [t.code for t in search_topographies("lower limb")] == ["C40.2", "C40.3"]
    # C41.2's label names C41.4 ("excludes sacrum and coccyx, which are C41.4")
    assert [t.code for t in search_topographies("C41.4")] == ["C41.4", "C41.2"]
    assert [t.code for t in search_topographies("c40")][:1] == ["C40.0"]
    assert [t.code for t in search_topographies("vertebr")] == ["C41.2"]
    with pytest.raises(ValueError, match="topography_by_name: name 'femur'"):
        topography_by_name("femur")


@given(st.text(max_size=10))
def test_topography_lookup_is_total(code):
    try:
        result = topography(code)
    except ValueError as exc:
        assert "topography: code" in str(exc)
    else:
        assert result in TOPOGRAPHIES


# --- Metastatic primaries -----------------------------------------------------


@pytest.mark.parametrize(("key", "points"), PRIMARY_ROWS)
def test_metastatic_primary_tokuhashi_points(key, points):
    # reference §9.1 primary site of the cancer
    assert metastatic_primary(key).tokuhashi_points == points


def test_primary_list_is_exactly_the_tested_rows():
    assert sorted(p.key for p in METASTATIC_PRIMARIES) == sorted(
        k for k, _ in PRIMARY_ROWS
    )


def test_sites_outside_the_table_say_so():
    # reference §9.1: "Others" = 2; myeloma is not a Tokuhashi primary
    for key in ("melanoma", "colon", "myeloma"):
        primary = metastatic_primary(key)
        assert primary.tokuhashi_row == "Others"
        assert "Others" in primary.note
    assert "not a Tokuhashi primary" in metastatic_primary("myeloma").note


def test_2014_modification_changes_only_triple_negative_breast():
    # reference §9.1: 2014 modification, triple-negative breast 3 instead of 5
    assert dict(TOKUHASHI_2014_POINTS) == {"breast_triple_negative": 3}


def test_primary_lookups_and_choices():
    assert metastatic_primary_by_name("renal cell").key == "kidney"
    assert metastatic_primary_by_name("KIDNEY (RENAL)").key == "kidney"
    assert [p.key for p in search_metastatic_primaries("colorectal")] == [
        "colon",
        "rectum",
    ]
    assert [p.key for p in search_metastatic_primaries("esoph")] == ["oesophagus"]
    choices = metastatic_primary_choices()
    assert ("unidentified", "Unknown primary (unidentified)") in choices
    assert len(choices) == len(METASTATIC_PRIMARIES)
    assert all(isinstance(p, MetastaticPrimary) for p in METASTATIC_PRIMARIES)


@pytest.mark.parametrize("key", ["Breast", "renal", "", None, 5])
def test_unknown_primary_raises(key):
    with pytest.raises(
        ValueError, match=rf"metastatic_primary: key {re.escape(repr(key))} .*breast"
    ):
        metastatic_primary(key)


def test_module_exports_are_documented():
    for name in catalogue.__all__:
        obj = getattr(catalogue, name)
        if callable(obj):
            assert obj.__doc__, name
