"""Search vocabulary: how typed text is folded into words, and the everyday bone
words that each ICD-O-3 topography code covers.

The topography labels (reference §1.3) name regions ("Long bones of lower
limb"), while clinicians type bones ("femur"). ``TOPOGRAPHY_WORDS`` lists the
bones and common adjectives for each code, so a search for a bone finds the
cases coded to the region that contains it. These are search synonyms only,
never a coding rule.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["TOPOGRAPHY_WORDS", "code_word", "fold", "fold_words", "topography_words"]

# British spellings fold to American ones so "hemangioma" finds "Haemangioma".
_SPELLING_FOLDS = (("haem", "hem"), ("tumour", "tumor"), ("oesoph", "esoph"))

# Letters that Unicode decomposition does not reduce to a plain Latin letter.
_LATIN_FOLDS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold_words(value: str) -> list[str]:
    """The words of ``value``: lower case, accents removed, punctuation dropped,
    British spellings folded ("Müller-Lüdenscheidt" → ["muller", "ludenscheidt"]).

    Words only ever hold the letters a-z and the digits 0-9, so every database
    splits them the same way.
    """
    decomposed = unicodedata.normalize("NFKD", value.casefold().translate(_LATIN_FOLDS))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = []
    for word in _NOT_WORD.sub(" ", plain.casefold()).split():
        for british, american in _SPELLING_FOLDS:
            word = word.replace(british, american)
        words.append(word)
    return words


def code_word(chunk: str) -> str | None:
    """A code typed with punctuation, run together: "DEMO-100009" → "demo100009",
    "C40.2" → "c402", "9180/3" → "91803". None unless ``chunk`` (one
    whitespace-separated piece of text) folds to several words and holds a digit.
    """
    words = fold_words(chunk)
    joined = "".join(words)
    if len(words) > 1 and any(ch.isdigit() for ch in joined):
        return joined
    return None


def fold(value: str) -> str:
    """``fold_words`` joined by single spaces."""
    return " ".join(fold_words(value))


# fmt: off
#: Bones and common adjectives covered by each bone topography code.
TOPOGRAPHY_WORDS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "C40.0": ("humerus", "humeral", "radius", "radial", "ulna", "ulnar", "scapula",
              "scapular", "shoulder", "elbow", "arm", "forearm"),
    "C40.1": ("hand", "wrist", "carpal", "carpus", "metacarpal", "phalanx",
              "phalanges", "finger", "thumb", "scaphoid"),
    "C40.2": ("femur", "femoral", "tibia", "tibial", "fibula", "fibular", "knee",
              "hip", "thigh", "leg"),
    "C40.3": ("foot", "ankle", "tarsal", "tarsus", "metatarsal", "calcaneus",
              "calcaneal", "talus", "phalanx", "phalanges", "toe", "patella"),
    "C40.8": ("limb",),
    "C40.9": ("limb",),
    "C41.0": ("skull", "cranium", "cranial", "calvaria", "maxilla", "maxillary",
              "face", "facial", "orbit", "sphenoid", "temporal", "frontal",
              "occipital", "parietal"),
    "C41.1": ("mandible", "mandibular", "jaw"),
    "C41.2": ("spine", "spinal", "vertebra", "vertebrae", "vertebral", "cervical",
              "thoracic", "lumbar", "atlas", "axis"),
    "C41.3": ("rib", "ribs", "sternum", "sternal", "clavicle", "clavicular",
              "chest"),
    "C41.4": ("pelvis", "pelvic", "ilium", "iliac", "ischium", "pubis", "pubic",
              "acetabulum", "acetabular", "sacrum", "sacral", "coccyx",
              "sacroiliac"),
    "C41.8": (),
    "C41.9": ("bone",),
})
# fmt: on


def topography_words(code: str) -> tuple[str, ...]:
    """The bone words of a topography code ('C40.2'); empty for an unknown code."""
    return TOPOGRAPHY_WORDS.get(code, ())
