"""Shapes of the codes radrules reads: CPT/HCPCS, modifiers, ICD-10-CM, POS, CARC/RARC.

Pure functions shared by the claim model, the compiler and the table loaders.
"""

from __future__ import annotations

import functools
import re
import types

#: CPT category I (5 digits), category II/III, PLA and MAAA (4 digits + letter),
#: HCPCS level II (letter + 4 digits).
PROCEDURE_CODE = re.compile(r"^(?:[0-9]{5}|[0-9]{4}[A-Z]|[A-Z][0-9]{4})$")
#: ICD-10-CM: letter, digit, alphanumeric, then up to four more (dot after the third).
DIAGNOSIS = re.compile(r"^[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?$")
#: ICD-9-CM (for claims with dates of service before 2015-10-01): 3 digits, V and 2
#: digits, or E and 3 digits, then up to 2 more digits (1 for E codes), dot optional.
ICD9_DIAGNOSIS = re.compile(r"^(?:[0-9]{3}(?:\.?[0-9]{1,2})?|V[0-9]{2}(?:\.?[0-9]{1,2})?|E[0-9]{3}(?:\.?[0-9])?)$")
PLACE_OF_SERVICE = re.compile(r"^[0-9]{2}$")
#: The group codes of a claim adjustment (X12 CAS01): contractual obligation, patient responsibility, other
#: adjustment, payer initiated reduction, correction and reversal.
CARC_GROUPS = ("CO", "PR", "OA", "PI", "CR")
CARC = re.compile(rf"^(?:{'|'.join(CARC_GROUPS)})-[A-Z0-9]{{1,3}}$")
RARC = re.compile(r"^(?:M|MA|N)[0-9]{1,3}$")
NPI = re.compile(r"^[0-9]{10}$")

_ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: Every well-formed modifier: two letters or digits.
MODIFIERS = frozenset(a + b for a in _ALPHANUMERIC for b in _ALPHANUMERIC)

#: Largest number of codes one range may stand for.
MAX_RANGE = 100_000


#: The code systems of CPT and HCPCS Level II, by their URIs: a FHIR coding of one of them is a procedure code.
CPT_SYSTEM = "http://www.ama-assn.org/go/cpt"
HCPCS_SYSTEMS = (
    "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
)
#: CPT and HCPCS Level II also go by their HL7 OIDs (2.16.840.1.113883.6.12 and .6.285; .6.14 is HCPCS too).
PROCEDURE_OIDS = ("urn:oid:2.16.840.1.113883.6.12", "urn:oid:2.16.840.1.113883.6.285",
                  "urn:oid:2.16.840.1.113883.6.14")
PROCEDURE_SYSTEMS = (CPT_SYSTEM, *HCPCS_SYSTEMS, *PROCEDURE_OIDS)


def system_key(uri: str) -> str:
    """A code system's URI as URIs compare: the scheme and host (of ``http://host/...``; of ``urn:oid:``, the
    whole, digits) in any case, the rest as written (FHIR's systems are case-sensitive)."""
    scheme, colon, rest = uri.partition(":")
    if rest.startswith("//"):
        host, slash, path = rest[2:].partition("/")
        return f"{scheme.lower()}://{host.lower()}{slash}{path}"
    return uri.lower() if scheme.lower() == "urn" and rest[:4].lower() == "oid:" else uri


#: :data:`PROCEDURE_SYSTEMS` as :func:`system_key` gives them.
PROCEDURE_SYSTEM_KEYS = frozenset(map(system_key, PROCEDURE_SYSTEMS))


def without_procedure_system(value: str) -> str:
    """A line's code given with CPT's or HCPCS's own system (``http://www.ama-assn.org/go/cpt|74177``, as a FHIR
    coding reads): the code alone, to be judged as any code; any other value as it is (a code of another system
    keeps its system, for format.code to say so)."""
    system, bar, code = value.partition("|")
    return code.strip() if bar and system_key(system.strip()) in PROCEDURE_SYSTEM_KEYS else value


#: How many procedure codes' shape check is remembered: more than CPT and HCPCS Level II hold
#: together, so that claims drawing on all of them do not evict each other (a miss costs 3x a hit).
PROCEDURE_CODES_REMEMBERED = 32_768


#: The longest text whose failed shape check is remembered (:func:`remembered`): any longer one is
#: malformed, and is checked again each time (the patterns are anchored: they fail within a few characters).
REMEMBERED_LENGTH = 16


