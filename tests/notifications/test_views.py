"""The notification centre, preferences, the outbox page and @mentions over HTTP."""

from __future__ import annotations

import sqlalchemy as sa

from tests import factories
from tests.notifications.factories import ITEM, board_setup
from tumorboard.annotations.models import Annotation
from tumorboard.extensions import db
from tumorboard.meetings import services as meetings
from tumorboard.notifications import services
from tumorboard.notifications.kinds import Kind
from tumorboard.notifications.models import (
    Notification,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
)


def _listed_for(client, login_as):
    """Sign in a radiologist on a board, then list a case for its meeting."""
    radiologist = login_as("radiologist", boards=[])
    s = board_setup()
    s.board.members = [*s.board.members, radiologist]
    db.session.flush()
    meetings.add_case(s.coordinator, s.meeting, s.case, ITEM)
    db.session.commit()
    return radiologist, s


def test_the_navigation_shows_the_unread_count(client, login_as):
    page = client.get("/notifications/")
    assert page.status_code == 302  # signed out
    radiologist = login_as("radiologist")
    assert 'class="nav-count"' not in client.get("/notifications/").text
    s = board_setup()
    s.board.members = [*s.board.members, radiologist]
    meetings.add_case(s.coordinator, s.meeting, s.case, ITEM)
    db.session.commit()
    text = client.get("/").text
    assert '<span class="nav-count">1<span class="visually-hidden"> unread' in text


