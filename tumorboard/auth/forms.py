"""Sign-in and account forms."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    StringField,
)
from wtforms.validators import Email, EqualTo, Length, Optional

from tumorboard.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from tumorboard.auth.permissions import Role
from tumorboard.forms import SelectField, max_length, required, strip_filter
from tumorboard.validation import NAME_LIMIT

ROLE_CHOICES = [(r.value, r.label) for r in Role]

_new_password = [
    required("Enter a new password."),
    Length(
        min=MIN_PASSWORD_LENGTH,
        max=MAX_PASSWORD_LENGTH,
        message=f"Use between {MIN_PASSWORD_LENGTH} and {MAX_PASSWORD_LENGTH} "
        "characters.",
    ),
]


def _admin_password() -> PasswordField:
    """The administrator's own password, asked again before setting someone's."""
    return PasswordField(
        "Your own password (to confirm)",
        validators=[
            required("Enter your own password to confirm this change."),
            max_length(MAX_PASSWORD_LENGTH),
        ],
    )


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField(
        "Email",
        filters=[strip_filter],
        validators=[required("Enter your email address."), max_length(254)],
    )
    password = PasswordField(
        "Password",
        validators=[
            required("Enter your password."),
            max_length(MAX_PASSWORD_LENGTH),
        ],
    )
    next = HiddenField()


class UserForm(FlaskForm):
    """Create or edit an account."""

    name = StringField(
        "Full name",
        filters=[strip_filter],
        validators=[required("Enter the person's name."), max_length(NAME_LIMIT)],
    )
    email = EmailField(
        "Email",
        filters=[strip_filter],
        validators=[
            required("Enter an email address."),
            max_length(254),
            Email("Enter a valid email address.", check_deliverability=False),
        ],
    )
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[required()])
    is_active = BooleanField("Active (may sign in)", default=True)
    version = IntegerField(widget=HiddenField.widget, validators=[Optional()])


class NewUserForm(UserForm):
    """A new account also needs its first password, and the administrator's own."""

    password = PasswordField("Initial password", validators=_new_password)
    admin_password = _admin_password()


class NewPasswordForm(FlaskForm):
    """A new password, typed twice."""

    new_password = PasswordField("New password", validators=_new_password)
    confirm = PasswordField(
        "Repeat the new password",
        validators=[EqualTo("new_password", message="The two passwords differ.")],
    )


class ResetPasswordForm(NewPasswordForm):
    """An administrator sets a new password for someone, confirming their own."""

    admin_password = _admin_password()


class ChangePasswordForm(NewPasswordForm):
    """A user changes their own password."""

    current_password = PasswordField(
        "Current password", validators=[required("Enter your current password.")]
    )
