"""Clinical calculators over the API: the score functions themselves, their
refusals as problem details naming the input."""

from __future__ import annotations

import pytest

from tumorboard.clinical import scores

PROBLEM = "application/problem+json"


def test_mirels_gives_the_score_and_its_meaning(client, token_for):
    _user, _token, headers = token_for("orthopedic_oncologist")
    body = {
        "site": "peritrochanteric",
        "pain": "functional",
        "lesion": "lytic",
        "size": "gt_two_thirds",
    }
    response = client.post("/api/v1/calculators/mirels", json=body, headers=headers)
    assert response.status_code == 200, response.json
    expected = scores.mirels(**body)
    assert response.json["total"] == expected.total == 12
    assert response.json["category"] == "high"
    assert response.json["interpretation"] == expected.interpretation
    assert response.json["points"][0] == {"component": "site", "points": 3}


def test_sins_tokuhashi_and_huvos(client, token_for):
    _user, _token, headers = token_for("radiologist")
    sins = {
        "location": "junctional",
        "pain": "mechanical",
        "lesion": "lytic",
        "alignment": "subluxation",
        "collapse": "over_50",
        "posterolateral": "bilateral",
    }
    response = client.post("/api/v1/calculators/sins", json=sins, headers=headers)
    assert response.json["total"] == 18
    assert response.json["category"] == "unstable"
    tokuhashi = {
        "kps": 80,
        "extraspinal_bone_mets": 0,
        "vertebral_body_mets": 1,
        "visceral_mets": "none",
        "primary_site": "breast",
        "palsy": "none",
    }
    response = client.post(
        "/api/v1/calculators/tokuhashi", json=tokuhashi, headers=headers
    )
    assert response.status_code == 200, response.json
    assert response.json["total"] == scores.tokuhashi_revised(**tokuhashi).total
    huvos = client.post(
        "/api/v1/calculators/huvos", json={"necrosis_percent": 95}, headers=headers
    )
    assert huvos.json["category"] == "III"
    assert "good responder" in huvos.json["interpretation"]
    assert huvos.json["total"] is None


def test_msts_scores_each_category(client, token_for):
    _user, _token, headers = token_for("orthopedic_oncologist")
    keys = [k for k, _ in scores.MSTS_CATEGORIES["lower_limb"]]
    body = {"limb": "lower_limb", "scores": dict.fromkeys(keys, 4)}
    response = client.post("/api/v1/calculators/msts", json=body, headers=headers)
    assert response.status_code == 200, response.json
    assert response.json["total"] == 24
    missing = {"limb": "lower_limb", "scores": {"pain": 5}}
    refused = client.post("/api/v1/calculators/msts", json=missing, headers=headers)
    assert refused.status_code == 422
    assert refused.mimetype == PROBLEM
    assert refused.json["errors"][0]["field"] == "scores"


@pytest.mark.parametrize(
    ("name", "body", "field"),
    [
        (
            "mirels",
            {
                "site": "skull",
                "pain": "mild",
                "lesion": "lytic",
                "size": "lt_one_third",
            },
            "site",
        ),
        ("ecog", {"grade": 7}, "grade"),
        ("karnofsky", {"value": 85}, "value"),
        ("escc", {"grade": "1A"}, "grade"),
        ("ecog", {"grade": 1, "colour": "red"}, "colour"),
    ],
)
def test_refused_inputs_are_named(client, token_for, name, body, field):
    _user, _token, headers = token_for("palliative_care")
    response = client.post(f"/api/v1/calculators/{name}", json=body, headers=headers)
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert [e["field"] for e in response.json["errors"]] == [field]


def test_the_score_function_has_the_last_word(client, token_for):
    """Tokuhashi refuses KPS 0 and a count of no vertebra: the function's own
    message names the input."""
    _user, _token, headers = token_for("palliative_care")
    body = {
        "kps": 80,
        "extraspinal_bone_mets": 0,
        "vertebral_body_mets": 0,
        "visceral_mets": "none",
        "primary_site": "breast",
        "palsy": "none",
    }
    response = client.post("/api/v1/calculators/tokuhashi", json=body, headers=headers)
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "vertebral_body_mets"


def test_calculators_need_a_clinical_role(client, token_for):
    _user, _token, headers = token_for("admin")
    response = client.post(
        "/api/v1/calculators/ecog", json={"grade": 1}, headers=headers
    )
    assert response.status_code == 403
    assert client.post("/api/v1/calculators/ecog", json={"grade": 1}).status_code == 401
