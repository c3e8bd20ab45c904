"""tumorboard.clinical.anatomy: bones, their ICD-O-3 topography (reference §1.3),
long-bone segments, Enneking–Dunham pelvic zones (reference §9.5) and
vertebral levels."""

from __future__ import annotations

import pytest

from tumorboard.clinical import anatomy, catalogue
from tumorboard.clinical.anatomy import (
    BONES,
    PELVIC_ZONES,
    VERTEBRAL_LEVELS,
    LocationError,
    clean_location,
    join_pelvic_zones,
    location_label,
    split_pelvic_zones,
    topography_for_bone,
)

# Reference §1.3, ICD-O-3 topography codes for bone (C40–C41): each bone and
# the code whose label names it or its group.
SECTION_1_3 = {
    # C40.0 Long bones of upper limb, scapula and associated joints
    "humerus": "C40.0",
    "radius": "C40.0",
    "ulna": "C40.0",
    "scapula": "C40.0",
    # C40.1 Short bones of upper limb and associated joints
    "carpal": "C40.1",
    "metacarpal": "C40.1",
    "hand_phalanx": "C40.1",
    # C40.2 Long bones of lower limb and associated joints
    "femur": "C40.2",
    "tibia": "C40.2",
    "fibula": "C40.2",
    # C40.3 Short bones of lower limb and associated joints
    "calcaneus": "C40.3",
    "talus": "C40.3",
    "tarsal": "C40.3",
    "metatarsal": "C40.3",
    "foot_phalanx": "C40.3",
    # C41.0 Bones of skull and face (excludes mandible, C41.1)
    "skull": "C41.0",
    "facial_bone": "C41.0",
    # C41.1 Mandible
    "mandible": "C41.1",
    # C41.2 Vertebral column (excludes sacrum and coccyx, which are C41.4)
    "vertebra": "C41.2",
    # C41.3 Rib, sternum, clavicle and associated joints
    "rib": "C41.3",
    "sternum": "C41.3",
    "clavicle": "C41.3",
    # C41.4 Pelvic bones, sacrum, coccyx and associated joints
    "pelvis": "C41.4",
    "sacrum": "C41.4",
    "coccyx": "C41.4",
}


@pytest.mark.parametrize(("bone", "code"), sorted(SECTION_1_3.items()))
def test_each_bone_maps_to_its_section_1_3_topography(bone, code):
    assert topography_for_bone(bone) == code
    assert anatomy.bone(bone).topography.code == code


def test_every_bone_is_covered_by_the_section_1_3_table():
    assert {b.key for b in BONES} == set(SECTION_1_3)


def test_sacrum_and_coccyx_are_not_vertebral_column():
    # §1.3: C41.2 excludes the sacrum and coccyx, which are C41.4.
    assert topography_for_bone("sacrum") == topography_for_bone("coccyx") == "C41.4"
    assert catalogue.topography("C41.4").label.startswith("Pelvic bones, sacrum")


def test_overlapping_and_nos_codes_belong_to_no_single_bone():
    derived = {b.topography_code for b in BONES}
    assert derived.isdisjoint({"C40.8", "C40.9", "C41.8", "C41.9"})


def test_long_bones_are_the_six_limb_long_bones():
    assert set(anatomy.LONG_BONE_KEYS) == {
        "femur",
        "tibia",
        "fibula",
        "humerus",
        "radius",
        "ulna",
    }


def test_pelvic_zones_are_enneking_dunham_i_to_iv():
    # §9.5: zone I ilium; II periacetabular; III pubis and ischium; IV sacrum.
    labels = dict(PELVIC_ZONES)
    assert list(labels) == ["I", "II", "III", "IV"]
    assert "ilium" in labels["I"]
    assert "periacetabular" in labels["II"]
    assert "pubis and ischium" in labels["III"]
    assert "sacrum" in labels["IV"]


def test_pelvic_zones_are_a_set_written_with_plus():
    # §9.5: combined lesions are written with both zones (e.g. I+II).
    assert split_pelvic_zones(["II", "I", "II"]) == ("I", "II")
    assert join_pelvic_zones(["IV", "i"]) == "I+IV"
    assert join_pelvic_zones([]) is None
    assert split_pelvic_zones("I+II+III") == ("I", "II", "III")
    with pytest.raises(LocationError, match="not an Enneking–Dunham zone"):
        split_pelvic_zones(["V"])