def remembered(most: int):
    """A shape check that remembers its answers, at most ``most`` of each (a full set starts again).

    Only texts that pass are remembered, each a few characters long. A text that fails may be anything a
    billing system put in the wrong field (a member id, a name): it is checked again each time, and never
    kept past its claim (an ``lru_cache`` kept every text it was asked about: 32,768 procedure codes of 50 KB
    each were 1.5 GB). A set test is quicker than an ``lru_cache`` hit, too.
    """
    def decorate(check):
        passed = set()

        @functools.wraps(check)
        def remembering(text: str) -> bool:
            if text in passed:
                return True
            if not check(text):
                return False
            if len(passed) >= most:
                passed.clear()  # (a race with another thread's clear or add costs an entry, no more)
            passed.add(text)
            return True

        remembering.known = passed  # for tests
        return remembering

    return decorate


#: The diagnoses found well formed, as claims give them (ICD-10-CM's, then ICD-9-CM's), at most 8,192 of each
#: (checks.check_format fills them): a claim whose diagnoses are all here is checked with one set test, and its
#: list may be remembered (evaluation.normalized).
WELL_FORMED_DIAGNOSES = (set(), set())


@remembered(PROCEDURE_CODES_REMEMBERED)
def is_procedure_code(code: str) -> bool:
    return PROCEDURE_CODE.match(code) is not None


def is_digits(text: str) -> bool:
    """One or more ASCII digits. ``str.isdigit()`` and ``isdecimal()`` are also true for other scripts'
    digits (``７``, ``٧``), which ``int()`` reads as digits: a code or number written with them is malformed."""
    return text.isascii() and text.isdigit()


def is_modifier(code: str) -> bool:
    return code in MODIFIERS


def is_condition_code(code: str) -> bool:
    """A NUBC condition code: two capital letters or digits (`45`, `A1`)."""
    return len(code) == 2 and code.isascii() and code.isalnum() and code == code.upper()


def is_revenue_code(code: str) -> bool:
    """A NUBC revenue code: four digits (`0255`, `0960`)."""
    return len(code) == 4 and is_digits(code)


def revenue_category(text: str) -> list[str] | None:
    """The ten revenue codes of NUBC's category notation (`096X`: 0960-0969), None for any other text."""
    if len(text) == 4 and text[3] == "X" and is_digits(text[:3]):
        return [f"{text[:3]}{digit}" for digit in range(10)]
    return None


@remembered(8192)
def is_diagnosis(code: str) -> bool:
    return DIAGNOSIS.match(code) is not None


@remembered(8192)
def is_icd9_diagnosis(code: str) -> bool:
    return ICD9_DIAGNOSIS.match(code) is not None


def normalize_diagnosis(code: str) -> str:
    """ICD-10-CM codes compare without the dot, upper case."""
    return code.replace(".", "").strip().upper()


@remembered(8192)
def is_place_of_service(code: str) -> bool:
    return PLACE_OF_SERVICE.match(code) is not None


@remembered(8192)
def npi_is_valid(npi: str) -> bool:
    """10 digits whose Luhn check (with the 80840 prefix) holds."""
    if not NPI.match(npi):
        return False
    digits = [int(c) for c in "80840" + npi]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


class RangeShapeError(ValueError):
    """The two ends of a range are not of one shape (another length, or other than digits differ)."""


#: An ICD-10-CM category: a letter, a digit and a letter or digit (a diagnosis's first three characters).
CATEGORY = re.compile(r"^[A-Z][0-9][0-9A-Z]$")

#: The ICD-10-CM categories whose third character is a letter, each with the category it follows in the Tabular
#: List (the Tabular places them there, not in the order of their characters). From the Tabular's block titles:
#: C4A in "Melanoma and other malignant neoplasms of skin (C43-C44)"; C7A "Malignant neuroendocrine tumors (C7A)"
#: and C7B "Secondary neuroendocrine tumors (C7B)", blocks between C73-C75 and C76-C80; D3A "Benign neuroendocrine
#: tumors (D3A)", between D10-D36 and D37-D48; I1A in "Hypertensive diseases (I10-I1A)"; I5A in "Other forms of
#: heart disease (I30-I5A)"; M1A (chronic gout) after M10 (gout), in "Inflammatory polyarthropathies (M05-M14)"
#: (one secondary source titles the block M05-M1A); O9A in "Other obstetric conditions, not elsewhere classified
#: (O94-O9A)"; Z3A in "Persons encountering health services in circumstances related to reproduction (Z30-Z3A)".
#: A new one is added here, after the category the fiscal year's Tabular puts before it.
ALPHANUMERIC_CATEGORIES = {
    "C4A": "C43",
    "C7A": "C75",
    "C7B": "C7A",
    "D3A": "D36",
    "I1A": "I16",
    "I5A": "I52",
    "M1A": "M10",
    "O9A": "O99",
    "Z3A": "Z39",
}


