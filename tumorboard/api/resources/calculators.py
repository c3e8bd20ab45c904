"""Clinical calculators: post the inputs, get the score and what it means.

Stateless: nothing is stored and no patient is named, so nothing is audited.
Each calculator is the score function of ``tumorboard.clinical.scores``
itself; the choices offered come from its option tables, and whatever it
refuses (a ``ValueError`` naming the input) is a 422 with that input named.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_smorest import Blueprint
from marshmallow import fields, validate

from tumorboard.api.core import access
from tumorboard.api.problems import Problem
from tumorboard.api.record_schemas import ScoreOut
from tumorboard.api.schemas import StrictSchema
from tumorboard.auth.permissions import Permission
from tumorboard.clinical import scores

bp = Blueprint(
    "api_calculators",
    __name__,
    url_prefix="/calculators",
    description="Clinical calculators",
)


def _one_of(pairs) -> validate.OneOf:
    return validate.OneOf([key for key, _ in pairs])


def _options(options, skip: str = "") -> dict[str, fields.Field]:
    """A required choice per variable of a score's option table."""
    return {
        key: fields.String(required=True, validate=_one_of(pairs))
        for key, pairs in options.items()
        if key != skip
    }


def _graded(pairs) -> fields.Integer:
    return fields.Integer(required=True, validate=_one_of(pairs))


MirelsIn = StrictSchema.from_dict(_options(scores.MIRELS_OPTIONS), name="MirelsIn")
SinsIn = StrictSchema.from_dict(_options(scores.SINS_OPTIONS), name="SinsIn")
TokuhashiIn = StrictSchema.from_dict(
    {
        "kps": _graded(scores.TOKUHASHI_OPTIONS["kps"]),
        "extraspinal_bone_mets": fields.Integer(
            required=True,
            metadata={"description": "number of extraspinal bone metastases"},
        ),
        "vertebral_body_mets": fields.Integer(
            required=True,
            metadata={"description": "number of involved vertebral bodies (1 or more)"},
        ),
        **_options(scores.TOKUHASHI_OPTIONS, skip="kps"),
        "version": fields.String(
            load_default="2005",
            validate=_one_of(scores.TOKUHASHI_OPTIONS["version"]),
        ),
    },
    name="TokuhashiIn",
)
EsccIn = StrictSchema.from_dict(
    {"grade": fields.String(required=True, validate=_one_of(scores.ESCC_GRADES))},
    name="EsccIn",
)
HuvosIn = StrictSchema.from_dict(
    {
        "necrosis_percent": fields.Float(
            required=True, validate=validate.Range(0, 100), allow_nan=False
        )
    },
    name="HuvosIn",
)
EcogIn = StrictSchema.from_dict({"grade": _graded(scores.ECOG_GRADES)}, name="EcogIn")
KarnofskyIn = StrictSchema.from_dict(
    {"value": _graded(scores.KARNOFSKY_VALUES)}, name="KarnofskyIn"
)
PpsIn = StrictSchema.from_dict({"value": _graded(scores.PPS_VALUES)}, name="PpsIn")
LanskyIn = StrictSchema.from_dict(
    {"level": _graded(scores.LANSKY_LEVELS)}, name="LanskyIn"
)
MstsIn = StrictSchema.from_dict(
    {
        "limb": fields.String(required=True, validate=_one_of(scores.MSTS_LIMBS)),
        "scores": fields.Dict(
            keys=fields.String(),
            values=fields.Integer(validate=validate.Range(0, 5)),
            required=True,
            metadata={
                "description": "each of the limb's six categories scored 0–5: "
                + "; ".join(
                    f"{limb}: " + ", ".join(k for k, _ in categories)
                    for limb, categories in scores.MSTS_CATEGORIES.items()
                )
            },
        ),
    },
    name="MstsIn",
)


def _huvos(necrosis_percent: float) -> dict[str, Any]:
    grade = scores.huvos_grade(necrosis_percent)
    good = scores.is_good_responder(necrosis_percent)
    return {
        "total": None,
        "category": grade,
        "interpretation": f"Huvos {grade}: {dict(scores.HUVOS_GRADES)[grade]}; "
        + ("good responder (≥ 90 % necrosis)." if good else "poor responder."),
        "points": (),
    }


@dataclass(frozen=True)
class Calculator:
    """One score: its input schema and the function that computes it."""

    name: str
    title: str
    schema: type
    compute: Callable[..., Any]


CALCULATORS = (
    Calculator(
        "mirels", "Mirels score of a long-bone metastasis", MirelsIn, scores.mirels
    ),
    Calculator("sins", "Spinal Instability Neoplastic Score", SinsIn, scores.sins),
    Calculator(
        "tokuhashi",
        "Revised Tokuhashi score of spinal metastases",
        TokuhashiIn,
        scores.tokuhashi_revised,
    ),
    Calculator("escc", "ESCC (Bilsky) grade of cord compression", EsccIn, scores.escc),
    Calculator("huvos", "Huvos grade of chemotherapy response", HuvosIn, _huvos),
    Calculator("ecog", "ECOG performance status", EcogIn, scores.ecog),
    Calculator(
        "karnofsky", "Karnofsky performance status", KarnofskyIn, scores.karnofsky
    ),
    Calculator("pps", "Palliative Performance Scale (PPSv2)", PpsIn, scores.pps),
    Calculator("lansky", "Lansky play-performance status", LanskyIn, scores.lansky),
    Calculator(
        "msts",
        "MSTS functional score",
        MstsIn,
        lambda **given: scores.msts_functional(given["limb"], given["scores"]),
    ),
)


def _refused(error: ValueError, inputs: dict[str, Any]) -> Problem:
    """The score function's refusal, naming the input it names
    (``"<function>: <input> <value> is not allowed; expected ..."``)."""
    message = str(error)
    named = message.partition(": ")[2].partition(" ")[0]
    field = named if named in inputs else f"scores.{named}" if named else "body"
    return Problem(422, message, errors=[{"field": field, "message": message}])


def _result(name: str, result: Any) -> dict[str, Any]:
    if isinstance(result, dict):
        values = result
    else:
        values = {
            "total": result.total,
            "category": result.category,
            "interpretation": result.interpretation,
            "points": result.points,
        }
    return {
        "calculator": name,
        **values,
        "points": [{"component": c, "points": p} for c, p in values["points"]],
    }


def _view(calculator: Calculator) -> Callable:
    def compute(data: dict[str, Any]):
        try:
            result = calculator.compute(**data)
        except ValueError as error:
            raise _refused(error, data) from None
        return _result(calculator.name, result)

    compute.__name__ = f"calculate_{calculator.name}"
    compute.__doc__ = f"{calculator.title}: the score and what it means."
    return compute


for _calculator in CALCULATORS:
    bp.route(f"/{_calculator.name}", methods=["POST"], endpoint=_calculator.name)(
        access(Permission.CASE_READ)(
            bp.arguments(_calculator.schema)(
                bp.response(200, ScoreOut)(_view(_calculator))
            )
        )
    )
