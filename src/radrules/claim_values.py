"""The values of a claim's fields, one at a time: texts, dates, numbers, ids, procedure codes, payer names,
claim frequency codes and types of bill, as the JSON shape gives them (docs/claim-format.md).

Each reader checks one value and raises :class:`~radrules.errors.ClaimError` naming the field path (``path``)
on a bad one, never the value (claims carry protected health data). :mod:`radrules.claim` reads whole claims
with them (``Claim.from_dict``), :mod:`radrules.history` a history's lines; :func:`payer_key` is how rules and
claims compare payers.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from fractions import Fraction
from typing import Any, Mapping

from .codes import without_procedure_system
from .errors import ClaimError, did_you_mean, shown_key

#: The claim frequency code (X12 CLM05-3, the last character of the type of bill): a digit, or one of the letters
#: of the NUBC codes as ResDAC lists them (A-E hospice notices, F-P adjustments, Q a reopening since 2016 (CR 8581),
#: X-Z special processing). Read in any case, kept in capitals.
FREQUENCY = re.compile(r"^[0-9A-KMPQXYZ]$")
FREQUENCY_PROBLEM = ("expected the claim frequency code: a digit, or a letter of NUBC's (A-K, M, P, Q, X-Z), "
                     "such as `1`, `7` or `Q`")
#: The type of bill (UB-04 form locator 4): 2 digits and the frequency code, or the 4 of the UB-04 with their
#: leading 0.
_BILL_TYPE = re.compile(r"^0?[0-9]{2}[0-9A-KMPQXYZ]$")
BILL_TYPE_PROBLEM = ("expected the type of bill: 2 digits and the frequency code (a digit or a letter), or 4 "
                     "characters with a leading 0 (such as `131`, `0131` or `13Q`)")
#: The longest id (a claim's, a member's): X12's claim id is at most 38 characters, FHIR's ids 64.
MAX_ID_LENGTH = 128
#: Units, charges and diagnosis pointers are below this: a larger number is a mistake, one past the range of
#: a float (an int of 310 digits) would make arithmetic fail, and one of over 4,300 digits can't be shown.
MAX_NUMBER = 10**15
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def join_path(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def read_object(value: Any, path: str, allowed: tuple[str, ...]) -> dict:
    """``value``, an object of the JSON shape with the keys ``allowed``: a dict, or another mapping (a TypedDict's
    type says Mapping; a read-only MappingProxyType) read as the dict it holds."""
    if not isinstance(value, dict):
        if not isinstance(value, Mapping):
            raise ClaimError(path or "claim", "expected an object")
        value = dict(value)
    for key in value:
        if not isinstance(key, str) or key not in allowed:
            raise _unknown_field(key, path, allowed)
    return value


def _unknown_field(key: Any, path: str, allowed: tuple[str, ...]) -> ClaimError:
    """An unknown key is named only when it looks like a field name (a key may be data: a member id)."""
    shown = shown_key(key, allowed)
    if shown is None:
        return ClaimError(path or "claim", "a field of an unknown name (not shown: it may be data)")
    near = _SYNONYMS.get(shown.lower().replace("-", "_"))
    if near not in allowed:
        near = did_you_mean(shown, allowed)
    hint = f" (did you mean `{near}`?)" if near else ""
    return ClaimError(join_path(path, shown), f"unknown field{hint}")


#: Names other formats give fields, and the field each is here (suggested when the object has that field).
_SYNONYMS = {
    "cpt": "code", "hcpcs": "code", "cpt_code": "code", "procedure_code": "code", "procedure": "code",
    "dos": "date", "service_date": "date", "date_of_service": "date", "from_date": "date", "to_date": "end_date",
    "dob": "birth_date", "birthdate": "birth_date", "date_of_birth": "birth_date", "gender": "sex",
    "pos": "place_of_service", "qty": "units", "quantity": "units", "mods": "modifiers", "npi": "rendering_npi",
    "rev_code": "revenue_code", "revenue": "revenue_code", "tob": "bill_type", "type_of_bill": "bill_type",
    "dx": "diagnoses", "icd10": "diagnoses", "diagnosis_codes": "diagnoses", "pointers": "diagnosis_pointers",
    "payer_name": "payer", "claim_id": "id", "member": "patient",
}


def read_text(value: Any, path: str, *, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise ClaimError(path, "required")
        return None
    if not isinstance(value, str):
        raise ClaimError(path, "expected a text")
    text = value.strip()
    if required and not text:
        raise ClaimError(path, "must not be empty")
    return text


def read_date(value: Any, path: str, *, required: bool = False) -> dt.date | None:
    if value is None:
        if required:
            raise ClaimError(path, "required")
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        value = value.strip()  # texts are trimmed, dates too
    if not isinstance(value, str) or not ISO_DATE.match(value):
        raise ClaimError(path, "expected a date as YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ClaimError(path, "not a calendar date") from None


def read_number(value: Any, path: str, *, positive: bool) -> float | int:
    """A plain int or float, whatever subclass of them was given (``numpy.float64`` is a float whose repr is
    ``np.float64(412.0)``, which money sums read as text)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        value = _exact_number(value, path, positive)
    value = float(value) if isinstance(value, float) else int(value)
    if value != value:  # NaN
        raise ClaimError(path, "expected a positive number" if positive else "expected a number")
    if value in (float("inf"), float("-inf")):
        raise ClaimError(path, "expected a finite number")
    if positive and value <= 0:
        raise ClaimError(path, "expected a positive number")
    if not positive and value < 0:
        raise ClaimError(path, "expected a number of zero or more")
    if value >= MAX_NUMBER:
        raise ClaimError(path, "expected a number under 10^15")
    if isinstance(value, float) and value.is_integer() and positive:
        return int(value)
    return value


