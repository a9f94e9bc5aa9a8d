"""Built-in ``format`` checks: content a payer's front end rejects.

These run on every claim before any rule (domain.md §10.4) and need no rule
file. Each has a stable id (``format.*``), documented in docs/rules.md. The
remittance codes are radrules' mapping [D] onto X12 remark codes whose texts
say "missing/incomplete/invalid ..." for the field at fault (domain.md §9).
Messages never show an identifier's value (NPI, member id) or a birth date,
and quote a malformed code only when it is shaped like one (:func:`quotable`).
"""

from __future__ import annotations

import datetime as dt

import attrs

from . import codes
from .evaluation import last_day
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
        _info("format.statement_period", "CO-16", ("M52",), "service date outside the statement period"),
        # N290 a rendering provider's NPI, N257 (given by the claim's finding) the billing provider's: Noridian JF
        # "Missing/Incorrect Required NPI Information" [V2]
        _info("format.npi", "CO-16", ("N290",), "rendering or billing NPI fails its check digit"),
    )
}


#: The longest malformed value of each kind that a message quotes (:func:`quotable`): the code's own length, a
#: character more for a modifier or a place of service (`591`, `111`), none for a procedure code (a date written
#: 030226 is 6 digits).
QUOTED_LENGTH = {"procedure code": 5, "modifier": 3, "place of service": 3, "diagnosis": 7}


def quotable(value: str, kind: str) -> bool:
    """Whether a malformed ``value`` of ``kind`` (a key of :data:`QUOTED_LENGTH`) may be quoted in a finding.

    Claims carry protected health data, and a billing system that puts a member id, a name or a date in the
    wrong field must not have radrules print it; an analyst still wants to see the typo `7404` or `L`. So a
    value is quoted only when it is shaped like the code that was meant: ASCII letters and digits only (dates
    and full names have other characters: `3/2/26`, `J SMITH`), at most :data:`QUOTED_LENGTH` of them (member
    ids are longer), and a digit among them unless there are at most 2 (a short surname such as SMITH or ANN
    has none). A diagnosis may also have one dot, and has at most 5 digits when it has no letter (an ICD-9-CM
    code is at most 5; a date written 030226 is 6). Any other value is described by its length.
    """
    text = value.replace(".", "", 1) if kind == "diagnosis" else value
    if not (0 < len(text) <= QUOTED_LENGTH[kind] and text.isascii() and text.isalnum()):
        return False
    if text.isdigit():
        return kind != "diagnosis" or len(text) <= 5
    return len(text) <= 2 or not text.isalpha()


#: Code systems a line's code may be given in instead of CPT/HCPCS (the FHIR reader gives a coding of another
#: system as ``SYSTEM|CODE``), by their URI as a claim holds it, in capitals, with what a format.code finding calls
#: their codes. It never shows another system's URI, which a sender may have made up of anything.
OTHER_SYSTEMS = {uri.upper(): name for uri, name in (
    ("http://snomed.info/sct", "a SNOMED CT code"),
    ("http://loinc.org", "a LOINC code"),
    ("http://www.nlm.nih.gov/research/umls/rxnorm", "an RxNorm code"),
    ("http://hl7.org/fhir/sid/ndc", "an NDC"),
    ("http://www.ada.org/cdt", "a CDT code"),
    ("http://www.cms.gov/Medicare/Coding/ICD10", "an ICD-10-PCS code"),
    ("http://hl7.org/fhir/sid/icd-10-cm", "an ICD-10-CM code"),
    ("http://hl7.org/fhir/sid/icd-10", "an ICD-10 code"),
    ("http://hl7.org/fhir/sid/icd-9-cm", "an ICD-9-CM code"),
)}
#: The beginnings of the URIs of FHIR's example code systems (`ex-serviceproduct`), in capitals.
EXAMPLE_SYSTEMS = ("HTTP://TERMINOLOGY.HL7.ORG/CODESYSTEM/EX-", "HTTP://HL7.ORG/FHIR/EX-")


def other_system(value: str) -> tuple[str, str] | None:
    """(what the code is, the code) of a code given with its system, ``SYSTEM|CODE``: ``a SNOMED CT code``,
    ``a code of a FHIR example system``, else ``a code of another system``; None for any other value (a system is
    a URI, which has a `:`)."""
    system, bar, code = value.partition("|")
    if not bar or ":" not in system:
        return None
    if system in OTHER_SYSTEMS:
        return OTHER_SYSTEMS[system], code
    if system.startswith(EXAMPLE_SYSTEMS):
        return "a code of a FHIR example system", code
    return "a code of another system", code


