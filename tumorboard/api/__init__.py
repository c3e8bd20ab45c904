"""The JSON API under /api/v1: OpenAPI 3.1 from the code (flask-smorest),
errors as problem details, bearer tokens or the browser session, over the
same services and permission rules as the web pages."""

from __future__ import annotations

import threading
from typing import Any

from flask import Blueprint, Flask, current_app, g, jsonify, render_template, request
from flask_smorest import Api

from tumorboard.api import core, problems
from tumorboard.api.problems import PREFIX, Problem, ProblemSchema
from tumorboard.api.resources import (
    actions,
    agenda,
    annotations,
    attachments,
    attendance,
    audit,
    boards,
    calculators,
    cases,
    clinical,
    fhir,
    meetings,
    patients,
    recommendations,
    reviews,
)
from tumorboard.extensions import csrf

#: The resource blueprints, in the order the documentation lists them.
RESOURCES = (patients.bp, cases.bp, meetings.bp, recommendations.bp, fhir.bp)
#: The board's work, after the records it changes.
RESOURCES += (boards.bp, agenda.bp, attendance.bp, actions.bp, audit.bp)
#: The case record's resources.
RESOURCES += (clinical.bp, reviews.bp, annotations.bp, attachments.bp)
RESOURCES += (calculators.bp,)

#: Methods whose body must be JSON.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
JSON_TYPES = frozenset(
    {"application/json", "application/merge-patch+json", "application/fhir+json"}
)

#: The body of an upload (views marked with core.multipart).
MULTIPART = frozenset({"multipart/form-data"})

docs = Blueprint("api_docs", __name__)


@docs.route(f"{PREFIX}/openapi.json")
@core.public
def openapi_json():
    """The OpenAPI 3.1 document of the API."""
    spec = current_app.extensions["tumorboard_api"].described()
    # Errors are problem documents (RFC 9457), not plain JSON.
    for response in spec.get("components", {}).get("responses", {}).values():
        content = response.get("content", {})
        if "application/json" in content:
            content[problems.PROBLEM_TYPE] = content.pop("application/json")
    return jsonify(spec)


@docs.route(f"{PREFIX}/docs")
@core.public
def documentation():
    """A browsable page of the OpenAPI document (assets served from static/)."""
    return render_template("api/docs.html")


def _check_body() -> None:
    view = current_app.view_functions.get(request.endpoint)
    types = MULTIPART if core.takes_multipart(view, request.method) else JSON_TYPES
    if request.method in BODY_METHODS and request.mimetype not in types:
        raise Problem(
            415,
            "Send the body as application/json.",
            errors=[{"field": "Content-Type", "message": "Must be application/json."}],
        )


def _etag(response):
    etag = g.get("etag")
    if etag and response.status_code < 300:
        response.headers["ETag"] = etag
    return response


for _blueprint in RESOURCES:
    _blueprint.before_request(core.authenticate_request)
    _blueprint.before_request(_check_body)
    _blueprint.after_request(_etag)
    problems.register_on(_blueprint)
# A referral's malformed body is answered in FHIR's terms.
fhir.bp.register_error_handler(422, fhir.invalid_body)


class _Api(Api):
    """flask-smorest's Api, documenting errors as problem details. The OpenAPI
    description is built when first asked for, not at start-up: building it
    takes longer than the rest of the application's start."""

    ERROR_SCHEMA = ProblemSchema

    def __init__(self, *args, **kwargs):
        self._undocumented: list[tuple[Blueprint, str, Any]] = []
        self._documenting = threading.Lock()
        super().__init__(*args, **kwargs)

    def _init_spec(self, **options) -> None:
        """Keep the description's options for :meth:`described`."""
        self._spec_options = options

    def _register_error_handlers(self) -> None:
        """None app-wide: the API's blueprints answer with problem details
        (api.problems), every other page keeps the application's error page."""

    def register_blueprint(self, blp, *, parameters=None, **options) -> None:
        """Serve the blueprint's views now; describe them on first use."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, name, parameters))

    def described(self) -> dict[str, Any]:
        """The OpenAPI document, with every blueprint described."""
        with self._documenting:
            if self.spec is None:
                super()._init_spec(**self._spec_options)
            while self._undocumented:
                blp, name, parameters = self._undocumented.pop(0)
                blp.register_views_in_doc(
                    self, self._app, self.spec, name=name, parameters=parameters
                )
                self.spec.tag({"name": name, "description": blp.description})
            return self.spec.to_dict()


def init_app(app: Flask) -> None:
    """Register the API's blueprints, its authentication and its errors."""
    app.config.setdefault("API_TITLE", "tumorboard")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    api = _Api(
        app,
        spec_kwargs={
            "servers": [{"url": "/"}],
            "info": {"description": "The bone-tumour board's records as JSON."},
            "components": {
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer"},
                }
            },
            "security": [{"bearer": []}],
        },
    )
    app.extensions["tumorboard_api"] = api
    app.config["TYPED_JSON_PATHS"] = [*app.config["TYPED_JSON_PATHS"], PREFIX + "/"]
    for blueprint in RESOURCES:
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint, url_prefix=PREFIX + blueprint.url_prefix)
    problems.register_unmatched(app)
    app.register_blueprint(docs)
