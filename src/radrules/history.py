"""A patient's earlier claims: what frequency limits, duplicates and cross-claim edits read.

``ruleset.evaluate(claim, history=...)`` takes either a plain list of the
patient's earlier service lines (dicts in the claim line JSON shape, plus
``"status": "paid" | "denied"``), or any object with the one method of the
:class:`History` protocol, so a billing system can answer from its own
database. :class:`JsonlHistory` (``radrules.read_history(path)``) reads a
JSON Lines file of lines of many patients, keyed by ``patient_id``, the
member id of ``claim.patient.id``.

Member ids are issued by each payer, so one id may be two patients of two
payers: a line that names its ``payer`` is history only for the claims of
that payer (compared as rules compare payers, without case and runs of
white space); a line without one, or any line for a claim without one,
counts whatever the payer.

Only paid lines count: a denied service was not performed as far as a payer
is concerned. History never holds the current claim; the claim's own earlier
lines count as prior services too.
"""

from __future__ import annotations

import datetime as dt
import inspect
import os
from typing import IO, Any, Iterable, Mapping, Protocol, Sequence, runtime_checkable

import attrs

from .claim import protected, quoted, read_claim_type
from .claim_values import (mapped_payer, payer_name, procedure_code, read_bill_type, read_date, read_identifier,
                           read_list, read_number, read_object, read_pointers, read_text)
from .errors import ClaimError, InputError, json_objects

STATUSES = ("paid", "denied")
_FIELDS = ("patient_id", "claim", "code", "modifiers", "units", "date", "end_date", "status", "rendering_npi",
           "billing_npi", "charge", "diagnosis_pointers", "place_of_service", "type", "payer", "bill_type")


@attrs.frozen
class HistoryLine:
    """One earlier service line of the patient."""

    code: str = attrs.field(repr=quoted("procedure code"))
    date: dt.date
    status: str = "paid"
    modifiers: tuple[str, ...] = attrs.field(default=(), repr=quoted("modifier"))
    units: float = 1
    rendering_npi: str | None = attrs.field(default=None, repr=protected)
    claim: str | None = attrs.field(default=None, repr=protected)
    # The type of the claim the line was billed on: a claim counts only earlier lines of its own type (the
    # hospital's 837I and the radiologist's 837P bill one service twice, a component each). None: any.
    claim_type: str | None = None
    # The billing provider of the claim the line was billed on: an institutional claim's provider (the hospital).
    # None: unknown (the line compares with every hospital's lines).
    billing_npi: str | None = attrs.field(default=None, repr=protected)
    # The payer of the claim the line was billed on, as rules compare payers (`blue cross`): the line is history
    # only for claims of that payer (member ids are the payer's). None: unknown (history for every payer's claims).
    payer: str | None = None
    # The type of bill of the institutional claim the line was paid on (3 digits, `111`): a Part A bill's line
    # (model.PART_A_BILLS) counts in no PTP or MUE table's check against paid lines. None: not given.
    bill_type: str | None = None
    # The last day of a span of days (a line billed `date` through `end_date`); None: one day. The line is on the
    # days of its span the claim is judged on, with its units a day (Evaluation.set_history); a frequency limit
    # counts it once, on its first day.
    end_date: dt.date | None = None
    # Made by read_line, which checks every field; one built in code is checked when used (as a Claim is).
    _checked: bool = attrs.field(default=False, init=False, eq=False, repr=False)


@runtime_checkable
class History(Protocol):
    """A source of earlier service lines, e.g. a billing system's database.

    ``lookup`` returns the lines of the patient with member id
    ``patient_id`` (None when the claim names none) dated from ``start``
    (None: from the beginning) through ``end``, as :class:`HistoryLine`
    objects or dicts in the history line shape. A ``lookup`` with a
    parameter named ``payer`` is also given the claim's payer, as rules
    compare payers (None when the claim names none), to answer for that
    payer's member; one without it is called with the three arguments.
    Either way a line that names another payer than the claim's is left out.
    """

    def lookup(self, patient_id: str | None, start: dt.date | None,
               end: dt.date) -> Iterable[HistoryLine | Mapping[str, Any]]: ...


def read_line(data, path: str) -> HistoryLine:
    """A history line from its JSON shape; ClaimError names the field path."""
    data = read_object(data, path, _FIELDS)
    modifiers = tuple(
        read_text(m, f"{path}.modifiers[{i}]", required=True).upper()
        for i, m in enumerate(read_list(data.get("modifiers"), f"{path}.modifiers"))
    )
    status = data.get("status", "paid")
    if status not in STATUSES:
        raise ClaimError(f"{path}.status", "expected `paid` or `denied`")
    claim = read_identifier(data.get("claim"), f"{path}.claim")
    claim_type = read_claim_type(data["type"], f"{path}.type") if data.get("type") is not None else None
    # Fields of a claim line that rules do not read in history: checked all the same, never passed silently.
    read_identifier(data.get("patient_id"), f"{path}.patient_id")
    if data.get("charge") is not None:
        read_number(data["charge"], f"{path}.charge", positive=False)
    read_pointers(data.get("diagnosis_pointers"), f"{path}.diagnosis_pointers")
    read_text(data.get("place_of_service"), f"{path}.place_of_service")
    bill_type = read_bill_type(data.get("bill_type"), f"{path}.bill_type")
    if bill_type is not None and claim_type is None:  # only an institutional claim has a type of bill
        claim_type = "institutional"
    elif bill_type is not None and claim_type != "institutional":
        raise ClaimError(f"{path}.bill_type", f"a field of institutional claims, and the line's `type` is {claim_type}")
    date = read_date(data.get("date"), f"{path}.date", required=True)
    end_date = read_date(data.get("end_date"), f"{path}.end_date")
    if end_date is not None and end_date < date:
        raise ClaimError(f"{path}.end_date", "before the line's `date`: a span ends on or after its first day")
    line = HistoryLine(
        code=procedure_code(data.get("code"), f"{path}.code"),
        date=date,
        status=status,
        modifiers=modifiers,
        units=read_number(data.get("units", 1), f"{path}.units", positive=True),
        rendering_npi=read_text(data.get("rendering_npi"), f"{path}.rendering_npi") or None,  # blank: none
        claim=claim,
        claim_type=claim_type,
        billing_npi=read_text(data.get("billing_npi"), f"{path}.billing_npi") or None,
        payer=mapped_payer(payer_name(data.get("payer"), f"{path}.payer")),  # as rules compare payers
        bill_type=bill_type,
        end_date=end_date if end_date != date else None,
    )
    object.__setattr__(line, "_checked", True)
    return line


