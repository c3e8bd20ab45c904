"""What ``scripts/bench.py`` serves under gunicorn: the application, and
under ``/_bare/`` a bare Flask + SQLAlchemy app on the same database that the
pages are compared with: ``/_bare/ping`` answers without the database and
``/_bare/list`` renders one joined 50-row query of cases and patients."""

from __future__ import annotations

import json
import os
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, render_template
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from tumorboard import create_app


def bare_app() -> Flask:
    """The baseline: no sign-in, no audit, one statement per list."""
    bare = Flask(
        __name__, template_folder=str(Path(__file__).parent / "bench_templates")
    )
    url = os.environ["DATABASE_URL"].replace(
        "postgresql://", "postgresql+psycopg://", 1
    )
    options = json.loads(os.environ.get("TUMORBOARD_SQLALCHEMY_ENGINE_OPTIONS", "{}"))
    engine = sa.create_engine(url, **options)
    query = sa.text(
        "SELECT p.mrn, p.family_name, p.given_name, c.site_code, c.status,"
        " c.referral_date FROM cases c JOIN patients p ON p.id = c.patient_id"
        " ORDER BY c.id DESC LIMIT 50"
    )

    @bare.route("/ping")
    def ping():
        return {"status": "ok"}

    @bare.route("/list")
    def listing():
        with engine.connect() as connection:
            rows = connection.execute(query).all()
        return render_template("list.html", rows=rows)

    return bare


app = DispatcherMiddleware(create_app(), {"/_bare": bare_app()})
