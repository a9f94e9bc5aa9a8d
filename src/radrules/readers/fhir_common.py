"""What the FHIR reader's modules share: the code systems and codes it reads, ``Problem`` (a claim resource
that can't be mapped), References resolved within a claim and its Bundle, and the FHIR datatypes read
(CodeableConcept codings, identifiers' values, dates, lists).

:mod:`radrules.readers.fhir` finds the Claim resources of a source (and indexes each Bundle with
:func:`bundle_index`); :mod:`radrules.readers.fhir_claims` maps each to a claim with these.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..codes import system_key

ICD10_SYSTEMS = ("http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10")
ICD9_SYSTEMS = ("http://hl7.org/fhir/sid/icd-9-cm",)
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
#: Codes that say a line has no CPT/HCPCS code, given as its productOrService: NUBC revenue codes (a room and board
#: or pharmacy line of a hospital claim), by NUBC's URL, HL7's v2 table 0456, its OID and FHIR's example system,
#: and a data-absent reason.
NO_PROCEDURE_SYSTEMS = ("https://www.nubc.org/CodeSystem/RevenueCodes", "http://terminology.hl7.org/CodeSystem/v2-0456",
                        "urn:oid:2.16.840.1.113883.6.301.3", "http://terminology.hl7.org/CodeSystem/ex-revenue-center",
                        "http://terminology.hl7.org/CodeSystem/data-absent-reason")
#: NUBC condition codes (UB-04 FL 18-28), as HL7 terminology names them, and the older HL7 name.
CONDITION_SYSTEMS = ("https://www.nubc.org/CodeSystem/ConditionCodes",
                     "http://terminology.hl7.org/CodeSystem/AHANUBCConditionCodes")
#: CMS's place of service codes: the URL CARIN Blue Button and Da Vinci give, and the one of HL7's R4 CMS-1500
#: example (``Claim/MED-00050``), whose path is in lower case with `.html`.
PLACE_OF_SERVICE_SYSTEMS = ("https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set",
                            "https://www.cms.gov/medicare/coding/place-of-service-codes/place_of_service_code_set.html")
CLAIM_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/claim-type"
#: The claim frequency code (X12 CLM05-3), as Da Vinci Patient Cost Transparency gives it: a `supportingInfo` code
#: of its `claimFrequency` slice, in this system (codes 1, 7 and 8). FHIR R4 itself has no field for it.
FREQUENCY_SYSTEM = "http://hl7.org/fhir/us/davinci-pct/CodeSystem/PCTGFEFrequency"
#: `Claim.related.relationship`: HL7's `prior`, "a prior claim instance for the same intended suite of services"
#: (the claim a replacement or void restates or cancels).
RELATED_CLAIM_SYSTEM = "http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship"
#: The type of bill (UB-04 FL 4): NUBC's system, and CMS's (HL7's examples use it).
BILL_TYPE_SYSTEMS = ("https://www.nubc.org/CodeSystem/TypeOfBill", "https://www.cms.gov/codes/billtype")
#: The claim-type systems: R4's, and STU3's (http://hl7.org/fhir/ex-claimtype), which has the same codes.
CLAIM_TYPE_SYSTEMS = (CLAIM_TYPE_SYSTEM, "http://hl7.org/fhir/ex-claimtype")
#: Their codes, as radrules reads them: only a hospital's claim is institutional; oral, vision and pharmacy claims
#: are billed by practitioners and suppliers.
CLAIM_TYPES = {"institutional": "institutional", "professional": "professional", "oral": "professional",
               "vision": "professional", "pharmacy": "professional"}
CLAIM_TYPE_WORDS = "`institutional`, `professional`, `oral`, `vision` or `pharmacy`"
# The systems above as codes.system_key gives them: a coding's system is compared by its key, so that its scheme
# and host are read in any case, as for CPT's and HCPCS's.
_ICD10_KEYS = frozenset(map(system_key, ICD10_SYSTEMS))
ICD9_KEYS = frozenset(map(system_key, ICD9_SYSTEMS))
ICD_KEYS = _ICD10_KEYS | ICD9_KEYS
NPI_KEYS = frozenset({system_key(NPI_SYSTEM)})
NO_PROCEDURE_KEYS = frozenset(map(system_key, NO_PROCEDURE_SYSTEMS))
REVENUE_KEYS = NO_PROCEDURE_KEYS - {system_key("http://terminology.hl7.org/CodeSystem/data-absent-reason")}
CONDITION_KEYS = frozenset(map(system_key, CONDITION_SYSTEMS))
PLACE_OF_SERVICE_KEYS = frozenset(map(system_key, PLACE_OF_SERVICE_SYSTEMS))
BILL_TYPE_KEYS = frozenset(map(system_key, BILL_TYPE_SYSTEMS))
CLAIM_TYPE_KEYS = frozenset(map(system_key, CLAIM_TYPE_SYSTEMS))
FREQUENCY_KEYS = frozenset({system_key(FREQUENCY_SYSTEM)})
RELATED_CLAIM_KEYS = frozenset({system_key(RELATED_CLAIM_SYSTEM)})
#: A `Claim/id` reference, relative or absolute, and its FHIR id (R4: up to 64 letters, digits, `-` and `.`).
CLAIM_REFERENCE = re.compile(r"(?:^|/)Claim/([A-Za-z0-9.-]{1,64})(?:/_history/[^/]+)?$")
GENDERS = {"female": "F", "male": "M", "other": "U", "unknown": "U"}
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Problem(Exception):
    """One claim resource can't be mapped: ``path`` is relative to the resource."""

    def __init__(self, path: str, problem: str):
        self.path = path
        self.problem = problem