def test_vertebral_levels_are_c1_to_l5():
    assert len(VERTEBRAL_LEVELS) == 7 + 12 + 5
    assert VERTEBRAL_LEVELS[0] == "C1" and VERTEBRAL_LEVELS[-1] == "L5"
    assert "T12" in VERTEBRAL_LEVELS and "T13" not in VERTEBRAL_LEVELS
    assert "S1" not in VERTEBRAL_LEVELS


def test_a_long_bone_location_is_cleaned_and_labelled():
    location = clean_location(
        "femur", bone_end="distal", bone_segment="metaphysis", laterality="left"
    )
    assert location.topography_code == "C40.2"
    assert (location.bone_end, location.bone_segment) == ("distal", "metaphysis")
    assert (
        location_label("femur", bone_end="distal", bone_segment="metaphysis",
                       laterality="left")
        == "distal femur, metaphysis, left"
    )  # fmt: skip


def test_other_locations_are_labelled():
    assert (
        location_label("pelvis", pelvic_zones="I+II", laterality="right")
        == "pelvis, zones I+II, right"
    )
    assert location_label("pelvis", pelvic_zones="II") == "pelvis, zone II"
    assert (
        location_label("vertebra", vertebral_level="T11", laterality="midline")
        == "vertebra T11"
    )
    assert location_label("tibia", bone_segment="diaphysis") == "tibia, diaphysis"
    assert location_label("sacrum", laterality="unknown") == "sacrum"


def test_pelvis_and_vertebra_details_are_kept():
    pelvis = clean_location("pelvis", pelvic_zones=["II", "I"], laterality="right")
    assert pelvis.pelvic_zones == "I+II" and pelvis.topography_code == "C41.4"
    spine = clean_location("vertebra", vertebral_level="t11", laterality="midline")
    assert spine.vertebral_level == "T11" and spine.topography_code == "C41.2"


@pytest.mark.parametrize(
    ("bone", "details", "field", "message"),
    [
        (None, {}, "bone", "Choose the bone"),
        ("spleen", {}, "bone", "not a bone in the list"),
        ("rib", {"bone_segment": "metaphysis", "bone_end": "distal"},
         "bone_segment", "long bones only"),
        ("pelvis", {"bone_end": "proximal"}, "bone_end", "long bones only"),
        ("femur", {"bone_segment": "metaphysis"}, "bone_end", "proximal or distal"),
        ("femur", {"bone_segment": "diaphysis", "bone_end": "distal"},
         "bone_end", "leave the end empty"),
        ("femur", {"bone_segment": "shaft"}, "bone_segment", "epiphysis"),
        ("femur", {"pelvic_zones": ["II"]}, "pelvic_zones", "pelvis only"),
        ("sacrum", {"pelvic_zones": "IV"}, "pelvic_zones", "pelvis only"),
        ("pelvis", {"pelvic_zones": ["V"]}, "pelvic_zones", "I, II, III and IV"),
        ("femur", {"vertebral_level": "T4"}, "vertebral_level", "vertebra only"),
        ("vertebra", {"vertebral_level": "T13"}, "vertebral_level", "C1–C7"),
        ("vertebra", {"vertebral_level": "S1"}, "vertebral_level", "sacrum"),
        ("femur", {"laterality": "midline"}, "laterality", "paired bone"),
        ("pelvis", {"laterality": None}, "laterality", "paired bone"),
        ("humerus", {"laterality": "unknown"}, "laterality", "left, right"),
    ],
)  # fmt: skip
def test_locations_that_do_not_fit_name_the_field(bone, details, field, message):
    details = {"laterality": "left", **details}
    with pytest.raises(LocationError, match=message) as error:
        clean_location(bone, **details)
    assert error.value.field == field


def test_unpaired_bones_take_any_side():
    for bone in ("vertebra", "sacrum", "sternum", "skull", "mandible"):
        clean_location(bone, laterality="midline")
        clean_location(bone, laterality="left")


def test_bone_choice_groups_list_every_bone_once():
    groups = anatomy.bone_choice_groups()
    keys = [key for pairs in groups.values() for key, _ in pairs]
    assert sorted(keys) == sorted(b.key for b in BONES)
    assert ("femur", "Femur") in groups["Lower limb"]


def test_short_names_drop_the_qualifier():
    # §1.2 names the 9180/3 row "Osteosarcoma NOS / conventional osteosarcoma".
    assert catalogue.who_entity("conventional_osteosarcoma").short_name == (
        "Osteosarcoma"
    )
    assert catalogue.who_entity("atypical_cartilaginous_tumour").short_name == (
        "Atypical cartilaginous tumour"
    )
    assert catalogue.who_entity("ewing_sarcoma").short_name == "Ewing sarcoma"
