"""Demo reviews: valid through the services, enough for the gate, idempotent."""

from __future__ import annotations

import sqlalchemy as sa

from tumorboard.auth.permissions import Role
from tumorboard.cases import services as case_services
from tumorboard.cases.models import CaseStatus
from tumorboard.clinical import anatomy
from tumorboard.demo import CASES, LOCATIONS
from tumorboard.extensions import db
from tumorboard.reviews import demo
from tumorboard.reviews.models import ReviewRevision


def test_demo_cases_get_valid_reviews_and_pass_the_gate(make_user, make_case):
    users = {f"{role.value}@example.org": make_user(role) for role in Role}
    cases = []
    for index, row in enumerate(CASES):
        (_, _, _, _, case_type, side, primary, urgency, biopsy,
         presentation, question, status, _) = row  # fmt: skip
        location = {k: v for k, v in LOCATIONS[index].items() if v is not None}
        case = make_case(
            case_type=case_type,
            site_code=anatomy.topography_for_bone(location["bone"]),
            **location,
            laterality=side,
            known_primary=primary,
            urgency=urgency,
            biopsy_status=biopsy,
            presentation=presentation,
            clinical_question=question,
            status=CaseStatus.WORKUP,
        )
        db.session.refresh(case)
        if status == "ready":
            demo.make_ready(users, case, index)
            case_services.transition_case(
                users["coordinator@example.org"], case, CaseStatus.READY
            )
        cases.append(case)
    created = demo.load(users, cases)
    assert created > 20
    assert db.session.scalar(sa.select(sa.func.count(ReviewRevision.id))) > 40
    assert demo.load(users, cases) == 0