def test_the_list_opens_and_marks_read(client, login_as):
    radiologist, s = _listed_for(client, login_as)
    page = client.get("/notifications/")
    assert page.status_code == 200
    assert f"radiology review is needed for {s.case.reference}" in page.text
    assert "Mark all read" in page.text
    (note,) = db.session.scalars(
        sa.select(Notification).where(Notification.recipient_id == radiologist.id)
    )
    response = client.post(f"/notifications/{note.id}/read", data={"open": "1"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cases/{s.case.id}"
    assert db.session.get(Notification, note.id).read_at is not None
    assert 'class="nav-count"' not in client.get("/notifications/").text


def test_mark_all_read(client, login_as):
    radiologist, s = _listed_for(client, login_as)
    response = client.post("/notifications/read-all", follow_redirects=True)
    assert "1 notification marked read." in response.text
    assert services.unread_count(radiologist) == 0


def test_someone_elses_notification_cannot_be_marked(client, login_as):
    login_as("pathologist")
    other = factories.make_user("radiologist")
    note = Notification(
        recipient_id=other.id, kind="mention", text="x", link="/", channel="in_app"
    )
    db.session.add(note)
    db.session.commit()
    response = client.post(f"/notifications/{note.id}/read", follow_redirects=True)
    assert "That notification does not exist." in response.text
    assert db.session.get(Notification, note.id).read_at is None


def test_preferences_save_and_keep_input_on_refusal(client, login_as):
    user = login_as("radiologist")
    page = client.get("/notifications/preferences")
    assert page.status_code == 200
    assert "A recommendation waits for my signature" in page.text
    # Safety kinds offer no "Off".
    assert 'name="signature_needed" value="off"' not in page.text
    saved = client.post(
        "/notifications/preferences",
        data={"mention": "digest", "case_listed": "off"},
        follow_redirects=True,
    )
    assert "Notification settings saved." in saved.text
    stored = dict(
        db.session.execute(
            sa.select(NotificationPreference.kind, NotificationPreference.channel)
        ).all()
    )
    assert stored == {Kind.MENTION: "digest", Kind.CASE_LISTED: "off"}
    refused = client.post(
        "/notifications/preferences",
        data={"mention": "email", "gossip": "email"},
    )
    assert refused.status_code == 400
    assert "There is no kind of notification called &#39;gossip&#39;" in refused.text
    # What was typed comes back: e-mail is checked for mentions again.
    assert 'name="mention" value="email" checked' in refused.text
    assert services.channels_for([user], Kind.MENTION)[user.id] == "digest"
    off = client.post("/notifications/preferences", data={"action_overdue": "off"})
    assert off.status_code == 400 and "cannot be turned off" in off.text


def test_the_outbox_page_shows_messages_states_and_errors(client, login_as, app):
    app.config["MAIL_SMTP_HOST"] = None
    radiologist = factories.make_user("radiologist")
    queued = services.queue_email(radiologist, "[Tumour board] Mentioned", "Hello\n")
    dead = services.queue_email(radiologist, "[Tumour board] Action due", "Due\n")
    dead.status = OutboxStatus.DEAD
    dead.last_error = "SMTPServerDisconnected: Connection unexpectedly closed"
    dead.attempts = 8
    login_as("admin")
    page = client.get("/admin/outbox/")
    assert page.status_code == 200
    assert "No mail server is configured" in page.text
    assert "[Tumour board] Mentioned" in page.text and "Hello" in page.text
    assert "Connection unexpectedly closed" in page.text
    assert "Failed (no more attempts)" in page.text
    only_dead = client.get("/admin/outbox/?status=dead").text
    assert "Action due" in only_dead and "Mentioned" not in only_dead
    assert "not a state" in client.get("/admin/outbox/?status=lost").text
    client.post(f"/admin/outbox/{dead.id}/requeue")
    assert db.session.get(OutboxMessage, dead.id).status == OutboxStatus.QUEUED
    refused = client.post(f"/admin/outbox/{queued.id}/requeue", follow_redirects=True)
    assert "only a failed message can be queued again" in refused.text


def test_clinicians_cannot_open_the_outbox(client, login_as):
    login_as("coordinator")
    assert client.get("/admin/outbox/").status_code == 403


# @mentions -------------------------------------------------------------------------


def test_a_mention_notifies_the_person(client, login_as, make_case):
    author = login_as("orthopedic_oncologist")
    colleague = factories.make_user("radiologist", email="dr.ray@example.org")
    case = make_case()
    db.session.commit()
    response = client.post(
        f"/cases/{case.id}/annotations",
        data={"body": "@dr.ray could you look at the skip lesion?"},
    )
    assert response.status_code == 302
    (note,) = db.session.scalars(
        sa.select(Notification).where(Notification.recipient_id == colleague.id)
    )
    assert note.kind == Kind.MENTION
    assert author.name in note.text and case.reference in note.text
    assert "skip lesion" not in note.text
    annotation = db.session.scalar(sa.select(Annotation))
    assert note.link == f"/cases/{case.id}#annotation-{annotation.id}"


def test_mentions_of_unknown_or_unauthorised_people_are_refused_text_kept(
    client, login_as, make_case
):
    login_as("orthopedic_oncologist")
    factories.make_user("admin", email="it.admin@example.org")
    factories.make_user("radiologist", email="gone@example.org", is_active=False)
    case = make_case()
    db.session.commit()
    for body, message in [
        ("@nobody please review", "Nobody is called @nobody"),
        ("@it.admin please review", "may not read this case"),
        ("@gone please review", "deactivated account"),
    ]:
        response = client.post(f"/cases/{case.id}/annotations", data={"body": body})
        assert response.status_code == 400
        assert message in response.text
        assert body in response.text  # the text is kept
    assert db.session.scalars(sa.select(Annotation)).all() == []
    assert db.session.scalars(sa.select(Notification)).all() == []


def test_an_email_address_in_the_text_is_not_a_mention(client, login_as, make_case):
    login_as("orthopedic_oncologist")
    case = make_case()
    db.session.commit()
    response = client.post(
        f"/cases/{case.id}/annotations",
        data={"body": "Report sent to referrer@outside.example.org."},
    )
    assert response.status_code == 302


def test_a_shared_handle_needs_the_whole_address(client, login_as, make_case):
    login_as("orthopedic_oncologist")
    factories.make_user("radiologist", email="sam@one.example.org")
    wanted = factories.make_user("pathologist", email="sam@two.example.org")
    case = make_case()
    db.session.commit()
    response = client.post(f"/cases/{case.id}/annotations", data={"body": "@sam hi"})
    assert "names more than one person" in response.text
    response = client.post(
        f"/cases/{case.id}/annotations", data={"body": "@sam@two.example.org hi"}
    )
    assert response.status_code == 302
    (note,) = db.session.scalars(sa.select(Notification))
    assert note.recipient_id == wanted.id


def test_the_autocomplete_lists_active_people_who_may_read_the_case(
    client, login_as, make_case
):
    login_as("orthopedic_oncologist")
    factories.make_user("radiologist", email="rachel@example.org", name="Rachel Ames")
    factories.make_user("radiologist", email="ray@example.org", is_active=False)
    factories.make_user("admin", email="radmin@example.org")
    case = make_case()
    db.session.commit()
    answer = client.get(f"/cases/{case.id}/mentions?q=ra").get_json()
    assert [p["handle"] for p in answer] == ["rachel"]
    assert answer[0]["name"] == "Rachel Ames" and answer[0]["role"] == "Radiologist"
    by_name = client.get(f"/cases/{case.id}/mentions?q=ames").get_json()
    assert [p["handle"] for p in by_name] == ["rachel"]
