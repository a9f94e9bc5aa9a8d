"""The claim model and its JSON shape (docs/claim-format.md).

``Claim.from_dict`` checks the *shape* of a claim and raises
:class:`~radrules.errors.ClaimError` naming the field path on the first
problem. Problems of *content* a payer would reject (a malformed procedure
code, a diagnosis pointer to nothing, a service before birth) are not
exceptions: evaluation reports them as ``format`` findings.

Error messages name fields, never the values of identifiers (claim id, member
id, NPI, prior-authorization number): claims carry protected health data.

Here: the model (``Patient``, ``Line``, ``Authorization``, ``Claim``, written
back to its JSON shape by ``to_dict``) and the reading of a whole claim, by the
checked path (``_read_claim_checked``: every check, in order) and by the fast
path (``_fast_claim``, for the valid claims of plain JSON types most claims
are). Each field's value is read and checked by :mod:`radrules.claim_values`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import attrs

from .claim_values import (FREQUENCY, FREQUENCY_PROBLEM, ISO_DATE, MAX_NUMBER, frequency_code, join_path,
                           normalized_payer, payer_name, procedure_code, read_bill_type, read_date, read_identifier,
                           read_list, read_number, read_object, read_pointers, read_text)
from .codes import is_condition_code, is_procedure_code, without_procedure_system
from .errors import ClaimError

CLAIM_TYPES = ("professional", "institutional")
_TYPE_ALIASES = {"practitioner": "professional", "outpatient_hospital": "institutional"}
SEXES = ("F", "M", "U")
#: ``icd10`` (ICD-10-CM, the default) or ``icd9`` (ICD-9-CM: X12 qualifiers BK/BF).
DIAGNOSIS_SYSTEMS = ("icd10", "icd9")
REVENUE_CODE = re.compile(r"^[0-9]{4}$")
#: The claim fields only an institutional claim has (and a line's `revenue_code`), and the ClaimError of one on a
#: professional claim, or on a claim without `type` (professional when not given).
INSTITUTIONAL_FIELDS = ("bill_type", "statement_from", "statement_through")
INSTITUTIONAL_ONLY = "a field of institutional claims, and the claim's `type` is professional"
NO_TYPE = "a field of institutional claims, and a claim without `type` is professional: give `type: institutional`"
MAX_MODIFIERS = 4
#: The most service lines a claim may have: an 837I claim's limit (an 837P claim has at most 50). Rules that
#: compare lines look at every pair, so a claim of thousands of copies of one line would take minutes.
MAX_LINES = 999
TOO_MANY_LINES = f"at most {MAX_LINES} service lines per claim (the 837I limit)"


def protected(value: Any) -> str:
    """A protected field in a repr (the member id, birth date, prior-authorization numbers, NPIs, a history
    line's claim id): whether it is given, never its value, since reprs reach logs and error trackers."""
    return repr(value) if value is None or value == () else "<protected>"


def quoted(kind: str):
    """The repr of a code field (``kind``: a key of ``checks.QUOTED_LENGTH``), or a list of them: a value shaped
    like the code that was meant as it is, any other as its length (a member id or a name put in the wrong field
    must not reach a log through a repr, as it reaches no finding: checks.quotable)."""
    def show(value: Any) -> str:
        from .checks import quotable

        def one(item: Any) -> str:
            if item is None:
                return "None"
            return repr(item) if isinstance(item, str) and quotable(item, kind) else f"<{_length(item)}, not shown>"

        if isinstance(value, tuple):
            return "(" + ", ".join(map(one, value)) + ("," if len(value) == 1 else "") + ")"
        return one(value)
    return show


def _length(item: Any) -> str:
    return f"{len(item)} characters" if isinstance(item, str) else type(item).__name__


def _shown(value: Any, kind: type) -> str:
    """A claim's patient or lines in its repr: a :class:`Patient` or :class:`Line` hides its own protected
    fields; anything else (a dict in a claim built in code, checked only when evaluated) is shown as protected."""
    if value is None or isinstance(value, kind):
        return repr(value)
    if isinstance(value, (tuple, list)):
        items = [_Shown(_shown(item, kind)) for item in value]
        return repr(items if isinstance(value, list) else tuple(items))
    return "<protected>"


class _Shown(str):
    """A text a repr shows as it is."""

    def __repr__(self) -> str:
        return str(self)


@attrs.frozen
class Patient:
    """The patient: birth date and sex are what the rules read; ``id`` links history."""

    birth_date: dt.date | None = attrs.field(default=None, repr=protected)
    sex: str | None = None
    id: str | None = attrs.field(default=None, repr=protected)


@attrs.frozen
class Line:
    """One service line. ``diagnosis_pointers`` are 1-based into ``Claim.diagnoses``. ``code`` is None only on a
    line of an institutional claim that gives its ``revenue_code`` alone (a pharmacy or supply line: docs/
    claim-format.md#lines-without-a-procedure-code)."""

    code: str | None = attrs.field(repr=quoted("procedure code"))
    date: dt.date
    units: float = 1
    modifiers: tuple[str, ...] = attrs.field(default=(), repr=quoted("modifier"))
    diagnosis_pointers: tuple[int, ...] = ()
    end_date: dt.date | None = None
    charge: float | None = None
    place_of_service: str | None = attrs.field(default=None, repr=quoted("place of service"))
    rendering_npi: str | None = attrs.field(default=None, repr=protected)
    revenue_code: str | None = None


#: What ``line.authorization`` says of a line, given the claim's authorization records (domain.md §7.1):
#: no number on the claim; no record has the claim's number; the records of its number cover other codes;
#: a record covers the code, not the date of service; the covering records' units are used up; covered.
AUTHORIZATION_STATUSES = ("no_number", "unknown_number", "other_code", "out_of_dates", "over_units", "valid")


@attrs.frozen
class Authorization:
    """A prior authorization the payer granted (from its utilization management records): the services
    (``codes``) authorized under ``number`` from ``start`` through ``end``, at most ``units`` of each code
    (None: any)."""

    number: str = attrs.field(repr=protected)
    codes: frozenset[str]
    start: dt.date
    end: dt.date
    units: int | None = None


@attrs.frozen
class Claim:
    """A professional (837P) or institutional (837I) claim."""

    lines: tuple[Line, ...] = attrs.field(repr=lambda lines: _shown(lines, Line))
    id: str | None = None
    type: str = "professional"
    payer: str | None = None
    patient: Patient = attrs.field(default=Patient(), repr=lambda patient: _shown(patient, Patient))
    place_of_service: str | None = attrs.field(default=None, repr=quoted("place of service"))
    prior_auth: tuple[str, ...] = attrs.field(default=(), repr=protected)
    received: dt.date | None = None
    diagnoses: tuple[str, ...] = attrs.field(default=(), repr=quoted("diagnosis"))
    frequency: str | None = None
    diagnosis_system: str = "icd10"
    condition_codes: tuple[str, ...] = ()  # NUBC condition codes (`45`: sex edits bypassed on institutional claims)
    # The billing provider's NPI: the provider of an institutional claim's lines for the edits that compare one
    # provider's lines (the hospital bills them all); None: unknown (they compare with every provider's).
    billing_npi: str | None = attrs.field(default=None, repr=protected)
    # The type of bill of an institutional claim (UB-04 FL 4, 837I CLM05-1 and CLM05-3), as 3 digits (`131`).
    bill_type: str | None = None
    # A replacement's or void's reference to the claim it replaces: the payer's claim control number of the
    # original (837 REF*F8). None: not given (a replacement then names its original by its own id).
    replaces: str | None = attrs.field(default=None, repr=protected)
    # The payer's authorization records for the claim; None when not given (authorization edits then can't
    # judge the claim), () when the patient has none.
    authorizations: tuple[Authorization, ...] | None = attrs.field(
        default=None, repr=lambda records: _shown(records, Authorization))
    # The statement period of an institutional claim (UB-04 FL 6 "From" and "Through", 837I DTP*434, FHIR
    # billablePeriod): Medicare counts timely filing from its Through date; each line is dated within it.
    statement_from: dt.date | None = None
    statement_through: dt.date | None = None
    # Whether this object came from from_dict or a reader, which check every field: evaluate()
    # checks a claim built in code (or changed with attrs.evolve, which makes it False again).
    _checked: bool = attrs.field(default=False, init=False, eq=False, repr=False)

    @classmethod
    def from_dict(cls, data: Any) -> "Claim":
        """Build a claim from its JSON shape; raises ClaimError on a bad shape."""
        return _read_claim(data)

    def to_dict(self) -> dict[str, Any]:
        """The claim in its JSON shape (optional fields left out when empty)."""
        out: dict[str, Any] = {}
        if self.id is not None:
            out["id"] = self.id
        out["type"] = self.type
        if self.payer is not None:
            out["payer"] = self.payer
        patient = {}
        if self.patient.id is not None:
            patient["id"] = self.patient.id
        if self.patient.birth_date is not None:
            patient["birth_date"] = self.patient.birth_date.isoformat()
        if self.patient.sex is not None:
            patient["sex"] = self.patient.sex
        if patient:
            out["patient"] = patient
        if self.place_of_service is not None:
            out["place_of_service"] = self.place_of_service
        if self.prior_auth:
            out["prior_auth"] = self.prior_auth[0] if len(self.prior_auth) == 1 else list(self.prior_auth)
        if self.received is not None:
            out["received"] = self.received.isoformat()
        if self.frequency is not None:
            out["frequency"] = self.frequency
        if self.condition_codes:
            out["condition_codes"] = list(self.condition_codes)
        if self.billing_npi is not None:
            out["billing_npi"] = self.billing_npi
        if self.bill_type is not None:
            out["bill_type"] = self.bill_type
        if self.replaces is not None:
            out["replaces"] = self.replaces
        if self.statement_from is not None:
            out["statement_from"] = self.statement_from.isoformat()
        if self.statement_through is not None:
            out["statement_through"] = self.statement_through.isoformat()
        out["diagnoses"] = list(self.diagnoses)
        if self.diagnosis_system != "icd10":
            out["diagnosis_system"] = self.diagnosis_system
        if self.authorizations is not None:
            out["authorizations"] = [_authorization_dict(record) for record in self.authorizations]
        out["lines"] = [_line_dict(line) for line in self.lines]
        return out


def _authorization_dict(record: Authorization) -> dict:
    out: dict[str, Any] = {"number": record.number, "codes": sorted(record.codes, key=str),
                           "start": record.start.isoformat(), "end": record.end.isoformat()}
    if record.units is not None:
        out["units"] = record.units
    return out


def _line_dict(line: Line) -> dict:
    out: dict[str, Any] = {} if line.code is None else {"code": line.code}
    if line.modifiers:
        out["modifiers"] = list(line.modifiers)
    out["units"] = line.units
    out["date"] = line.date.isoformat()
    if line.end_date is not None:
        out["end_date"] = line.end_date.isoformat()
    if line.diagnosis_pointers:
        out["diagnosis_pointers"] = list(line.diagnosis_pointers)
    if line.charge is not None:
        out["charge"] = line.charge
    if line.place_of_service is not None:
        out["place_of_service"] = line.place_of_service
    if line.rendering_npi is not None:
        out["rendering_npi"] = line.rendering_npi
    if line.revenue_code is not None:
        out["revenue_code"] = line.revenue_code
    return out


# ---------------------------------------------------------------- reading


_CLAIM_FIELDS = (
    "id", "type", "payer", "patient", "place_of_service", "prior_auth", "received", "frequency", "diagnoses",
    "diagnosis_system", "condition_codes", "billing_npi", "bill_type", "replaces", "statement_from",
    "statement_through", "authorizations", "lines",
)
_PATIENT_FIELDS = ("id", "birth_date", "sex")
_LINE_FIELDS = (
    "code", "modifiers", "units", "date", "end_date", "diagnosis_pointers", "charge",
    "place_of_service", "rendering_npi", "revenue_code",
)


def _read_claim(data: Any) -> Claim:
    claim = _fast_claim(data)
    return mark_checked(claim if claim is not None else _read_claim_checked(data))


def mark_checked(claim: Claim) -> Claim:
    """Mark a claim whose every field was checked as :meth:`Claim.from_dict` checks them."""
    object.__setattr__(claim, "_checked", True)
    return claim


def checked(claim: Claim) -> Claim:
    """``claim`` if it was checked; else the claim its fields make, checked as from_dict checks a dict
    (a Claim built in code: ClaimError on the first bad field, named by its path)."""
    if claim._checked:
        return claim
    return mark_checked(_read_claim_checked(_as_data(claim)))


def _as_data(claim: Claim) -> dict:
    """The fields of a claim built in code, in the JSON shape, values as they are (to be checked)."""
    def listed(value):
        return list(value) if isinstance(value, tuple) else value

    data = {name: listed(getattr(claim, name)) for name in _CLAIM_FIELDS}
    patient = data["patient"]
    if isinstance(patient, Patient):
        data["patient"] = {name: getattr(patient, name) for name in _PATIENT_FIELDS}
    if isinstance(data["lines"], list):
        data["lines"] = [{name: listed(getattr(line, name)) for name in _LINE_FIELDS} if isinstance(line, Line)
                         else line for line in data["lines"]]
    if isinstance(data["authorizations"], list):
        data["authorizations"] = [
            {name: (list(getattr(record, name)) if name == "codes" and isinstance(getattr(record, name),
                                                                                  (set, frozenset))
                    else listed(getattr(record, name))) for name in _AUTHORIZATION_FIELDS}
            if isinstance(record, Authorization) else record for record in data["authorizations"]]
    return data


def read_claim_type(value: Any, path: str) -> str:
    """A claim type as the JSON shape gives it (``professional``, ``institutional``, or an alias, in any case)."""
    if isinstance(value, str):
        value = _TYPE_ALIASES.get(value.strip().lower(), value.strip().lower())
        if value in CLAIM_TYPES:
            return value
    raise ClaimError(path, "expected `professional` or `institutional`")


def _read_claim_checked(data: Any) -> Claim:
    """The claim, or the ClaimError of its first problem: every check, in order."""
    data = read_object(data, "", _CLAIM_FIELDS)
    claim_id = read_identifier(data.get("id"), "id")
    claim_type = read_claim_type(data.get("type", "professional"), "type")
    prior = data.get("prior_auth")
    if isinstance(prior, list):
        prior_auth = tuple(read_text(p, f"prior_auth[{i}]", required=True) for i, p in enumerate(prior))
    else:
        text = read_text(prior, "prior_auth")
        prior_auth = (text,) if text else ()
    diagnoses = tuple(
        read_text(d, f"diagnoses[{i}]", required=True)
        for i, d in enumerate(read_list(data.get("diagnoses"), "diagnoses"))
    )
    frequency = read_text(data.get("frequency"), "frequency")
    if frequency is not None:
        frequency = frequency_code(frequency)
        if frequency is None:
            raise ClaimError("frequency", FREQUENCY_PROBLEM)
    system = data.get("diagnosis_system", "icd10")
    if not isinstance(system, str) or system.strip().lower() not in DIAGNOSIS_SYSTEMS:
        raise ClaimError("diagnosis_system", "expected `icd10` or `icd9`")
    conditions = []
    for i, value in enumerate(read_list(data.get("condition_codes"), "condition_codes")):
        text = read_text(value, f"condition_codes[{i}]", required=True).upper()
        if not is_condition_code(text):
            raise ClaimError(f"condition_codes[{i}]", "expected a condition code of two letters or digits, "
                             "such as `45`")
        conditions.append(text)
    raw_lines = read_list(data.get("lines"), "lines")
    if not raw_lines:
        raise ClaimError("lines", "a claim needs at least one service line")
    if len(raw_lines) > MAX_LINES:
        raise ClaimError("lines", TOO_MANY_LINES)
    institutional = claim_type == "institutional"
    claim = Claim(
        id=claim_id,
        type=claim_type,
        payer=payer_name(data.get("payer"), "payer"),
        patient=_read_patient(data.get("patient")),
        place_of_service=read_text(data.get("place_of_service"), "place_of_service"),
        prior_auth=prior_auth,
        received=read_date(data.get("received"), "received"),
        diagnoses=diagnoses,
        frequency=frequency,
        diagnosis_system=system.strip().lower(),
        condition_codes=tuple(conditions),
        billing_npi=read_text(data.get("billing_npi"), "billing_npi") or None,
        bill_type=read_bill_type(data.get("bill_type")),
        replaces=read_identifier(data.get("replaces"), "replaces"),
        statement_from=read_date(data.get("statement_from"), "statement_from"),
        statement_through=read_date(data.get("statement_through"), "statement_through"),
        authorizations=_read_authorizations(data.get("authorizations")),
        lines=tuple(_read_line(line, f"lines[{i}]", institutional, data.get("type") is None)
                    for i, line in enumerate(raw_lines)),
    )
    if claim.statement_through is not None and claim.statement_from is not None \
            and claim.statement_through < claim.statement_from:
        raise ClaimError("statement_through", "expected a date on or after `statement_from`")
    if claim.frequency is not None and claim.bill_type is not None and claim.frequency != claim.bill_type[-1]:
        # One field in the 837I (CLM05-1 and CLM05-3) and on the UB-04: neither may win without a word.
        raise ClaimError("frequency", f"`{claim.frequency}` is not the frequency code the type of bill ends in "
                         f"(`{claim.bill_type}`): give the code in one of them, or the same code in both")
    if claim_type == "professional":
        _no_institutional_fields(claim, data.get("type") is None)
    return claim


def _no_institutional_fields(claim: Claim, untyped: bool) -> None:
    """A professional claim's ClaimError for the first field only institutional claims have (a type of bill, a
    statement period, a revenue code): a hospital claim judged as professional would meet the practitioners'
    tables. A claim that gives no ``type`` (``untyped``) is told to give it."""
    path = next((name for name in INSTITUTIONAL_FIELDS if getattr(claim, name) is not None), None)
    if path is None:
        path = next((f"lines[{i}].revenue_code" for i, line in enumerate(claim.lines)
                     if line.revenue_code is not None), None)
    if path is not None:
        raise ClaimError(path, NO_TYPE if untyped else INSTITUTIONAL_ONLY)


def frequency_of(claim: Claim) -> str | None:
    """The claim frequency code: the claim's ``frequency``, else the last character of its type of bill; None."""
    if claim.frequency is not None:
        return claim.frequency
    return claim.bill_type[-1] if claim.bill_type is not None else None


_AUTHORIZATION_FIELDS = ("number", "codes", "start", "end", "units")


def _read_authorizations(value: Any) -> tuple[Authorization, ...] | None:
    if value is None:
        return None
    records = read_list(value, "authorizations")
    if len(records) > MAX_LINES:
        raise ClaimError("authorizations", f"at most {MAX_LINES} authorization records per claim")
    return tuple(read_authorization(record, f"authorizations[{i}]") for i, record in enumerate(records))


def read_authorization(record: Any, path: str) -> Authorization:
    """One authorization record, checked; ClaimError names the field under ``path`` ("" for a record alone)."""
    def at(name: str) -> str:
        return join_path(path, name)

    record = read_object(record, path, _AUTHORIZATION_FIELDS)
    number = read_text(record.get("number"), at("number"), required=True)
    codes = []
    raw_codes = read_list(record.get("codes"), at("codes"))
    if not raw_codes:
        raise ClaimError(at("codes"), "expected the procedure codes authorized (at least one)")
    for j, code in enumerate(raw_codes):
        text = procedure_code(code, at(f"codes[{j}]"))
        if not is_procedure_code(text):
            raise ClaimError(at(f"codes[{j}]"), "expected a procedure code (5 characters)")
        codes.append(text)
    start = read_date(record.get("start"), at("start"), required=True)
    end = read_date(record.get("end"), at("end"), required=True)
    if end < start:
        raise ClaimError(at("end"), "expected a date on or after `start`")
    units = record.get("units")
    if units is not None:
        units = read_number(units, at("units"), positive=True)
        if not isinstance(units, int):
            raise ClaimError(at("units"), "expected a whole number")
    return Authorization(number, frozenset(codes), start, end, units)


def _read_patient(value: Any) -> Patient:
    if value is None:
        return Patient()
    value = read_object(value, "patient", _PATIENT_FIELDS)
    sex = read_text(value.get("sex"), "patient.sex")
    if sex is not None:
        sex = sex.upper()
        if sex not in SEXES:
            raise ClaimError("patient.sex", "expected `F`, `M` or `U`")
    patient_id = read_identifier(value.get("id"), "patient.id")
    return Patient(birth_date=read_date(value.get("birth_date"), "patient.birth_date"), sex=sex, id=patient_id)


#: Why a line of a revenue code alone on a claim without `type` needs one.
NO_TYPE_LINE = ("only an institutional claim's line may give a revenue code alone, and a claim without `type` is "
                "professional: give `type: institutional`")
#: The problem of a line without a code on an institutional claim that gives no revenue code either.
NO_CODE = "required (an institutional line may leave it out only when it gives its `revenue_code`)"


def _read_line(value: Any, path: str, institutional: bool = False, untyped: bool = False) -> Line:
    """A line; on an institutional claim (``institutional``) one that leaves out its code, with a revenue code, has
    the code None (a revenue code alone: docs/claim-format.md#lines-without-a-procedure-code). On a claim that
    gives no ``type`` (``untyped``), such a line is told to give it."""
    value = read_object(value, path, _LINE_FIELDS)
    if institutional and value.get("code") is None:
        if value.get("revenue_code") is None:
            raise ClaimError(f"{path}.code", NO_CODE)
        code = None
    elif untyped and value.get("code") is None and value.get("revenue_code") is not None:
        raise ClaimError(f"{path}.code", f"required: {NO_TYPE_LINE}")
    else:
        code = procedure_code(value.get("code"), f"{path}.code")
    modifiers = tuple(
        read_text(m, f"{path}.modifiers[{i}]", required=True).upper()
        for i, m in enumerate(read_list(value.get("modifiers"), f"{path}.modifiers"))
    )
    if len(modifiers) > MAX_MODIFIERS:
        raise ClaimError(f"{path}.modifiers", f"at most {MAX_MODIFIERS} modifiers per line")
    if modifiers and code is None:
        raise ClaimError(f"{path}.modifiers", "modifiers need a procedure code (the line gives a revenue code alone)")
    pointers = read_pointers(value.get("diagnosis_pointers"), f"{path}.diagnosis_pointers")
    units = value.get("units", 1)
    charge = value.get("charge")
    revenue_code = read_text(value.get("revenue_code"), f"{path}.revenue_code")
    if revenue_code is not None and not REVENUE_CODE.match(revenue_code):
        raise ClaimError(f"{path}.revenue_code", "expected 4 digits")
    return Line(
        code=code,
        date=read_date(value.get("date"), f"{path}.date", required=True),
        units=read_number(units, f"{path}.units", positive=True),
        modifiers=modifiers,
        diagnosis_pointers=pointers,
        end_date=read_date(value.get("end_date"), f"{path}.end_date"),
        charge=None if charge is None else read_number(charge, f"{path}.charge", positive=False),
        place_of_service=read_text(value.get("place_of_service"), f"{path}.place_of_service"),
        rendering_npi=read_text(value.get("rendering_npi"), f"{path}.rendering_npi") or None,  # blank: none
        revenue_code=revenue_code,
    )


# ---------------------------------------------------------------- the fast path
#
# Most claims are valid and use the plain JSON types. The functions below read
# such a claim with fewer calls and no field paths; on anything else (a wrong
# type, a value out of range, an unknown field, a subclass of str or date) they
# return None and ``_read_claim_checked`` reads the claim again, so every error
# and every unusual value is handled there, in one place. Both must build equal
# claims (tests/test_claim.py checks it on generated claims).

_CLAIM_KEYS = frozenset(_CLAIM_FIELDS) - {"replaces"}  # a replacement's reference: read by the checked path
_PATIENT_KEYS = frozenset(_PATIENT_FIELDS)
_LINE_KEYS = frozenset(_LINE_FIELDS)
_NOT = object()  # "not for the fast path"


def _fast_claim(data: Any) -> Claim | None:
    if type(data) is not dict or not _CLAIM_KEYS.issuperset(data):
        return None
    get = data.get
    if get("authorizations") is not None or get("bill_type") is not None or get("statement_from") is not None \
            or get("statement_through") is not None:
        return None  # authorization records, a type of bill, a statement period: read by the checked path
    claim_id = get("id")
    claim_type = get("type", "professional")
    system = get("diagnosis_system", "icd10")
    raw_lines = get("lines")
    if (claim_id is not None and type(claim_id) is not str) or type(claim_type) is not str \
            or claim_type not in CLAIM_TYPES or type(system) is not str or system not in DIAGNOSIS_SYSTEMS \
            or type(raw_lines) is not list or not raw_lines or len(raw_lines) > MAX_LINES:
        return None
    prior = get("prior_auth")
    if prior is None:
        prior_auth = ()
    elif type(prior) is str:
        prior = prior.strip()
        prior_auth = (prior,) if prior else ()
    else:
        prior_auth = _fast_texts(prior)
        if prior_auth is None:
            return None
    diagnoses = get("diagnoses")
    diagnoses = () if diagnoses is None else _fast_texts(diagnoses)
    frequency = _fast_text(get("frequency"))
    payer = _fast_text(get("payer"))
    if type(payer) is str:
        payer = normalized_payer(payer)
        if not payer.isprintable():  # a control or invisible character: the checked path refuses it
            return None
    place = _fast_text(get("place_of_service"))
    received = _fast_date(get("received"))
    billing = _fast_text(get("billing_npi"))
    if diagnoses is None or frequency is _NOT or payer is _NOT or place is _NOT or received is _NOT \
            or billing is _NOT:
        return None
    if frequency is not None and not FREQUENCY.match(frequency):
        return None
    conditions = get("condition_codes")
    if conditions is None:
        conditions = ()
    else:
        conditions = _fast_texts(conditions)
        if conditions is None or not all(map(is_condition_code, conditions)):
            return None  # lower case, or not a condition code: the checked path says which
    patient = get("patient")
    if patient is None:
        patient = Patient()
    else:
        patient = _fast_patient(patient)
        if patient is None:
            return None
    lines = []
    institutional = claim_type == "institutional"
    for raw in raw_lines:
        line = _fast_line(raw)
        if line is None or (line.revenue_code is not None and not institutional):
            return None  # (a revenue code on a professional claim: the checked path names it)
        lines.append(line)
    return Claim(
        id=read_identifier(claim_id), type=claim_type, payer=payer, patient=patient, place_of_service=place,
        prior_auth=prior_auth, received=received, diagnoses=diagnoses, frequency=frequency,
        diagnosis_system=system, condition_codes=conditions, billing_npi=billing or None, lines=tuple(lines),
    )


def _fast_text(value: Any):
    if value is None:
        return None
    if type(value) is not str:
        return _NOT
    return value.strip()


def _fast_texts(value: Any) -> tuple[str, ...] | None:
    """A list of texts, each stripped and not empty."""
    if type(value) is not list:
        return None
    texts = tuple([text.strip() for text in value if type(text) is str])
    if len(texts) != len(value) or not all(texts):
        return None
    return texts


def _fast_date(value: Any):
    if value is None:
        return None
    if type(value) is str:
        if len(value) != 10 or not ISO_DATE.match(value):
            return _NOT
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return _NOT
    if type(value) is dt.date:
        return value
    return _NOT


def _fast_patient(value: Any) -> Patient | None:
    if type(value) is not dict or not _PATIENT_KEYS.issuperset(value):
        return None
    get = value.get
    sex = _fast_text(get("sex"))
    patient_id = get("id")
    birth = _fast_date(get("birth_date"))
    if sex is _NOT or birth is _NOT or (patient_id is not None and type(patient_id) is not str):
        return None
    if sex is not None:
        sex = sex.upper()
        if sex not in SEXES:
            return None
    return Patient(birth_date=birth, sex=sex, id=read_identifier(patient_id, "patient.id"))


def _fast_line(value: Any) -> Line | None:
    if type(value) is not dict or not _LINE_KEYS.issuperset(value):
        return None
    get = value.get
    code = get("code")
    if type(code) is not str:
        return None
    code = code.strip().upper()
    if "|" in code:
        code = without_procedure_system(get("code").strip()).upper()
    modifiers = get("modifiers")
    if modifiers is None:
        modifiers = ()
    else:
        modifiers = _fast_texts(modifiers)
        if modifiers is None or len(modifiers) > MAX_MODIFIERS:
            return None
        modifiers = tuple([modifier.upper() for modifier in modifiers])
    pointers = get("diagnosis_pointers")
    if pointers is None:
        pointers = ()
    elif type(pointers) is list:
        for pointer in pointers:
            if type(pointer) is not int or not 0 < pointer < MAX_NUMBER:
                return None
        pointers = tuple(pointers)
    else:
        return None
    units = get("units", 1)
    if type(units) is float:
        if not 0 < units < MAX_NUMBER:  # NaN and infinities are not
            return None
        if units.is_integer():
            units = int(units)
    elif type(units) is not int or not 0 < units < MAX_NUMBER:
        return None
    charge = get("charge")
    if charge is not None:
        if type(charge) is float:
            if not 0 <= charge < MAX_NUMBER:
                return None
        elif type(charge) is not int or not 0 <= charge < MAX_NUMBER:
            return None
    date = _fast_date(get("date"))
    end_date = _fast_date(get("end_date"))
    place = _fast_text(get("place_of_service"))
    npi = _fast_text(get("rendering_npi")) or None  # blank: none, as the checked path reads it
    revenue = _fast_text(get("revenue_code"))
    if not code or date is None or date is _NOT or end_date is _NOT or place is _NOT or npi is _NOT \
            or revenue is _NOT or (revenue is not None and not REVENUE_CODE.match(revenue)):
        return None
    return Line(
        code=code, date=date, units=units, modifiers=modifiers, diagnosis_pointers=pointers, end_date=end_date,
        charge=charge, place_of_service=place, rendering_npi=npi, revenue_code=revenue,
    )
