"""Where in the skeleton a lesion is: the bone, its segment, pelvic zone or
vertebral level, and the ICD-O-3 topography code derived from the bone.

Sources (``/work/shared/reference/bone-tumor-reference.md``):

- reference §1.3: the ICD-O-3 topography codes C40–C41. Each bone below maps
  to the code whose label names it or its group ("Long bones of lower limb"
  → femur, tibia, fibula; "Rib, sternum, clavicle"; "Pelvic bones, sacrum,
  coccyx"; the vertebral column excludes the sacrum and coccyx; the skull and
  face exclude the mandible). The overlapping-lesion and NOS codes (C40.8,
  C40.9, C41.8, C41.9) belong to no single bone, so no bone derives them.
- reference §9.5: the Enneking and Dunham pelvic zones I–IV, stored as a set
  and written with "+" (e.g. I+II).

Pure Python: imports nothing outside ``tumorboard.clinical``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .catalogue import Topography, topography

__all__ = [
    "BONES",
    "BONE_ENDS",
    "BONE_GROUPS",
    "BONE_SEGMENTS",
    "LONG_BONE_KEYS",
    "PAIRED_SIDES",
    "PELVIC_ZONES",
    "VERTEBRAL_LEVELS",
    "Bone",
    "Location",
    "LocationError",
    "bone",
    "bone_choice_groups",
    "clean_location",
    "join_pelvic_zones",
    "location_label",
    "split_pelvic_zones",
    "topography_for_bone",
]

#: How the bone is described further: long bones by end and segment, the
#: pelvis by Enneking–Dunham zone, vertebrae by level; other bones not at all.
LONG, PELVIS, VERTEBRA, OTHER = "long", "pelvis", "vertebra", "other"

#: Ends of a long bone; a diaphyseal lesion has none.
BONE_ENDS: tuple[tuple[str, str], ...] = (
    ("proximal", "Proximal"),
    ("distal", "Distal"),
)

#: Segments of a long bone, from the joint towards the shaft.
BONE_SEGMENTS: tuple[tuple[str, str], ...] = (
    ("epiphysis", "Epiphysis"),
    ("metaphysis", "Metaphysis"),
    ("diaphysis", "Diaphysis"),
)

#: Enneking and Dunham pelvic resection zones (reference §9.5).
PELVIC_ZONES: tuple[tuple[str, str], ...] = (
    ("I", "Zone I: ilium"),
    ("II", "Zone II: periacetabular"),
    ("III", "Zone III: pubis and ischium (obturator ring)"),
    ("IV", "Zone IV: sacrum (sacroiliac involvement with iliac wing)"),
)

#: Mobile-spine levels: C1–C7, T1–T12, L1–L5. The sacrum and coccyx are bones
#: of their own (C41.4, reference §1.3), not vertebral levels here.
VERTEBRAL_LEVELS: tuple[str, ...] = (
    *(f"C{n}" for n in range(1, 8)),
    *(f"T{n}" for n in range(1, 13)),
    *(f"L{n}" for n in range(1, 6)),
)

#: Sides accepted for a paired bone (the case's laterality values).
PAIRED_SIDES: tuple[str, ...] = ("left", "right", "bilateral")

#: Option groups of the bone select, in display order.
BONE_GROUPS: tuple[str, ...] = (
    "Upper limb",
    "Lower limb",
    "Shoulder girdle and chest wall",
    "Spine and pelvis",
    "Skull and face",
)


@dataclass(frozen=True, slots=True)
class Bone:
    """A bone a lesion can sit in, with the ICD-O-3 topography it maps to."""

    key: str
    #: Lower-case name as it reads inside a sentence ("distal femur").
    name: str
    topography_code: str
    kind: str
    paired: bool
    group: str

    @property
    def label(self) -> str:
        """Name for a select field, capitalised."""
        return self.name[0].upper() + self.name[1:]

    @property
    def topography(self) -> Topography:
        """The ICD-O-3 topography (reference §1.3) the bone belongs to."""
        return topography(self.topography_code)


_U, _L, _G, _S, _H = BONE_GROUPS

# The table is hand-aligned for review against reference §1.3.
# fmt: off
#: Bones in display order. Keys are stable storage keys: never rename one.
BONES: tuple[Bone, ...] = (
    # C40.0 Long bones of upper limb, scapula and associated joints.
    Bone("humerus", "humerus", "C40.0", LONG, True, _U),
    Bone("radius", "radius", "C40.0", LONG, True, _U),
    Bone("ulna", "ulna", "C40.0", LONG, True, _U),
    # C40.1 Short bones of upper limb and associated joints.
    Bone("carpal", "carpal bone", "C40.1", OTHER, True, _U),
    Bone("metacarpal", "metacarpal", "C40.1", OTHER, True, _U),
    Bone("hand_phalanx", "phalanx of the hand", "C40.1", OTHER, True, _U),
    # C40.2 Long bones of lower limb and associated joints.
    Bone("femur", "femur", "C40.2", LONG, True, _L),
    Bone("tibia", "tibia", "C40.2", LONG, True, _L),
    Bone("fibula", "fibula", "C40.2", LONG, True, _L),
    # C40.3 Short bones of lower limb and associated joints.
    Bone("calcaneus", "calcaneus", "C40.3", OTHER, True, _L),
    Bone("talus", "talus", "C40.3", OTHER, True, _L),
    Bone("tarsal", "other tarsal bone", "C40.3", OTHER, True, _L),
    Bone("metatarsal", "metatarsal", "C40.3", OTHER, True, _L),
    Bone("foot_phalanx", "phalanx of the foot", "C40.3", OTHER, True, _L),
    # C40.0 names the scapula; C41.3 is rib, sternum, clavicle.
    Bone("scapula", "scapula", "C40.0", OTHER, True, _G),
    Bone("clavicle", "clavicle", "C41.3", OTHER, True, _G),
    Bone("rib", "rib", "C41.3", OTHER, True, _G),
    Bone("sternum", "sternum", "C41.3", OTHER, False, _G),
    # C41.2 Vertebral column (excludes sacrum and coccyx, which are C41.4).
    Bone("vertebra", "vertebra", "C41.2", VERTEBRA, False, _S),
    # C41.4 Pelvic bones, sacrum, coccyx and associated joints.
    Bone("pelvis", "pelvis", "C41.4", PELVIS, True, _S),
    Bone("sacrum", "sacrum", "C41.4", OTHER, False, _S),
    Bone("coccyx", "coccyx", "C41.4", OTHER, False, _S),
    # C41.0 Bones of skull and face (excludes mandible, C41.1).
    Bone("skull", "skull", "C41.0", OTHER, False, _H),
    Bone("facial_bone", "facial bone", "C41.0", OTHER, False, _H),
    Bone("mandible", "mandible", "C41.1", OTHER, False, _H),
)
# fmt: on

_BONES: Mapping[str, Bone] = MappingProxyType({b.key: b for b in BONES})
if len(_BONES) != len(BONES):  # pragma: no cover - data guard
    raise RuntimeError("duplicate bone key")
for _bone in BONES:  # data guard: every code and group must exist
    topography(_bone.topography_code)
    if _bone.group not in BONE_GROUPS:  # pragma: no cover
        raise RuntimeError(f"bone {_bone.key}: unknown group")

#: Keys of the long bones, the ones described by end and segment.
LONG_BONE_KEYS: tuple[str, ...] = tuple(b.key for b in BONES if b.kind == LONG)

_LONG_BONE_NAMES = ", ".join(b.name for b in BONES if b.kind == LONG)
_ENDS = dict(BONE_ENDS)
_SEGMENTS = dict(BONE_SEGMENTS)
_ZONES = tuple(key for key, _ in PELVIC_ZONES)


class LocationError(ValueError):
    """A location that does not fit together; ``field`` names the culprit and
    the message is written for the clinician."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def bone(key: object) -> Bone:
    """Return the bone stored under ``key``, or raise LocationError."""
    if isinstance(key, str) and key in _BONES:
        return _BONES[key]
    raise LocationError(f"'{key}' is not a bone in the list; choose the bone.", "bone")


