"""Sign in/out, own password, and account administration.

Sign-in and every form that checks a password are throttled with
Flask-Limiter, per client address and per account (limits from the settings
``AUTH_RATE_LIMIT_PER_IP`` and ``AUTH_RATE_LIMIT_PER_ACCOUNT``); the account
lockout itself is kept in the database by :mod:`tumorboard.auth.services`.
"""

from __future__ import annotations

import math
import time
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from tumorboard.auth import mfa, mfa_pending, services, sessions
from tumorboard.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    NewUserForm,
    ResetPasswordForm,
    UserForm,
)
from tumorboard.auth.mfa_forms import ResetMfaForm
from tumorboard.auth.models import User
from tumorboard.auth.permissions import (
    PUBLIC,
    Permission,
    authenticated,
    declared_access,
    permission_required,
    public,
)
from tumorboard.extensions import db, limiter
from tumorboard.forms import show_current_version
from tumorboard.web import REFUSED, attempt

bp = Blueprint("auth", __name__)

#: The one answer to every refused sign-in: wrong password, unknown email,
#: deactivated or locked account.
SIGN_IN_REFUSED = "The email or password is not correct, or the account is deactivated."
STEP_UP_REFUSED = "Your own password is not correct; nothing was changed."

DEFAULT_LIMIT_PER_IP = "20 per minute"
DEFAULT_LIMIT_PER_ACCOUNT = "5 per minute"

#: Where someone whose password was set by an administrator may still go.
_OPEN_WHILE_CHANGE_DUE = {"auth.change_password", "auth.logout", "static"}


def _limit_per_ip() -> str:
    return current_app.config.get("AUTH_RATE_LIMIT_PER_IP", DEFAULT_LIMIT_PER_IP)


def _limit_per_account() -> str:
    return current_app.config.get(
        "AUTH_RATE_LIMIT_PER_ACCOUNT", DEFAULT_LIMIT_PER_ACCOUNT
    )


def _submitted_account() -> str:
    """Rate-limit key of a sign-in: the email typed, normalised."""
    return "account:" + services.normalise_email(request.form.get("email", ""))[:254]


def _signed_in_account() -> str:
    """Rate-limit key of a password form: the signed-in account."""
    return f"user:{current_user.id}"


def _throttled(key_func):
    """Per-address and per-account limits on the POSTs of a view."""

    def decorate(view):
        view = limiter.limit(_limit_per_account, key_func=key_func, methods=["POST"])(
            view
        )
        return limiter.limit(
            _limit_per_ip, key_func=get_remote_address, methods=["POST"]
        )(view)

    return decorate


@bp.app_errorhandler(429)
def too_many_requests(error):
    """A throttled request: say so, and when to try again (Retry-After)."""
    current = limiter.current_limit
    retry_after = 60
    if current is not None:
        retry_after = max(1, math.ceil(current.reset_at - time.time()))
    response = make_response(
        render_template("auth/too_many_requests.html", retry_after=retry_after), 429
    )
    response.headers["Retry-After"] = str(retry_after)
    return response


