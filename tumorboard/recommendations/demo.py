"""Synthetic recommendations for the demo: signed decisions for the items the
meetings demo marked discussed, with action items, implementation states (some
overdue, one deviated) and one amendment. Every word here is invented."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tumorboard.auth.models import User
from tumorboard.auth.services import StepUp
from tumorboard.cases.models import Case, CaseType
from tumorboard.db import today, utcnow
from tumorboard.extensions import db
from tumorboard.meetings.models import (
    AgendaItem,
    AgendaItemStatus,
    Meeting,
    MeetingStatus,
)
from tumorboard.recommendations import services
from tumorboard.recommendations.models import Recommendation

PRIMARY_PLANS = [
    {
        "conference_type": "pre_therapeutic",
        "intent": "curative",
        "types": [
            {"code": "neoadjuvant_chemotherapy"},
            {"code": "surgery", "detail": "limb_salvage"},
        ],
        "free_text": "Neoadjuvant chemotherapy per protocol, restaging MRI and CT "
        "chest after two cycles, then wide resection with endoprosthetic "
        "reconstruction.",
        "rationale": "High-grade primary bone sarcoma, localised on staging.",
        "actions": [
            ("Book MRI of the whole bone and CT chest for restaging", "radiology"),
            ("Refer for fertility preservation counselling", "nurse"),
        ],
    },
    {
        "conference_type": "pre_therapeutic",
        "intent": "diagnostic",
        "types": [{"code": "biopsy"}, {"code": "further_imaging"}],
        "free_text": "Image-guided core needle biopsy at the treating centre along "
        "the planned resection tract; whole-body staging before the biopsy.",
        "rationale": "Aggressive features on imaging; no tissue diagnosis yet.",
        "actions": [("Book CT-guided core biopsy with the orthopaedic team", "ortho")],
    },
    {
        "conference_type": "follow_up",
        "intent": "surveillance",
        "types": [
            {"code": "surveillance"},
            {"code": "rediscussion", "event": "after the 6-month MRI"},
        ],
        "free_text": "No biopsy. MRI of the lesion in six months; re-discuss if it "
        "grows or becomes painful.",
        "rationale": "Imaging typical of a benign or low-grade cartilaginous lesion.",
        "actions": [("Request surveillance MRI in six months", "radiology")],
    },
]

METASTASIS_PLAN = {
    "conference_type": "pre_therapeutic",
    "intent": "palliative",
    "types": [
        {"code": "surgery", "detail": "prophylactic_fixation"},
        {"code": "radiotherapy"},
        {"code": "palliative_care_referral"},
    ],
    "free_text": "Prophylactic intramedullary fixation, then palliative "
    "radiotherapy 8 Gy single fraction to the whole bone; palliative-care review.",
    "rationale": "Impending pathological fracture; systemic disease.",
    "consensus": False,
    "dissent": [
        {
            "discipline": "radiation_oncology",
            "reason": "Radiotherapy alone preferred given the limited prognosis.",
        }
    ],
    "actions": [
        ("Refer to palliative care", "palliative"),
        ("Book theatre for prophylactic fixation", "ortho"),
    ],
}

OWNERS = {
    "radiology": "radiology@example.org",
    "nurse": "nurse@example.org",
    "ortho": "ortho@example.org",
    "palliative": "palliative@example.org",
}


def _pending_items() -> list[AgendaItem]:
    """Discussed items of held meetings that have no recommendation yet."""
    has_rec = sa.exists().where(Recommendation.agenda_item_id == AgendaItem.id)
    return list(
        db.session.scalars(
            sa.select(AgendaItem)
            .join(AgendaItem.meeting)
            .where(
                AgendaItem.status == AgendaItemStatus.DISCUSSED,
                Meeting.status.in_([MeetingStatus.CLOSED, MeetingStatus.IN_PROGRESS]),
                Meeting.chair_id.is_not(None),
                ~has_rec,
            )
            .options(joinedload(AgendaItem.meeting))
            .order_by(Meeting.starts_at, AgendaItem.position)
        )
    )


def load(users: dict[str, User], cases: list[Case]) -> int:
    """Sign a recommendation for every discussed demo item; returns how many."""
    coordinator = users.get("coordinator@example.org")
    if coordinator is None:
        return 0
    created = 0
    for index, item in enumerate(_pending_items()):
        meeting = item.meeting
        chair = db.session.get(User, meeting.chair_id)
        case = db.session.get(Case, item.case_id)
        held = services.meeting_date(meeting)
        if case.case_type == CaseType.SKELETAL_METASTASIS:
            plan = dict(METASTASIS_PLAN)
        else:
            plan = dict(PRIMARY_PLANS[index % len(PRIMARY_PLANS)])
        actions = plan.pop("actions")
        plan.setdefault("consensus", True)
        plan.setdefault("dissent", [])
        plan["standard_of_care"] = True
        plan["start_by"] = held + timedelta(days=7 + 7 * (index % 3))
        rec = services.record_recommendation(coordinator, item, plan)
        quorate = services.quorum(meeting).is_quorate
        services.sign_recommendation(
            chair,
            rec,
            step_up=StepUp(chair.id, utcnow()),
            override_reason=None
            if quorate
            else "The absent discipline reported in writing before the meeting.",
            version=rec.version,
        )
        if index == 1:
            rec = services.amend_recommendation(
                chair,
                rec,
                {
                    **plan,
                    "free_text": plan["free_text"]
                    + " Add bone scan to the staging work-up.",
                    "amendment_reason": "Pathology revised the differential after "
                    "the meeting; staging extended.",
                },
                rec.version,
            )
            services.sign_recommendation(
                chair,
                rec,
                step_up=StepUp(chair.id, utcnow()),
                override_reason=None
                if quorate
                else "Amendment agreed with the absent discipline by phone.",
                version=rec.version,
            )
        for number, (description, owner_key) in enumerate(actions):
            owner = users.get(OWNERS[owner_key]) or coordinator
            action = services.create_action(
                coordinator,
                rec,
                {
                    "description": description,
                    "owner_id": owner.id,
                    "due_date": held + timedelta(days=5 + 5 * number),
                },
            )
            if (index + number) % 3 == 0 and held <= today():
                services.set_action_status(owner, action, "done", action.version)
        # A realistic mix: some under way or done, one deviation, the rest not
        # started (overdue once their start-by date has passed).
        when = min(today(), held + timedelta(days=3))
        if index % 4 == 1:
            update = {"implementation_status": "in_progress"}
        elif index % 4 == 2:
            update = {"implementation_status": "completed"}
        elif index == 3:
            update = {
                "implementation_status": "deviated",
                "deviation_reason": "patient_wish",
                "patient_wish": "yes",
                "deviation_note": "The patient chose treatment at a hospital "
                "closer to home after discussion with the nurse specialist.",
            }
        else:
            update = None
        if update and when >= held:
            services.update_implementation(
                coordinator,
                rec,
                {**update, "implementation_date": when},
                rec.version,
            )
        created += 1
    return created
