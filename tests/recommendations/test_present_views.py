"""The decision panel of presentation mode: the chair or coordinator records
and corrects the draft at the table, with the recording page's rules, every
error at once and nothing stored until it is right."""

from __future__ import annotations

import sqlalchemy as sa

from tests import factories
from tests.recommendations import factories as rf
from tumorboard.extensions import db
from tumorboard.meetings.models import AgendaItemStatus
from tumorboard.recommendations import services
from tumorboard.recommendations.models import Recommendation, RecommendationState


def _listed(app):
    return rf.discussed_item(item_status=AgendaItemStatus.LISTED)


def _url(setup, suffix=""):
    return (
        f"/meetings/{setup.meeting.id}/present/{setup.item.id}/recommendation{suffix}"
    )


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Recommendation.id)))


def test_the_chair_records_the_draft_from_the_panel(app, client):
    setup = _listed(app)
    db.session.commit()
    factories.sign_in(client, setup.chair.email)
    response = client.post(_url(setup), data=rf.form_data())
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/present/{setup.item.id}#decision")
    rec = db.session.scalar(sa.select(Recommendation))
    assert (
        rec.state == RecommendationState.DRAFT and rec.created_by_id == setup.chair.id
    )
    page = client.get(f"/meetings/{setup.meeting.id}/present/{setup.item.id}").text
    assert "Save the draft" in page and "MAP chemotherapy" in page
    assert "Mark discussed without a recommendation" not in page


def test_every_error_at_once_and_the_input_kept(app, client):
    setup = _listed(app)
    db.session.commit()
    factories.sign_in(client, setup.chair.email)
    data = rf.form_data(
        conference_type="",
        intent="",
        surgery_kind="",
        type_neoadjuvant_chemotherapy=None,
        free_text="Limb salvage after chemotherapy, typed at the table.",
        start_by="2001-01-01",
    )
    response = client.post(_url(setup), data=data)
    assert response.status_code == 400
    text = response.text
    for message in (
        "Choose the conference type.",
        "Choose the treatment intent.",
        "Choose the kind of surgery",
    ):
        assert message in text
    assert "meeting" in text and "Start by" in text
    assert "Limb salvage after chemotherapy, typed at the table." in text
    assert 'id="decision"' in text
    assert _count() == 0


def test_a_stale_draft_save_is_refused_and_shows_the_current_version(app, client):
    setup = _listed(app)
    coordinator = factories.make_user("coordinator")
    rec = services.record_recommendation(coordinator, setup.item, rf.rec_data())
    stale = rec.version
    services.update_recommendation(
        coordinator, rec, rf.rec_data(free_text="Changed by the coordinator."), stale
    )
    db.session.commit()
    factories.sign_in(client, setup.chair.email)
    response = client.post(
        _url(setup, f"/{rec.id}"),
        data=rf.form_data(free_text="The chair's wording.", version=str(stale)),
    )
    assert response.status_code == 400
    assert "The chair&#39;s wording." in response.text
    db.session.refresh(rec)
    assert rec.free_text == "Changed by the coordinator."
    assert f'name="version" type="hidden" value="{rec.version}"' in response.text


def test_only_those_running_the_meeting_record_at_the_table(app, client, login_as):
    setup = _listed(app)
    db.session.commit()
    login_as("radiologist")
    response = client.post(_url(setup), data=rf.form_data())
    assert response.status_code == 302
    assert _count() == 0


def test_a_recommendation_of_another_item_is_not_found(app, client):
    setup = _listed(app)
    other = rf.make_item(setup.meeting)
    coordinator = factories.make_user("coordinator")
    rec = services.record_recommendation(coordinator, other, rf.rec_data())
    db.session.commit()
    factories.sign_in(client, setup.chair.email)
    response = client.post(_url(setup, f"/{rec.id}"), data=rf.form_data())
    assert response.status_code == 404