@bp.before_app_request
def require_password_change():
    """Someone whose password an administrator set changes it before anything else."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in _OPEN_WHILE_CHANGE_DUE:
        return None
    view = current_app.view_functions.get(endpoint)
    if view is not None and declared_access(view) == PUBLIC:
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        target = url_for("auth.change_password")
        if request.headers.get("HX-Request"):
            # A partial page update would swap the form into a fragment.
            return "", 204, {"HX-Redirect": target}
        return redirect(target, 303)
    return None


def _safe_next(target: str | None) -> str:
    """Only follow relative redirects within this site.

    Browsers read a backslash as a slash, so ``/\\evil.test`` would leave the
    site like ``//evil.test``; such targets, and control characters, are refused.
    """
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(ord(ch) < 32 or ord(ch) == 127 for ch in target)
    ):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("main.index")


@bp.route("/login", methods=["GET", "POST"])
@_throttled(_submitted_account)
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        # Successful and failed sign-ins are both audited; the request commits
        # the entry whichever way the form ends.
        user = services.check_credentials(form.email.data, form.password.data)
        if user is not None and mfa.is_enrolled(user):
            # Not signed in yet: the second factor comes first.
            mfa_pending.begin_pending(user, form.next.data)
            return redirect(url_for("auth.login_verify"))
        if user is not None:
            services.record_sign_in(user)
            login_user(user)
            if user.must_change_password:
                return redirect(url_for("auth.change_password"))
            return redirect(_safe_next(form.next.data))
        form.form_errors.append(SIGN_IN_REFUSED)
    return render_template("auth/login.html", form=form), (
        200 if not form.errors else 400
    )


@bp.route("/logout", methods=["POST"])
@authenticated
def logout():
    # The server session is deleted and the sign-out audited by the
    # ``user_logged_out`` signal (tumorboard/auth/sessions.py).
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@authenticated
@_throttled(_signed_in_account)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        changed = attempt(
            form,
            services.change_own_password,
            current_user,
            form.current_password.data,
            form.new_password.data,
        )
        if changed is not REFUSED:
            # The login id changed; sign in again with the new one.
            login_user(current_user._get_current_object())
            flash(
                "Your password was changed. Other sessions were signed out.", "success"
            )
            return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form), (
        400 if form.errors else 200
    )


def stepped_up(form, purpose: str, service, *args, **kwargs):
    """Confirm the administrator's own password, then call ``service`` through
    ``attempt()`` with the step-up proof; REFUSED when either refuses. The
    confirmation runs outside ``attempt()`` so that a refused one stays audited."""
    step_up = services.confirm_identity(
        current_user, form.admin_password.data, purpose=purpose
    )
    if step_up is None:
        field = form.admin_password
        field.errors = [*field.errors, STEP_UP_REFUSED]
        return REFUSED
    return attempt(form, service, current_user, *args, step_up=step_up, **kwargs)


@bp.route("/admin/users")
@permission_required(Permission.USER_MANAGE)
def users():
    rows = db.session.scalars(
        sa.select(User).order_by(User.is_active.desc(), User.name)
    )
    users = list(rows)
    locked = {user.id for user in users if services.is_locked(user)}
    return render_template("auth/users.html", users=users, locked=locked)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@permission_required(Permission.USER_MANAGE)
@_throttled(_signed_in_account)
def user_new():
    form = NewUserForm()
    if form.validate_on_submit():
        user = stepped_up(
            form,
            f"create the account {services.normalise_email(form.email.data)}",
            services.admin_create_user,
            email=form.email.data,
            name=form.name.data,
            role=form.role.data,
            password=form.password.data,
            is_active=form.is_active.data,
        )
        if user is not REFUSED:
            flash(
                f"Account created for {user.name}; they choose their own password "
                "at the first sign-in.",
                "success",
            )
            return redirect(url_for("auth.users"))
    return render_template("auth/user_form.html", form=form, user=None), (
        400 if form.errors else 200
    )


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@permission_required(Permission.USER_MANAGE)
def user_edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user if request.method == "GET" else None)
    reset_form = ResetPasswordForm(prefix="reset")
    if form.validate_on_submit():
        saved = attempt(
            form,
            services.update_user,
            current_user,
            user,
            version=form.version.data,
            email=form.email.data,
            name=form.name.data,
            role=form.role.data,
            is_active=form.is_active.data,
        )
        if saved is not REFUSED:
            flash(f"Account of {user.name} updated.", "success")
            return redirect(url_for("auth.users"))
        user = db.session.get(User, user_id)
        show_current_version(form, user.version)
    return _user_page(form, user, reset_form), (400 if form.errors else 200)


def _user_page(form, user: User, reset_form, *, mfa_form=None):
    """The administrator's page of one account: details, password, lock,
    second factor, sessions."""
    return render_template(
        "auth/user_form.html",
        form=form if form is not None else UserForm(obj=user),
        user=user,
        reset_form=(
            reset_form if reset_form is not None else ResetPasswordForm(prefix="reset")
        ),
        mfa_form=mfa_form if mfa_form is not None else ResetMfaForm(prefix="mfa"),
        mfa_required=mfa.mfa_required(user),
        locked=services.is_locked(user),
        live_sessions=sessions.count_live(user),
    )


@bp.route("/admin/users/<int:user_id>/password", methods=["POST"])
@permission_required(Permission.USER_MANAGE)
@_throttled(_signed_in_account)
def user_reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    reset_form = ResetPasswordForm(prefix="reset")
    if reset_form.validate_on_submit():
        reset = stepped_up(
            reset_form,
            f"reset the password of {user.email}",
            services.admin_reset_password,
            user,
            reset_form.new_password.data,
        )
        if reset is not REFUSED:
            flash(
                f"Password of {user.name} reset; their sessions were signed out "
                "and they choose a new password at the next sign-in.",
                "success",
            )
            return redirect(url_for("auth.users"))
    form = UserForm(obj=user)
    return _user_page(form, user, reset_form), 400


@bp.route("/admin/users/<int:user_id>/unlock", methods=["POST"])
@permission_required(Permission.USER_MANAGE)
def user_unlock(user_id: int):
    user = db.get_or_404(User, user_id)
    name = user.name
    if attempt(None, services.unlock_user, current_user, user) is not REFUSED:
        flash(f"Sign-in for {name} is unlocked.", "success")
    return redirect(url_for("auth.user_edit", user_id=user_id))