def described(value: str) -> str:
    """``(12 characters, not shown)``: a value :func:`quotable` refuses, in a message."""
    return f"({len(value)} character{'s' if len(value) != 1 else ''}, not shown)"


def _hide(hidden: dict | None, value: str, kind: str) -> dict:
    """Add ``value`` to the claim's values not shown (created on the first)."""
    if hidden is None:
        hidden = {}
    hidden.setdefault(value, kind)
    return hidden


def hider(hidden: dict):
    """A function that writes ``[KIND not shown]`` for each value of ``hidden`` ({value: kind}, from
    :func:`check_format`) in a text: a whole value only (letters or digits on either side make it part of
    another word); where two overlap, the one that starts first, and of two that start together the longer.

    Found with ``str.find``, not a pattern made of the values: a value may be any length, and compiling a
    pattern of a 50 KB value took a tenth of a second, which the ``re`` module's cache then kept."""
    values = sorted((value for value in hidden if value), key=len, reverse=True)
    if not values:
        return str

    def hide_in(text: str) -> str:
        found = []  # (start, -length, value) of each whole value in the text
        for value in values:
            start = text.find(value)
            while start >= 0:
                end = start + len(value)
                if not _joined(text, start - 1, -1) and not _joined(text, end, 1):
                    found.append((start, -len(value), value))
                start = text.find(value, start + 1)
        if not found:
            return text
        found.sort()
        out, at = [], 0
        for start, _, value in found:
            if start >= at:
                out += (text[at:start], f"[{hidden[value]} not shown]")
                at = start + len(value)
        out.append(text[at:])
        return "".join(out)

    return hide_in


def _word(character: str) -> bool:
    """A character that makes a value beside it part of a longer word (an ASCII letter or digit)."""
    return character.isascii() and character.isalnum()


def _joined(text: str, at: int, step: int) -> bool:
    """Whether the character at ``at``, beside a value found in ``text`` (before it with ``step`` -1, after it
    with 1), makes the value part of a longer word: a letter or a digit, or a `-`, `.`, `/` or `:` with one
    beyond it (the year of a date `2026-07-15`, a part of a code `R51.9`; a sentence's last period is not)."""
    if not 0 <= at < len(text):
        return False
    if _word(text[at]):
        return True
    beyond = at + step
    return text[at] in "-./:" and 0 <= beyond < len(text) and _word(text[beyond])


def hide(findings: list, hidden: dict) -> None:
    """Take the values of ``hidden`` out of ``findings``, in place (only claims with such a value come here).

    The format findings describe them already; other findings may quote them too: a rule's message
    (``{line.code}``, ``{line.modifiers}``), the unpublished-MUE note of a code, and a finding's ``codes``.
    In a message a value becomes ``[KIND not shown]`` (:func:`hider`); from ``codes`` it is left out.
    """
    hide_in = hider(hidden)
    for index, finding in enumerate(findings):
        message = hide_in(finding.message)
        codes_ = tuple([code for code in finding.codes if code not in hidden])
        if message != finding.message or len(codes_) != len(finding.codes):
            findings[index] = attrs.evolve(finding, message=message, codes=codes_)


def _finding(rule_id: str, lines: tuple[int, ...], message: str, codes_: tuple[str, ...] = (),
             rarc: tuple[str, ...] | None = None) -> Finding:
    info = FORMAT_RULES[rule_id]
    return Finding(
        rule=rule_id, kind="format", severity=info.severity, lines=lines, message=message,
        codes=codes_, carc=info.carc, rarc=info.rarc if rarc is None else rarc, reference=info.reference,
        source=info.source,
    )


#: codes.WELL_FORMED_DIAGNOSES, which the format checks fill. Only well-formed texts are kept: a claim's malformed
#: diagnosis of any length is not (an ``lru_cache`` of diagnosis lists kept every list).
WELL_FORMED = codes.WELL_FORMED_DIAGNOSES


