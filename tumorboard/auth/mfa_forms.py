"""Forms of multi-factor sign-in."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, ValidationError

from tumorboard.auth.forms import _admin_password
from tumorboard.auth.mfa import TOTP_DIGITS, normalise_recovery_code
from tumorboard.auth.passwords import MAX_PASSWORD_LENGTH
from tumorboard.forms import max_length, required

#: Longest code field accepted before the format is even looked at.
MAX_CODE_LENGTH = 64


def _without_spaces(value):
    """Authenticator apps show ``123 456``; people type it that way."""
    if isinstance(value, str):
        return "".join(value.split())
    return value


def _six_digits(form, field) -> None:
    value = field.data or ""
    if not (len(value) == TOTP_DIGITS and value.isascii() and value.isdigit()):
        raise ValidationError(
            f"The code is the {TOTP_DIGITS} digits (0 to 9) shown in your "
            "authenticator app, such as 123456."
        )


def _recovery_format(form, field) -> None:
    if normalise_recovery_code(field.data or "") is None:
        raise ValidationError(
            "A recovery code has three groups of four letters and digits, "
            "such as 7kq2-m9xd-4tpa."
        )


def _code_field(label: str = "Authentication code") -> StringField:
    return StringField(
        label,
        filters=[_without_spaces],
        validators=[
            required(
                f"Enter the {TOTP_DIGITS}-digit code from your authenticator app."
            ),
            max_length(MAX_CODE_LENGTH),
            _six_digits,
        ],
        render_kw={
            "inputmode": "numeric",
            "autocomplete": "one-time-code",
            "spellcheck": "false",
        },
    )


def _own_password() -> PasswordField:
    return PasswordField(
        "Your password",
        validators=[required("Enter your password."), max_length(MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class CodeForm(FlaskForm):
    """The 6-digit code of an authenticator app (sign-in, enrolment)."""

    code = _code_field()


class RecoveryCodeForm(FlaskForm):
    """One of the recovery codes, in place of the authenticator app."""

    code = StringField(
        "Recovery code",
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            required("Enter one of your recovery codes."),
            max_length(MAX_CODE_LENGTH),
            _recovery_format,
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class RegenerateCodesForm(FlaskForm):
    """New recovery codes need the owner's password."""

    password = _own_password()


class DisableForm(FlaskForm):
    """Turning the second factor off needs the password and a current code."""

    password = _own_password()
    code = _code_field("Current code from your authenticator app")


class ResetMfaForm(FlaskForm):
    """An administrator removes someone's second factor, confirming their own
    password."""

    admin_password = _admin_password()
