"""Sign in/out, own password, and account administration."""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from tumorboard.auth import services
from tumorboard.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    NewUserForm,
    ResetPasswordForm,
    UserForm,
)
from tumorboard.auth.models import User
from tumorboard.auth.permissions import (
    Permission,
    authenticated,
    permission_required,
    public,
)
from tumorboard.extensions import db
from tumorboard.forms import show_current_version
from tumorboard.web import REFUSED, attempt

bp = Blueprint("auth", __name__)


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
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            return redirect(_safe_next(form.next.data))
        form.form_errors.append(
            "The email or password is not correct, or the account is deactivated."
        )
    return render_template("auth/login.html", form=form), (
        200 if not form.errors else 400
    )


@bp.route("/logout", methods=["POST"])
@authenticated
def logout():
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@authenticated
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


@bp.route("/admin/users")
@permission_required(Permission.USER_MANAGE)
def users():
    rows = db.session.scalars(
        sa.select(User).order_by(User.is_active.desc(), User.name)
    )
    return render_template("auth/users.html", users=list(rows))


@bp.route("/admin/users/new", methods=["GET", "POST"])
@permission_required(Permission.USER_MANAGE)
def user_new():
    form = NewUserForm()
    if form.validate_on_submit():
        user = attempt(
            form,
            services.create_user,
            current_user,
            email=form.email.data,
            name=form.name.data,
            role=form.role.data,
            password=form.password.data,
            is_active=form.is_active.data,
        )
        if user is not REFUSED:
            flash(f"Account created for {user.name}.", "success")
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
    return render_template(
        "auth/user_form.html", form=form, user=user, reset_form=reset_form
    ), (400 if form.errors else 200)


@bp.route("/admin/users/<int:user_id>/password", methods=["POST"])
@permission_required(Permission.USER_MANAGE)
def user_reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    reset_form = ResetPasswordForm(prefix="reset")
    if reset_form.validate_on_submit():
        reset = attempt(
            reset_form,
            services.set_password,
            current_user,
            user,
            reset_form.new_password.data,
        )
        if reset is not REFUSED:
            flash(
                f"Password of {user.name} reset; their sessions were signed out.",
                "success",
            )
            return redirect(url_for("auth.users"))
    form = UserForm(obj=user)
    return render_template(
        "auth/user_form.html", form=form, user=user, reset_form=reset_form
    ), 400
