"""Annotations over the API: the annotation service's rules, the author's
edits and deletion with If-Match, the audit entries of the pages."""

from __future__ import annotations

import sqlalchemy as sa

from tests import factories
from tumorboard.annotations.models import Annotation
from tumorboard.audit.models import AuditEntry
from tumorboard.cases.models import CaseStatus
from tumorboard.extensions import db

PROBLEM = "application/problem+json"


def _actions():
    return [a for (a,) in db.session.execute(sa.select(AuditEntry.action))]


def _post(client, headers, case, **body):
    return client.post(
        f"/api/v1/cases/{case.id}/annotations",
        json={"body": "Check the chest CT.", **body},
        headers=headers,
    )


def test_notes_and_replies_come_thread_by_thread(client, token_for):
    author, _token, headers = token_for("radiologist")
    case = factories.make_case()
    db.session.commit()
    note = _post(client, headers, case)
    assert note.status_code == 201, note.json
    assert note.json["author"] == author.name
    assert note.json["discipline"] == "radiology"
    assert note.headers["ETag"] == f'"annotation-{note.json["id"]}-v1"'
    _other, _token, other = token_for("pathologist")
    reply = _post(client, other, case, body="Agreed.", parent_id=note.json["id"])
    assert reply.status_code == 201, reply.json
    later = _post(client, headers, case, body="Second thread.")
    listed = client.get(f"/api/v1/cases/{case.id}/annotations", headers=other)
    assert [n["id"] for n in listed.json["items"]] == [
        note.json["id"],
        reply.json["id"],
        later.json["id"],
    ]
    assert listed.json["items"][1]["parent_id"] == note.json["id"]
    assert _actions().count("annotation.create") == 3
    assert "case.read" in _actions()


def test_the_services_rules_name_the_field(client, token_for):
    _user, _token, headers = token_for("coordinator")
    case = factories.make_case()
    closed = factories.make_case(status=CaseStatus.CLOSED)
    db.session.commit()
    script = _post(client, headers, case, body="<script>alert(1)</script>")
    assert script.status_code == 422
    assert script.mimetype == PROBLEM
    assert script.json["errors"][0]["field"] == "body"
    blank = _post(client, headers, case, body="   ")
    assert blank.json["errors"][0]["field"] == "body"
    foreign = _post(client, headers, case, review_id=999)
    assert foreign.json["errors"][0]["field"] == "review_id"
    assert _post(client, headers, closed).status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Annotation.id))) == 0


def test_the_author_edits_with_if_match(client, token_for):
    _user, _token, headers = token_for("palliative_care")
    case = factories.make_case()
    db.session.commit()
    note = _post(client, headers, case).json
    url = f"/api/v1/annotations/{note['id']}"
    body = {"body": "Check the chest CT and the bone scan."}
    assert client.put(url, json=body, headers=headers).status_code == 428
    etag = f'"annotation-{note["id"]}-v1"'
    edited = client.put(url, json=body, headers={**headers, "If-Match": etag})
    assert edited.status_code == 200, edited.json
    assert edited.json["edited"] is True
    assert edited.headers["ETag"] == f'"annotation-{note["id"]}-v2"'
    stale = client.put(url, json=body, headers={**headers, "If-Match": etag})
    assert stale.status_code == 412
    _user, _token, other = token_for("palliative_care")
    new_etag = {"If-Match": edited.headers["ETag"]}
    assert client.put(url, json=body, headers={**other, **new_etag}).status_code == 403
    assert client.delete(url, headers={**other, **new_etag}).status_code == 403
    assert "annotation.update" in _actions()


def test_the_author_deletes_and_the_note_keeps_its_place(client, token_for):
    _user, _token, headers = token_for("orthopedic_oncologist")
    case = factories.make_case()
    db.session.commit()
    note = _post(client, headers, case).json
    url = f"/api/v1/annotations/{note['id']}"
    assert client.delete(url, headers=headers).status_code == 428
    deleted = client.delete(
        url, headers={**headers, "If-Match": f'"annotation-{note["id"]}-v1"'}
    )
    assert deleted.status_code == 200, deleted.json
    assert deleted.json["deleted"] is True
    assert deleted.json["body"] is None
    listed = client.get(f"/api/v1/cases/{case.id}/annotations", headers=headers)
    assert listed.json["items"][0]["deleted"] is True
    assert listed.json["items"][0]["body"] is None
    assert "annotation.delete" in _actions()


def test_one_note_is_an_audited_read_and_unknown_is_404(client, token_for):
    _user, _token, headers = token_for("nurse_specialist")
    case = factories.make_case()
    db.session.commit()
    note = _post(client, headers, case).json
    one = client.get(f"/api/v1/annotations/{note['id']}", headers=headers)
    assert one.status_code == 200
    assert one.json["body"] == "Check the chest CT."
    assert "annotation.read" in _actions()
    missing = client.get("/api/v1/annotations/999999", headers=headers)
    assert missing.status_code == 404
    assert missing.mimetype == PROBLEM
    _user, _token, admin = token_for("admin")
    assert _post(client, admin, case).status_code == 403
