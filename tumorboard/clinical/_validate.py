"""Input checks shared by the clinical calculators.

Every helper raises ``ValueError`` with one message shape, so a form can show it
as is: ``"<function>: <parameter> <value> is not allowed; expected <what>"``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

#: Exact numeric types accepted where a measurement is due. ``Decimal`` is here
#: because WTForms' ``DecimalField`` hands one over; ``bool`` is excluded below.
Number = int | float | Decimal | Fraction


def reject(func: str, param: str, value: object, expected: str) -> ValueError:
    """Build the standard error for ``param`` of ``func`` holding ``value``."""
    return ValueError(f"{func}: {param} {value!r} is not allowed; expected {expected}")


def choice(func: str, param: str, value: object, allowed: Iterable[str]) -> str:
    """Return ``value`` if it is one of the string keys in ``allowed``."""
    allowed = tuple(allowed)
    if isinstance(value, str) and value in allowed:
        return value
    raise reject(func, param, value, "one of " + ", ".join(allowed))


def flag(func: str, param: str, value: object) -> bool:
    """Return ``value`` if it is a real ``bool`` (not 0/1, not a string)."""
    if isinstance(value, bool):
        return value
    raise reject(func, param, value, "True or False")


def integer(
    func: str,
    param: str,
    value: object,
    *,
    minimum: int,
    maximum: int | None = None,
    step: int = 1,
) -> int:
    """Return ``value`` if it is an ``int`` (not ``bool``) in range and on the step."""
    if maximum is None:
        expected = f"an integer >= {minimum}"
    elif step == 1:
        expected = f"an integer from {minimum} to {maximum}"
    else:
        expected = f"an integer from {minimum} to {maximum} in steps of {step}"
    # bool is a subclass of int; True must not count as 1 point.
    if isinstance(value, bool) or not isinstance(value, int):
        raise reject(func, param, value, expected)
    if value < minimum or (maximum is not None and value > maximum):
        raise reject(func, param, value, expected)
    if (value - minimum) % step:
        raise reject(func, param, value, expected)
    return value


def number(
    func: str,
    param: str,
    value: object,
    *,
    minimum: Number,
    maximum: Number | None = None,
    minimum_inclusive: bool = True,
    unit: str = "",
) -> Number:
    """Return ``value`` if it is a finite real number (not ``bool``) in range."""
    low = f">= {minimum}" if minimum_inclusive else f"> {minimum}"
    expected = f"a finite number {low}"
    if maximum is not None:
        expected += f" and <= {maximum}"
    if unit:
        expected += f" ({unit})"
    if isinstance(value, bool) or not isinstance(
        value, int | float | Decimal | Fraction
    ):
        raise reject(func, param, value, expected)
    # Decimal('sNaN') cannot even be converted to float, so ask Decimal itself.
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise reject(func, param, value, expected)
    elif isinstance(value, float) and not math.isfinite(value):
        raise reject(func, param, value, expected)
    # Compare in the value's own type so Decimal('89.99999999999999999') stays < 90.
    too_low = value < minimum if minimum_inclusive else value <= minimum
    if too_low or (maximum is not None and value > maximum):
        raise reject(func, param, value, expected)
    return value


def text(func: str, param: str, value: object) -> str:
    """Return ``value`` if it is a string."""
    if isinstance(value, str):
        return value
    raise reject(func, param, value, "a string")