#: In the index a Bundle's claim is read with: the fullUrl of the claim's entry (relative references resolve
#: against its base, FHIR R4 bundle.html#references).
_BASE = "\0base"
#: ``Type/id`` at the end of a URL (``/_history/n`` after it names a version of the same resource).
_TYPE_ID = re.compile(r"(?:^|/)([A-Z][A-Za-z]+/[A-Za-z0-9\-.]{1,64})(?:/_history/[A-Za-z0-9\-.]{1,64})?$")


class IndexWithBase:
    """A Bundle's index as one claim reads it (only ``get`` is asked of it): the shared index, plus the fullUrl
    of the claim's entry under ``_BASE``, without copying the index for every claim."""

    __slots__ = ("index", "base")

    def __init__(self, index: dict, base: str):
        self.index, self.base = index, base

    def get(self, key, default=None):
        return self.base if key == _BASE else self.index.get(key, default)


def bundle_index(entries: list) -> dict:
    """Bundle resources by fullUrl, and by ``Type/id`` (from the resource, or its fullUrl) when only one
    resource of the bundle has it (two servers' ``Patient/1`` are not one patient)."""
    found: dict = {}
    by_id: dict = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
            continue
        resource = entry["resource"]
        names = set()
        if isinstance(entry.get("fullUrl"), str):
            found[entry["fullUrl"]] = resource
            match = _TYPE_ID.search(entry["fullUrl"])
            if match:
                names.add(match.group(1))
        if isinstance(resource.get("resourceType"), str) and isinstance(resource.get("id"), str):
            names.add(f"{resource['resourceType']}/{resource['id']}")
        for name in names:
            by_id.setdefault(name, []).append(resource)
    for name, resources in by_id.items():
        if len(resources) == 1 and name not in found:
            found[name] = resources[0]
    return found


