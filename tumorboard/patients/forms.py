"""Patient registration form."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, IntegerField, StringField
from wtforms.validators import Optional, Regexp

from tumorboard.forms import (
    SelectField,
    max_length,
    not_before,
    not_in_future,
    required,
    strip_filter,
)
from tumorboard.patients.models import GP_PRACTICE_LIMIT, Sex
from tumorboard.validation import NAME_LIMIT


class PatientForm(FlaskForm):
    """Demographics of a patient."""

    mrn = StringField(
        "MRN (hospital number)",
        filters=[strip_filter],
        validators=[
            required("Enter the medical record number."),
            max_length(20),
            Regexp(
                r"^[A-Za-z0-9][A-Za-z0-9-]*$",
                message="Use letters, digits and hyphens only.",
            ),
        ],
    )
    family_name = StringField(
        "Family name",
        filters=[strip_filter],
        validators=[required("Enter the family name."), max_length(100)],
    )
    given_name = StringField(
        "Given name(s)",
        filters=[strip_filter],
        validators=[required("Enter the given name."), max_length(100)],
    )
    birth_date = DateField(
        "Date of birth",
        validators=[
            required("Enter a valid date of birth (YYYY-MM-DD)."),
            not_in_future,
            not_before(1900),
        ],
    )
    sex = SelectField(
        "Sex",
        choices=[("", "Choose…")] + [(s.value, s.label) for s in Sex],
        validators=[required("Choose the sex recorded at registration.")],
    )
    gp_name = StringField(
        "GP's name",
        filters=[strip_filter],
        validators=[Optional(), max_length(NAME_LIMIT)],
    )
    gp_practice = StringField(
        "GP practice and address",
        filters=[strip_filter],
        validators=[Optional(), max_length(GP_PRACTICE_LIMIT)],
    )
    version = IntegerField(widget=HiddenField.widget, validators=[Optional()])
    #: Shown with a probable-duplicate warning; ticking it registers anyway.
    different_patient = BooleanField("This is a different patient")

    def service_data(self) -> dict:
        """The fields the patient services take."""
        return {
            k: self.data[k]
            for k in (
                "mrn",
                "family_name",
                "given_name",
                "birth_date",
                "sex",
                "gp_name",
                "gp_practice",
            )
        }
