"""Annotations over HTTP: threads on the case page, sanitising, edit, delete."""

from __future__ import annotations

import sqlalchemy as sa

from tumorboard.annotations import services
from tumorboard.annotations.models import Annotation
from tumorboard.audit.models import AuditEntry
from tumorboard.cases.models import CaseStatus
from tumorboard.extensions import db


def test_post_an_annotation_and_see_it_on_the_case_page(client, login_as, make_case):
    author = login_as("radiologist")
    case = make_case()
    db.session.commit()
    response = client.post(
        f"/cases/{case.id}/annotations",
        data={
            "body": "Look at [the PACS study](https://pacs.example.org/1).",
            "review_id": "",
        },
    )
    assert response.status_code == 302
    note = db.session.scalar(sa.select(Annotation))
    assert response.headers["Location"] == f"/cases/{case.id}#annotation-{note.id}"
    page = client.get(f"/cases/{case.id}").text
    assert (
        '<a href="https://pacs.example.org/1" rel="noopener noreferrer nofollow">'
        "the PACS study</a>" in page
    )
    assert f"<strong>{author.name}</strong>" in page
    assert '<span class="badge discipline">Radiology</span>' in page
    # On the case timeline too.
    assert f"Note by {author.name} (Radiology)" in page


def test_script_in_an_annotation_is_refused_and_the_text_kept(
    client, login_as, make_case
):
    login_as("pathologist")
    case = make_case()
    db.session.commit()
    body = "Please review <script>alert('x')</script>"
    response = client.post(f"/cases/{case.id}/annotations", data={"body": body})
    assert response.status_code == 400
    assert "cannot contain &lt;script&gt; tags" in response.text
    assert (
        "Please review &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in response.text
    )
    assert db.session.scalar(sa.select(sa.func.count(Annotation.id))) == 0


def test_edit_delete_and_history_pages(client, login_as, make_case):
    author = login_as("palliative_care")
    case = make_case()
    note = services.create_annotation(author, case, "Family meeting on Friday.")
    db.session.commit()
    assert (
        "Family meeting on Friday." in client.get(f"/annotations/{note.id}/edit").text
    )
    stale = client.post(
        f"/annotations/{note.id}/edit",
        data={"body": "Family meeting moved to Monday.", "version": note.version + 5},
    )
    assert stale.status_code == 400 and "changed since you opened it" in stale.text
    assert "Family meeting moved to Monday." in stale.text
    ok = client.post(
        f"/annotations/{note.id}/edit",
        data={"body": "Family meeting moved to Monday.", "version": note.version},
    )
    assert ok.status_code == 302
    db.session.refresh(note)
    confirm = client.get(f"/annotations/{note.id}/delete")
    assert confirm.status_code == 200
    assert "Family meeting moved to Monday." in confirm.text
    unconfirmed = client.post(
        f"/annotations/{note.id}/delete",
        data={"version": note.version},
        follow_redirects=True,
    )
    assert unconfirmed.request.path == f"/annotations/{note.id}/delete"
    assert "Confirm deleting the annotation; nothing was deleted yet." in (
        unconfirmed.text
    )
    db.session.refresh(note)
    assert not note.is_deleted
    deleted = client.post(
        f"/annotations/{note.id}/delete",
        data={"version": note.version, "confirmed": "yes"},
    )
    assert deleted.status_code == 302
    again = client.post(
        f"/annotations/{note.id}/delete",
        data={"version": note.version, "confirmed": "yes"},
        follow_redirects=True,
    )
    assert "This annotation was already deleted; nothing was changed." in again.text
    page = client.get(f"/cases/{case.id}").text
    assert "Deleted by the author" in page
    assert "Family meeting moved to Monday." not in page
    history = client.get(f"/annotations/{note.id}/history").text
    assert "Family meeting on Friday." in history
    assert "Family meeting moved to Monday." in history


def test_another_user_cannot_edit(client, login_as, make_case, make_user):
    case = make_case()
    note = services.create_annotation(make_user("radiologist"), case, "Mine")
    db.session.commit()
    login_as("radiologist")
    assert client.get(f"/annotations/{note.id}/edit").status_code == 403
    assert client.get(f"/annotations/{note.id}/history").status_code == 403
    page = client.get(f"/cases/{case.id}").text
    assert f"/annotations/{note.id}/edit" not in page


def test_annotations_of_a_closed_case_cannot_be_edited_or_deleted(
    client, login_as, make_case
):
    author = login_as("radiologist")
    case = make_case()
    note = services.create_annotation(author, case, "Written while open")
    case.status = CaseStatus.CLOSED
    db.session.commit()
    page = client.get(f"/cases/{case.id}").text
    assert "Written while open" in page
    assert f"/annotations/{note.id}/edit" not in page
    assert f"/annotations/{note.id}/delete" not in page
    response = client.get(f"/annotations/{note.id}/edit", follow_redirects=True)
    assert "its annotations can no longer be changed" in response.text
    edited = client.post(
        f"/annotations/{note.id}/edit",
        data={"body": "Rewritten after closing", "version": note.version},
    )
    assert edited.status_code == 302
    deleted = client.post(
        f"/annotations/{note.id}/delete",
        data={"version": note.version, "confirmed": "yes"},
        follow_redirects=True,
    )
    assert "its annotations can no longer be changed" in deleted.text
    asked = client.get(f"/annotations/{note.id}/delete", follow_redirects=True)
    assert "its annotations can no longer be changed" in asked.text
    db.session.refresh(note)
    assert note.body == "Written while open" and not note.is_deleted


def test_refused_delete_is_explained_and_changes_nothing(client, login_as, make_case):
    author = login_as("radiologist")
    case = make_case()
    note = services.create_annotation(author, case, "Keep this note.")
    db.session.commit()
    response = client.post(
        f"/annotations/{note.id}/delete",
        data={"version": note.version + 1, "confirmed": "yes"},
        follow_redirects=True,
    )
    assert "This annotation changed since you opened it." in response.text
    assert "Annotation deleted" not in response.text
    db.session.refresh(note)
    assert not note.is_deleted and note.current_number == 1
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEntry.id)).where(
                AuditEntry.action == "annotation.delete"
            )
        )
        == 0
    )


def test_refused_edit_shows_the_case_and_the_current_version(
    client, login_as, make_patient, make_case
):
    author = login_as("radiologist")
    patient = make_patient()
    case = make_case(patient)
    note = services.create_annotation(author, case, "Same text.")
    db.session.commit()
    response = client.post(
        f"/annotations/{note.id}/edit",
        data={"body": "Same text.", "version": note.version},
    )
    assert response.status_code == 400
    assert "Nothing changed; nothing was saved." in response.text
    assert case.reference in response.text
    assert f"<strong>{patient.mrn}</strong>" in response.text
    assert f'name="version" type="hidden" value="{note.version}"' in response.text


def test_refused_reply_shows_the_case_page_header(
    client, login_as, make_patient, make_case
):
    login_as("radiologist")
    patient = make_patient()
    case = make_case(patient)
    db.session.commit()
    response = client.post(
        f"/cases/{case.id}/annotations",
        data={"body": "A reply to nothing", "parent_id": "999999"},
    )
    assert response.status_code == 400
    assert "The note you replied to is not on this case." in response.text
    assert f"<strong>{patient.mrn}</strong>" in response.text
    assert db.session.scalar(sa.select(sa.func.count(Annotation.id))) == 0
