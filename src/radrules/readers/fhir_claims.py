"""One FHIR R4 ``Claim`` resource mapped to a :class:`~radrules.Claim` (docs/readers.md has every field).

:func:`claim_from_resource` reads the claim's fields (type, payer, patient and member id, prior authorizations,
condition codes, type of bill, statement period, frequency code, the claim it replaces, diagnoses) and each ``item``
(:func:`_line`: code, modifiers, units, dates, diagnosis pointers, charge, place of service, revenue code,
rendering NPI) into the JSON shape, then builds the claim with ``Claim.from_dict``: its ClaimError is given
back as a ``Problem`` at the FHIR path the field was read from (:func:`_fhir_path`).
"""

from __future__ import annotations

import re
from typing import Any

from ..claim import Claim
from ..claim_values import mapped_payer
from ..codes import PROCEDURE_SYSTEM_KEYS, is_condition_code
from ..errors import ClaimError
from .fhir_common import (BILL_TYPE_KEYS, CLAIM_REFERENCE, CLAIM_TYPES, CLAIM_TYPE_KEYS, CLAIM_TYPE_WORDS,
                          CONDITION_KEYS, FREQUENCY_KEYS, GENDERS, ICD9_KEYS, ICD_KEYS, NO_PROCEDURE_KEYS, NPI_KEYS,
                          PLACE_OF_SERVICE_KEYS, RELATED_CLAIM_KEYS, REVENUE_KEYS, Problem, concept_codes, fhir_date,
                          fhir_list, id_given, is_filled, list_or_empty, preferred_code, resolve_reference, system_in)


def claim_from_resource(resource: dict, bundle: dict, payers: dict) -> Claim:
    _refuse_modifier_extensions(resource)
    if resource.get("status") in ("cancelled", "entered-in-error"):  # R4 marks `status` a modifier element
        raise Problem("status", "the claim is cancelled or was entered in error: it asks for nothing to be judged")
    data: dict = {}
    if id_given(resource.get("id"), "id"):
        data["id"] = resource["id"]
    else:
        for index, identifier in enumerate(fhir_list(resource.get("identifier"), "identifier")):
            if isinstance(identifier, dict) and id_given(identifier.get("value"), f"identifier[{index}].value"):
                data["id"] = identifier["value"]
                break
    data["type"] = claim_type_of(resource.get("type"))
    payer = _payer(resource, bundle, payers)
    if payer:
        data["payer"] = payer
    patient = _patient(resource, bundle)
    if patient:
        data["patient"] = patient
    prior_auth = _prior_auth(resource)
    if prior_auth:
        data["prior_auth"] = prior_auth
    conditions = _condition_codes(resource)
    if conditions:
        data["condition_codes"] = conditions
    if data["type"] == "institutional":
        bill_type = _bill_type(resource)
        if bill_type is not None:
            data["bill_type"] = bill_type
        _statement_period(resource, data)
    where = {}  # claim fields read from a place _fhir_path does not know: their paths, for a ClaimError
    frequency = _frequency(resource)
    if frequency is not None:
        data["frequency"], where["frequency"] = frequency
    replaces = _replaces(resource, bundle)
    if replaces is not None:
        data["replaces"], where["replaces"] = replaces
    if resource.get("created") is not None:
        created = fhir_date(resource["created"], "created")
        # a preauthorization or predetermination asks about services to come: its `created` is no date a claim
        # for them was received (their dates are after it, and no filing limit runs yet)
        if resource.get("use") not in ("preauthorization", "predetermination"):
            data["received"] = created
    diagnoses, sequences, system = _diagnoses(resource, bundle, data["type"])
    data["diagnoses"] = diagnoses
    if system == "icd9":
        data["diagnosis_system"] = "icd9"
    items = fhir_list(resource.get("item"), "item")
    if not items:
        raise Problem("item", "a claim needs at least one item")
    _check_item_sequences(items)
    billing_npi = _npi(resource.get("provider"), "provider", resource, bundle)
    if billing_npi:
        data["billing_npi"] = billing_npi
    standing_npi = billing_npi if data["type"] == "professional" else _attending_npi(resource, bundle)
    data["lines"] = [_line(item, index, resource, bundle, sequences, data["type"], len(diagnoses), standing_npi,
                           where) for index, item in enumerate(items)]
    try:
        return Claim.from_dict(data)
    except ClaimError as error:
        raise Problem(where.get(error.path) or _fhir_path(error.path), error.problem) from None


