"""Personal API tokens: created shown once, stored hashed, scoped, expiring,
revocable, every use audited with the token's id."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tumorboard.api import tokens
from tumorboard.api.models import ApiToken, TokenScope
from tumorboard.audit.models import AuditEntry
from tumorboard.db import utcnow
from tumorboard.errors import AccessDenied, InvalidInput, SeveralInvalid
from tumorboard.extensions import db


def _entries(action):
    return list(
        db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action))
    )


def test_a_token_is_stored_as_its_hash_only(app):
    user = factories.make_user("coordinator")
    token, secret = tokens.create_token(user, "registry script", "read", 30)
    assert secret.startswith("tbk_") and len(secret) > 40
    assert token.token_hash == tokens.hash_secret(secret)
    stored = db.session.execute(sa.select(ApiToken.__table__)).one()._asdict()
    assert secret not in [str(v) for v in stored.values()]
    assert token.expires_at - token.created_at == timedelta(days=30)
    assert _entries("api_token.create")[0].entity_id == str(token.id)


def test_creating_refuses_bad_input_naming_each_field(app):
    user = factories.make_user("coordinator")
    with pytest.raises(SeveralInvalid) as refused:
        tokens.create_token(user, "  ", "admin", 5)
    assert {e.field for e in refused.value.errors} == {"name", "scope", "lifetime_days"}


def test_only_the_owner_revokes_and_only_once(app):
    owner = factories.make_user("coordinator")
    other = factories.make_user("radiologist")
    token, _ = tokens.create_token(owner, "x", "read", 7)
    with pytest.raises(AccessDenied):
        tokens.revoke_token(other, token)
    tokens.revoke_token(owner, token)
    with pytest.raises(InvalidInput):
        tokens.revoke_token(owner, token)


def test_revoked_expired_and_deactivated_tokens_are_refused(app):
    user = factories.make_user("coordinator")
    token, secret = tokens.create_token(user, "x", TokenScope.READ, 7)
    assert tokens.authenticate(secret) is token
    with pytest.raises(tokens.TokenRefused, match="expired"):
        tokens.authenticate(secret, now=utcnow() + timedelta(days=8))
    user.is_active = False
    with pytest.raises(tokens.TokenRefused, match="deactivated"):
        tokens.authenticate(secret)
    user.is_active = True
    tokens.revoke_token(user, token)
    with pytest.raises(tokens.TokenRefused, match="revoked"):
        tokens.authenticate(secret)
    with pytest.raises(tokens.TokenRefused, match="not valid"):
        tokens.authenticate("tbk_" + "x" * 43)


# Over HTTP -------------------------------------------------------------------


def test_every_use_is_audited_with_the_token_id(client, token_for):
    _user, token, headers = token_for("coordinator", TokenScope.READ)
    response = client.get("/api/v1/cases/", headers=headers)
    assert response.status_code == 200
    used = _entries("api_token.use")
    assert [e.entity_id for e in used] == [str(token.id)]
    assert "GET /api/v1/cases/" in used[0].summary
    assert "set-cookie" not in {k.lower() for k in response.headers.keys()}


@pytest.mark.parametrize("how", ["revoked", "expired"])
def test_a_revoked_or_expired_token_gets_401_and_is_audited(client, token_for, how):
    user, token, headers = token_for("coordinator")
    if how == "revoked":
        tokens.revoke_token(user, token)
    else:
        token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get("/api/v1/cases/", headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert how in response.json["detail"]
    assert "Bearer" in response.headers["WWW-Authenticate"]
    assert _entries("api_token.refused")[0].entity_id == str(token.id)


def test_a_malformed_authorization_header_gets_401(client):
    response = client.get("/api/v1/cases/", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401
    assert response.json["title"] == "Unauthorized"


def test_without_any_credentials_the_api_answers_401_not_a_redirect(client):
    response = client.get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_a_read_token_cannot_change_anything(client, token_for):
    _user, _token, headers = token_for("coordinator", TokenScope.READ)
    case = factories.make_case()
    response = client.post(
        f"/api/v1/cases/{case.id}/transitions",
        json={"target": "workup"},
        headers={**headers, "If-Match": f'"case-{case.id}-v1"'},
    )
    assert response.status_code == 403
    assert "only read" in response.json["detail"]


def test_the_token_obeys_its_owners_role(client, token_for):
    _user, _token, headers = token_for("admin")
    assert client.get("/api/v1/cases/", headers=headers).status_code == 403


# The account page --------------------------------------------------------------


def test_the_account_page_shows_the_secret_once(client, login_as):
    user = login_as("radiologist")
    response = client.post(
        "/account/tokens",
        data={"name": "my script", "scope": "read", "lifetime_days": "90"},
    )
    assert response.status_code == 200
    token = db.session.scalar(sa.select(ApiToken))
    page = response.get_data(as_text=True)
    assert token.user_id == user.id and token.scope == TokenScope.READ
    secret = page.split('id="token-secret" type="text" readonly value="')[1].split('"')[
        0
    ]
    assert tokens.hash_secret(secret) == token.token_hash
    again = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in again and token.prefix in again


def test_the_account_page_keeps_input_and_names_the_problem(client, login_as):
    login_as("radiologist")
    response = client.post(
        "/account/tokens", data={"name": "", "scope": "read", "lifetime_days": "90"}
    )
    assert response.status_code == 400
    assert "Give the token a name." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_revoking_from_the_account_page(client, login_as):
    user = login_as("radiologist")
    token, secret = tokens.create_token(user, "x", "read", 7)
    db.session.commit()
    response = client.post(f"/account/tokens/{token.id}/revoke")
    assert response.status_code == 302
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    refused = client.get(
        "/api/v1/cases/", headers={"Authorization": f"Bearer {secret}"}
    )
    assert refused.status_code == 401


def test_someone_elses_token_cannot_be_revoked(client, login_as):
    other = factories.make_user("coordinator")
    token, _ = tokens.create_token(other, "x", "read", 7)
    login_as("radiologist")
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert db.session.get(ApiToken, token.id).revoked_at is None
