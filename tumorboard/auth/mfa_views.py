"""Multi-factor sign-in pages, on the ``auth`` blueprint: the second step of
signing in, one's own enrolment and recovery codes, and the administrator's
reset. The rules are in :mod:`tumorboard.auth.mfa`."""

from __future__ import annotations

import logging

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user

from tumorboard.auth import mfa, mfa_pending, services
from tumorboard.auth.mfa_forms import (
    CodeForm,
    DisableForm,
    RecoveryCodeForm,
    RegenerateCodesForm,
    ResetMfaForm,
)
from tumorboard.auth.mfa_keys import MfaUnavailable
from tumorboard.auth.models import User
from tumorboard.auth.permissions import (
    PUBLIC,
    Permission,
    authenticated,
    declared_access,
    permission_required,
    public,
)
from tumorboard.auth.views import (
    _safe_next,
    _signed_in_account,
    _throttled,
    _user_page,
    bp,
    stepped_up,
)
from tumorboard.extensions import db
from tumorboard.web import REFUSED, attempt

log = logging.getLogger(__name__)

#: The one answer to every refused second factor: wrong, reused, or a locked
#: account.
CODE_REFUSED = mfa.WRONG_CODE
RECOVERY_REFUSED = "The recovery code is not correct, or it has already been used."
PENDING_EXPIRED = (
    "Signing in took longer than 5 minutes. Enter your email and password again."
)
PENDING_MISSING = "Enter your email and password first."

#: Where someone who must set up a second factor may still go.
_OPEN_WHILE_ENROLMENT_DUE = {"auth.mfa_setup", "auth.logout", "static"}


def _pending_account() -> str:
    """Rate-limit key of the second step: the account waiting for it."""
    marker = session.get(mfa_pending.PENDING_KEY)
    user_id = marker.get("user_id") if isinstance(marker, dict) else None
    return f"pending:{user_id}"


@bp.app_errorhandler(MfaUnavailable)
def mfa_unavailable(error):
    """A stored secret the configured key cannot open: a clear page, logged."""
    log.error("multi-factor sign-in unavailable: %s", error)
    return render_template("auth/mfa_unavailable.html"), 503


@bp.before_app_request
def require_mfa_enrolment():
    """Someone who must use a second factor sets it up before anything else
    (after a password change an administrator asked for)."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in _OPEN_WHILE_ENROLMENT_DUE:
        return None
    view = current_app.view_functions.get(endpoint)
    if view is not None and declared_access(view) == PUBLIC:
        return None
    if (
        current_user.is_authenticated
        and not current_user.must_change_password
        and mfa.enrolment_due(current_user)
    ):
        target = url_for("auth.mfa_setup")
        if request.headers.get("HX-Request"):
            return "", 204, {"HX-Redirect": target}
        return redirect(target, 303)
    return None


def _second_step(form, template: str, check):
    """The shared body of the two second-step pages."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    user, state = mfa_pending.pending_user()
    if user is None:
        flash(PENDING_EXPIRED if state == "expired" else PENDING_MISSING, "info")
        return redirect(url_for("auth.login"))
    if form.validate_on_submit():
        # Both outcomes are audited and a failure counts toward the lockout:
        # the request commits either way.
        if check(user, form.code.data):
            target = mfa_pending.finish_pending()
            login_user(user)
            return redirect(_safe_next(target))
        form.code.errors = [
            *form.code.errors,
            CODE_REFUSED if isinstance(form, CodeForm) else RECOVERY_REFUSED,
        ]
    return render_template(template, form=form), (400 if form.errors else 200)


@bp.route("/login/verify", methods=["GET", "POST"])
@_throttled(_pending_account)
@public
def login_verify():
    return _second_step(CodeForm(), "auth/login_verify.html", mfa.verify_sign_in_code)


@bp.route("/login/verify/recovery", methods=["GET", "POST"])
@_throttled(_pending_account)
@public
def login_recovery():
    return _second_step(
        RecoveryCodeForm(), "auth/login_recovery.html", mfa.verify_recovery_code
    )


def _setup_page(form):
    """The enrolment page: QR code, manual key, confirmation."""
    secret = mfa.start_enrolment(current_user)
    return render_template(
        "auth/mfa_setup.html",
        form=form,
        qr=mfa.qr_data_uri(mfa.provisioning_uri(current_user, secret)),
        key=mfa.grouped(secret),
        issuer=mfa.issuer(),
        required=mfa.mfa_required(current_user),
    )


