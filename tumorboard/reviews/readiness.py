"""The readiness gate: the minimum dataset a case needs before the board.

What each kind of case needs is one table, :data:`REQUIRED_ITEMS`: a
primary bone tumour (curative pathway) needs the question, the site, the
radiology review, the pathology review or a declared pre-biopsy discussion,
the orthopaedic oncology review and the performance status; a skeletal
metastasis needs the question, the site, the radiology review, the known
primary, the performance status, Mirels (long bones) or SINS (spine) where
they apply, and the palliative care review. Each item is done, missing, or
waived by the coordinator with a reason. :func:`checklists` runs three
queries for any number of cases; :func:`preparation` tells, from the same
three, where each reviewing discipline stands (review written, waived,
missing, or not needed for this case).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tumorboard.auth.disciplines import REVIEW_DISCIPLINES, Discipline
from tumorboard.cases.models import Case, CaseStatus, CaseType
from tumorboard.cases.workflow import Transition, transition_guards
from tumorboard.clinical import catalogue
from tumorboard.clinical.applicability import LONG_BONE_SITES, PELVIS_SITE, SPINE_SITE
from tumorboard.db import prebuilt
from tumorboard.errors import InvalidInput
from tumorboard.extensions import db
from tumorboard.performance import services as performance
from tumorboard.performance.models import PerformanceStatus
from tumorboard.reviews.models import (
    DisciplineReview,
    ReadinessDeclaration,
    ReadinessWaiver,
    ReviewRevision,
    is_current_revision,
)
from tumorboard.reviews.schemas import (
    is_long_bone_metastasis,
    sins_level_fits,
    sins_required,
)

DONE, MISSING, WAIVED = "done", "missing", "waived"
#: A reviewing discipline whose review this kind of case does not need.
NOT_NEEDED = "not_needed"
#: A discipline whose review a pre-biopsy discussion stands in for.
PRE_BIOPSY = "pre_biopsy"

QUESTION = "clinical_question"
SITE = "site"
IMAGING = "imaging"
PATHOLOGY = "pathology"
ORTHOPAEDIC = "orthopaedic_review"
PERFORMANCE = "performance_status"
PRIMARY = "known_primary"
MIRELS = "mirels"
SINS = "sins"
PALLIATIVE = "palliative_review"

ITEM_LABELS = {
    QUESTION: "Question for the board",
    SITE: "Site",
    IMAGING: "Imaging review",
    PATHOLOGY: "Pathology review or pre-biopsy discussion",
    ORTHOPAEDIC: "Orthopaedic oncology review",
    PERFORMANCE: "Performance status",
    PRIMARY: "Known primary",
    MIRELS: "Mirels score (long-bone metastasis)",
    SINS: "SINS (spinal metastasis)",
    PALLIATIVE: "Palliative care review",
}

#: What each kind of case needs before the board. Mirels and SINS apply only
#: where :data:`CONDITIONS` says so; every other item always applies.
REQUIRED_ITEMS: dict[CaseType, tuple[str, ...]] = {
    CaseType.PRIMARY_BONE_TUMOUR: (
        QUESTION,
        SITE,
        IMAGING,
        PATHOLOGY,
        ORTHOPAEDIC,
        PERFORMANCE,
    ),
    CaseType.SKELETAL_METASTASIS: (
        QUESTION,
        SITE,
        IMAGING,
        PRIMARY,
        PERFORMANCE,
        MIRELS,
        SINS,
        PALLIATIVE,
    ),
}

#: Items that apply only to some cases of a type: ``(case, radiology data)``.
CONDITIONS = {
    MIRELS: lambda case, radiology: is_long_bone_metastasis(case),
    SINS: lambda case, radiology: sins_required(case, radiology),
}

#: The sites where a conditional item can apply (for worklist queries).
CONDITION_SITES = {
    MIRELS: LONG_BONE_SITES,
    SINS: (SPINE_SITE, PELVIS_SITE),
}

#: The readiness items each reviewing discipline's review completes.
DISCIPLINE_ITEMS: dict[Discipline, tuple[str, ...]] = {
    Discipline.RADIOLOGY: (IMAGING, SINS),
    Discipline.PATHOLOGY: (PATHOLOGY,),
    Discipline.ORTHOPAEDIC_ONCOLOGY: (ORTHOPAEDIC, MIRELS),
    Discipline.PALLIATIVE_CARE: (PALLIATIVE,),
}

#: How a discipline's preparation reads (:func:`preparation`), in full and short.
PREPARATION_LABELS = {
    DONE: "review done",
    PRE_BIOPSY: "pre-biopsy discussion",
    WAIVED: "waived",
    MISSING: "missing",
    NOT_NEEDED: "not needed",
}
PREPARATION_SHORT_LABELS = {
    DONE: "done",
    PRE_BIOPSY: "pre-biopsy",
    WAIVED: "waived",
    MISSING: "missing",
    NOT_NEEDED: "—",
}


@dataclass
class Item:
    """One line of the checklist."""

    key: str
    label: str
    status: str
    message: str
    waiver: ReadinessWaiver | None = None


@dataclass
class Checklist:
    """The readiness of one case."""

    case_id: int
    items: list[Item] = field(default_factory=list)

    @property
    def missing(self) -> list[Item]:
        """Items neither done nor waived."""
        return [i for i in self.items if i.status == MISSING]

    @property
    def is_ready(self) -> bool:
        """True when every item is done or waived."""
        return not self.missing

    def item(self, key: str) -> Item | None:
        """The item with ``key``, or None if it does not apply to this case."""
        return next((i for i in self.items if i.key == key), None)

    def summary(self) -> str:
        """What is missing, in one sentence."""
        return "; ".join(f"{i.label} ({i.message})" for i in self.missing)


def item_keys(case: Case, radiology: dict[str, Any] | None = None) -> list[str]:
    """The readiness items that apply to ``case``; ``radiology`` is the data of
    the current radiology review (it tells whether a pelvic lesion is sacral)."""
    # The same predicates decide which score sections the forms offer.
    return [
        key
        for key in REQUIRED_ITEMS[CaseType(case.case_type)]
        if key not in CONDITIONS or CONDITIONS[key](case, radiology)
    ]


def review_needed(discipline: Discipline) -> sa.ColumnElement[bool]:
    """SQL condition on :class:`Case`: the cases whose readiness can need a
    review by ``discipline`` (its worklist), read from :data:`REQUIRED_ITEMS`;
    a conditional item counts where its site can need it."""
    own = DISCIPLINE_ITEMS[discipline]
    clauses = []
    for case_type, keys in REQUIRED_ITEMS.items():
        mine = [key for key in keys if key in own]
        if not mine:
            continue
        if any(key not in CONDITIONS for key in mine):
            clauses.append(Case.case_type == case_type)
        else:
            sites = {site for key in mine for site in CONDITION_SITES[key]}
            clauses.append(
                sa.and_(Case.case_type == case_type, Case.site_code.in_(sorted(sites)))
            )
    return sa.or_(*clauses) if clauses else sa.false()


def _current_data(case_ids: list[int]) -> dict[tuple[int, str], ReviewRevision]:
    rows = db.session.execute(_current_revisions(), {"case_ids": case_ids}).all()
    return {(case_id, Discipline(d).value): rev for case_id, d, rev in rows}


@prebuilt
def _current_revisions() -> sa.Select:
    return (
        sa.select(DisciplineReview.case_id, DisciplineReview.discipline, ReviewRevision)
        .join(ReviewRevision, is_current_revision())
        .where(DisciplineReview.case_id.in_(sa.bindparam("case_ids", expanding=True)))
    )


def _active_waivers(case_ids: list[int]) -> dict[tuple[int, str], ReadinessWaiver]:
    waivers = db.session.scalars(_waivers_in_force(), {"case_ids": case_ids}).all()
    return {(w.case_id, w.item): w for w in waivers}


@prebuilt
def _waivers_in_force() -> sa.Select:
    return (
        sa.select(ReadinessWaiver)
        .where(
            ReadinessWaiver.case_id.in_(sa.bindparam("case_ids", expanding=True)),
            ReadinessWaiver.withdrawn_at.is_(None),
        )
        .options(joinedload(ReadinessWaiver.waived_by))
    )


def _score_text(revision: ReviewRevision | None, key: str) -> str | None:
    if revision is None:
        return None
    score: dict[str, Any] | None = (revision.scores or {}).get(key)
    return score["interpretation"] if score else None


def _performance_text(status: PerformanceStatus) -> str:
    text = f"{status.values_label}, assessed {status.assessed_on:%d %b %Y}"
    if status.disagreement_confirmed:
        text += " (ECOG and Karnofsky disagree; confirmed)"
    return text


def _evaluate(
    case: Case,
    key: str,
    reviews: dict[str, ReviewRevision | None],
    status: PerformanceStatus | None = None,
) -> tuple[bool, str]:
    """(done, message) for one item; ``status`` is the case's current
    performance status."""
    radiology = reviews.get(Discipline.RADIOLOGY.value)
    pathology = reviews.get(Discipline.PATHOLOGY.value)
    palliative = reviews.get(Discipline.PALLIATIVE_CARE.value)
    ortho = reviews.get(Discipline.ORTHOPAEDIC_ONCOLOGY.value)
    if key == QUESTION:
        done = bool((case.clinical_question or "").strip())
        return done, "Recorded at referral" if done else "No question for the board"
    if key == SITE:
        try:
            site = catalogue.topography(case.site_code)
        except ValueError:
            return False, "No valid ICD-O-3 bone site"
        if case.location_to_complete:
            return False, (
                f"Only the topography ({site.code}) is recorded: choose the bone "
                "in the case data"
            )
        return True, f"{case.location_label} ({site.code})"
    if key == IMAGING:
        if radiology is None:
            return False, "No radiology review yet"
        return True, f"Radiology review, revision {radiology.number}"
    if key == PATHOLOGY:
        if pathology is None:
            return False, "No pathology review, and no pre-biopsy discussion declared"
        return True, f"Pathology review, revision {pathology.number}"
    if key == ORTHOPAEDIC:
        if ortho is None:
            return False, "No orthopaedic oncology review yet"
        return True, f"Orthopaedic oncology review, revision {ortho.number}"
    if key == PALLIATIVE:
        if palliative is None:
            return False, "No palliative care review yet"
        return True, f"Palliative care review, revision {palliative.number}"
    if key == PERFORMANCE:
        if status is None:
            return False, "No performance status recorded on the case"
        return True, _performance_text(status)
    if key == PRIMARY:
        if not case.known_primary or case.known_primary == "unidentified":
            return False, "The primary has not been identified"
        return True, catalogue.metastatic_primary(case.known_primary).label
    if key == MIRELS:
        text = _score_text(ortho, "mirels")
        return (
            (True, text)
            if text
            else (False, "No Mirels score in the orthopaedic review")
        )
    if key == SINS:
        text = _score_text(radiology, "sins")
        if text and not sins_level_fits(case, radiology.data.get("sins_level")):
            return False, (
                "The SINS in the radiology review was scored at a level outside "
                "this site; update the radiology review"
            )
        return (True, text) if text else (False, "No SINS in the radiology review")
    raise KeyError(key)


def checklists(cases: Iterable[Case]) -> dict[int, Checklist]:
    """The checklist of each case, in two queries whatever the number of cases."""
    cases = list(cases)
    ids = [c.id for c in cases]
    if not ids:
        return {}
    return _checklists(
        cases, _current_data(ids), _active_waivers(ids), performance.current_for(ids)
    )


def _checklists(
    cases: list[Case],
    revisions: dict[tuple[int, str], ReviewRevision],
    waivers: dict[tuple[int, str], ReadinessWaiver],
    statuses: dict[int, PerformanceStatus],
) -> dict[int, Checklist]:
    result = {}
    for case in cases:
        reviews = {d.value: revisions.get((case.id, d.value)) for d in Discipline}
        checklist = Checklist(case.id)
        radiology = reviews[Discipline.RADIOLOGY.value]
        for key in item_keys(case, radiology.data if radiology else None):
            done, message = _evaluate(case, key, reviews, statuses.get(case.id))
            waiver = waivers.get((case.id, key))
            if (
                not done
                and waiver is not None
                and waiver.kind == ReadinessDeclaration.PRE_BIOPSY
            ):
                done = True
                message = f"Pre-biopsy discussion declared: {waiver.reason}"
            if done:
                status = DONE
            elif waiver is not None:
                status, message = WAIVED, f"Waived: {waiver.reason}"
            else:
                status = MISSING
            checklist.items.append(Item(key, ITEM_LABELS[key], status, message, waiver))
        result[case.id] = checklist
    return result


def review_is_needed(
    case: Case, discipline: Discipline, radiology: dict[str, Any] | None = None
) -> bool:
    """True when some readiness item of ``case`` (by its type, the table
    above) is completed by ``discipline``'s review; ``radiology`` is the data
    of the current radiology review. No query."""
    keys = item_keys(case, radiology)
    return any(key in keys for key in DISCIPLINE_ITEMS[discipline])


def preparation(cases: Iterable[Case]) -> dict[int, dict[Discipline, str]]:
    """Per case, where each reviewing discipline stands: DONE (its review is
    written), PRE_BIOPSY (a pre-biopsy discussion stands in for it), WAIVED
    (the coordinator waived every readiness item it would complete),
    NOT_NEEDED (this kind of case needs no review by it) or MISSING. Three
    queries whatever the number of cases."""
    cases = list(cases)
    ids = [c.id for c in cases]
    if not ids:
        return {}
    revisions = _current_data(ids)
    lists = _checklists(
        cases, revisions, _active_waivers(ids), performance.current_for(ids)
    )
    result = {}
    for case in cases:
        row = {}
        for discipline in REVIEW_DISCIPLINES:
            items = [
                item
                for key in DISCIPLINE_ITEMS[discipline]
                if (item := lists[case.id].item(key)) is not None
            ]
            declared = [i.waiver for i in items if i.waiver is not None]
            if (case.id, discipline.value) in revisions:
                row[discipline] = DONE
            elif not items:
                row[discipline] = NOT_NEEDED
            elif len(declared) < len(items):
                row[discipline] = MISSING
            elif any(w.kind == ReadinessDeclaration.PRE_BIOPSY for w in declared):
                row[discipline] = PRE_BIOPSY
            else:
                row[discipline] = WAIVED
        result[case.id] = row
    return result


def check(case: Case) -> Checklist:
    """The readiness checklist of one case."""
    return checklists([case])[case.id]


def done_without_waiver(case: Case, key: str) -> bool:
    """True if item ``key`` is complete on its own, without any waiver or
    pre-biopsy declaration (or no longer applies to ``case``)."""
    revisions = _current_data([case.id])
    reviews = {d.value: revisions.get((case.id, d.value)) for d in Discipline}
    radiology = reviews[Discipline.RADIOLOGY.value]
    if key not in item_keys(case, radiology.data if radiology else None):
        return True
    return _evaluate(case, key, reviews, performance.current(case))[0]


def require_ready(case: Case) -> Checklist:
    """Raise InvalidInput listing what is missing unless ``case`` passes the gate."""
    checklist = check(case)
    if not checklist.is_ready:
        raise InvalidInput(
            f"{case.reference} cannot be marked ready for the board. Missing: "
            f"{checklist.summary()}. Complete these items or have the coordinator "
            "waive them with a reason.",
            "target",
        )
    return checklist


@transition_guards.register
def _readiness_gate(case: Case, transition: Transition, reason: str | None) -> None:
    """A case moves from work-up to ready only through the readiness gate."""
    if (transition.source, transition.target) == (CaseStatus.WORKUP, CaseStatus.READY):
        require_ready(case)
