"""Charges summed exactly: in cents as decimals (a charge of 0.125 is 12.5 cents), rounded once, when shown.

Rounding each line to the cent first (four lines of 0.125 gave 0.48 rather
than 0.50) or summing floats would make totals depend on how a run is cut
into parts and merged.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_CENT = Decimal("0.01")


def decimal(number) -> Decimal:
    """A number as the decimal it was written as: a float by its shortest text (0.1 is 0.1, not the binary
    fraction nearest 0.1), taken from a plain float: the repr of a subclass need not be a number (numpy 2:
    ``np.float64(412.0)``). Charges and units are added so."""
    if isinstance(number, int):
        return Decimal(int(number))
    return Decimal(repr(float(number)))


def cents(charge) -> Decimal | None:
    """A line's charge in cents, exactly as written (:func:`decimal`); None for a line without a charge."""
    if charge is None:
        return None
    return decimal(charge) * 100


def amount(total) -> float:
    """Cents summed (a Decimal or an int), as an amount rounded to the cent, half up."""
    return float((Decimal(total) / 100).quantize(_CENT, rounding=ROUND_HALF_UP))


def shown(total) -> str:
    """Cents summed, as people read an amount: ``1,234.50``."""
    return f"{amount(total):,.2f}"
