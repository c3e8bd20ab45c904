"""Faults in production: PostgreSQL restarted while requests run, Redis
down, the upload folder unwritable or full. Each gives a clear answer, is
logged, leaves nothing half-stored, and passes without restarting the app.

PostgreSQL's restart is simulated by terminating this application's server
connections (``pg_terminate_backend``, matched by a unique
``application_name``) from a second connection; Redis being down by a closed
port; a full disk by a file-size limit on the process."""

from __future__ import annotations

import io
import logging
import resource
import signal
import threading
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.attachments.files import PNG_BYTES
from tests.conftest import BASE_CONFIG, PG_URL, pg_url, temporary_pg_schema
from tumorboard import create_app
from tumorboard.attachments import services as attachments
from tumorboard.attachments.models import Attachment
from tumorboard.auth.permissions import public
from tumorboard.errors import ServiceError
from tumorboard.extensions import db, limiter

#: Redis on a closed port.
DOWN_REDIS = "redis://127.0.0.1:1/0"


# -- Redis down ---------------------------------------------------------------


@pytest.fixture
def _limiter_restored():
    """The limiter is one object shared by every app of the run."""
    enabled = limiter.enabled
    yield
    limiter.enabled = enabled


@pytest.mark.usefixtures("_limiter_restored")
class TestRedisDown:
    @pytest.fixture
    def app_config(self):
        return {
            "RATELIMIT_ENABLED": True,
            "REDIS_URL": DOWN_REDIS,
            "RATELIMIT_STORAGE_URI": DOWN_REDIS,
        }

    def test_sign_in_fails_closed_with_a_message_and_is_logged(
        self, client, make_user, caplog
    ):
        user = make_user("coordinator")
        db.session.commit()
        caplog.set_level(logging.ERROR, logger="tumorboard.errors")
        response = client.post(
            "/login", data={"email": user.email, "password": "tumorboard-test-pw"}
        )
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "30"
        assert "Sign-in temporarily unavailable" in response.text
        assert "nothing was changed" in response.text
        assert "Traceback" not in response.text
        # Not signed in: the next page still asks for the sign-in.
        assert client.get("/cases/").status_code == 302
        [record] = [r for r in caplog.records if "rate-limit store" in r.getMessage()]
        assert "/login" in record.getMessage()
        assert "ConnectionError" in record.getMessage()

    def test_pages_other_than_the_throttled_forms_keep_working(
        self, app, client, login_as
    ):
        limiter.enabled = False
        login_as("coordinator")
        limiter.enabled = True
        assert client.get("/cases/").status_code == 200
        assert client.get("/login").status_code in (200, 302)
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json["checks"]["redis"] == "unavailable"


# -- Upload folder unwritable or full ---------------------------------------


def _stored(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def _upload(client, case):
    return client.post(
        f"/cases/{case.id}/attachments",
        data={
            "kind": "key_image",
            "caption": "Axial STIR",
            "series_slice": "Series 7, slice 23",
            "review_id": "",
            "file": (io.BytesIO(PNG_BYTES), "stir.png"),
        },
        content_type="multipart/form-data",
    )


class TestUploadFolderUnwritable:
    @pytest.fixture
    def app_config(self, tmp_path):
        # A folder that cannot be created: its parent is a file (permissions
        # alone would not stop the root account the tests may run as).
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("a file where the folder should be")
        return {"UPLOAD_FOLDER": str(blocker / "uploads")}

    def test_the_upload_is_refused_with_a_message_and_nothing_is_stored(
        self, app, client, login_as, make_case, caplog, tmp_path
    ):
        login_as("radiologist")
        case = make_case()
        db.session.commit()
        caplog.set_level(logging.ERROR, logger="tumorboard.attachments.services")
        response = _upload(client, case)
        assert response.status_code == 400
        assert "The file could not be stored: the storage cannot be written." in (
            response.text
        )
        assert "Nothing was saved." in response.text
        assert "Axial STIR" in response.text  # what was typed comes back
        assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0
        assert sorted(p.name for p in tmp_path.rglob("*")) == ["not-a-folder"]
        [record] = [
            r for r in caplog.records if r.name == "tumorboard.attachments.services"
        ]
        assert "cannot store a file: ENOTDIR" in record.getMessage()


def test_a_full_disk_refuses_the_upload_and_leaves_no_partial_file(
    app, make_case, make_user
):
    case = make_case()
    radiologist = make_user("radiologist")
    folder = Path(app.config["UPLOAD_FOLDER"])
    previous = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    # Files of this process may not grow past 16 bytes: writing the image
    # fails half-way as on a full disk.
    resource.setrlimit(resource.RLIMIT_FSIZE, (16, previous[1]))
    try:
        with pytest.raises(ServiceError, match="the storage is full") as refused:
            attachments.attach_file(
                radiologist,
                case,
                kind="key_image",
                stream=io.BytesIO(PNG_BYTES),
                filename="stir.png",
                caption="Axial STIR",
                series_slice="Series 7, slice 23",
            )
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, previous)
        signal.signal(signal.SIGXFSZ, handler)
    assert refused.value.field == "file"
    assert _stored(folder) == []
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0


# -- PostgreSQL restarted while requests run ---------------------------------


@pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL")
def test_postgresql_restart_gives_503_in_flight_then_recovers_without_restart(
    tmp_path,
):
    name = f"tb-fault-{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(pg_url())
    with temporary_pg_schema("tbfault") as schema:
        app = create_app(
            {
                **BASE_CONFIG,
                "SQLALCHEMY_DATABASE_URI": pg_url(),
                "SQLALCHEMY_ENGINE_OPTIONS": {
                    "pool_pre_ping": True,
                    "connect_args": {
                        "options": f"-csearch_path={schema}",
                        "application_name": name,
                    },
                },
                "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            }
        )

        @app.route("/slow-query")
        @public
        def slow_query():
            db.session.execute(sa.text("SELECT pg_sleep(10)"))
            return "done"

        with app.app_context():
            db.create_all()
        client = app.test_client()

        def terminate() -> int:
            with admin.begin() as connection:
                return connection.scalar(
                    sa.text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        " WHERE application_name = :name"
                    ),
                    {"name": name},
                )

        assert client.get("/readyz").status_code == 200
        assert client.get("/login").status_code == 200

        # A request in flight when the server goes away gets the 503 page.
        answers = []
        worker = threading.Thread(
            target=lambda: answers.append(app.test_client().get("/slow-query"))
        )
        worker.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with admin.connect() as connection:
                if connection.scalar(
                    sa.text(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name"
                        " = :name AND query LIKE '%pg_sleep%' AND state = 'active'"
                    ),
                    {"name": name},
                ):
                    break
            time.sleep(0.05)
        assert terminate() >= 1
        worker.join(15)
        [in_flight] = answers
        assert in_flight.status_code == 503
        assert in_flight.headers["Retry-After"] == "30"
        assert "Temporarily unavailable" in in_flight.text

        # Every pooled connection is now dead: the next requests reconnect by
        # themselves, no restart of the application.
        terminate()
        assert client.get("/readyz").status_code == 200
        assert client.get("/login").status_code == 200
        with app.app_context():
            db.engine.dispose()
    admin.dispose()