def _status_page(regenerate_form=None, disable_form=None):
    """One's own second factor once set up: codes left, new codes, turning off."""
    return render_template(
        "auth/mfa_status.html",
        codes_left=mfa.recovery_codes_left(current_user),
        required=mfa.mfa_required(current_user),
        regenerate_form=regenerate_form or RegenerateCodesForm(prefix="codes"),
        disable_form=disable_form or DisableForm(prefix="off"),
    )


def _show_codes(codes: list[str], *, first: bool):
    """The recovery codes, shown this once."""
    return render_template("auth/mfa_recovery_codes.html", codes=codes, first=first)


@bp.route("/account/mfa", methods=["GET", "POST"])
@authenticated
@_throttled(_signed_in_account)
def mfa_setup():
    user = current_user._get_current_object()
    if mfa.is_enrolled(user):
        if request.method == "POST":
            flash("Multi-factor sign-in is already set up for your account.", "info")
            return redirect(url_for("auth.mfa_setup"))
        return _status_page()
    form = CodeForm()
    if form.validate_on_submit():
        codes = attempt(form, mfa.confirm_enrolment, user, form.code.data)
        if codes:
            return _show_codes(codes, first=True)
        if codes is not REFUSED:
            form.code.errors = [
                *form.code.errors,
                "The code is not correct. Check that the time on your phone is "
                "right, then enter the code the app shows now. Multi-factor "
                "sign-in is not turned on yet.",
            ]
    return _setup_page(form), (400 if form.errors else 200)


@bp.route("/account/mfa/recovery-codes", methods=["POST"])
@authenticated
@_throttled(_signed_in_account)
def mfa_recovery_codes():
    user = current_user._get_current_object()
    form = RegenerateCodesForm(prefix="codes")
    if form.validate_on_submit():
        # Confirmed outside attempt(): a refused confirmation stays audited.
        step_up = services.confirm_identity(
            user, form.password.data, purpose="make new recovery codes"
        )
        if step_up is None:
            form.password.errors = [
                *form.password.errors,
                "Your password is not correct; nothing was changed.",
            ]
        else:
            codes = attempt(form, mfa.regenerate_recovery_codes, user, step_up=step_up)
            if codes is not REFUSED:
                return _show_codes(codes, first=False)
    if not mfa.is_enrolled(user):
        return redirect(url_for("auth.mfa_setup"))
    return _status_page(regenerate_form=form), 400


@bp.route("/account/mfa/disable", methods=["POST"])
@authenticated
@_throttled(_signed_in_account)
def mfa_disable():
    user = current_user._get_current_object()
    form = DisableForm(prefix="off")
    if form.validate_on_submit():
        step_up = services.confirm_identity(
            user, form.password.data, purpose="turn off multi-factor sign-in"
        )
        if step_up is None:
            form.password.errors = [
                *form.password.errors,
                "Your password is not correct; nothing was changed.",
            ]
        elif (
            attempt(form, mfa.disable, user, form.code.data, step_up=step_up)
            is not REFUSED
        ):
            flash("Multi-factor sign-in is turned off for your account.", "success")
            return redirect(url_for("auth.mfa_setup"))
    user = db.session.get(User, user.id)
    if not mfa.is_enrolled(user):
        return redirect(url_for("auth.mfa_setup"))
    return _status_page(disable_form=form), 400


@bp.route("/admin/users/<int:user_id>/mfa-reset", methods=["POST"])
@permission_required(Permission.USER_MANAGE)
@_throttled(_signed_in_account)
def user_reset_mfa(user_id: int):
    user = db.get_or_404(User, user_id)
    form = ResetMfaForm(prefix="mfa")
    if form.validate_on_submit():
        name = user.name
        reset = stepped_up(
            form,
            f"reset the multi-factor sign-in of {user.email}",
            mfa.admin_reset,
            user,
        )
        if reset is not REFUSED:
            flash(
                f"Multi-factor sign-in of {name} reset; their sessions were "
                "signed out.",
                "success",
            )
            return redirect(url_for("auth.user_edit", user_id=user_id))
        user = db.get_or_404(User, user_id)
    return _user_page(None, user, None, mfa_form=form), 400
