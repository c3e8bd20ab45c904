"""The migration that puts performance status on the case keeps what the
palliative care reviews recorded (ECOG and Karnofsky, reference §8.4)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from tests.conftest import BACKENDS
from tests.test_migrations import empty_database
from tumorboard.extensions import db

REVISION = "e3b4c5d6e7f8"
NOW = "2026-11-20 10:00:00"


def _previous(app) -> str:
    config = app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_revision(REVISION).down_revision


def _insert(conn, table: str, **values) -> int:
    columns = ", ".join(values)
    marks = ", ".join(f":{k}" for k in values)
    conn.execute(sa.text(f"INSERT INTO {table} ({columns}) VALUES ({marks})"), values)
    return conn.scalar(sa.text(f"SELECT max(id) FROM {table}"))


def _user(conn, email: str, role: str) -> int:
    return _insert(
        conn,
        "users",
        email=email,
        name=f"Dr {role}",
        role=role,
        password_hash="x",
        is_active=True,
        login_id=f"login-{email}",
        version=1,
        created_at=NOW,
        updated_at=NOW,
    )


def _case(conn, mrn: str) -> int:
    patient = _insert(
        conn,
        "patients",
        mrn=mrn,
        given_name="Test",
        family_name="Patient",
        birth_date="1970-01-01",
        sex="female",
        version=1,
        created_at=NOW,
        updated_at=NOW,
    )
    return _insert(
        conn,
        "cases",
        patient_id=patient,
        case_type="skeletal_metastasis",
        site_code="C41.2",
        laterality="not_applicable",
        known_primary="lung",
        presentation="Back pain.",
        clinical_question="Stabilise?",
        referral_source="external_hospital",
        referring_clinician="Dr Example",
        referral_date="2026-11-01",
        urgency="urgent",
        biopsy_status="not_biopsied",
        status="workup",
        status_changed_at=NOW,
        version=1,
        created_at=NOW,
        updated_at=NOW,
    )


def _palliative_review(conn, case_id: int, author: int, revisions: list[dict]) -> None:
    review = _insert(
        conn,
        "discipline_reviews",
        case_id=case_id,
        discipline="palliative_care",
        current_number=len(revisions),
        version=1,
        created_at=NOW,
        updated_at=NOW,
    )
    for number, data in enumerate(revisions, start=1):
        _insert(
            conn,
            "review_revisions",
            review_id=review,
            number=number,
            author_id=author,
            data=json.dumps(data),
            scores="{}",
            changes="{}",
            created_at=f"2026-11-{10 + number} 09:00:00",
        )


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_moves_the_current_palliative_ecog_and_karnofsky(backend, tmp_path):
    with empty_database(backend, tmp_path) as app, app.app_context():
        upgrade(revision=_previous(app))
        with db.engine.begin() as conn:
            author = _user(conn, "pc@example.test", "palliative_care")
            agree, disagree, without = (_case(conn, f"MIG-{n}") for n in (1, 2, 3))
            _palliative_review(
                conn,
                agree,
                author,
                [{"ecog": 3, "karnofsky": 40}, {"ecog": 2, "karnofsky": 70}],
            )
            _palliative_review(conn, disagree, author, [{"ecog": 0, "karnofsky": 30}])
            _palliative_review(conn, without, author, [{"pps": 50}])
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT case_id, number, ecog, karnofsky, source, "
                    "disagreement_confirmed, recorded_by_id, assessed_on "
                    "FROM performance_statuses ORDER BY case_id"
                )
            ).all()
    # The current revision counts (revision 2: ECOG 2, Karnofsky 70).
    assert [tuple(r[:7]) for r in rows] == [
        (agree, 1, 2, 70, "review", False, author),
        (disagree, 1, 0, 30, "review", True, author),
    ]
    assert str(rows[0][7]) == "2026-11-12"


@pytest.mark.parametrize("backend", BACKENDS)
def test_paediatric_roles_and_disciplines_are_allowed_after_upgrade(backend, tmp_path):
    with empty_database(backend, tmp_path) as app, app.app_context():
        # Rows written before the cases had a board, carried to the head.
        upgrade(revision="c7e8f9a0b1d2")
        with db.engine.begin() as conn:
            user = _user(conn, "po@example.test", "paediatric_oncologist")
            case_id = _case(conn, "MIG-P1")
            _insert(
                conn,
                "annotations",
                case_id=case_id,
                author_id=user,
                discipline="paediatric_oncology",
                body="Protocol eligibility.",
                current_number=1,
                created_at=NOW,
                updated_at=NOW,
                version=1,
            )
        upgrade()
        with pytest.raises(sa.exc.IntegrityError):
            with db.engine.begin() as conn:
                _user(conn, "x@example.test", "wizard")


def test_sqlite_tables_referenced_by_rows_can_be_rebuilt(tmp_path):
    """Upgrading from the revision before the key worker column (which rebuilds
    ``cases`` on SQLite) keeps a case that reviews and statuses point at."""
    with empty_database("sqlite", tmp_path) as app, app.app_context():
        upgrade(revision="f4c5d6e7f809")
        with db.engine.begin() as conn:
            author = _user(conn, "r@example.test", "radiologist")
            case_id = _case(conn, "MIG-K1")
            _palliative_review(conn, case_id, author, [{"pps": 40}])
        upgrade()
        with db.engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT count(*) FROM cases")) == 1
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