def _refuse_modifier_extensions(resource: dict) -> None:
    """A ``modifierExtension`` anywhere in the Claim (its contained resources too) makes it unreadable: such an
    extension changes the meaning of the element that holds it (it may say that an item is not billed), and FHIR
    R4 (extensibility.html#modifierExtension) says an application that does not know it must not process the
    element as if it were not there. radrules knows none. An ``extension`` is read past, as FHIR allows."""
    stack: list = [(resource, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            if value.get("modifierExtension") not in (None, []):
                raise Problem(f"{path}modifierExtension", "a modifier extension, which radrules does not know: it "
                              "may change what the element means, so the claim is not read (FHIR R4 forbids "
                              "reading past one)")
            stack.extend((child, f"{path}{key}.") for key, child in reversed(value.items())
                         if isinstance(child, (dict, list)))
        elif isinstance(value, list):
            stack.extend((child, f"{path.rstrip('.')}[{index}].") for index, child in reversed(list(enumerate(value)))
                         if isinstance(child, (dict, list)))


#: FHIR's positiveInt is a 32-bit integer.
_MAX_POSITIVE_INT = 2**31 - 1


def _check_item_sequences(items: list) -> None:
    """Each item's ``sequence`` (required in R4) is a positive whole number no other item has, or no item has one:
    the ClaimResponse names its items by them (``itemSequence``), and numbers by position the items of a claim
    without them. A repeated sequence, or one item without its sequence among items with theirs (its position
    may be another item's sequence), would answer for one item under another's number."""
    seen: dict = {}
    for index, item in enumerate(items):
        sequence = item.get("sequence") if isinstance(item, dict) else None
        if sequence is None:
            continue
        if isinstance(sequence, bool) or not isinstance(sequence, int) or not 0 < sequence <= _MAX_POSITIVE_INT:
            raise Problem(f"item[{index}].sequence", "expected a positive whole number (FHIR's positiveInt)")
        if sequence in seen:
            raise Problem(f"item[{index}].sequence", f"item[{seen[sequence]}] has the same sequence: the "
                          "ClaimResponse names items by their sequence, so each has its own")
        seen[sequence] = index
    missing = [index for index, item in enumerate(items) if isinstance(item, dict) and item.get("sequence") is None]
    if seen and missing:  # (an item that is not an object is named by _line)
        index = missing[0]
        raise Problem(f"item[{index}].sequence", "required when other items have theirs: the ClaimResponse names "
                      "items by their sequence")


def _statement_period(resource: dict, data: dict) -> None:
    """An institutional claim's statement period (the UB-04's "From" and "Through"): its ``billablePeriod``."""
    period = resource.get("billablePeriod")
    if period is None:
        return
    if not isinstance(period, dict):
        raise Problem("billablePeriod", "expected a Period (an object)")
    for name, field in (("start", "statement_from"), ("end", "statement_through")):
        if period.get(name) is not None:
            data[field] = fhir_date(period[name], f"billablePeriod.{name}")


def claim_type_of(concept: Any) -> str:
    """The claim type of ``type``: the first coding of a claim-type system (or of none) with a known code, in any
    case, else its ``text`` as one of those words; none is professional. Any other type is an error naming its
    path: read as professional, a hospital claim would be judged with the practitioners' tables."""
    if concept is None:
        return "professional"
    if not isinstance(concept, dict):
        raise Problem("type", "expected a CodeableConcept (an object)")
    codings = fhir_list(concept.get("coding"), "type.coding")
    unknown = None  # the path of the first coding that is not a known claim type
    for index, coding in enumerate(codings):
        if not isinstance(coding, dict):
            raise Problem(f"type.coding[{index}]", "expected a Coding (an object)")
        code, system = coding.get("code"), coding.get("system")
        if system is not None and not system_in(system, CLAIM_TYPE_KEYS):
            unknown = unknown or f"type.coding[{index}].system"
        elif isinstance(code, str) and code.strip().lower() in CLAIM_TYPES:
            return CLAIM_TYPES[code.strip().lower()]
        else:
            unknown = unknown or f"type.coding[{index}].code"
    text = concept.get("text")
    if isinstance(text, str) and text.strip().lower() in CLAIM_TYPES:
        return CLAIM_TYPES[text.strip().lower()]
    if unknown is not None:
        raise Problem(unknown, f"not a claim type radrules reads: expected a code {CLAIM_TYPE_WORDS} of the "
                      "claim-type system (http://terminology.hl7.org/CodeSystem/claim-type)")
    if text is not None:
        raise Problem("type.text", f"not a claim type radrules reads: expected {CLAIM_TYPE_WORDS}, or a coding "
                      "of the claim-type system")
    return "professional"


def _payer(resource: dict, bundle: dict, payers: dict) -> str | None:
    """The payer: from ``insurer`` (optional in R4), else from the focal Coverage's first ``payor``."""
    insurer = resource.get("insurer")
    if not isinstance(insurer, dict):
        insurer = _coverage_payor(resource, bundle)
        if insurer is None:
            return None
    identifier = insurer.get("identifier")
    organization = resolve_reference(insurer, resource, bundle, "Organization")
    values = [identifier.get("value")] if isinstance(identifier, dict) else []
    if organization is not None:
        values += [i.get("value") for i in list_or_empty(organization.get("identifier")) if isinstance(i, dict)]
    for value in values:
        if isinstance(value, str) and value in payers:
            return mapped_payer(payers[value])
    name = organization.get("name") if organization is not None else None
    if not isinstance(name, str):
        name = insurer.get("display")
    if not isinstance(name, str):
        return None
    return mapped_payer(name)


def _patient(resource: dict, bundle: dict) -> dict:
    out: dict = {}
    reference = resource.get("patient")
    patient = resolve_reference(reference, resource, bundle, "Patient")
    if patient is None and isinstance(reference, dict) and str(reference.get("reference", "")).startswith("#"):
        # A reference to a contained resource must find it (FHIR ref-1); without it, age and sex rules
        # would go quiet. A Patient elsewhere (on the server) is not an error: the claim has no patient data.
        raise Problem("patient.reference", "no contained Patient has this id (ids are case-sensitive)")
    if patient is not None:
        where = "patient"
        if patient.get("birthDate") is not None:
            out["birth_date"] = fhir_date(patient["birthDate"], f"{where}.birthDate")
        gender = patient.get("gender")
        if gender is not None:
            if not isinstance(gender, str) or gender not in GENDERS:
                raise Problem(f"{where}.gender", "expected `female`, `male`, `other` or `unknown`")
            out["sex"] = GENDERS[gender]
    member = _member_id(resource, bundle, patient)
    if member:
        out["id"] = member
    return out


def _coverage_payor(resource: dict, bundle: dict) -> dict | None:
    """The first ``payor`` Reference of the focal insurance's Coverage (contained or in the bundle), or None."""
    for insurance in _focal_insurance(resource):
        coverage = resolve_reference(insurance.get("coverage"), resource, bundle, "Coverage")
        if coverage is not None:
            for payor in list_or_empty(coverage.get("payor")):
                if not isinstance(payor, dict):
                    continue
                target = payor.get("reference")
                # a payor that is the patient or a relative (self-pay) is no payer: never take its name
                if isinstance(target, str) and target.strip():
                    if resolve_reference(payor, resource, bundle, "Organization") is not None or \
                            target.split("/")[-2:-1] == ["Organization"]:
                        return payor
                elif payor.get("type") in (None, "Organization"):
                    return payor
    return None


def _focal_insurance(resource: dict) -> list[dict]:
    insurance = [i for i in fhir_list(resource.get("insurance"), "insurance") if isinstance(i, dict)]
    focal = [i for i in insurance if i.get("focal") is True]
    return focal or insurance[:1]


def _member_id(resource: dict, bundle: dict, patient: dict | None) -> str | None:
    insurance = fhir_list(resource.get("insurance"), "insurance")  # as written: its positions name entries
    for entry in _focal_insurance(resource):
        coverage = resolve_reference(entry.get("coverage"), resource, bundle, "Coverage")
        if coverage is None:
            continue
        number = next(index for index, other in enumerate(insurance) if other is entry)
        path = f"insurance[{number}].coverage"  # the Coverage it references
        relationship = coverage.get("relationship")
        kinds = [code for _, code in concept_codes(relationship, "coverage.relationship")] \
            if isinstance(relationship, dict) else []
        # subscriberId is the subscriber's: a dependent's history must not be the whole family's
        if id_given(coverage.get("subscriberId"), f"{path}.subscriberId") and (not kinds or "self" in kinds):
            return coverage["subscriberId"]
        for index, identifier in enumerate(list_or_empty(coverage.get("identifier"))):
            if isinstance(identifier, dict) and id_given(identifier.get("value"),
                                                         f"{path}.identifier[{index}].value"):
                return identifier["value"]
    for index, identifier in enumerate(list_or_empty((patient or {}).get("identifier"))):
        if isinstance(identifier, dict) and isinstance(identifier.get("type"), dict):
            kinds = [code for _, code in concept_codes(identifier["type"], "patient.identifier.type")]
            if "MB" in kinds and id_given(identifier.get("value"), f"patient.identifier[{index}].value"):
                return identifier["value"]
    return None


def _prior_auth(resource: dict) -> list[str]:
    found: list[str] = []
    insurance = [i for i in fhir_list(resource.get("insurance"), "insurance") if isinstance(i, dict)]
    focal = _focal_insurance(resource)
    for index, entry in enumerate(insurance):
        if entry not in focal:
            continue
        for number, reference in enumerate(fhir_list(entry.get("preAuthRef"), f"insurance[{index}].preAuthRef")):
            if not isinstance(reference, str) or not reference.strip():
                raise Problem(f"insurance[{index}].preAuthRef[{number}]", "expected a text")
            if reference.strip() not in found:
                found.append(reference.strip())
    return found


def _condition_codes(resource: dict) -> list[str]:
    """The NUBC condition codes of ``supportingInfo`` (codings in a condition-code system), in order."""
    found: list[str] = []
    for index, entry in enumerate(fhir_list(resource.get("supportingInfo"), "supportingInfo")):
        if not isinstance(entry, dict):
            continue
        path = f"supportingInfo[{index}].code"
        for system, code in concept_codes(entry.get("code"), path):
            if not system_in(system, CONDITION_KEYS):
                continue
            if not is_condition_code(code.upper()):
                raise Problem(path, "expected a condition code of two letters or digits, such as `45`")
            found.append(code.upper())
            break  # the codings of one concept are the same code in other systems
    return found


def _bill_type(resource: dict) -> str | None:
    """The type of bill of an institutional claim: a coding of ``subType``, else of a ``supportingInfo`` code
    (CARIN Blue Button's `typeofbill`), in a type-of-bill system; checked by ``Claim.from_dict``."""
    for system, code in concept_codes(resource.get("subType"), "subType"):
        if system_in(system, BILL_TYPE_KEYS):
            return code
    for index, entry in enumerate(fhir_list(resource.get("supportingInfo"), "supportingInfo")):
        if isinstance(entry, dict):
            for system, code in concept_codes(entry.get("code"), f"supportingInfo[{index}].code"):
                if system_in(system, BILL_TYPE_KEYS):
                    return code
    return None


def _frequency(resource: dict) -> tuple[str, str] | None:
    """The claim frequency code and its path: a ``supportingInfo`` code in Da Vinci PCT's frequency system (its
    `claimFrequency` slice); checked by ``Claim.from_dict``, also against the type of bill's last character. Two
    different codes are an error: a void (8) read as a replacement (7) would be judged against other history."""
    found = None
    for index, entry in enumerate(fhir_list(resource.get("supportingInfo"), "supportingInfo")):
        if isinstance(entry, dict):
            path = f"supportingInfo[{index}].code"
            for system, code in concept_codes(entry.get("code"), path):
                if not system_in(system, FREQUENCY_KEYS):
                    continue
                if found is not None and code != found[0]:
                    raise Problem(path, f"a second claim frequency code, `{code}`, after `{found[0]}` at "
                                  f"{found[1]}: a claim has one")
                found = found or (code, path)
    return found


def _replaces(resource: dict, bundle: dict) -> tuple[str, str] | None:
    """The number of the claim this one replaces (the 837's REF*F8) and its path: of each ``related`` entry whose
    ``relationship`` is `prior`, its ``claim`` (the prior claim: its identifier, else the id it is referenced
    by), else its ``reference`` (R4's "file or case reference", which some senders fill with the prior claim's
    number). Two prior claims of different numbers are an error, as two REF*F8 are; so is a prior claim
    without a number (the claim would be judged as replacing itself)."""
    found = None
    for index, entry in enumerate(fhir_list(resource.get("related"), "related")):
        path = f"related[{index}]"
        if not isinstance(entry, dict):
            raise Problem(path, "expected an object")
        if not any(code == "prior" and (system is None or system_in(system, RELATED_CLAIM_KEYS))
                   for system, code in concept_codes(entry.get("relationship"), f"{path}.relationship")):
            continue
        number, where = _related_number(entry, path, resource, bundle)
        if found is not None and number != found[0]:
            raise Problem(where, "a second prior claim of another number: a claim replaces one claim")
        found = (number, where)
    return found


def _related_number(entry: dict, path: str, resource: dict, bundle: dict) -> tuple[str, str]:
    """The number of a ``related`` prior claim, and the path it was read from."""
    claim = entry.get("claim")
    if claim is not None:
        if not isinstance(claim, dict):
            raise Problem(f"{path}.claim", "expected a Reference (an object)")
        found = _identifier_value(claim.get("identifier"), f"{path}.claim.identifier")
        if found is not None:
            return found
        target = claim.get("reference")
        if id_given(target, f"{path}.claim.reference"):
            named = CLAIM_REFERENCE.search(target.strip())
            if named is not None:
                return named[1], f"{path}.claim.reference"
            prior = resolve_reference(claim, resource, bundle, "Claim")  # a Bundle's `urn:uuid:`: the claim's own id
            number = _claim_number(prior) if prior is not None else None
            if number is None:
                raise Problem(f"{path}.claim.reference", "expected a reference to a Claim: `Claim/` and its id, "
                              "or a Claim of the Bundle with an id")
            return number, f"{path}.claim.reference"
    found = _identifier_value(entry.get("reference"), f"{path}.reference")
    if found is not None:
        return found
    raise Problem(path, "a prior claim without its number: give `claim` (its identifier, or a reference to it) "
                  "or `reference.value`")


def _claim_number(claim: dict) -> str | None:
    """A Claim's id as the reader gives it to the claim: its ``id``, else its first identifier's value."""
    if isinstance(claim.get("id"), str) and is_filled(claim["id"]):
        return claim["id"]
    for identifier in list_or_empty(claim.get("identifier")):
        if isinstance(identifier, dict) and isinstance(identifier.get("value"), str) and is_filled(identifier["value"]):
            return identifier["value"]
    return None


def _identifier_value(identifier, path: str) -> tuple[str, str] | None:
    """An Identifier's ``value`` and the path it was read from; None if it has none."""
    if identifier is None:
        return None
    if not isinstance(identifier, dict):
        raise Problem(path, "expected an Identifier (an object)")
    if id_given(identifier.get("value"), f"{path}.value"):
        return identifier["value"].strip(), f"{path}.value"
    return None


#: Diagnosis types that are not the claim's diagnoses (X12 837I HI qualifiers ABJ, APR, ABN, which the X12
#: reader skips): HL7's ex-diagnosistype and CARIN Blue Button's inpatient diagnosis types.
NOT_DIAGNOSES = frozenset(("admitting", "patientreasonforvisit", "externalcauseofinjury", "externalcause"))


def _diagnoses(resource: dict, bundle: dict, claim_type: str) -> tuple[list[str], dict, str | None]:
    """The diagnoses in sequence order, {FHIR sequence: 1-based position (None: not a diagnosis)}, and their
    ICD system. On an institutional claim an admitting diagnosis, a reason for the visit or an external
    cause of injury is not one of the claim's diagnoses, as in the 837I."""
    entries = []
    skipped = set()
    institutional = claim_type == "institutional"
    for index, entry in enumerate(fhir_list(resource.get("diagnosis"), "diagnosis")):
        path = f"diagnosis[{index}]"
        if not isinstance(entry, dict):
            raise Problem(path, "expected an object")
        sequence = entry.get("sequence")
        if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 1:
            raise Problem(f"{path}.sequence", "expected a positive whole number")
        types = {code for index_, concept in enumerate(list_or_empty(entry.get("type")))
                 for _, code in concept_codes(concept, f"{path}.type[{index_}]")}
        if institutional and types and types <= NOT_DIAGNOSES:  # principal and admitting: still the principal
            skipped.add(sequence)
            continue
        if "diagnosisCodeableConcept" in entry:
            codes = concept_codes(entry["diagnosisCodeableConcept"], f"{path}.diagnosisCodeableConcept")
        else:
            condition = resolve_reference(entry.get("diagnosisReference"), resource, bundle, "Condition")
            if condition is None:
                raise Problem(f"{path}.diagnosisReference", "the Condition is neither contained nor in the bundle")
            codes = concept_codes(condition.get("code"), f"{path}.diagnosisReference.code")
        if not codes:
            raise Problem(path, "no diagnosis code")
        chosen = next(((s, c) for s, c in codes if system_in(s, ICD_KEYS)), codes[0])
        entries.append((sequence, chosen, path))
    entries.sort(key=lambda entry: entry[0])
    systems = {"icd9" if system_in(system, ICD9_KEYS) else "icd10" for _, (system, _), _ in entries}
    if len(systems) > 1:
        raise Problem("diagnosis", "the claim mixes ICD-9-CM and ICD-10-CM diagnoses")
    sequences: dict = dict.fromkeys(skipped)
    for position, (sequence, _, path) in enumerate(entries, 1):
        if sequence in sequences:
            raise Problem(f"{path}.sequence", "two diagnoses have the same sequence")
        sequences[sequence] = position
    return [code for _, (_, code), _ in entries], sequences, systems.pop() if systems else None


def _line(item: Any, index: int, resource: dict, bundle: dict, sequences: dict, claim_type: str,
          diagnosis_count: int, standing_npi: str | None, where: dict) -> dict:
    """The claim line of ``item`` (the ``index``-th); ``where`` takes the path of a field read from a place
    _fhir_path does not know (a revenue code given as the productOrService)."""
    path = f"item[{index}]"
    if not isinstance(item, dict):
        raise Problem(path, "expected an object")
    out: dict = {}
    codes = concept_codes(item.get("productOrService"), f"{path}.productOrService")
    if not codes:
        raise Problem(f"{path}.productOrService", "no code")
    code = _procedure_code(codes, f"{path}.productOrService", claim_type)
    if code is not None:
        out["code"] = code
    modifiers = []
    for index, concept in enumerate(fhir_list(item.get("modifier"), f"{path}.modifier")):
        found = concept_codes(concept, f"{path}.modifier[{index}]")
        if not found:
            raise Problem(f"{path}.modifier[{index}]", "no code")
        modifiers.append(preferred_code(found, PROCEDURE_SYSTEM_KEYS))  # CPT's and HCPCS's modifiers
    if modifiers:
        out["modifiers"] = modifiers
    quantity = item.get("quantity")
    if quantity is not None:
        if not isinstance(quantity, dict) or "value" not in quantity:
            raise Problem(f"{path}.quantity", "expected a Quantity with a `value`")
        out["units"] = quantity["value"]
    if item.get("servicedDate") is not None and item.get("servicedPeriod") is not None:
        # (serviced[x]: one of the two, in R4; which date the sender meant is not for radrules to guess)
        raise Problem(f"{path}.servicedPeriod", "an item has servicedDate or servicedPeriod, not both")
    if item.get("servicedDate") is not None:
        out["date"] = fhir_date(item["servicedDate"], f"{path}.servicedDate")
    elif item.get("servicedPeriod") is not None:
        period = item["servicedPeriod"]
        if not isinstance(period, dict):
            raise Problem(f"{path}.servicedPeriod", "expected a Period (an object)")
        out["date"] = fhir_date(period.get("start"), f"{path}.servicedPeriod.start")
        if period.get("end") is not None:
            out["end_date"] = fhir_date(period["end"], f"{path}.servicedPeriod.end")
    elif isinstance(resource.get("billablePeriod"), dict) and resource["billablePeriod"].get("start"):
        period = resource["billablePeriod"]
        out["date"] = fhir_date(period["start"], "billablePeriod.start")
        if period.get("end") is not None:
            out["end_date"] = fhir_date(period["end"], "billablePeriod.end")
    else:
        raise Problem(f"{path}.servicedDate", "required (or servicedPeriod, or the claim's billablePeriod)")
    pointers = []
    for index, sequence in enumerate(fhir_list(item.get("diagnosisSequence"), f"{path}.diagnosisSequence")):
        if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence not in sequences:
            raise Problem(f"{path}.diagnosisSequence[{index}]", "no diagnosis has this sequence")
        if sequences[sequence] is not None:  # not an admitting diagnosis or the like
            pointers.append(sequences[sequence])
    if pointers:
        out["diagnosis_pointers"] = pointers
    elif claim_type == "institutional" and diagnosis_count:
        out["diagnosis_pointers"] = list(range(1, diagnosis_count + 1))
    charge = item_charge(item)
    if charge is not None:
        out["charge"] = charge
    places = concept_codes(item.get("locationCodeableConcept"), f"{path}.locationCodeableConcept")
    if places:
        out["place_of_service"] = preferred_code(places, PLACE_OF_SERVICE_KEYS)
    if claim_type == "institutional":
        revenue = concept_codes(item.get("revenue"), f"{path}.revenue")
        if revenue:
            out["revenue_code"] = revenue[0][1]
        elif code is None:  # a revenue code given as the productOrService (none: Claim.from_dict says so)
            given = next((c for s, c in codes if system_in(s, REVENUE_KEYS)), None)
            if given is not None:
                out["revenue_code"] = given
                where[f"lines[{index}].revenue_code"] = f"{path}.productOrService"
    npi = _rendering_npi(item, path, resource, bundle, standing_npi)
    if npi:
        out["rendering_npi"] = npi
    return out


def _procedure_code(codes: list, path: str, claim_type: str) -> str | None:
    """The line's code: a CPT or HCPCS coding's, else one without a system. A code of another system only
    (a local charge code, say) is given as ``system|code``, so that it fails ``format.code`` even when it
    looks like a CPT code: radrules can't judge it as one. A revenue code or a data-absent reason in its
    place is no code (None) on an institutional claim, whose item then gives its revenue code alone (as an
    837I line without a HCPCS code does), and makes a professional claim unreadable."""
    code = (next((c for s, c in codes if system_in(s, PROCEDURE_SYSTEM_KEYS)), None)
            or next((c for s, c in codes if s is None), None))
    if code is not None:
        return code
    if any(system_in(system, NO_PROCEDURE_KEYS) for system, _ in codes):
        if claim_type == "institutional":
            return None
        raise Problem(path, "a revenue code or a data-absent reason, no CPT/HCPCS code; radrules needs a CPT/HCPCS "
                      "code on every line of a professional claim")
    system, code = codes[0]
    return f"{system}|{code}"


def item_charge(item: dict):
    """The line's charge: ``net``, else ``unitPrice`` times ``quantity`` (and ``factor``), as FHIR defines net."""
    net = item.get("net")
    if isinstance(net, dict) and net.get("value") is not None:
        return net["value"]
    price = item.get("unitPrice")
    if not isinstance(price, dict) or price.get("value") is None:
        return None
    value = price["value"]
    quantity = item.get("quantity")
    for factor in (quantity.get("value") if isinstance(quantity, dict) else None, item.get("factor")):
        if factor is None:
            continue
        if not _is_number(value) or not _is_number(factor):
            return value  # not numbers: the claim's checks name the field
        value = value * factor
    return value


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


#: Care team roles of providers who do not render the item (the 837's referring, ordering and supervising
#: providers are loops of their own, not the rendering provider's): HL7's claimcareteamrole and CARIN Blue Button's.
NOT_RENDERING_ROLES = frozenset(("referring", "ordering", "supervisor", "prescribing", "assist", "otheroperating"))


def _rendering_npi(item: dict, path: str, resource: dict, bundle: dict, fallback: str | None) -> str | None:
    """The NPI of the item's first care team member that may render it (not one whose roles are all of
    :data:`NOT_RENDERING_ROLES`, a referring physician say), when an identifier of it gives one; else ``fallback``
    (the provider that stands for the rendering one when the claim names no other, as in the X12 837). Every
    ``careTeamSequence`` must name a member."""
    sequences = fhir_list(item.get("careTeamSequence"), f"{path}.careTeamSequence")
    if not sequences:
        return fallback
    members = list(enumerate(fhir_list(resource.get("careTeam"), "careTeam")))
    chosen = None
    for index, sequence in enumerate(sequences):
        found = next(((number, member) for number, member in members if isinstance(member, dict)
                      and member.get("sequence") == sequence and not isinstance(sequence, bool)
                      and not isinstance(member.get("sequence"), bool)), None)
        if found is None:  # as a diagnosisSequence must name a diagnosis: the NPI would be lost, format.npi not run
            raise Problem(f"{path}.careTeamSequence[{index}]", "no care team member has this sequence")
        number, member = found
        roles = {code for _, code in concept_codes(member.get("role"), f"careTeam[{number}].role")} \
            if isinstance(member.get("role"), dict) else set()
        if chosen is None and not (roles and roles <= NOT_RENDERING_ROLES):
            chosen = found
    if chosen is None:
        return fallback
    number, member = chosen
    return _npi(member.get("provider"), f"careTeam[{number}].provider", resource, bundle) or fallback


def _attending_npi(resource: dict, bundle: dict) -> str | None:
    """The NPI of the attending member of the care team (the 837I's attending provider, 2310A), which stands for
    the rendering provider of an institutional claim's item naming none (no ``careTeamSequence``, or a member
    without an NPI), as the billing provider (``provider``) does on a professional claim: the 837 guides send a
    rendering provider only when it is another."""
    for number, member in enumerate(list_or_empty(resource.get("careTeam"))):
        if isinstance(member, dict) and isinstance(member.get("role"), dict) \
                and "attending" in [code for _, code in concept_codes(member["role"], f"careTeam[{number}].role")]:
            return _npi(member.get("provider"), f"careTeam[{number}].provider", resource, bundle)
    return None


def _npi(reference: Any, where: str, resource: dict, bundle: dict) -> str | None:
    """The NPI (``us-npi`` system) of a provider Reference: its ``identifier``, else an identifier of the
    Practitioner or Organization it references (named through the reference, as ``patient.birthDate`` names the
    Patient's), or of the PractitionerRole it references (R4 allows one for ``provider`` and ``careTeam.provider``;
    US Core gives the NPI to the Practitioner), else of the Practitioner that role names (``practitioner``)."""
    if not isinstance(reference, dict):
        return None
    identifiers = [(reference.get("identifier"), f"{where}.identifier.value")]  # (identifier, its path)
    target = resolve_reference(reference, resource, bundle, ("Practitioner", "Organization", "PractitionerRole"))
    if target is not None:
        identifiers.extend((identifier, f"{where}.identifier[{index}].value")
                           for index, identifier in enumerate(list_or_empty(target.get("identifier"))))
        if target.get("resourceType") == "PractitionerRole":
            practitioner = resolve_reference(target.get("practitioner"), resource, bundle, "Practitioner")
            if practitioner is not None:
                identifiers.extend((identifier, f"{where}.practitioner.identifier[{index}].value")
                                   for index, identifier in enumerate(list_or_empty(practitioner.get("identifier"))))
    for identifier, path in identifiers:
        if isinstance(identifier, dict) and system_in(identifier.get("system"), NPI_KEYS) \
                and id_given(identifier.get("value"), path):
            return identifier["value"]
    return None


_LINE_PATHS = {
    "code": "productOrService", "modifiers": "modifier", "units": "quantity.value", "date": "servicedDate",
    "end_date": "servicedPeriod.end", "charge": "net.value", "place_of_service": "locationCodeableConcept",
    "rendering_npi": "careTeamSequence", "revenue_code": "revenue", "diagnosis_pointers": "diagnosisSequence",
}
_CLAIM_PATHS = {
    "lines": "item", "diagnoses": "diagnosis", "prior_auth": "insurance.preAuthRef", "received": "created",
    "payer": "insurer", "patient.birth_date": "patient.birthDate", "patient.sex": "patient.gender",
    "patient.id": "insurance.coverage", "billing_npi": "provider", "bill_type": "subType",
    "statement_from": "billablePeriod.start", "statement_through": "billablePeriod.end",
}


def _fhir_path(path: str) -> str:
    """A claim field path (of a ClaimError) as the FHIR path it was read from."""
    line = re.match(r"^lines\[([0-9]+)\]\.([a-z_]+)(.*)$", path)
    if line:
        return f"item[{line[1]}].{_LINE_PATHS.get(line[2], line[2])}{line[3]}"
    field = re.match(r"^([a-z_.]+?)(\[.*)?$", path)
    if field is None:
        return path
    return _CLAIM_PATHS.get(field[1], field[1]) + (field[2] or "")