#: A number written as a JSON text: told to drop its quotes (not shown: digits in the wrong field may be a member
#: id or a birth date).
_QUOTED_NUMBER = re.compile(r"\s*-?[0-9]{1,15}(\.[0-9]{1,6})?\s*")


def _exact_number(value: Any, path: str, positive: bool) -> float | int:
    """A Decimal or Fraction (json.loads(parse_float=Decimal), a model's money fields) as the int or float of its
    value, refused by its size before int() (Decimal("1e1000000") would make a million digits); else an error."""
    if not isinstance(value, (Decimal, Fraction)):
        wanted = "a positive number" if positive else "a number"
        if isinstance(value, str) and _QUOTED_NUMBER.fullmatch(value):  # `"units": "3"`: a number in quotes
            raise ClaimError(path, f"expected {wanted}, not a quoted text (write the number without quotes)")
        raise ClaimError(path, f"expected {wanted}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ClaimError(path, "expected a finite number" if value.is_infinite() else "expected a number")
    if (value.copy_abs() if isinstance(value, Decimal) else abs(value)) >= MAX_NUMBER:
        raise ClaimError(path, "expected a number under 10^15")
    return int(value) if value == int(value) else float(value)


def read_list(value: Any, path: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ClaimError(path, "expected a list")
    return value


def frequency_code(text: str) -> str | None:
    """A claim frequency code as stored, in capitals; None if ``text`` is none."""
    text = _ascii_capitals(text)
    return text if text is not None and FREQUENCY.match(text) else None


def bill_type_digits(text: str) -> str | None:
    """A type of bill as stored, 3 characters (a 4-character one without its leading 0), its frequency code in
    capitals; None if ``text`` is none."""
    text = _ascii_capitals(text)
    return text[-3:] if text is not None and _BILL_TYPE.match(text) else None


def _ascii_capitals(text: str) -> str | None:
    """``text`` in capitals; None if it is not ASCII (`ı` in capitals is `I`: no frequency letter may come so)."""
    return text.upper() if text.isascii() else None


def read_bill_type(value: Any, path: str = "bill_type") -> str | None:
    """The claim's type of bill (:func:`bill_type_digits`); none for an empty text."""
    text = read_text(value, path)
    if not text:
        return None
    digits = bill_type_digits(text)
    if digits is None:
        raise ClaimError(path, BILL_TYPE_PROBLEM)
    return digits


def read_identifier(value: Any, path: str = "id") -> str | None:
    """An id (a text or a whole number) as text, trimmed like other texts (a member id must match the
    history's); empty: none. Anything else is a ClaimError naming ``path``."""
    if value is None:
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise ClaimError(path, "expected a text")
    try:
        text = str(value) if isinstance(value, str) else str(int(value))  # an IntEnum's str is its name
    except ValueError:  # a whole number of more than 4,300 digits
        raise ClaimError(path, "expected a text") from None
    text = text.strip()
    if not is_identifier(text):
        raise ClaimError(path, f"longer than {MAX_ID_LENGTH} characters (not shown)" if len(text) > MAX_ID_LENGTH
                         else "holds a control or invisible character (not shown)")
    return text or None


def is_identifier(text: str) -> bool:
    """Whether a trimmed id is one a claim may carry: at most MAX_ID_LENGTH characters, none a control or invisible
    one (a NUL, a zero-width space, half a surrogate pair: the result echoes the claim's id, and no database or
    UTF-8 JSON takes them)."""
    return len(text) <= MAX_ID_LENGTH and text.isprintable()


def read_pointers(value: Any, path: str) -> tuple[int, ...]:
    """Diagnosis pointers: whole numbers from 1, under 10^15."""
    pointers = []
    for i, pointer in enumerate(read_list(value, path)):
        if isinstance(pointer, bool) or not isinstance(pointer, int) or pointer < 1:
            raise ClaimError(f"{path}[{i}]", "expected a positive whole number")
        if pointer >= MAX_NUMBER:  # format.diagnosis_pointer names it: it must be a number a message can show
            raise ClaimError(f"{path}[{i}]", "expected a number under 10^15")
        pointers.append(int(pointer))  # a plain int, as units and charges are plain numbers
    return tuple(pointers)


def procedure_code(value: Any, path: str) -> str:
    """A procedure code's text, in capitals: given with CPT's or HCPCS's own system (`SYSTEM|CODE`, as a FHIR
    coding reads), the code alone (the system is dropped before the case: its path has one); ClaimError if it is
    no text or empty. A claim line's, an authorization record's and a history line's code are read so."""
    code = read_text(value, path, required=True)
    if "|" in code:
        code = read_text(without_procedure_system(code), path, required=True)
    return code.upper()


def payer_key(name: str) -> str:
    """How rules and claims compare payers: without case, each run of white space as one space, none at the
    ends (`for payer "Blue  Cross "` is the payer `blue cross`)."""
    return normalized_payer(name).lower()


def mapped_payer(name):
    """A payer name a reader gives (from its ``payers`` mapping or from the file), as rules compare payers; None
    for an empty one (not a text: as it is, for the claim's check to refuse)."""
    return (payer_key(name) or None) if isinstance(name, str) else name


def normalized_payer(text: str | None) -> str | None:
    """A payer's name with each run of white space as one space, as rule files compare them (and as the X12
    reader gives them): `"PINECREST  HEALTH"` is the payer `pinecrest health`. A name that is not ASCII is read in
    Unicode's compatibility form (NFKC) first: full-width `ａｃｍｅ` is `acme`."""
    if text and not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return " ".join(text.split()) if text else text


def payer_name(value: Any, path: str) -> str | None:
    """A claim's (or a paid line's) payer as rules compare it (:func:`normalized_payer`); a control or invisible
    character in it (a zero-width space, a soft hyphen, a NUL) is a ClaimError: the name would match no payer's
    rules, and the claim would pass them unjudged."""
    payer = normalized_payer(read_text(value, path))
    if payer and not payer.isprintable():
        raise ClaimError(path, "holds a control or invisible character (not shown): write the payer's name as the "
                               "rules name it")
    return payer
