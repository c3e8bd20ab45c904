"""Password policy (NIST SP 800-63B / ASVS 5.0), the forced change after an
administrator set a password, and the administrator's step-up confirmation."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD
from tumorboard.audit.models import AuditEntry
from tumorboard.auth import services
from tumorboard.auth.models import User
from tumorboard.auth.passwords import (
    COMMON_PASSWORDS_FILE,
    MAX_PASSWORD_LENGTH,
    common_passwords,
    password_problem,
)
from tumorboard.errors import InvalidInput
from tumorboard.extensions import db

GOOD = "plum-kettle-orbit-7"
#: From the shipped list of common passwords, long enough to pass the length rule.
COMMON = "qwerty123456"


def _entries(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.action == action)
            .order_by(AuditEntry.id)
        )
    )


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


# --- the shipped list -------------------------------------------------------


def test_the_common_password_list_is_shipped_with_source_and_licence():
    text = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert any("zxcvbn" in line for line in header)
    assert any("MIT" in line for line in header)
    entries = common_passwords()
    assert len(entries) >= 10_000
    assert {"123456", "password", "qwerty", COMMON} <= entries
    assert not any(entry.startswith("#") for entry in entries)
    assert all(entry == entry.casefold() for entry in entries)


# --- the rules --------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "x7" * 6 + "q",  # 13 characters
        "z" * 11 + "!",  # not a repetition: the last character differs
        "ümlaut-kaffee-tasse",  # letters outside ASCII count once each
        "correct horse battery staple",  # spaces are allowed
        "a1b2" + "k" * 60,  # 64 characters
        ("plum-kettle-orbit-" * 8)[:128],  # 128 characters
        ("plum-kettle-orbit-" * 12)[:MAX_PASSWORD_LENGTH],  # the longest accepted
    ],
    ids=["13", "near-repeat", "unicode", "spaces", "64", "128", "max"],
)
def test_long_enough_uncommon_passwords_pass_without_composition_rules(password):
    assert password_problem(password, email="ada@example.org", name="Ada Bone") is None


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("eleven-char", "at least 12 characters"),
        ("plum-kettle-orbit-" * 12, f"at most {MAX_PASSWORD_LENGTH}"),
        (COMMON, "most commonly used passwords"),
        ("QWERTY123456", "most commonly used passwords"),
        ("1qaz2wsx3edc", "most commonly used passwords"),
        ("aaaaaaaaaaaa", "repeated"),
        ("abcabcabcabc", "repeated"),
        ("123456789012", "plain sequence"),
        ("zyxwvutsrqpo", "plain sequence"),
    ],
    ids=[
        "short",
        "too-long",
        "common",
        "common-upper-case",
        "common-keyboard",
        "one-character",
        "group",
        "digits",
        "letters-down",
    ],
)
def test_weak_passwords_are_refused_with_a_clear_message(password, message):
    problem = password_problem(password, email="ada@example.org", name="Ada Bone")
    assert problem is not None and message in problem


@pytest.mark.parametrize(
    "password",
    [
        "my-Maria.Okafor@Example.org-pw",
        "MARIA.OKAFOR-keeps-bones",
        "okafor-likes-tea-99",
        "tea-with-MARIA-1999",
    ],
    ids=["whole-email", "local-part", "local-part-word", "local-part-word-upper"],
)
def test_passwords_containing_the_email_are_refused(password):
    problem = password_problem(
        password, email="Maria.Okafor@Example.org", name="Someone Else"
    )
    assert problem == (
        "The password must not contain the email address or the part of it "
        "before the @."
    )


@pytest.mark.parametrize(
    ("password", "word"),
    [("tanaka-reads-scans", "Tanaka"), ("AIKO-the-radiologist", "Aiko")],
)
def test_passwords_containing_a_name_word_are_refused(password, word):
    problem = password_problem(password, email="r1@example.org", name="Dr Aiko Tanaka")
    assert problem == f"The password must not contain “{word}” from the person’s name."


def test_the_whole_email_is_refused_even_with_a_short_local_part():
    problem = password_problem(
        "mail-LI@Example.org-now", email="li@example.org", name="Li Wu"
    )
    assert problem is not None and "email address" in problem


def test_short_name_words_and_short_local_parts_are_not_refused():
    # "Dr", "Lee" and "li" are shorter than four letters: too common to refuse.
    assert (
        password_problem("dr-lee-li-kettle-9", email="li@example.org", name="Dr Lee Li")
        is None
    )


# --- where the policy applies -----------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        (COMMON, "most commonly used"),
        ("ada.bone-kettle-7", "email address"),
        ("kettle-Okonkwo-7x", "“Okonkwo”"),
    ],
)
def test_admin_created_accounts_follow_the_policy(make_user, password, message):
    admin = make_user("admin")
    with pytest.raises(InvalidInput, match=message) as error:
        services.create_user(
            admin,
            email="ada.bone@example.org",
            name="Ada Okonkwo",
            role="pathologist",
            password=password,
        )
    assert error.value.field == "password"
    assert _user("ada.bone@example.org") is None


def test_admin_reset_follows_the_policy(make_user):
    admin = make_user("admin")
    user = make_user("radiologist", name="Dr Hiroshi Sato")
    old_hash = user.password_hash
    with pytest.raises(InvalidInput, match="“Hiroshi”") as error:
        services.set_password(admin, user, "hiroshi-kettle-77")
    assert error.value.field == "new_password"
    assert user.password_hash == old_hash


def test_own_change_follows_the_policy(make_user):
    user = make_user("radiologist", email="sato@example.org")
    with pytest.raises(InvalidInput, match="email address"):
        services.change_own_password(user, PASSWORD, "SATO-kettle-orbit")
    with pytest.raises(InvalidInput, match="most commonly used"):
        services.change_own_password(user, PASSWORD, COMMON)
    with pytest.raises(InvalidInput, match="differ from the current one"):
        services.change_own_password(user, PASSWORD, PASSWORD)


@pytest.mark.parametrize(
    ("password", "message"),
    [(COMMON, "most commonly used"), ("root-admin-kettle", "email address")],
)
def test_the_command_line_follows_the_policy(app, password, message):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--email",
            "root@example.org",
            "--name",
            "First Admin",
            "--password",
            password,
        ]
    )
    assert result.exit_code != 0
    assert message in result.output
    assert _user("root@example.org") is None


def test_a_password_typed_at_the_command_line_need_not_be_changed(app):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--email",
            "root@example.org",
            "--name",
            "First Admin",
            "--password",
            GOOD,
        ]
    )
    assert result.exit_code == 0, result.output
    assert _user("root@example.org").must_change_password is False


def test_the_forms_show_the_policy_message(client, login_as):
    login_as("radiologist", email="kim@example.org")
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": COMMON,
            "confirm": COMMON,
        },
    )
    assert response.status_code == 400
    assert "one of the most commonly used passwords" in response.text


# --- administrator-set passwords must be changed -----------------------------


def _create_through_the_form(client, **fields):
    data = {
        "name": "Dr Nadia Quist",
        "email": "nadia@example.org",
        "role": "pathologist",
        "password": GOOD,
        "is_active": "y",
        "admin_password": PASSWORD,
        **fields,
    }
    return client.post("/admin/users/new", data=data)


def test_admin_created_and_reset_passwords_must_be_changed(make_user):
    admin = make_user("admin")
    created = services.create_user(
        admin, email="n@example.org", name="N Q", role="pathologist", password=GOOD
    )
    assert created.must_change_password is True
    user = make_user("radiologist")
    assert user.must_change_password is False
    services.set_password(admin, user, GOOD)
    assert user.must_change_password is True
    services.change_own_password(user, GOOD, "quiet-lantern-river-2")
    assert user.must_change_password is False


def test_forced_change_flow(app, client, login_as):
    login_as("admin")
    assert _create_through_the_form(client).status_code == 302
    client.post("/logout")
    created = _user("nadia@example.org")
    assert created.must_change_password is True

    response = client.post(
        "/login", data={"email": "nadia@example.org", "password": GOOD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/password"
    page = client.get("/account/password")
    assert page.status_code == 200
    assert "An administrator set your password" in page.text
    # Nothing else opens, whatever the method; sign-out and static files do.
    for method, path in [("GET", "/"), ("GET", "/cases/"), ("POST", "/patients/new")]:
        blocked = client.open(path, method=method)
        assert blocked.status_code == 303, path
        assert blocked.headers["Location"] == "/account/password"
    partial = client.get("/cases/", headers={"HX-Request": "true"})
    assert partial.headers["HX-Redirect"] == "/account/password"
    static = client.get("/static/css/app.css")
    static.close()
    assert static.status_code == 200

    response = client.post(
        "/account/password",
        data={
            "current_password": GOOD,
            "new_password": "quiet-lantern-river-2",
            "confirm": "quiet-lantern-river-2",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/cases/").status_code == 200
    db.session.refresh(created)
    assert created.must_change_password is False
    assert [e.actor_id for e in _entries("user.password")] == [created.id]


def test_sign_out_is_possible_before_the_change(client, make_user):
    user = make_user("radiologist", must_change_password=True)
    db.session.commit()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert client.get("/account/password").status_code == 302  # signed out


def test_admin_reset_forces_a_change_at_the_next_sign_in(client, login_as, make_user):
    login_as("admin")
    user = make_user("radiologist")
    db.session.commit()
    response = client.post(
        f"/admin/users/{user.id}/password",
        data={
            "reset-new_password": GOOD,
            "reset-confirm": GOOD,
            "reset-admin_password": PASSWORD,
        },
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.must_change_password is True
    client.post("/logout")
    response = client.post("/login", data={"email": user.email, "password": GOOD})
    assert response.headers["Location"] == "/account/password"


# --- step-up: the administrator's own password --------------------------------


def test_reset_with_a_wrong_own_password_is_refused_and_audited(
    client, login_as, make_user
):
    admin = login_as("admin")
    user = make_user("radiologist")
    db.session.commit()
    old = (user.password_hash, user.login_id)
    response = client.post(
        f"/admin/users/{user.id}/password",
        data={
            "reset-new_password": GOOD,
            "reset-confirm": GOOD,
            "reset-admin_password": "not-my-own-password",
        },
    )
    assert response.status_code == 400
    assert "Your own password is not correct; nothing was changed." in response.text
    db.session.refresh(user)
    assert (user.password_hash, user.login_id) == old
    assert user.must_change_password is False
    assert _entries("user.password") == []
    [refusal] = _entries("auth.step_up_failed")
    assert refusal.actor_id == admin.id
    assert user.email in refusal.summary
    assert "not-my-own-password" not in refusal.summary + str(refusal.changes)


def test_reset_without_the_own_password_is_refused(client, login_as, make_user):
    login_as("admin")
    user = make_user("radiologist")
    db.session.commit()
    response = client.post(
        f"/admin/users/{user.id}/password",
        data={"reset-new_password": GOOD, "reset-confirm": GOOD},
    )
    assert response.status_code == 400
    assert "Enter your own password to confirm this change." in response.text
    assert _entries("user.password") == []


def test_create_with_a_wrong_own_password_is_refused_and_audited(client, login_as):
    admin = login_as("admin")
    response = _create_through_the_form(client, admin_password="wrong-own-password")
    assert response.status_code == 400
    assert "Your own password is not correct" in response.text
    assert 'value="Dr Nadia Quist"' in response.text  # the input is kept
    assert _user("nadia@example.org") is None
    assert _entries("user.create") == []
    [refusal] = _entries("auth.step_up_failed")
    assert refusal.actor_id == admin.id and "nadia@example.org" in refusal.summary


def test_create_with_a_weak_password_names_the_rule(client, login_as):
    login_as("admin")
    response = _create_through_the_form(client, password="nadia-quist-pass")
    assert response.status_code == 400
    assert "must not contain the email address" in response.text
    assert _user("nadia@example.org") is None


def test_the_admin_services_need_a_step_up_of_the_same_actor(make_user):
    admin = make_user("admin")
    other_admin = make_user("admin")
    user = make_user("radiologist")
    proof = services.confirm_identity(other_admin, PASSWORD, purpose="test")
    assert proof is not None
    for step_up in (None, proof):
        with pytest.raises(InvalidInput, match="Confirm with your own password"):
            services.admin_reset_password(admin, user, GOOD, step_up=step_up)
        with pytest.raises(InvalidInput, match="Confirm with your own password"):
            services.admin_create_user(
                admin,
                step_up=step_up,
                email="x@example.org",
                name="X Y",
                role="nurse_specialist",
                password=GOOD,
            )
    own = services.confirm_identity(admin, PASSWORD, purpose="test")
    services.admin_reset_password(admin, user, GOOD, step_up=own)
    assert services.authenticate(user.email, GOOD) == user
    assert services.confirm_identity(admin, "", purpose="test") is None


def test_no_password_text_reaches_the_audit_log(client, login_as, make_user):
    login_as("admin")
    user = make_user("radiologist")
    db.session.commit()
    _create_through_the_form(client)
    client.post(
        f"/admin/users/{user.id}/password",
        data={
            "reset-new_password": "river-stone-lamp-5",
            "reset-confirm": "river-stone-lamp-5",
            "reset-admin_password": "admin-typo-password",
        },
    )
    client.post("/logout")
    # A password typed into the email field by mistake is not stored either.
    client.post("/login", data={"email": "secret-in-email-box", "password": "x"})
    text = " ".join(
        f"{e.summary} {e.changes}" for e in db.session.scalars(sa.select(AuditEntry))
    )
    for secret in (GOOD, PASSWORD, "admin-typo-password", "secret-in-email-box"):
        assert secret not in text
