"""Plain builders for test data; every value is synthetic."""

from __future__ import annotations

import itertools
import time
from datetime import date, timedelta
from datetime import time as time_of_day

import sqlalchemy as sa

from tumorboard.auth import mfa, mfa_keys
from tumorboard.auth.models import User
from tumorboard.auth.passwords import hash_password
from tumorboard.auth.permissions import BOARD_ROLES, Role
from tumorboard.auth.services import StepUp
from tumorboard.cases.breakglass import BreakGlassGrant
from tumorboard.cases.models import Case
from tumorboard.db import today, utcnow
from tumorboard.extensions import db
from tumorboard.meetings.models import Board, board_members
from tumorboard.patients.models import Patient

#: The board every factory case is referred to, and every factory clinician
#: and coordinator sits on, unless told otherwise: most tests are about one
#: board's work. Tests of access scope pass ``boards=[]`` or a board of their own.
DEFAULT_BOARD = "Musculoskeletal tumour board"

PASSWORD = "correct-horse-battery"
#: A valid MFA_ENCRYPTION_KEY for tests that start the app with production settings.
MFA_KEY = "cHJvZHVjdGlvbi10ZXN0LW1mYS1rZXktMzItYnl0ZXM="
#: Authenticator secret of the accounts made with multi-factor sign-in on.
MFA_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_seq = itertools.count(1)
_hashes: dict[str, str] = {}


def _password_hash(password: str) -> str:
    # Hashing is the slow part of making users; reuse one hash per password.
    if password not in _hashes:
        _hashes[password] = hash_password(password)
    return _hashes[password]


def totp_code(step_offset: int = 0, secret: str = MFA_SECRET) -> str:
    """The authenticator code of ``secret`` now (or ``step_offset`` steps away)."""
    return mfa.code_at(secret, mfa.current_step() + step_offset)


def fresh_totp_code(email: str, secret: str = MFA_SECRET) -> str:
    """A code for ``email`` that the app has not accepted yet: a code is
    accepted once, so a later sign-in within the same 30 seconds takes the
    next step's code (waiting for it when need be)."""
    last = db.session.scalar(sa.select(User.mfa_last_step).where(User.email == email))
    # The current step, not the oldest one still accepted: a request that
    # crosses into the next step keeps one step of margin.
    step = mfa.current_step()
    if last is not None:
        step = max(step, last + 1)
    while step > mfa.current_step() + mfa.TOTP_WINDOW:
        time.sleep(1)
    return mfa.code_at(secret, step)


def enrol_mfa(user: User, secret: str = MFA_SECRET) -> User:
    """Turn multi-factor sign-in on for ``user`` with ``secret``."""
    user.mfa_secret = mfa_keys.encrypt(secret)
    user.mfa_enabled_at = utcnow()
    db.session.flush()
    return user


def sign_in(client, email: str, password: str = PASSWORD):
    """Post the sign-in form, and the second step with a fresh code of the
    test secret when the account asks for one; returns the last response."""
    response = client.post("/login", data={"email": email, "password": password})
    if response.status_code == 302 and response.headers["Location"] == "/login/verify":
        response = client.post("/login/verify", data={"code": fresh_totp_code(email)})
    return response


def default_board() -> Board:
    """The board of :data:`DEFAULT_BOARD`, made on first use."""
    board = db.session.scalar(sa.select(Board).where(Board.name == DEFAULT_BOARD))
    if board is None:
        board = Board(
            name=DEFAULT_BOARD,
            kind="bone_sarcoma",
            weekday=3,
            start_time=time_of_day(7, 30),
            timezone="UTC",
            duration_minutes=90,
            minutes_per_case=10,
            capacity=12,
        )
        db.session.add(board)
        db.session.flush()
    open_boards().add(board.id)
    return board


def join_board(user: User, board: Board) -> None:
    """Make ``user`` a member of ``board``."""
    db.session.execute(
        sa.insert(board_members).values(board_id=board.id, user_id=user.id)
    )


def open_boards() -> set[int]:
    """The boards every default clinician and coordinator sits on: the default
    board and those made by ``tests.meetings.factories.make_board`` without
    naming their members (the session of the test remembers them)."""
    return db.session.info.setdefault("tests.open_boards", set())


def open_board(board: Board) -> Board:
    """Seat the default clinicians and coordinators on ``board`` and those
    made after it (see :func:`open_boards`)."""
    for user_id in default_members():
        if user_id is not None:
            join_board(db.session.get(User, user_id), board)
    open_boards().add(board.id)
    return board


def default_members() -> list[int]:
    """The users who sit on the open boards (members of the default board)."""
    board = default_board()
    return list(
        db.session.scalars(
            sa.select(board_members.c.user_id).where(
                board_members.c.board_id == board.id
            )
        )
    )


