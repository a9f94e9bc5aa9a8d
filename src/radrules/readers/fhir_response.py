"""FHIR R4 ``ClaimResponse`` resources out: :func:`to_fhir_claim_response` writes a :class:`~radrules.Result`
back for the ``Claim`` it answers (``fhir`` reads the claims). docs/readers.md has the mapping of every field.

The response copies no identifier of the claim's (a member id may be one) and no patient's display (a name).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..claim import Claim
from ..claim_values import MAX_NUMBER
from ..result import NOT_JUDGED, Result
from .fhir_claims import claim_type_of
from .fhir_common import CLAIM_TYPE_SYSTEM, Problem

ADJUDICATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/adjudication"
CARC_SYSTEM = "https://x12.org/codes/claim-adjustment-reason-codes"


def _coding(system: str, code: str) -> dict:
    return {"coding": [{"system": system, "code": code}]}


#: A literal reference to a resource by its id (``Patient/123``, with a server's base URL or a version too): the
#: only form copied. A conditional one (``Patient?identifier=...&birthdate=...``) carries what it searches by.
_LITERAL_REFERENCE = re.compile(r"(https?://[^\s?#]+/)?[A-Z][A-Za-z]{1,63}/[A-Za-z0-9.-]{1,64}"
                                r"(/_history/[A-Za-z0-9.-]{1,64})?")


def _reference(resource: dict | None, name: str, placeholder: str, *, display: bool = True) -> dict:
    """The Claim's reference ``name`` for the ClaimResponse: its ``reference`` (and, if ``display``, its
    ``display``) when it names a resource by its id (:data:`_LITERAL_REFERENCE`); a contained one (``#id``) would
    dangle in the response, a conditional one (``Patient?identifier=...``) holds the patient's identifiers, and
    an ``identifier`` may be the member id, so none of them is copied. A patient's display is usually the
    patient's name: it is not copied (``display=False``)."""
    given = resource.get(name) if resource is not None else None
    out = {}
    if isinstance(given, dict):
        target = given.get("reference")
        if isinstance(target, str) and _LITERAL_REFERENCE.fullmatch(target):
            out["reference"] = target
        if display and isinstance(given.get("display"), str):
            out["display"] = given["display"]
    return out or {"display": placeholder}


#: A FHIR id (R4 datatypes.html#id): another `id` (`A 1/2`) makes no reference to the Claim.
_FHIR_ID = re.compile(r"[A-Za-z0-9.-]{1,64}")
#: The codes of R4's Use value set (ClaimResponse.use, a required binding).
_USES = ("claim", "preauthorization", "predetermination")


def _created(created) -> str:
    """The ClaimResponse's ``created``: a date, or YYYY-MM-DD text checked as one; None is today. A datetime
    needs its time zone: a FHIR dateTime with a time must have one."""
    if created is None:
        return dt.date.today().isoformat()
    if isinstance(created, dt.datetime):
        if created.utcoffset() is None:
            raise ValueError("created: a datetime without a time zone is not a FHIR dateTime; give an aware "
                             "datetime (datetime.now(timezone.utc)) or a date")
        return created.isoformat(timespec="seconds")
    if isinstance(created, dt.date):
        return created.isoformat()
    if isinstance(created, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", created):
        try:
            return dt.date.fromisoformat(created).isoformat()
        except ValueError:
            pass
    raise ValueError("created: expected a datetime.date, an aware datetime or YYYY-MM-DD text")


def to_fhir_claim_response(result: Result, claim: dict[str, Any] | Claim | None = None, *,
                           created: dt.date | str | None = None) -> dict[str, Any]:
    """A FHIR R4 ``ClaimResponse`` (a dict) for a :class:`~radrules.Result`.

    ``claim`` is the FHIR ``Claim`` resource the result is for (its
    patient, insurer, type, use and item sequences are copied), or a
    :class:`~radrules.Claim` (its type), or None. Each item gets a
    ``submitted`` adjudication with the line's charge when it is known,
    then one per finding with a CARC that acts on it (category
    ``benefit``, reason the CARC, amount 0 when the finding denies the
    line), or one ``submitted`` adjudication when neither; each finding is
    a ``processNote`` with its rule id, message and remark codes, and lines
    of a revenue code alone share one note, "not judged". The member id and other identifiers of a radrules
    Claim are never copied.
    ``created`` is a ``datetime.date``, ``YYYY-MM-DD`` text or an aware ``datetime`` (default: today).
    """
    if not isinstance(result, Result):
        raise TypeError(f"to_fhir_claim_response(): `result` must be a Result (Ruleset.evaluate()), not "
                        f"{type(result).__name__}")
    if claim is not None and not isinstance(claim, (dict, Claim)):  # (else it was left out without a word)
        raise TypeError(f"to_fhir_claim_response(): `claim` must be the FHIR Claim resource (a dict) or a "
                        f"radrules.Claim, not {type(claim).__name__}")
    created_text = _created(created)
    resource = claim if isinstance(claim, dict) else None
    claim_type = None
    if resource is not None:
        try:
            claim_type = claim_type_of(resource.get("type"))  # as read
        except Problem:  # (such a claim is not read, and gets no ClaimResponse from eval)
            claim_type = "professional"
    elif isinstance(claim, Claim):
        claim_type = claim.type
    out: dict = {
        "resourceType": "ClaimResponse",
        "status": "active",
        "type": _coding(CLAIM_TYPE_SYSTEM, claim_type or "professional"),
        # `use` has a required binding (Use): another value would make the response invalid
        "use": resource.get("use") if resource is not None and resource.get("use") in _USES else "claim",
        "patient": _reference(resource, "patient", "the patient of the claim", display=False),
        "created": created_text,
        "insurer": _reference(resource, "insurer", "the payer of the claim"),
    }
    if resource is not None and isinstance(resource.get("id"), str) and _FHIR_ID.fullmatch(resource["id"]):
        out["request"] = {"reference": f"Claim/{resource['id']}"}
    elif result.claim is not None:
        out["request"] = {"identifier": {"value": result.claim}}
    sequences = _item_sequences(resource, len(result.lines))
    denied = [sequences[s.line - 1] for s in result.lines if s.status == "deny"]
    review = [sequences[s.line - 1] for s in result.lines if s.status == "review"]
    # RemittanceOutcome `partial`: no error, and some of the adjudication done (lines left for review)
    out["outcome"] = "partial" if review else "complete"
    if result.passed:
        out["disposition"] = "passed: no finding denies a line or asks for review"
    else:
        parts = []
        if denied:
            parts.append(f"item{'s' if len(denied) > 1 else ''} {', '.join(map(str, denied))} denied")
        if review:
            parts.append(f"item{'s' if len(review) > 1 else ''} {', '.join(map(str, review))} for review")
        out["disposition"] = "failed: " + "; ".join(parts)
    notes = []
    if sequences != list(range(1, len(sequences) + 1)):  # the notes' messages name lines in claim order
        notes.append({"number": 1, "type": "display", "text": "the notes number lines in claim order: " + ", ".join(
            f"line {position} is item {sequence}" for position, sequence in enumerate(sequences, 1))})
    by_line: dict[int, list] = {status.line: [] for status in result.lines}
    for number, finding in enumerate(result.findings, len(notes) + 1):
        rarc = f" ({', '.join(finding.rarc)})" if finding.rarc else ""
        notes.append({"number": number, "type": "display",
                      "text": f"{finding.rule} [{finding.severity}] {finding.message}{rarc}"})
        for line in finding.lines:
            by_line.setdefault(line, []).append((number, finding))
    unjudged_note = None
    if result.uncoded:  # lines of a revenue code alone: no rule that reads a procedure code judged them
        unjudged_note = len(notes) + 1
        notes.append({"number": unjudged_note, "type": "display", "text": NOT_JUDGED})
    charges = _charges(claim, len(result.lines))
    items = []
    for status in result.lines:
        adjudication = []
        charge = charges[status.line - 1]
        if charge is not None:  # what was billed, so that a denial's adjustment can be read off
            adjudication.append({"category": _coding(ADJUDICATION_SYSTEM, "submitted"), "amount": charge})
        for _, finding in by_line.get(status.line, []):
            if not finding.carc:
                continue
            group, _, code = finding.carc.partition("-")
            entry: dict = {
                "category": _coding(ADJUDICATION_SYSTEM, "benefit"),
                "reason": {"coding": [{"system": CARC_SYSTEM, "code": code}], "text": finding.carc},
            }
            if finding.severity == "deny":
                entry["amount"] = {"value": 0, "currency": "USD"}
            adjudication.append(entry)
        if not adjudication:
            adjudication.append({"category": _coding(ADJUDICATION_SYSTEM, "submitted")})
        item: dict = {"itemSequence": sequences[status.line - 1]}
        numbers = [number for number, _ in by_line.get(status.line, [])]
        if unjudged_note is not None and status.line in result.uncoded:
            numbers.append(unjudged_note)
        if numbers:
            item["noteNumber"] = numbers
        item["adjudication"] = adjudication
        items.append(item)
    out["item"] = items
    if notes:
        out["processNote"] = notes
    return out


def _charges(claim, count: int) -> list:
    """Each line's billed charge as a FHIR Money (``{"value", "currency"}``), or None: a FHIR Claim item's
    ``net`` (else ``unitPrice`` times ``quantity``, as the reader takes it), a radrules Claim line's ``charge``
    (in USD). Only finite numbers under the claim limit are copied."""
    from .fhir_claims import item_charge

    found: list = [None] * count
    if isinstance(claim, dict) and isinstance(claim.get("item"), list) and len(claim["item"]) == count:
        for index, item in enumerate(claim["item"]):
            if not isinstance(item, dict):
                continue
            value = item_charge(item)
            money = item.get("net") if isinstance(item.get("net"), dict) else item.get("unitPrice")
            currency = money.get("currency") if isinstance(money, dict) else None
            found[index] = _money(value, currency)
    elif isinstance(claim, Claim) and len(claim.lines) == count:
        found = [_money(line.charge, None) for line in claim.lines]
    return found


def _money(value, currency) -> dict | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not -MAX_NUMBER < value < MAX_NUMBER \
            or value != value:
        return None
    return {"value": value, "currency": currency if isinstance(currency, str) and re.fullmatch(r"[A-Z]{3}", currency)
            else "USD"}


def _item_sequences(resource: dict | None, count: int) -> list[int]:
    if resource is not None and isinstance(resource.get("item"), list) and len(resource["item"]) == count:
        sequences = [item.get("sequence") if isinstance(item, dict) else None for item in resource["item"]]
        # copied as they are only when each is a whole number JSON can write (not one of 5,000 digits)
        if all(isinstance(s, int) and not isinstance(s, bool) and 0 < s < MAX_NUMBER for s in sequences):
            return [int(s) for s in sequences]
    return list(range(1, count + 1))