def topography_for_bone(key: object) -> str:
    """The ICD-O-3 topography code of a bone (reference §1.3), e.g. femur → C40.2."""
    return bone(key).topography_code


def bone_choice_groups() -> dict[str, list[tuple[str, str]]]:
    """Return ``{group: [(key, label), ...]}`` for an optgroup select."""
    groups: dict[str, list[tuple[str, str]]] = {g: [] for g in BONE_GROUPS}
    for b in BONES:
        groups[b.group].append((b.key, b.label))
    return groups


def split_pelvic_zones(value: object) -> tuple[str, ...]:
    """Zones from storage or input: 'I+II', ['II', 'I'] → ('I', 'II')."""
    if value is None or value == "":
        return ()
    parts = value.split("+") if isinstance(value, str) else list(value)
    wanted = []
    for part in parts:
        zone = str(part).strip().upper()
        if zone not in _ZONES:
            raise LocationError(
                f"'{part}' is not an Enneking–Dunham zone; choose from I, II, III "
                "and IV.",
                "pelvic_zones",
            )
        wanted.append(zone)
    return tuple(z for z in _ZONES if z in wanted)


def join_pelvic_zones(zones: Iterable[str]) -> str | None:
    """Zones as stored: in order, joined with '+' (reference §9.5), or None."""
    ordered = split_pelvic_zones(list(zones))
    return "+".join(ordered) or None


