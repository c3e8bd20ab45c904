"""schemathesis against the generated OpenAPI document: every operation, with
the demo coordinator's token on the demo data, no server error and no response
that breaks the document. Few examples per operation keep it quick."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.api.conftest import demo_user
from tumorboard import demo
from tumorboard.api import tokens
from tumorboard.extensions import db

#: Examples per operation: enough to cross every branch of the schemas,
#: small enough for the suite.
EXAMPLES = 15
#: Schema-valid input that the services refuse (a patient id that does not
#: exist, a referral date before the birth) is a 422 by design: the check
#: that every schema-valid request succeeds does not apply. Every other check
#: runs: no server error, status codes, content types, headers and bodies as
#: documented, invalid input refused, authentication not ignored.
RULES_BEYOND_SCHEMA = [positive_data_acceptance]


def test_the_api_keeps_its_own_description(app):
    """Each operation of the document, fuzzed in turn on the demo data with
    the demo coordinator's token (schemathesis' pytest plugin is not used: it
    needs pytest internals that pytest 9 changed)."""
    demo.load()
    user = demo_user("coordinator@example.org")
    _token, secret = tokens.create_token(user, "fuzz", "read_write", 7)
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def fuzz(case):
            case.call_and_validate(headers=headers, excluded_checks=RULES_BEYOND_SCHEMA)

        fuzz()