def resolve_reference(reference: Any, claim: dict, bundle: dict, kind: str | tuple) -> dict | None:
    """The resource a Reference points to: contained (``#id``) or in the bundle; None if not there, or not of
    ``kind`` (a resource type, or a tuple of those it may be).

    A relative reference (``Patient/1``) resolves against the base of the claim's fullUrl when it has one
    (``http://a.example/fhir/Claim/c1`` -> ``http://a.example/fhir/Patient/1``), else by its ``Type/id``
    when that is unique in the bundle; a version (``/_history/2``) names the same resource.
    """
    if not isinstance(reference, dict) or not isinstance(reference.get("reference"), str):
        return None
    target = reference["reference"]
    found = None
    if target.startswith("#"):
        for resource in list_or_empty(claim.get("contained")):
            if isinstance(resource, dict) and resource.get("id") == target[1:]:
                found = resource
                break
    else:
        match = _TYPE_ID.search(target)
        if match is None:
            found = bundle.get(target)  # a urn:uuid, or another absolute name
        elif match.start(1) > 0:  # absolute: the fullUrl, with or without its version
            found = bundle.get(target) or bundle.get(target[:match.end(1)])
        else:  # relative: against the claim's base first, else the one resource of the bundle with that Type/id
            base = bundle.get(_BASE)
            claim_at = _TYPE_ID.search(base) if isinstance(base, str) and "://" in base else None
            if claim_at is not None:
                found = bundle.get(base[:claim_at.start(1)] + match.group(1))
            if found is None:
                found = bundle.get(match.group(1))
    if isinstance(found, dict) and found.get("resourceType") in ((kind,) if isinstance(kind, str) else kind):
        return found
    return None


def concept_codes(concept: Any, path: str) -> list[tuple[str | None, str]]:
    """(system, code) of each coding of a CodeableConcept."""
    if concept is None:
        return []
    if not isinstance(concept, dict):
        raise Problem(path, "expected a CodeableConcept (an object)")
    codings = concept.get("coding") or []
    if not isinstance(codings, list):
        raise Problem(f"{path}.coding", "expected a list")
    out = []
    for index, coding in enumerate(codings):
        if not isinstance(coding, dict):
            raise Problem(f"{path}.coding[{index}]", "expected a Coding (an object)")
        code = coding.get("code")
        if isinstance(code, str) and code.strip():
            system = coding.get("system")
            out.append((system if isinstance(system, str) else None, code.strip()))
    return out


def preferred_code(codes: list[tuple[str | None, str]], keys) -> str:
    """The code of the coding in one of the systems ``keys``, else of one without a system, else of the first: a
    CodeableConcept's codings may give the same concept in other systems too, in any order."""
    return (next((code for system, code in codes if system_in(system, keys)), None)
            or next((code for system, code in codes if system is None), None) or codes[0][1])


def system_in(system: Any, keys) -> bool:
    """Whether a coding's or identifier's system is one of ``keys`` (:func:`codes.system_key`'s)."""
    return isinstance(system, str) and system_key(system) in keys


def is_filled(value: Any) -> bool:
    """A text with something in it (an id of blanks is no id: the next source of the id is read)."""
    return isinstance(value, str) and bool(value.strip())


def id_given(value: Any, path: str) -> bool:
    """Whether an identifier's value (an id, a member id, an NPI) is a text with something in it; a value that
    is there but not a text (a number, an object) is an error naming ``path``, never skipped: a member id
    skipped would give the claim the history of claims without one, an NPI skipped no ``format.npi``."""
    if value is not None and not isinstance(value, str):
        raise Problem(path, "expected a text")
    return is_filled(value)


def list_or_empty(value: Any) -> list:
    """A list field of a resource only followed through references: a non-list counts as empty."""
    return value if isinstance(value, list) else []


def fhir_list(value: Any, path: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise Problem(path, "expected a list")
    return value


def fhir_date(value: Any, path: str) -> str:
    """A FHIR date or dateTime, cut to its day (YYYY-MM-DD)."""
    if not isinstance(value, str) or not _DATE.match(value):
        raise Problem(path, "expected a full date (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        raise Problem(path, "not a calendar date") from None