@dataclass(frozen=True, slots=True)
class Location:
    """A checked location; the fields a bone does not take are None."""

    bone: str
    topography_code: str
    bone_end: str | None = None
    bone_segment: str | None = None
    pelvic_zones: str | None = None
    vertebral_level: str | None = None


def _blank(value: object) -> bool:
    return value is None or value == "" or value == () or value == []


def clean_location(
    bone_key: object,
    *,
    bone_end: object = None,
    bone_segment: object = None,
    pelvic_zones: object = None,
    vertebral_level: object = None,
    laterality: object = None,
) -> Location:
    """Check that the parts of a location fit the bone; derive the topography.

    Raises :class:`LocationError` naming the field at fault: a long-bone
    segment on another bone, a pelvic zone outside the pelvis, a vertebral
    level outside C1–L5 or on another bone, or no side for a paired bone.
    """
    if _blank(bone_key):
        raise LocationError("Choose the bone.", "bone")
    found = bone(bone_key)
    name = found.name
    end = None if _blank(bone_end) else bone_end
    segment = None if _blank(bone_segment) else bone_segment
    if end is not None and end not in _ENDS:
        raise LocationError("Choose proximal, distal or neither.", "bone_end")
    if segment is not None and segment not in _SEGMENTS:
        raise LocationError(
            "Choose the epiphysis, metaphysis or diaphysis.", "bone_segment"
        )
    if found.kind != LONG and (end or segment):
        raise LocationError(
            "An end or segment (epiphysis, metaphysis, diaphysis) is recorded for "
            f"the long bones only ({_LONG_BONE_NAMES}), not for the "
            f"{name}.",
            "bone_segment" if segment else "bone_end",
        )
    if segment == "diaphysis" and end is not None:
        raise LocationError(
            "The diaphysis is the shaft of the bone: leave the end empty.",
            "bone_end",
        )
    if segment in ("epiphysis", "metaphysis") and end is None:
        raise LocationError(
            f"Say which end of the {name} the {segment} is: proximal or distal.",
            "bone_end",
        )
    zones = split_pelvic_zones(pelvic_zones)
    if zones and found.kind != PELVIS:
        raise LocationError(
            f"Enneking–Dunham zones describe the pelvis only, not the {name}.",
            "pelvic_zones",
        )
    level = None
    if not _blank(vertebral_level):
        level = str(vertebral_level).strip().upper()
        if level not in VERTEBRAL_LEVELS:
            raise LocationError(
                f"'{vertebral_level}' is not a vertebral level; choose C1–C7, "
                "T1–T12 or L1–L5 (the sacrum and coccyx are bones of their own).",
                "vertebral_level",
            )
        if found.kind != VERTEBRA:
            raise LocationError(
                f"A vertebral level is recorded for a vertebra only, not for the "
                f"{name}.",
                "vertebral_level",
            )
    if found.paired and laterality not in PAIRED_SIDES:
        raise LocationError(
            f"The {name} is a paired bone: choose the side (left, right or bilateral).",
            "laterality",
        )
    return Location(
        bone=found.key,
        topography_code=found.topography_code,
        bone_end=end,
        bone_segment=segment,
        pelvic_zones="+".join(zones) or None,
        vertebral_level=level,
    )


def location_label(
    bone_key: str,
    *,
    bone_end: str | None = None,
    bone_segment: str | None = None,
    pelvic_zones: str | None = None,
    vertebral_level: str | None = None,
    laterality: str | None = None,
) -> str:
    """A short location: 'distal femur, metaphysis, left', 'pelvis, zones
    I+II, right', 'vertebra T11'. The side is shown when it is left, right or
    bilateral."""
    found = bone(bone_key)
    head = f"{bone_end} {found.name}" if bone_end else found.name
    parts = [head]
    if bone_segment:
        parts.append(bone_segment)
    zones = split_pelvic_zones(pelvic_zones)
    if zones:
        parts.append(("zone " if len(zones) == 1 else "zones ") + "+".join(zones))
    if vertebral_level:
        parts[0] = f"{head} {vertebral_level}"
    if laterality in PAIRED_SIDES:
        parts.append(str(laterality))
    return ", ".join(parts)
