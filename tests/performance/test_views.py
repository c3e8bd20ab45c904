"""Recording performance status over HTTP, and its panel on the case page."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from tests import factories
from tumorboard.db import today
from tumorboard.extensions import db
from tumorboard.performance import services
from tumorboard.performance.models import PerformanceStatus


def _case(birth_date=date(1970, 5, 1)):
    case = factories.make_case(factories.make_patient(birth_date=birth_date))
    db.session.commit()
    return case


def _form(**values):
    data = {
        "ecog": "",
        "karnofsky": "",
        "lansky": "",
        "assessed_on": today().isoformat(),
        "source": "clinic",
        "based_on": "0",
    }
    data.update({k: str(v) for k, v in values.items()})
    return data


def test_orthopaedic_oncologist_records_it_and_the_case_page_shows_it(
    app, client, login_as
):
    case = _case()
    login_as("orthopedic_oncologist")
    page = client.get(f"/cases/{case.id}/performance-status")
    assert page.status_code == 200
    assert 'name="ecog"' in page.text and 'name="karnofsky"' in page.text
    assert 'name="lansky"' not in page.text  # an adult: Lansky hidden
    response = client.post(
        f"/cases/{case.id}/performance-status", data=_form(ecog=1, karnofsky=80)
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/cases/{case.id}#performance")
    detail = client.get(f"/cases/{case.id}").text
    assert "ECOG 1 · Karnofsky 80" in detail
    assert "Record performance status" in detail


def test_a_child_gets_the_lansky_scale_only(app, client, login_as):
    case = _case(birth_date=today() - timedelta(days=365 * 9))
    login_as("nurse_specialist")
    page = client.get(f"/cases/{case.id}/performance-status").text
    assert 'name="lansky"' in page
    assert 'name="ecog"' not in page and 'name="karnofsky"' not in page
    response = client.post(
        f"/cases/{case.id}/performance-status", data=_form(lansky=80)
    )
    assert response.status_code == 302
    assert services.current(case).lansky == 80


def test_a_disagreeing_pair_comes_back_with_a_confirmation(app, client, login_as):
    case = _case()
    login_as("palliative_care")
    response = client.post(
        f"/cases/{case.id}/performance-status", data=_form(ecog=0, karnofsky=30)
    )
    assert response.status_code == 400
    assert "ECOG 0 and Karnofsky 30 fall outside the published correspondence" in (
        response.text
    )
    assert 'name="confirm_disagreement"' in response.text
    # What was typed comes back.
    assert '<option selected value="0">' in response.text
    assert '<option selected value="30">' in response.text
    assert db.session.scalar(sa.select(sa.func.count(PerformanceStatus.id))) == 0
    confirmed = client.post(
        f"/cases/{case.id}/performance-status",
        data=_form(ecog=0, karnofsky=30, confirm_disagreement="y"),
    )
    assert confirmed.status_code == 302
    detail = client.get(f"/cases/{case.id}").text
    assert "ECOG and Karnofsky disagree" in detail


def test_bad_input_over_http(app, client, login_as):
    case = _case()
    login_as("medical_oncologist")
    for data, message in [
        (_form(ecog=9), "Not a valid choice"),
        (_form(ecog=1, assessed_on="2026-13-40"), "Enter the date of the assessment"),
        (_form(ecog=1, source=""), "Choose where the assessment was made."),
        (_form(lansky=70), "Lansky scale is for children under 16"),
        (_form(), "Record the ECOG grade, the Karnofsky score or both."),
        (_form(ecog="1\x00"), "contains a control character"),
    ]:
        response = client.post(f"/cases/{case.id}/performance-status", data=data)
        assert response.status_code == 400, data
        assert message in response.text, (data, response.text[-2000:])
    assert services.current(case) is None


def test_a_stale_form_keeps_the_input_and_shows_the_newer_one(app, client, login_as):
    case = _case()
    other = factories.make_user("palliative_care")
    services.record_status(
        other, case, assessed_on=today(), source="ward", based_on=0, ecog=2
    )
    db.session.commit()
    login_as("orthopedic_oncologist")
    response = client.post(
        f"/cases/{case.id}/performance-status", data=_form(ecog=1, based_on=0)
    )
    assert response.status_code == 400
    assert "Someone recorded a newer performance status" in response.text
    assert 'name="based_on" type="hidden" value="1"' in response.text
    assert services.current(case).ecog == 2


def test_roles_that_do_not_treat_cannot_record(app, client, login_as):
    case = _case()
    login_as("radiologist")
    assert client.get(f"/cases/{case.id}/performance-status").status_code == 403
    response = client.post(f"/cases/{case.id}/performance-status", data=_form(ecog=1))
    assert response.status_code == 403
    detail = client.get(f"/cases/{case.id}").text
    assert "Record performance status" not in detail


def test_unknown_case_is_404(app, client, login_as):
    login_as("orthopedic_oncologist")
    assert client.get("/cases/999999/performance-status").status_code == 404
