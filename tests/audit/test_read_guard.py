"""Every response that shows a patient records a read.

The guard walks every GET route of the app (``app.url_map``) over the demo
data, as clinicians and as the administrator, and looks for any demo patient's
MRN or name in what came back (the page, the PDF's text, the calendar file).
A response that shows one must have added an audit entry of a reading kind
(``*.read``, ``*.list``, ``*.download``) for that very request; the
administrator, who has no access to clinical data, must never see one.
"""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from flask import url_for
from pypdf import PdfReader

from tests import factories
from tests.conftest import FreshContextClient, on_backend
from tests.test_wording import demo_urls, may_open
from tumorboard import demo
from tumorboard.audit.models import AuditEntry
from tumorboard.auth.models import User
from tumorboard.auth.roles import Role
from tumorboard.cases.models import Case
from tumorboard.extensions import db
from tumorboard.meetings.models import Meeting
from tumorboard.patients.models import Patient
from tumorboard.recommendations.models import Recommendation

#: Actions that record reading patient data.
READ_ACTIONS = (".read", ".list", ".download")

#: GET routes that never carry patient data, each with why.
NO_PATIENT_DATA = {
    "static": "files of the application",
    "main.health": "liveness, answers before touching the database",
    "main.ready": "readiness, database and Redis states only",
    "auth.login": "the sign-in form",
    "meetings.board_feed": "public calendar feed: times and links only (tested "
    "in tests/meetings)",
    "meetings.follow_state": "where the presenter is: item ids and counts only "
    "(tested in tests/meetings/test_presenting.py)",
    "quality.download": "an indicator's counts by month, no case or patient "
    "(tested in tests/quality)",
}

#: Routes that audit every response whatever it holds, each with where that
#: is tested (the demo data has no uploaded files to walk).
ALWAYS_AUDITED = {
    "attachments.download": "an uploaded file may hold anything: every view and "
    "download is recorded (tests/attachments)",
}

#: Routes answering with a file, not a page, and the record type whose ids
#: fill their single parameter (a few of each: the PDFs are slow to render).
FILES = {
    "documents.board_pack": ("meeting_id", Meeting),
    "documents.case_summary": ("case_id", Case),
    "documents.minutes": ("meeting_id", Meeting),
    "documents.outcome_letter": ("rec_id", Recommendation),
    "meetings.ics": ("meeting_id", Meeting),
    "quality.teaching_case_pdf": ("case_id", Case),
    "quality.teaching_meeting_pdf": ("meeting_id", Meeting),
}
FILES_PER_ROUTE = 3

#: Clinicians whose permissions together open every clinical page.
CLINICIANS = (Role.COORDINATOR, Role.ORTHOPEDIC_ONCOLOGIST)


def file_urls(app) -> dict[str, list[str]]:
    """A few addresses of each file route."""
    urls = {}
    with app.test_request_context():
        for endpoint, (argument, model) in FILES.items():
            ids = db.session.scalars(
                sa.select(model.id).order_by(model.id.desc()).limit(FILES_PER_ROUTE)
            )
            urls[endpoint] = [url_for(endpoint, **{argument: i}) for i in ids]
    return urls


def patient_marks() -> re.Pattern:
    """A pattern matching any demo patient's MRN or family name."""
    words = set()
    for mrn, family in db.session.execute(sa.select(Patient.mrn, Patient.family_name)):
        words.update({mrn, family})
    alternatives = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


def shown_text(response) -> str:
    """What a person receives: the page or file as text (a PDF's text)."""
    if response.mimetype == "application/pdf":
        reader = PdfReader(io.BytesIO(response.data))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    return response.get_data(as_text=True)


def new_entries(after: int) -> list[AuditEntry]:
    """Audit entries written since the entry numbered ``after``."""
    return list(
        db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.id > after).order_by(AuditEntry.id)
        )
    )


def last_entry_id() -> int:
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEntry.id), 0)))


def test_the_guard_knows_every_get_route(app):
    """A new GET route must be walked or be named as never showing a patient."""
    walked = set(demo_urls(app)) | set(FILES) | set(NO_PATIENT_DATA)
    walked |= set(ALWAYS_AUDITED)
    routes = {r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods}
    assert routes <= walked, sorted(routes - walked)


def test_the_guard_sees_a_patient_in_a_page_and_in_a_pdf(app):
    demo.load()
    # The administrator has set up multi-factor sign-in (with the test secret).
    factories.enrol_mfa(
        db.session.scalar(sa.select(User).where(User.email == "admin@example.org"))
    )
    db.session.commit()
    marks = patient_marks()
    patient = db.session.scalar(sa.select(Patient).order_by(Patient.id).limit(1))
    assert marks.search(f"<td>{patient.display_name}</td>")
    assert marks.search(f"MRN {patient.mrn}")
    assert not marks.search("Ready for the board")


@on_backend("sqlite")
@pytest.mark.parametrize("role", [*CLINICIANS, Role.ADMIN], ids=lambda r: r.value)
def test_every_response_showing_a_patient_records_a_read(app, role):
    demo.load()
    # The administrator has set up multi-factor sign-in (with the test secret).
    factories.enrol_mfa(
        db.session.scalar(sa.select(User).where(User.email == "admin@example.org"))
    )
    db.session.commit()
    marks = patient_marks()
    urls = demo_urls(app) | file_urls(app)
    app.test_client_class = FreshContextClient
    client = app.test_client()
    email = next(e for e, _, r in demo.DEMO_USERS if r == role)
    signed_in = factories.sign_in(client, email, demo.DEMO_PASSWORD)
    assert signed_in.status_code == 302

    unrecorded, shown = [], 0
    for endpoint, addresses in sorted(urls.items()):
        if endpoint in NO_PATIENT_DATA or not may_open(app, role, endpoint):
            continue
        if endpoint in ALWAYS_AUDITED:
            continue
        for address in addresses:
            before = last_entry_id()
            response = client.get(address)
            assert response.status_code in (200, 302, 403, 404), (address, response)
            if response.status_code != 200:
                continue
            found = marks.search(shown_text(response))
            if found is None:
                continue
            shown += 1
            path = address.split("?", 1)[0]
            reads = [
                e
                for e in new_entries(before)
                if e.action.endswith(READ_ACTIONS) and e.request_path == path
            ]
            if not reads:
                unrecorded.append(f"{address} shows {found.group(0)!r}")
    if role == Role.ADMIN:
        # No clinical data at all for the administrator, recorded or not.
        assert shown == 0 and not unrecorded, unrecorded
        return
    assert not unrecorded, "\n".join(unrecorded)
    # The walk did see the clinical pages (a guard that sees none proves nothing).
    assert shown > 60, shown
