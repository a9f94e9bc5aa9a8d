"""Claim readers: ASC X12 837P/837I and FHIR R4, plus FHIR ClaimResponse output.

    for item in radrules.read_x12("claims.837"):     # or read_fhir(bundle)
        if isinstance(item, radrules.InputError):  # one claim could not be mapped
            print(item)
        else:
            result = rules.evaluate(item)

Both readers yield :class:`~radrules.Claim` objects, built with the shape
rules of ``Claim.from_dict`` (the X12 reader builds ordinary claims itself
and calls it for any unusual value, so its errors stay the only ones), and
yield (not raise) an :class:`~radrules.errors.InputError` for a claim they
can't map.
docs/readers.md has every field mapping.
"""

import re

from .fhir import read_fhir
from .fhir_response import to_fhir_claim_response
from .x12 import read_x12

__all__ = ["detect_format", "read_fhir", "read_x12", "to_fhir_claim_response"]

#: How many first bytes of a claims file tell its kind.
HEAD = 1 << 16
_FHIR = re.compile(r'"resourceType"\s*:\s*"(?:Claim|Bundle)"')


def detect_format(head: bytes) -> str:
    """``x12``, ``fhir`` or ``json``, from the first bytes of a claims file (``HEAD`` of them suffice)."""
    text = head.decode("latin-1").lstrip("\ufeff\xef\xbb\xbf \t\r\n")
    if text.startswith("ISA"):
        return "x12"
    if _FHIR.search(text[:HEAD]):
        return "fhir"
    return "json"