class CategoryError(ValueError):
    """A range's end is a category whose third character is a letter, but not one of
    :data:`ALPHANUMERIC_CATEGORIES`: where it sits in the Tabular is not known."""


@functools.cache
def _categories() -> tuple[tuple[str, ...], types.MappingProxyType]:
    """Every category in Tabular order, and each one's place in it: A00-Z99 (every two digits count, as in any
    range, whether or not the category exists), the :data:`ALPHANUMERIC_CATEGORIES` each after the one it
    follows."""
    following: dict[str, list[str]] = {}
    for category, before in ALPHANUMERIC_CATEGORIES.items():
        following.setdefault(before, []).append(category)
    order: list[str] = []

    def place(category: str) -> None:
        order.append(category)
        for after in following.get(category, ()):
            place(after)

    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        for number in range(100):
            place(f"{letter}{number:02d}")
    return tuple(order), types.MappingProxyType({category: i for i, category in enumerate(order)})


def is_category(code: str) -> bool:
    """Three characters shaped like an ICD-10-CM category (`C34`, `C7A`), without a dot."""
    return CATEGORY.match(code) is not None


def category_position(code: str) -> int | None:
    """Where a category (`C43`, `C4A`) sits in Tabular order, as ranges of categories count; None for any other
    text (a longer code, an alphanumeric category the table does not list)."""
    return _categories()[1].get(code)


def expand_diagnosis_range(low: str, high: str) -> list[str]:
    """All diagnoses from ``low`` to ``high`` inclusive (both without their dot).

    Two categories (``C00-C96``, ``C00-D49``, ``O00-O9A``) cover every category between them in Tabular
    order, the alphanumeric ones too (C7A, D3A), across letters; raises :class:`CategoryError` for an end whose
    third character is a letter not in :data:`ALPHANUMERIC_CATEGORIES`. Longer ends count through their digits
    as :func:`expand_range` does (``O09.00-O09.93``).
    """
    if not (is_category(low) and is_category(high)):
        return expand_range(low, high)
    categories, place = _categories()
    for end in (low, high):
        if end not in place:
            raise CategoryError(f"`{end}` is not a known ICD-10-CM category whose third character is a letter")
    if place[low] > place[high]:
        raise ValueError(f"`{low}` comes after `{high}`")
    return list(categories[place[low]:place[high] + 1])


def expand_range(low: str, high: str) -> list[str]:
    """All codes from ``low`` to ``high`` inclusive.

    The two ends must share a prefix and differ only in a run of digits of the
    same length (``70450-70498``, ``0001U-0099U``, ``A9575-A9585``,
    ``F17210-F17219``). Raises ValueError with a reason otherwise (RangeShapeError
    for ends of two shapes).
    """
    if len(low) != len(high):
        raise RangeShapeError("both ends of a range need the same number of characters")
    match_low = re.match(r"^(.*?)([0-9]+)([A-Z]*)$", low)
    match_high = re.match(r"^(.*?)([0-9]+)([A-Z]*)$", high)
    if not match_low or not match_high:
        raise ValueError("a range needs digits to count through")
    prefix_low, digits_low, suffix_low = match_low.groups()
    prefix_high, digits_high, suffix_high = match_high.groups()
    if prefix_low != prefix_high or suffix_low != suffix_high or len(digits_low) != len(digits_high):
        raise RangeShapeError("the two ends differ in more than their digits")
    first, last = int(digits_low), int(digits_high)
    if first > last:
        raise ValueError(f"`{low}` comes after `{high}`")
    if last - first + 1 > MAX_RANGE:
        raise ValueError(f"a range may cover at most {MAX_RANGE:,} codes")
    width = len(digits_low)
    return [f"{prefix_low}{n:0{width}d}{suffix_low}" for n in range(first, last + 1)]