def _all_valid(diagnoses: tuple, icd9: bool) -> bool:
    """Whether every diagnosis of a claim is well formed, asked when some are not among those known so (claims
    repeat a few diagnoses; check_format looks them up first)."""
    known = WELL_FORMED[icd9]
    valid = codes.is_icd9_diagnosis if icd9 else codes.is_diagnosis
    if not all(valid(diagnosis.upper()) for diagnosis in diagnoses):
        return False
    if len(known) >= 8192:
        known.clear()
    known.update(diagnoses)
    return True


def _malformed(findings: list, hidden: dict | None, rule_id: str, kind: str, value: str, lines: tuple,
               quoted: str, unquoted: str, codes_: tuple = ()) -> dict | None:
    """Append the finding of a malformed ``value`` of ``kind``: message ``quoted`` if :func:`quotable` lets it
    show the value, else ``unquoted`` and its length; the claim's values not shown (``hidden``), with it if not
    (a diagnosis also as rules' messages write it; :func:`hide` takes it out of ``codes_`` then)."""
    if quotable(value, kind):
        message = quoted
    else:
        hidden = _hide(hidden, value, kind)
        if kind == "diagnosis":
            hidden.setdefault(codes.normalize_diagnosis(value), kind)  # without the dot, in capitals
        message = f"{unquoted} {described(value)}"
    findings.append(_finding(rule_id, lines, message, codes_))
    return hidden


def _other_system(findings: list, hidden: dict | None, number: int, value: str, what: str, code: str) -> dict:
    """Append the format.code finding of line ``number``'s code given with its system (``value``, ``SYSTEM|CODE``):
    what it is (:func:`other_system`), and the code quoted if :func:`quotable` lets it be shown. The whole value
    is not shown by other findings: a system that is not named may say anything."""
    if not code:
        message = f"line {number}'s procedure code is empty: given as {what}, with nothing after its system"
    elif quotable(code, "procedure code"):
        message = f"`{code}` is {what}, not a CPT/HCPCS code"
    else:
        message = f"line {number}'s procedure code is {what}, not a CPT/HCPCS code {described(code)}"
    findings.append(_finding("format.code", (number,), message, (value,)))
    return _hide(hidden, value, "procedure code")


