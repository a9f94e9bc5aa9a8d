"""Built-in ``format`` checks: content a payer's front end rejects.

These run on every claim before any rule (domain.md §10.4) and need no rule
file. Each has a stable id (``format.*``), documented in docs/rules.md. The
remittance codes are radrules' mapping [D] onto X12 remark codes whose texts
say "missing/incomplete/invalid ..." for the field at fault (domain.md §9).
Messages never show an identifier's value (NPI, member id) or a birth date.
"""

from __future__ import annotations

import datetime as dt
import functools

from . import codes
from .model import RuleInfo
from .result import Finding

#: Diagnoses a claim may carry, by claim type: an 837P (CMS-1500 item 21) 12; an 837I its principal and two
#: HI segments of 12 other diagnoses, 25.
MAX_DIAGNOSES = {"professional": 12, "institutional": 25}
#: ICD-10-CM replaced ICD-9-CM for dates of service from this day (HIPAA code sets).
ICD10_FROM = dt.date(2015, 10, 1).toordinal()

_REFERENCE = "radrules built-in claim format check (docs/rules.md#format)"


def _info(rule_id: str, carc: str, rarc: tuple[str, ...], title: str) -> RuleInfo:
    return RuleInfo(rule_id, "format", "deny", carc, rarc, _REFERENCE, title, "radrules:format")


#: rule id -> RuleInfo, in report order.
FORMAT_RULES = {
    info.id: info
    for info in (
        _info("format.code", "CO-16", ("M51",), "procedure code is not a valid CPT/HCPCS code"),
        _info("format.modifier", "CO-4", (), "modifier is not two letters or digits"),
        _info("format.diagnosis", "CO-16", ("M76",), "diagnosis is not a valid ICD-10-CM code"),
        _info("format.icd9", "CO-16", ("M76",), "ICD-9-CM diagnoses on a line dated from 2015-10-01"),
        _info("format.diagnosis_count", "CO-16", ("M76",), "more than 12 diagnoses"),
        _info("format.diagnosis_pointer", "CO-16", ("M76",), "diagnosis pointer to no diagnosis"),
        _info("format.place_of_service", "CO-16", ("M77",), "place of service is not a 2-digit code"),
        _info("format.date_before_birth", "CO-16", ("M52",), "service date before the patient's birth"),
        _info("format.end_date", "CO-16", ("M59",), "service end date before its start date"),
        _info("format.date_after_received", "CO-16", ("M52",), "service date after the claim was received"),
        _info("format.npi", "CO-16", (), "rendering NPI fails its check digit"),
    )
}


def _finding(rule_id: str, lines: tuple[int, ...], message: str, codes_: tuple[str, ...] = ()) -> Finding:
    info = FORMAT_RULES[rule_id]
    return Finding(
        rule=rule_id, kind="format", severity=info.severity, lines=lines, message=message,
        codes=codes_, carc=info.carc, rarc=info.rarc, reference=info.reference, source=info.source,
    )


@functools.lru_cache(maxsize=4096)
def _all_valid(diagnoses: tuple, icd9: bool) -> bool:
    """Whether every diagnosis of a claim is well formed (claims repeat a few diagnosis lists)."""
    valid = codes.is_icd9_diagnosis if icd9 else codes.is_diagnosis
    return all(valid(diagnosis.upper()) for diagnosis in diagnoses)


def check_format(ev, findings: list) -> None:
    """Append a finding for every format problem of the claim in ``ev``."""
    claim = ev.claim
    all_lines = ev.all_lines
    icd9 = claim.diagnosis_system == "icd9"
    if not _all_valid(claim.diagnoses, icd9):
        valid, system = (codes.is_icd9_diagnosis, "ICD-9-CM") if icd9 else (codes.is_diagnosis, "ICD-10-CM")
        for position, diagnosis in enumerate(claim.diagnoses, 1):
            if not valid(diagnosis.upper()):
                findings.append(_finding(
                    "format.diagnosis", all_lines,
                    f"diagnosis {position} (`{diagnosis}`) is not a valid {system} code",
                ))
    if icd9:
        _check_icd9_dates(ev, findings)
    most = MAX_DIAGNOSES.get(claim.type, 12)
    if len(claim.diagnoses) > most:
        findings.append(_finding(
            "format.diagnosis_count", all_lines,
            f"the claim lists {len(claim.diagnoses)} diagnoses; at most {most} are allowed on a {claim.type} claim",
        ))
    if claim.place_of_service is not None and not codes.is_place_of_service(claim.place_of_service):
        findings.append(_finding(
            "format.place_of_service", all_lines,
            f"claim place of service `{claim.place_of_service}` is not a 2-digit code",
        ))
    count = len(claim.diagnoses)
    # Dates are compared line by line only when the claim's first or last day is out of bounds.
    days = ev.by_day
    birth = ev.birth if ev.birth is not None and min(days) < ev.birth else None
    received = ev.received if ev.received is not None and max(days) > ev.received else None
    is_procedure_code, valid_modifiers = codes.is_procedure_code, codes.MODIFIERS
    for line in ev.lines:
        source = line.line
        if not is_procedure_code(line.code):
            findings.append(_finding(
                "format.code", (line.number,), f"`{line.code}` is not a valid CPT/HCPCS code", (line.code,),
            ))
        if line.modifiers and not valid_modifiers.issuperset(line.modifiers):
            for modifier in line.modifiers:
                if modifier not in valid_modifiers:
                    findings.append(_finding(
                        "format.modifier", (line.number,), f"modifier `{modifier}` is not two letters or digits",
                        (line.code,),
                    ))
        pointers = source.diagnosis_pointers
        if pointers and max(pointers) > count:
            for pointer in pointers:
                if pointer > count:
                    findings.append(_finding(
                        "format.diagnosis_pointer", (line.number,),
                        f"line {line.number} points to diagnosis {pointer}, but the claim lists {count}",
                        (line.code,),
                    ))
        if source.place_of_service is not None and not codes.is_place_of_service(source.place_of_service):
            findings.append(_finding(
                "format.place_of_service", (line.number,),
                f"place of service `{source.place_of_service}` is not a 2-digit code", (line.code,),
            ))
        if birth is not None and line.day < birth:
            findings.append(_finding(
                "format.date_before_birth", (line.number,),
                f"line {line.number} is dated before the patient's birth date", (line.code,),
            ))
        if line.end_day is not None and line.end_day < line.day:
            findings.append(_finding(
                "format.end_date", (line.number,), f"line {line.number} ends before it starts", (line.code,),
            ))
        if received is not None and line.day > received:
            findings.append(_finding(
                "format.date_after_received", (line.number,),
                f"line {line.number} is dated after the claim was received", (line.code,),
            ))
        if source.rendering_npi is not None and not codes.npi_is_valid(source.rendering_npi):
            findings.append(_finding(
                "format.npi", (line.number,), f"line {line.number}: the rendering NPI is not a valid NPI",
                (line.code,),
            ))


def _check_icd9_dates(ev, findings: list) -> None:
    """An ICD-9-CM claim: no line may be dated from 2015-10-01."""
    late = tuple([line.number for line in ev.lines if line.day >= ICD10_FROM])
    if ev.claim.diagnoses and late:
        numbers = ", ".join(str(n) for n in late)
        findings.append(_finding(
            "format.icd9", late,
            f"the diagnoses are ICD-9-CM codes, but line{'s' if len(late) > 1 else ''} {numbers} "
            f"{'are' if len(late) > 1 else 'is'} dated from 2015-10-01, when ICD-10-CM is required",
        ))
