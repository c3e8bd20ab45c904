"""Command-line tools: first admin, demo data."""

from __future__ import annotations

import sqlalchemy as sa

from tumorboard.auth.models import User
from tumorboard.cases.models import Case, CaseStatus, CaseType
from tumorboard.demo import DEMO_PASSWORD, DEMO_USERS
from tumorboard.extensions import db
from tumorboard.patients.models import Patient


def test_users_create_makes_an_admin(app):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--email",
            "Root@Example.org",
            "--name",
            "Root",
            "--password",
            "first-admin-password",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "root@example.org"))
    assert user.role == "admin"


def test_users_create_reports_bad_input(app):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--email",
            "x@example.org",
            "--name",
            "X",
            "--password",
            "short",
        ]
    )
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output


def test_demo_load_is_idempotent_and_realistic(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert f"{len(DEMO_USERS)} accounts and" in first.output
    second = runner.invoke(args=["demo", "load"])
    assert "0 accounts and 0 cases created" in second.output
    cases = db.session.scalars(sa.select(Case)).all()
    assert len(cases) >= 30
    assert {c.case_type for c in cases} == set(CaseType)
    assert len({c.site_code for c in cases}) >= 6
    assert {
        CaseStatus.REFERRED,
        CaseStatus.WORKUP,
        CaseStatus.READY,
        CaseStatus.LISTED,
        CaseStatus.FOLLOW_UP,
        CaseStatus.WITHDRAWN,
    } <= {c.status for c in cases}
    assert "reviews" in first.output and "recommendations)" in first.output
    roles = set(db.session.scalars(sa.select(User.role)))
    assert len(roles) == len(DEMO_USERS)
    # Most demo patients have a (synthetic) GP, some have none recorded.
    gps = [p.gp_name for p in db.session.scalars(sa.select(Patient))]
    assert 0 < gps.count(None) < len(gps) / 2


def test_demo_first_start_skips_a_used_database(app, make_user):
    make_user("admin")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["demo", "load", "--first-start"])
    assert "demo data not loaded" in result.output
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0


def test_demo_accounts_can_sign_in(app, client):
    app.test_cli_runner().invoke(args=["demo", "load"])
    response = client.post(
        "/login", data={"email": "coordinator@example.org", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302


def test_demo_load_refuses_production_settings(app):
    app.config["ALLOW_DEMO_DATA"] = False
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0
    assert "refused with production settings" in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