def check_format(ev, findings: list) -> dict | None:
    """Append a finding for every format problem of the claim in ``ev``.

    Returns the claim's malformed values that may not be quoted ({value: kind}, for :func:`hide`), or None
    (nearly every claim); a claim with lines of a revenue code alone gets a dict, empty if nothing is hidden.
    """
    claim = ev.claim
    all_lines = ev.all_lines
    hidden = None
    icd9 = claim.diagnosis_system == "icd9"
    if not WELL_FORMED[icd9].issuperset(claim.diagnoses) and not _all_valid(claim.diagnoses, icd9):
        valid, system = (codes.is_icd9_diagnosis, "ICD-9-CM") if icd9 else (codes.is_diagnosis, "ICD-10-CM")
        for position, diagnosis in enumerate(claim.diagnoses, 1):
            if not valid(diagnosis.upper()):
                hidden = _malformed(findings, hidden, "format.diagnosis", "diagnosis", diagnosis, all_lines,
                                    f"diagnosis {position} (`{diagnosis}`) is not a valid {system} code",
                                    f"diagnosis {position} is not a valid {system} code")
    if icd9:
        _check_icd9_dates(ev, findings)
    if claim.type == "institutional":
        most = MAX_DIAGNOSES["institutional"]
        if claim.statement_from is not None or claim.statement_through is not None:
            _check_statement_period(ev, findings)
    else:
        most = MAX_DIAGNOSES["professional"]
    if len(claim.diagnoses) > most:
        findings.append(_finding(
            "format.diagnosis_count", all_lines,
            f"the claim lists {len(claim.diagnoses)} diagnoses; at most {most} are allowed on a {claim.type} claim",
        ))
    place = claim.place_of_service
    if place is not None and not codes.is_place_of_service(place):
        hidden = _malformed(findings, hidden, "format.place_of_service", "place of service", place, all_lines,
                            f"claim place of service `{place}` is not a 2-digit code",
                            "the claim's place of service is not a 2-digit code")
    if claim.billing_npi is not None and not codes.npi_is_valid(claim.billing_npi):
        findings.append(_finding("format.npi", all_lines, "the claim's billing NPI is not a valid NPI",
                                 rarc=("N257",)))
    count = len(claim.diagnoses)
    # Dates are compared line by line only when the claim's first or last day is out of bounds.
    days = ev.by_day
    lines = ev.lines
    is_procedure_code, valid_modifiers = codes.is_procedure_code, codes.MODIFIERS
    if ev.uncoded:  # lines of a revenue code alone: their dates, places and NPIs are checked too, not their code
        first = len(findings)
        lines = ev.every_line()
        days = [line.day for line in lines]
        is_procedure_code = _no_code_or_procedure_code
    birth = ev.birth if ev.birth is not None and min(days) < ev.birth else None
    received = ev.received if ev.received is not None and max(days) > ev.received else None
    for line in lines:
        source = line.line
        if not is_procedure_code(line.code):
            code = line.code
            system = other_system(code) if "|" in code else None
            if system is not None:
                hidden = _other_system(findings, hidden, line.number, code, *system)
            else:
                hidden = _malformed(findings, hidden, "format.code", "procedure code", code, (line.number,),
                                    f"`{code}` is not a valid CPT/HCPCS code",
                                    f"line {line.number}'s procedure code is not a valid CPT/HCPCS code", (code,))
        if line.modifiers and not valid_modifiers.issuperset(line.modifiers):
            for position, modifier in enumerate(line.modifiers, 1):
                if modifier not in valid_modifiers:
                    hidden = _malformed(findings, hidden, "format.modifier", "modifier", modifier, (line.number,),
                                        f"modifier `{modifier}` is not two letters or digits",
                                        f"line {line.number}'s modifier {position} is not two letters or digits",
                                        (line.code,))
        pointers = source.diagnosis_pointers
        if pointers and max(pointers) > count:
            for pointer in pointers:
                if pointer > count:
                    findings.append(_finding(
                        "format.diagnosis_pointer", (line.number,),
                        f"line {line.number} points to diagnosis {pointer}, but the claim lists {count}",
                        (line.code,),
                    ))
        place = source.place_of_service
        if place is not None and not codes.is_place_of_service(place):
            hidden = _malformed(findings, hidden, "format.place_of_service", "place of service", place,
                                (line.number,), f"place of service `{place}` is not a 2-digit code",
                                f"line {line.number}'s place of service is not a 2-digit code", (line.code,))
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
        npi = source.rendering_npi
        # (A reader gives a line naming no rendering provider the billing NPI: that one is the claim's finding.)
        if npi is not None and not codes.npi_is_valid(npi) and npi != claim.billing_npi:
            findings.append(_finding(
                "format.npi", (line.number,), f"line {line.number}: the rendering NPI is not a valid NPI",
                (line.code,),
            ))
    if ev.uncoded:  # a line without a code names none
        findings[first:] = [finding if None not in finding.codes else attrs.evolve(
            finding, codes=tuple([code for code in finding.codes if code is not None])) for finding in findings[first:]]
        if hidden is None:
            hidden = {}  # (not None: evaluate() takes its rare path, which numbers these lines in the result)
    return hidden


def _no_code_or_procedure_code(code: str | None) -> bool:
    """Whether a line's code is well formed, or none (a line of a revenue code alone, which format.code leaves)."""
    return code is None or codes.is_procedure_code(code)


def _check_statement_period(ev, findings: list) -> None:
    """An institutional claim with a statement period: every line (all of a span), one of a revenue code alone
    too, is dated within it."""
    claim = ev.claim
    first = claim.statement_from.toordinal() if claim.statement_from is not None else None
    last = claim.statement_through.toordinal() if claim.statement_through is not None else None
    for line in ev.every_line():
        if (first is not None and line.day < first) or (last is not None and last_day(line) > last):
            findings.append(_finding(
                "format.statement_period", (line.number,),
                f"line {line.number} is dated outside the claim's statement period (`statement_from` to "
                "`statement_through`)", () if line.code is None else (line.code,),
            ))


def _check_icd9_dates(ev, findings: list) -> None:
    """An ICD-9-CM claim: no line may be dated from 2015-10-01."""
    late = tuple([line.number for line in ev.every_line() if line.day >= ICD10_FROM])
    if ev.claim.diagnoses and late:
        numbers = ", ".join(str(n) for n in late)
        findings.append(_finding(
            "format.icd9", late,
            f"the diagnoses are ICD-9-CM codes, but line{'s' if len(late) > 1 else ''} {numbers} "
            f"{'are' if len(late) > 1 else 'is'} dated from 2015-10-01, when ICD-10-CM is required",
        ))