def make_user(role: str | Role = Role.COORDINATOR, **fields) -> User:
    """An active user with ``PASSWORD`` unless told otherwise; with
    multi-factor sign-in on (``MFA_SECRET``) for administrators, or when
    ``mfa=True``. Clinicians and coordinators sit on the open boards (see
    :func:`open_boards`) unless ``boards`` names theirs (``boards=[]``: none)."""
    n = next(_seq)
    role = Role(role)
    boards = fields.pop("boards", None)
    password = fields.pop("password", PASSWORD)
    with_mfa = fields.pop("mfa", None)
    if with_mfa is None:
        with_mfa = role == Role.ADMIN
    if with_mfa:
        fields.setdefault("mfa_secret", mfa_keys.encrypt(MFA_SECRET))
        fields.setdefault("mfa_enabled_at", utcnow())
    values = {
        "email": f"{role.value}{n}@example.org",
        "name": f"Test {role.label} {n}",
        "role": role,
        "password_hash": _password_hash(password),
        "is_active": True,
    }
    values.update(fields)
    user = User(**values)
    db.session.add(user)
    db.session.flush()
    if boards is None and role in BOARD_ROLES:
        default_board()
        for board_id in sorted(open_boards()):
            db.session.execute(
                sa.insert(board_members).values(board_id=board_id, user_id=user.id)
            )
    for board in boards or ():
        join_board(user, board)
    return user


def make_patient(**fields) -> Patient:
    """A synthetic adult patient with a unique MRN."""
    n = next(_seq)
    values = {
        "mrn": f"T{n:06d}",
        "given_name": "Alex",
        "family_name": f"Testperson{n}",
        "birth_date": date(1980, 5, 17),
        "sex": "female",
    }
    values.update(fields)
    patient = Patient(**values)
    db.session.add(patient)
    db.session.flush()
    return patient


def make_case(patient: Patient | None = None, **fields) -> Case:
    """A referred primary bone tumour case of the left distal femur, metaphysis.

    Given a ``site_code`` and no ``bone``, the case has a topography only, as
    cases registered before the bone was recorded; given a ``bone``, only the
    location fields passed are set.
    """
    patient = patient or make_patient()
    location = (
        {}
        if "site_code" in fields or "bone" in fields
        else {"bone": "femur", "bone_end": "distal", "bone_segment": "metaphysis"}
    )
    if "board_id" not in fields:
        fields["board_id"] = fields.pop("board", None) or default_board()
        fields["board_id"] = fields["board_id"].id
    values = {
        "patient_id": patient.id,
        "case_type": "primary_bone_tumour",
        "site_code": "C40.2",
        **location,
        "laterality": "left",
        "presentation": "Knee pain at night for six weeks.",
        "clinical_question": "Suspected osteosarcoma: biopsy route?",
        "referral_source": "external_hospital",
        "referring_clinician": "Dr Example",
        "referral_date": today() - timedelta(days=7),
        "urgency": "urgent",
        "biopsy_status": "not_biopsied",
    }
    values.update(fields)
    case = Case(**values)
    db.session.add(case)
    db.session.flush()
    return case


def case_form_data(**overrides) -> dict:
    """Valid POST data for the case intake form."""
    data = {
        "board_id": str(default_board().id),
        "case_type": "primary_bone_tumour",
        "working_diagnosis": "",
        "bone": "femur",
        "bone_end": "distal",
        "bone_segment": "metaphysis",
        "vertebral_level": "",
        "laterality": "left",
        "known_primary": "",
        "presentation": "Night pain in the distal femur.",
        "clinical_question": "Suspected osteosarcoma: which biopsy route?",
        "referral_source": "external_hospital",
        "referring_clinician": "Dr Hale",
        "referral_date": (today() - timedelta(days=3)).isoformat(),
        "urgency": "urgent",
        "biopsy_status": "not_biopsied",
        "unplanned_excision_date": "",
        "unplanned_excision_institution": "",
        "lead_clinician_id": "",
    }
    data.update(overrides)
    return data


def signing_proof(user: User) -> StepUp:
    """The proof that ``user`` confirmed their password before signing."""
    return StepUp(user.id, utcnow())


def make_grant(
    user: User,
    case: Case,
    granted_at=None,
    hours: int = 12,
    reason: str = "emergency_care",
    explanation: str = "Seen in the emergency department tonight.",
):
    """A break-glass grant of ``user`` on ``case`` from ``granted_at`` (now)
    for ``hours``, written directly (the service's checks are tested apart)."""
    start = granted_at or utcnow()
    grant = BreakGlassGrant(
        user_id=user.id,
        case_id=case.id,
        reason=reason,
        explanation=explanation,
        granted_at=start,
        expires_at=start + timedelta(hours=hours),
    )
    db.session.add(grant)
    db.session.flush()
    return grant
