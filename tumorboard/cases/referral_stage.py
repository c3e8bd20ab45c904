"""The stage a referral reports: the referring centre's AJCC 8th bone T, N, M
and stage group, checked against the tables of reference §2 before it is kept
on the case. The board's own staging is derived from its reviews
(``tumorboard.reviews.staging``); this one stays as received."""

from __future__ import annotations

from typing import Any

from tumorboard.cases.models import CaseType
from tumorboard.clinical import catalogue, staging
from tumorboard.errors import InvalidInput

#: Case fields, in the order T, N, M, stage group.
FIELDS = ("referral_t", "referral_n", "referral_m", "referral_stage_group")
#: What each field is called in a message.
LABELS = {
    "referral_t": "T category",
    "referral_n": "N category",
    "referral_m": "M category",
    "referral_stage_group": "stage group",
}


def site_group_label(site_group: str) -> str:
    return dict(staging.AJCC_SITE_GROUPS)[site_group].lower()


def clean(data: dict[str, Any], site_code: str, case_type: CaseType) -> dict[str, Any]:
    """The reported categories, each one a code of the site's table (§2.1–2.3,
    §2.5), with a stage group that T, N and M (and some grade) lead to."""
    given = {name: data.get(name) or None for name in FIELDS}
    if not any(given.values()):
        return dict.fromkeys(FIELDS)
    first = next(name for name in FIELDS if given[name])
    if case_type != CaseType.PRIMARY_BONE_TUMOUR:
        raise InvalidInput(
            "AJCC bone staging applies to primary bone tumours; a skeletal "
            "metastasis is not staged.",
            first,
        )
    group = catalogue.topography(site_code).ajcc_site_group
    allowed = {
        "referral_t": staging.AJCC_T_CODES[group],
        "referral_n": staging.AJCC_N_CODES,
        "referral_m": staging.AJCC_M_CODES,
        "referral_stage_group": staging.AJCC_STAGE_GROUPS,
    }
    for name in FIELDS:
        value = given[name]
        if value is not None and value not in allowed[name]:
            where = (
                f" for the {site_group_label(group)}" if name == "referral_t" else ""
            )
            raise InvalidInput(
                f"'{value}' is not an AJCC 8th bone {LABELS[name]}{where}; "
                f"expected one of {', '.join(allowed[name])}.",
                name,
            )
    stage_group = given["referral_stage_group"]
    if stage_group and group not in staging.STAGE_GROUPED_SITE_GROUPS:
        raise InvalidInput(
            f"AJCC 8th defines no stage group for the {site_group_label(group)}; "
            f"'{stage_group}' cannot be kept.",
            "referral_stage_group",
        )
    t, n, m = given["referral_t"], given["referral_n"], given["referral_m"]
    if stage_group and t and n and m:
        fitting = sorted(
            _groups_for(group, t, n, m), key=staging.AJCC_STAGE_GROUPS.index
        )
        if stage_group not in fitting:
            follows = (
                f"{' or '.join(fitting)} (by grade)" if fitting else "no stage group"
            )
            raise InvalidInput(
                f"Stage group {stage_group} does not follow from {t} {n} {m}: "
                f"these categories give {follows}.",
                "referral_stage_group",
            )
    return given


def _groups_for(site_group: str, t: str, n: str, m: str) -> set[str]:
    """The stage groups ``t``, ``n``, ``m`` give with any grade (§2.5)."""
    out = set()
    for grade in staging.AJCC_GRADES:
        try:
            found = staging.ajcc_bone_stage(site_group, t, n, m, grade)
        except ValueError:
            # M1 without subcategory: IVA or IVB by the subcategory.
            out.update(("IVA", "IVB"))
            continue
        if found:
            out.add(found)
    return out


def reported(case: Any) -> dict[str, str | None] | None:
    """The stage reported with ``case``'s referral, by short name (t, n, m,
    stage_group); None when none came."""
    values = {name.removeprefix("referral_"): getattr(case, name) for name in FIELDS}
    return values if any(values.values()) else None
