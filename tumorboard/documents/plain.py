"""Plain-English wording of a recommendation for the patient's copy of the
outcome letter: no codes, no abbreviations, no trial numbers."""

from __future__ import annotations

from tumorboard.recommendations.models import (
    Recommendation,
    RecommendationCode,
    TreatmentIntent,
)

STEPS = {
    RecommendationCode.BIOPSY: "A biopsy: a small sample of the tumour is taken "
    "so that it can be looked at under the microscope.",
    RecommendationCode.FURTHER_IMAGING: "More scans, to see the area and the rest "
    "of the body in more detail.",
    RecommendationCode.NEOADJUVANT_CHEMOTHERAPY: "Chemotherapy (medicines that "
    "treat the tumour) before any operation.",
    RecommendationCode.SURGERY: "An operation.",
    RecommendationCode.RADIOTHERAPY: "Radiotherapy: treatment with carefully "
    "aimed radiation.",
    RecommendationCode.SYSTEMIC_THERAPY: "Treatment with medicines that work "
    "throughout the body.",
    RecommendationCode.PALLIATIVE_CARE_REFERRAL: "A referral to the palliative "
    "care team, who help with pain and other symptoms and support you and the "
    "people close to you.",
    RecommendationCode.BEST_SUPPORTIVE_CARE: "Care that concentrates on comfort "
    "and on controlling symptoms.",
    RecommendationCode.SURVEILLANCE: "Regular check-ups and scans to keep an eye "
    "on the area.",
    RecommendationCode.CLINICAL_TRIAL: "Taking part in a research study "
    "(clinical trial), if you wish to.",
    RecommendationCode.REDISCUSSION: "The board will talk about your care again "
    "when new results are available.",
}

AIMS = {
    TreatmentIntent.CURATIVE: "The aim of the treatment is to cure the tumour.",
    TreatmentIntent.PALLIATIVE: "The aim of the treatment is to control the "
    "illness and its symptoms and to help you live as well as possible.",
    TreatmentIntent.DIAGNOSTIC: "The next step is to find out exactly what the "
    "tumour is, so that the right treatment can be planned.",
    TreatmentIntent.SURVEILLANCE: "For now, the team recommends keeping a close "
    "watch rather than starting treatment.",
}


def steps(rec: Recommendation) -> list[str]:
    """Each recommended step in plain words, once, in the recorded order."""
    out: list[str] = []
    for item in rec.types:
        text = STEPS[RecommendationCode(item["code"])]
        if text not in out:
            out.append(text)
    return out


def aim(rec: Recommendation) -> str:
    """What the recommended care aims at, in plain words."""
    return AIMS[TreatmentIntent(rec.intent)]