def _as_data(line: HistoryLine) -> dict:
    """A history line built in code, in its JSON shape, values as they are (to be checked)."""
    data = {name: getattr(line, name) for name in ("code", "date", "status", "modifiers", "units", "rendering_npi",
                                                   "billing_npi", "claim", "payer", "bill_type", "end_date")}
    data["type"] = line.claim_type
    if isinstance(data["modifiers"], tuple):
        data["modifiers"] = list(data["modifiers"])
    return data


def lines_of(history, patient_id: str | None, start: dt.date | None, end: dt.date,
             payer: str | None = None) -> tuple[HistoryLine, ...]:
    """The history lines for one evaluation, from whatever ``history`` is (list or History); with ``payer`` (as
    rules compare payers), less the lines that name another payer."""
    if history is None:
        return ()
    if isinstance(history, (list, tuple)) or (
            isinstance(history, Sequence) and not isinstance(history, (str, bytes, bytearray))):
        found = history
        where = "history"
    elif isinstance(history, History):
        lookup = history.lookup
        found = lookup(patient_id, start, end, payer=payer) if _takes_payer(lookup) else lookup(patient_id, start, end)
        where = "history"
        if found is None or isinstance(found, (str, bytes, dict)) or not hasattr(found, "__iter__"):
            raise ClaimError("history", "lookup() must return a list of service lines")
    else:
        raise ClaimError("history", "expected a list of service lines or an object with a `lookup` method")
    out = []
    for index, item in enumerate(found):
        if isinstance(item, HistoryLine) and item._checked:
            line = item
        else:
            line = read_line(_as_data(item) if isinstance(item, HistoryLine) else item, f"{where}[{index}]")
        if (start is None or line.date >= start) and line.date <= end and (
                payer is None or line.payer is None or line.payer == payer):
            out.append(line)
    return tuple(out)


#: A History's lookup function -> whether it has a parameter named ``payer`` (asked once a function, not once a
#: claim; a full dict starts again).
_TAKES_PAYER: dict = {}


def _takes_payer(lookup) -> bool:
    """Whether a History's ``lookup`` has a parameter named ``payer`` (one written before payers were given
    has not: it is called with the three arguments)."""
    function = getattr(lookup, "__func__", lookup)  # a bound method: its function, the same for every call
    try:
        return _TAKES_PAYER[function]
    except KeyError:
        pass
    except TypeError:  # a callable that can't be a key
        function = None
    try:
        takes = "payer" in inspect.signature(lookup).parameters
    except (TypeError, ValueError):  # no signature to read (some built-ins)
        takes = False
    if function is not None:
        if len(_TAKES_PAYER) >= 256:
            _TAKES_PAYER.clear()
        _TAKES_PAYER[function] = takes
    return takes


class JsonlHistory:
    """Earlier lines of many patients from a JSON Lines file (one line per service).

    Each record is a history line with ``patient_id`` (the member id the
    claims carry as ``patient.id``) and, in a file of many payers, the
    ``payer`` of each line. The file is read once and indexed by patient; a
    bad record raises InputError naming the file and line number, and so
    does a file that can't be read or is not UTF-8 text (naming the file),
    as the claim readers do.
    """

    def __init__(self, source: str | os.PathLike[str] | IO[str]) -> None:
        self._by_patient: dict[str | None, list[HistoryLine]] = {}
        name = str(source) if not hasattr(source, "read") else getattr(source, "name", "<history>")
        for number, data in json_objects(source, "history"):
            try:
                line = read_line(data, "history")  # patient_id checked too
            except ClaimError as error:
                raise InputError(name, f"{error.path}: {error.problem}", path=f"line {number}") from None
            patient = read_identifier(data.get("patient_id"))  # trimmed, as the claims' member ids are
            self._by_patient.setdefault(patient, []).append(line)
        for lines in self._by_patient.values():
            lines.sort(key=lambda line: line.date)

    def lookup(self, patient_id: str | None, start: dt.date | None, end: dt.date,
               payer: str | None = None) -> list[HistoryLine]:
        return [line for line in self._by_patient.get(patient_id, ())
                if (start is None or line.date >= start) and line.date <= end
                and (payer is None or line.payer is None or line.payer == payer)]

    def __len__(self) -> int:
        return sum(len(lines) for lines in self._by_patient.values())


def read_history(path: str | os.PathLike[str] | IO[str]) -> JsonlHistory:
    """A :class:`JsonlHistory` from a JSON Lines file (a path, or a file opened as text)."""
    return JsonlHistory(path)


__all__ = ["History", "HistoryLine", "JsonlHistory", "read_history", "lines_of"]
