"""The claim of a CLM loop of an X12 837P or 837I: read its segments, map them to a Claim (docs/readers.md).

:class:`ClaimReader` is the part of the X12 walker (readers/x12.py) that
turns the segments it collected for one CLM loop, and the subscriber and
patient loops around it, into a :class:`~radrules.Claim`, or into an
:class:`~radrules.errors.InputError` naming the segment of the first problem.

Ordinary values make the claim directly; a value ``Claim.from_dict`` would
refuse or change in an unusual way goes through ``Claim.from_dict``, so its
error and normalisation rules stay in one place.
"""

from __future__ import annotations

import datetime as dt
import re

from ..claim import MAX_LINES, REVENUE_CODE, SEXES, TOO_MANY_LINES, Claim, Line, Patient, mark_checked
from ..claim_values import FREQUENCY, MAX_NUMBER, is_identifier, mapped_payer
from ..codes import is_condition_code, is_digits
from ..errors import ClaimError, InputError

#: How many distinct dates a reader remembers (it forgets them all when full).
_DATES_KEPT = 4096
#: The segments of one claim a reader keeps (of those it reads: LX, SV1, SV2, DTP, REF, NM1, HI, SBR, DMG): a
#: claim of 999 lines has some 20,000. A claim of more, or of more than MAX_LINES lines, is reported (the lines
#: are counted as they come), and its other segments are read past without keeping them.
MAX_CLAIM_SEGMENTS = 100_000
TOO_MANY_SEGMENTS = f"a claim of more than {MAX_CLAIM_SEGMENTS:,} segments"
#: How many segments a claim keeps before its lines are first counted (it can't have more lines than that).
FIRST_COUNT = MAX_LINES

#: SBR09 claim filing indicator codes that name the payer for the bundled rules.
FILING_INDICATOR_PAYERS = {"MA": "medicare", "MB": "medicare", "MC": "medicaid"}

#: HI qualifiers that carry diagnoses: (ICD system, principal?)
DIAGNOSIS_QUALIFIERS = {
    "ABK": ("icd10", True), "ABF": ("icd10", False),
    "BK": ("icd9", True), "BF": ("icd9", False),
}
#: The HI qualifier of condition codes (837I and 837P, loop 2300 "Condition Information").
CONDITION_QUALIFIER = "BG"


def _date8(value: str) -> dt.date | None:
    if len(value) != 8 or not is_digits(value):
        return None
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


#: A type of bill as the claim keeps it, 2 digits and the frequency code (``Claim.from_dict`` reads any other form,
#: and names a bad one).
_BILL_TYPE_DIGITS = re.compile(r"^[0-9]{2}[0-9A-KMPQXYZ]$")
#: An X12 decimal (type R): digits with an optional sign, decimal point and exponent; not what else
#: Python's float() takes (underscores, spaces, `nan`, `infinity`).
_DECIMAL = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([Ee][+-]?[0-9]+)?$")


def _number(value: str) -> float | int | None:
    if is_digits(value) and len(value) < 16:  # a whole number, exact as a float too
        return int(value)
    if not _DECIMAL.match(value):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return int(number) if number.is_integer() else number


def lost_hl(number: int, segment_id: str) -> str:
    """Why the claims after a subscriber's SBR or DMG met inside a claim are not read (their HL is lost)."""
    what = "a subscriber" if segment_id == "SBR" else "a subscriber's or patient's demographics"
    return f"{what} ({segment_id}, segment {number}) inside an earlier claim: is their HL missing?"


_LINE_IDS = frozenset(("LX", "SV1", "SV2"))


def first_lost_hl(body, lines: bool = False) -> str | None:
    """:func:`lost_hl` for the first segment of a claim's ``body`` (number, id, ...) that belongs to a
    subscriber or patient whose HL is lost: a DMG anywhere, or an SBR after a service line (``lines``: one came
    before the body)."""
    for number, segment_id, *_ in body:
        if segment_id in ("LX", "SV1", "SV2"):
            lines = True
        elif segment_id == "DMG" or (segment_id == "SBR" and lines):
            return lost_hl(number, segment_id)
    return None


class ClaimProblem(Exception):
    """One claim can't be mapped: raised inside the walker, yielded as an InputError."""

    def __init__(self, number: int, segment_id: str, problem: str):
        self.number = number
        self.segment_id = segment_id
        self.problem = problem


class ClaimSize:
    """The segments and service lines of a claim counted one segment at a time (lines start as ``walk_claim``
    starts them: at an LX, or at an SV1 or SV2 that has no LX of its own)."""

    __slots__ = ("segments", "lines", "waiting")

    def __init__(self):
        self.segments = 0
        self.lines = 0
        self.waiting = False  # an LX without its SV1 or SV2 yet

    def add(self, segment_id: str) -> str | None:
        """Count a segment the claim keeps; the problem when the claim is now too big."""
        self.segments += 1
        if segment_id == "LX":
            self.lines += 1
            self.waiting = True
        elif segment_id == "SV1" or segment_id == "SV2":
            if not self.waiting:
                self.lines += 1
            self.waiting = False
        if self.lines > MAX_LINES:
            return f"lines: {TOO_MANY_LINES}"
        if self.segments > MAX_CLAIM_SEGMENTS:
            return TOO_MANY_SEGMENTS
        return None


class _Line:
    __slots__ = ("number", "segment_id", "elements", "date", "rendering_npi", "prior_auth")

    def __init__(self, number: int):
        self.number = number  # of the LX (or of the SV1/SV2 when there is no LX)
        self.segment_id = "LX"
        self.elements = None
        self.date = None  # (segment number, DTP elements)
        self.rendering_npi = None  # NM1*82 of loop 2420A (837P) or 2420C (837I); "" when it gives no NPI
        self.prior_auth = None


def twice_in_loop(number: int, segment: str, loop: str) -> ClaimProblem:
    """A second segment that the guide allows once in its loop: the value read would be the second's, in silence.

    Every such segment follows one rule: a second one is an error, whether or not it repeats the first's
    values. An identical copy would change no value read, but the file breaks the guide all the same (a 999
    acknowledgment rejects the transaction set for a segment or loop over its maximum use), so a clearinghouse
    wants it named before the file goes to the payer, not a claim that passes the edits and bounces there; one
    rule also needs no judgement of which copies count as the same (blanks, another name beside the same NPI),
    and it is the JSON reader's rule for a key given twice (docs/readers.md)."""
    return ClaimProblem(number, segment[:3], f"{segment} appears twice in its loop ({loop}), which has one")


class ClaimState:
    """What one CLM loop has collected so far."""

    __slots__ = ("position", "number", "elements", "body", "lines", "diagnoses", "system", "principal",
                 "prior_auth", "conditions", "rendering_npi", "attending_npi", "billing_npi", "received",
                 "statement", "replaces", "problem", "size", "counted", "too_big", "lost_hl")

    def __init__(self, position: int, number: int, elements: list):
        self.position = position
        self.number = number
        self.elements = elements
        self.body: list[tuple[int, str, list]] = []  # (number, id, elements) of its CLAIM_BODY segments
        self.lines: list[_Line] = []
        self.diagnoses: list[str] = []
        self.system = None
        self.principal = False
        self.prior_auth: list[str] = []
        self.conditions: list[str] = []  # HI qualifier BG
        self.rendering_npi = None  # NM1*82 of loop 2310B (837P) or 2310D (837I); "" when it gives no NPI
        self.attending_npi = None  # NM1*71 of loop 2310A (837I); "" when it gives no NPI
        self.billing_npi = None  # NM1*85 of loop 2010AA, set by the walker
        self.received = None  # (segment number, value)
        self.statement = None  # (segment number, DTP elements)
        self.replaces = None  # REF*F8 of loop 2300: the payer's claim control number of the claim replaced
        self.problem: ClaimProblem | None = None
        self.size: ClaimSize | None = None  # counted once the body is longer than FIRST_COUNT
        self.counted = 0  # of the body's segments
        self.too_big = False  # more than MAX_LINES lines or MAX_CLAIM_SEGMENTS segments: the body is not kept
        self.lost_hl: str | None = None  # the first sign of a lost HL in the segments not kept


class ClaimReader:
    """The claim-building half of the walker; the walker sets the attributes these methods read."""

    def walk_claim(self, claim: ClaimState) -> None:
        """Read the segments of a CLM loop in order (2300/2310, other subscribers 2320/2330, lines 2400)."""
        expected = "SV1" if self.claim_type == "professional" else "SV2"
        section = "claim"  # claim (2300/2310), other (2320/2330), line (2400/2410/2420)
        lines = claim.lines
        line = None
        numbered = False  # the line began at an LX (not at an SV1 or SV2 without one)
        for number, segment_id, elements in claim.body:
            if segment_id == "LX":
                section = "line"
                line = _Line(number)
                lines.append(line)
                numbered = True
                continue
            if segment_id == "SV1" or segment_id == "SV2":
                if segment_id != expected:
                    raise ClaimProblem(number, segment_id, f"a {segment_id} service line in an "
                                       f"{'837P' if expected == 'SV1' else '837I'} claim, which uses {expected}")
                if section != "line" or line.elements is not None:
                    if numbered:  # (as a line of its own, it took the LX's DTP*472 and left the first undated)
                        raise ClaimProblem(number, segment_id, f"a second {segment_id} in one service line: a "
                                           f"service line (LX) has one {segment_id}; is an LX missing?")
                    section = "line"
                    line = _Line(number)
                    lines.append(line)
                    numbered = False
                line.number, line.segment_id, line.elements = number, segment_id, elements
                continue
            if segment_id == "DMG":  # no loop of a claim has one: a subscriber's or patient's, HL lost
                raise ClaimProblem(number, segment_id, "a subscriber's or patient's demographics (DMG) inside a "
                                   "claim: is their HL missing?")
            if segment_id == "SBR":
                if section == "line":  # most likely the next subscriber, whose HL is lost (first_lost_hl)
                    raise ClaimProblem(number, segment_id, "an other-subscriber loop (SBR) after the service lines")
                section = "other"
                continue
            if section == "other":
                continue
            if segment_id == "DTP":
                qualifier = elements[1] if len(elements) > 1 else ""
                if section == "line":
                    if qualifier == "472":
                        if line.date is not None:
                            raise twice_in_loop(number, "DTP*472", "2400")
                        line.date = (number, elements)
                elif qualifier == "050":
                    if claim.received is not None:
                        raise twice_in_loop(number, "DTP*050", "2300")
                    claim.received = (number, elements)
                elif qualifier == "434":
                    if claim.statement is not None:
                        raise twice_in_loop(number, "DTP*434", "2300")
                    claim.statement = (number, elements)
            elif segment_id == "NM1":
                # A provider named without an NPI (NM108 not XX, or NM109 blanks) is kept as "": none, the
                # next source is read (line_values), but a second NM1 of the loop is still a second one.
                entity = element_at(elements, 1)
                if entity == "82":  # (another payer's, 2330D/2330H, is in the "other" section, skipped above)
                    npi = element_at(elements, 9).strip() if element_at(elements, 8) == "XX" else ""
                    if section == "line":  # 2420A (837P), 2420C (837I): one a line
                        if line.rendering_npi is not None:
                            raise twice_in_loop(number, "NM1*82", "2420A" if expected == "SV1" else "2420C")
                        line.rendering_npi = npi
                    else:  # 2310B (837P), 2310D (837I): one a claim
                        if claim.rendering_npi is not None:
                            raise twice_in_loop(number, "NM1*82", "2310B" if expected == "SV1" else "2310D")
                        claim.rendering_npi = npi
                elif entity == "71" and section == "claim" and expected == "SV2":  # 2310A of an 837I
                    if claim.attending_npi is not None:
                        raise twice_in_loop(number, "NM1*71", "2310A")
                    claim.attending_npi = element_at(elements, 9).strip() if element_at(elements, 8) == "XX" else ""
            elif segment_id == "REF":
                qualifier = element_at(elements, 1)
                if qualifier == "G1":
                    value = element_at(elements, 2)
                    if not value:
                        raise ClaimProblem(number, segment_id, "REF*G1 without a prior-authorization number (REF02)")
                    if value not in claim.prior_auth:
                        claim.prior_auth.append(value)
                elif qualifier == "F8" and section == "claim":  # (2330B's F8 is another payer's number)
                    if claim.replaces is not None:  # (also of the same number: twice_in_loop)
                        raise twice_in_loop(number, "REF*F8", "2300")
                    value = element_at(elements, 2).strip()
                    if not value:
                        raise ClaimProblem(number, segment_id, "REF*F8 without the payer's claim control number "
                                           "of the claim replaced (REF02)")
                    claim.replaces = value
            elif segment_id == "HI" and section == "claim":
                self.diagnoses(claim, number, elements)

    def diagnoses(self, claim: ClaimState, number: int, elements: list) -> None:
        """The diagnoses of an HI segment, in their positions: SV107 pointers count them (1 is the first)."""
        component = self.delimiters.component
        gap = None  # the first empty composite of the segment
        other = None  # the first composite of the segment that is not a diagnosis: (position, qualifier)
        for position in range(1, len(elements)):
            composite = elements[position]
            if not composite:
                gap = gap or position
                continue
            parts = composite.split(component)
            qualifier = parts[0]
            where = f"HI{position:02d}"
            if len(parts) < 2 or not parts[1]:
                if qualifier in DIAGNOSIS_QUALIFIERS or qualifier == CONDITION_QUALIFIER or len(parts) < 2:
                    raise ClaimProblem(number, "HI", f"{where} has no code after its qualifier: qualifier and "
                                       f"code must be one composite, joined by the component separator "
                                       f"`{component}`")
                continue
            kind = DIAGNOSIS_QUALIFIERS.get(qualifier)
            if kind is None:
                if qualifier == CONDITION_QUALIFIER:
                    claim.conditions.append(parts[1])
                other = other or (position, qualifier)
                continue  # condition, occurrence and value codes, procedures, other diagnoses
            if gap is not None:
                raise ClaimProblem(number, "HI", f"HI{gap:02d} is empty but {where} holds a diagnosis: diagnosis "
                                   "pointers (SV107) count positions, so none may be left out")
            if other is not None:
                raise ClaimProblem(number, "HI", f"HI{other[0]:02d} holds a {other[1]} code and {where} a diagnosis: "
                                   "diagnosis pointers (SV107) count positions, so other codes go in an HI segment "
                                   "of their own")
            system, principal = kind
            if claim.system is not None and claim.system != system:
                raise ClaimProblem(number, "HI", "the claim mixes ICD-9-CM (BK/BF) and ICD-10-CM (ABK/ABF) "
                                   "diagnoses")
            claim.system = system
            code = parts[1].strip()
            if principal:
                if claim.principal:
                    raise ClaimProblem(number, "HI", f"{where}: a second principal diagnosis ({qualifier})")
                if position > 1:
                    raise ClaimProblem(number, "HI", f"{where}: the principal diagnosis ({qualifier}) comes after "
                                       "another; it is HI01, and diagnosis pointers count from it")
                claim.principal = True
                claim.diagnoses.insert(0, code)  # an HI of others may come first (institutional claims)
            else:
                claim.diagnoses.append(code)

    # ------------------------------------------------------------ building a claim

    def count_claim(self, claim: ClaimState) -> int:
        """Count the lines of a claim's body as far as it goes; once the claim is too big, report it and keep
        no more of its segments, only the first sign of a lost HL among them. Returns the body's length at
        which to count again (the readers call this when the body is longer)."""
        body = claim.body
        if claim.too_big:
            if claim.lost_hl is None:
                size = claim.size
                claim.lost_hl = first_lost_hl(body, lines=size.lines > 0)
                if not size.lines and any(segment_id in _LINE_IDS for _, segment_id, _ in body):
                    size.lines = 1  # (not counted past the limit: only whether a line came)
            body.clear()
            return FIRST_COUNT
        size = claim.size
        if size is None:
            size = claim.size = ClaimSize()
        add = size.add
        for _, segment_id, _ in body[claim.counted:]:
            problem = add(segment_id)
            if problem is not None:
                if claim.problem is None:
                    claim.problem = ClaimProblem(claim.number, "CLM", problem)
                claim.too_big = True
                claim.lost_hl = first_lost_hl(body)
                body.clear()
                return FIRST_COUNT
        claim.counted = len(body)
        return len(body) + FIRST_COUNT

    def end_claim(self) -> None:
        claim = self.claim
        if claim is None:
            return
        self.claim = None
        try:
            if claim.too_big or len(claim.body) > FIRST_COUNT:
                self.count_claim(claim)
            if claim.problem is not None:
                raise claim.problem
            self.walk_claim(claim)
            built = self.build(claim)
            if type(built) is Claim:
                self.out.append(built)
                return
            try:
                self.out.append(Claim.from_dict(built))
            except ClaimError as error:
                number, segment_id = self.place_of(error.path, claim)
                raise ClaimProblem(number, segment_id, str(error)) from None
        except ClaimProblem as problem:
            self.out.append(InputError(self.name, problem.problem, segment=problem.number,
                                       segment_id=problem.segment_id, claim=claim.position))
            # A lost HL is noted from the whole claim, even one that stopped at an earlier problem, as the
            # splitter notes it (x12_split): the claims after it are not the earlier subscriber's. (A claim
            # read without a problem has no sign of one: walk_claim refuses it.)
            found = claim.lost_hl or first_lost_hl(claim.body)
            if found is not None:
                self.lost_hl = found

    def build(self, claim: ClaimState) -> Claim | dict:
        """The claim; or, when a value needs ``Claim.from_dict``'s checks, its JSON shape (dates as dates)."""
        elements = claim.elements
        component = self.delimiters.component
        claim_id = elements[1] if len(elements) > 1 else ""
        if not claim_id.strip():
            raise ClaimProblem(claim.number, "CLM", "CLM01 (the claim id) is empty")
        facility = elements[5].split(component) if len(elements) > 5 else [""]
        place = facility[0] if self.claim_type == "professional" and facility[0] else None
        frequency = facility[2] if len(facility) > 2 and facility[2] else None
        # 837I: the type of bill is the facility type code (CLM05-1, its first two digits) and the frequency
        bill_type = facility[0] + frequency if self.claim_type == "institutional" and facility[0] and frequency \
            else None
        subscriber = self.subscriber
        payer = self.payer_of(subscriber) or None
        patient = self.patient_of(subscriber)
        received = self.received_of(claim)
        if not claim.lines:
            raise ClaimProblem(claim.number, "CLM", "the claim has no service line (LX with SV1 or SV2)")
        statement = None, None
        if self.claim_type == "institutional" and claim.statement is not None:  # (an 837P has no DTP*434)
            first, last = self.dates_of(claim.statement, "DTP*434 (statement dates)")
            statement = first, last or first
        line_values = self.line_values
        lines = [line_values(claim, line, component) for line in claim.lines]
        system = "icd9" if claim.system == "icd9" else "icd10"
        built = _claim_of(claim_id, self.claim_type, payer, patient, place, frequency, claim.prior_auth, received,
                          claim.diagnoses, system, lines, claim.conditions, claim.billing_npi, bill_type,
                          claim.replaces, statement)
        if built is not None:
            return built
        data: dict = {"id": claim_id, "type": self.claim_type}
        for key, value in (("place_of_service", place), ("frequency", frequency), ("payer", payer),
                           ("patient", patient or None), ("prior_auth", list(claim.prior_auth) or None),
                           ("received", received), ("condition_codes", list(claim.conditions) or None),
                           ("billing_npi", claim.billing_npi), ("bill_type", bill_type),
                           ("replaces", claim.replaces), ("statement_from", statement[0]),
                           ("statement_through", statement[1])):
            if value is not None:
                data[key] = value
        data["diagnoses"] = list(claim.diagnoses)
        if system == "icd9":
            data["diagnosis_system"] = "icd9"
        data["lines"] = [_line_shape(values) for values in lines]
        return data

    def patient_of(self, subscriber: dict) -> dict:
        """Birth date and sex of the patient (2010CA, else 2010BA), and the member id of a subscriber-patient."""
        patient: dict = {}
        dmg = (self.patient or subscriber).get("dmg")
        if self.patient is None and subscriber.get("member_id"):
            patient["id"] = subscriber["member_id"]
        if dmg is not None:
            number, dmg_elements = dmg
            if element_at(dmg_elements, 2):
                if element_at(dmg_elements, 1) not in ("D8", ""):
                    raise ClaimProblem(number, "DMG", "DMG01 must be D8 (a date as CCYYMMDD)")
                birth = self.date8(element_at(dmg_elements, 2))
                if birth is None:
                    raise ClaimProblem(number, "DMG", "DMG02 (birth date) is not a date as CCYYMMDD")
                patient["birth_date"] = birth
            sex = element_at(dmg_elements, 3)
            if sex:
                patient["sex"] = sex
        return patient

    def payer_of(self, subscriber: dict) -> str | None:
        payer_id = subscriber.get("payer_id")
        if payer_id and payer_id in self.payers:
            return mapped_payer(self.payers[payer_id])
        filing = subscriber.get("filing")
        if filing in FILING_INDICATOR_PAYERS:
            return FILING_INDICATOR_PAYERS[filing]
        return mapped_payer(subscriber.get("payer_name", ""))

    def received_of(self, claim: ClaimState) -> dt.date | None:
        if claim.received is not None:
            number, elements = claim.received
            value = self.date8(element_at(elements, 3)) if element_at(elements, 2) == "D8" else None
            if value is None:
                raise ClaimProblem(number, "DTP", "DTP*050 (received date) is not a D8 date as CCYYMMDD")
            return value
        if self.created is not None:
            number, text = self.created
            value = self.date8(text)
            if value is None:
                raise ClaimProblem(number, "BHT", "BHT04 (creation date) is not a date as CCYYMMDD")
            return value
        return None

    def date8(self, value: str) -> dt.date | None:
        """``_date8``, remembering the dates seen (a file holds few distinct dates)."""
        dates = self.dates
        date = dates.get(value)
        if date is None:
            date = _date8(value)
            if date is not None:
                if len(dates) >= _DATES_KEPT:
                    dates.clear()
                dates[value] = date
        return date

    def line_values(self, claim: ClaimState, line: _Line, component: str) -> tuple:
        """(code, modifiers, units, charge, date, end date, place of service, diagnosis pointers, rendering NPI,
        revenue code) of a service line; absent values are None (``_line_shape`` gives its JSON shape)."""
        elements = line.elements
        if elements is None:
            raise ClaimProblem(line.number, "LX", "a service line (LX) without its SV1 or SV2")
        number, segment_id = line.number, line.segment_id
        professional = segment_id == "SV1"
        size = len(elements)
        revenue = None
        if professional:
            procedure = elements[1] if size > 1 else ""
            charge = elements[2] if size > 2 else ""
            unit_at = 4
        else:
            revenue = (elements[1] if size > 1 else "") or None
            procedure = elements[2] if size > 2 else ""
            charge = elements[3] if size > 3 else ""
            unit_at = 5
        if not procedure and (professional or revenue is None):
            raise ClaimProblem(number, segment_id, "SV101 (the procedure code) is empty; radrules needs a CPT/HCPCS "
                               "code on every line" if professional else
                               "SV202 (the procedure code) is empty, and SV201 (the revenue code) too")
        code = modifiers = None
        if procedure:  # (an 837I line may give its revenue code alone: a pharmacy or supply line)
            parts = procedure.split(component)
            if parts[0] != "HC":
                raise ClaimProblem(number, segment_id, f"{segment_id}0{1 if professional else 2}-1 must be HC "
                                   "(CPT/HCPCS codes)")
            if len(parts) < 2 or not parts[1]:
                raise ClaimProblem(number, segment_id, f"{segment_id}0{1 if professional else 2}-2 (the "
                                   "procedure code) is empty")
            code = parts[1]
            if len(parts) > 2:
                modifiers = parts[2:6]
                while modifiers and not modifiers[-1]:
                    modifiers.pop()
                if "" in modifiers:
                    raise ClaimProblem(number, segment_id, f"{segment_id}0{1 if professional else 2}: an empty "
                                       "modifier before a later one")
                modifiers = modifiers or None
        units_text = elements[unit_at] if size > unit_at else ""
        units = _number(units_text) if units_text else None
        if units is None:
            raise ClaimProblem(number, segment_id, f"{segment_id}{unit_at:02d} (units) is missing or not a number")
        amount = None
        if charge:
            amount = _number(charge)
            if amount is None:
                raise ClaimProblem(number, segment_id, f"{segment_id}{unit_at - 2:02d} (charge) is not a number")
        start, end = self.line_dates(claim, line)
        if end == start:
            end = None
        place = pointers = None
        if professional:
            place = (elements[5] if size > 5 else "") or None
            text = elements[7] if size > 7 else ""
            if text:
                pointers = []
                for pointer in text.split(component):
                    if not is_digits(pointer):
                        raise ClaimProblem(number, segment_id, "SV107 (diagnosis pointers) must be whole numbers")
                    # past the bound, from_dict names it; int() would refuse one of over 4,300 digits
                    pointers.append(int(pointer) if len(pointer.lstrip("0")) <= 15 else MAX_NUMBER)
        elif claim.diagnoses:
            pointers = list(range(1, len(claim.diagnoses) + 1))
        # The guides send a rendering provider only where it differs from the one that stands for it: the
        # billing provider (2010AA) on an 837P, the attending provider (2310A) on an 837I.
        fallback = claim.billing_npi if self.claim_type == "professional" else claim.attending_npi
        npi = line.rendering_npi or claim.rendering_npi or fallback or None
        return code, modifiers, units, amount, start, end, place, pointers, npi, revenue

    def line_dates(self, claim: ClaimState, line: _Line) -> tuple[dt.date, dt.date | None]:
        if line.date is not None:
            return self.dates_of(line.date, "DTP*472 (service date)")
        if self.claim_type == "institutional" and claim.statement is not None:
            return self.dates_of(claim.statement, "DTP*434 (statement dates)")
        raise ClaimProblem(line.number, line.segment_id, "the service line has no service date (DTP*472)")

    def dates_of(self, dtp: tuple, what: str) -> tuple[dt.date, dt.date | None]:
        """The date (D8) or the first and last dates (RD8) of a DTP segment."""
        number, elements = dtp
        if len(elements) > 3:
            form, value = elements[2], elements[3]
        else:
            form, value = element_at(elements, 2), ""
        if form == "D8":
            date = self.date8(value)
            if date is not None:
                return date, None
        elif form == "RD8":
            first, dash, last = value.partition("-")
            start, end = self.date8(first), self.date8(last)
            if dash and start is not None and end is not None:
                return start, end
        raise ClaimProblem(number, "DTP", f"{what} is not a D8 date (CCYYMMDD) or an RD8 range "
                           "(CCYYMMDD-CCYYMMDD)")

    def place_of(self, path: str, claim: ClaimState) -> tuple[int, str]:
        """The segment behind a ClaimError's field path (``lines[2].units`` -> that line's SV1)."""
        head = path.split(".", 1)[0]
        if head.startswith("lines["):
            index = head[6:].split("]", 1)[0]
            if is_digits(index) and int(index) < len(claim.lines):
                line = claim.lines[int(index)]
                return line.number, line.segment_id
        elif head.startswith("statement_") and claim.statement is not None:
            return claim.statement[0], "DTP"
        elif head == "patient":
            dmg = (self.patient or self.subscriber).get("dmg")
            if dmg is not None:
                return dmg[0], "DMG"
        elif head.startswith(("diagnoses", "condition_codes")):
            # condition_codes[N]: the HI of the N-th BG composite; diagnoses: the first HI holding one
            component = self.delimiters.component
            wanted = {CONDITION_QUALIFIER} if head.startswith("condition_codes") else set(DIAGNOSIS_QUALIFIERS)
            index = head.partition("[")[2].rstrip("]")
            skip = int(index) if head.startswith("condition_codes") and is_digits(index) else 0
            for number, segment_id, elements in claim.body:
                if segment_id != "HI":
                    continue
                found = sum(1 for e in elements[1:] if e.split(component)[0] in wanted)
                if found > skip:
                    return number, "HI"
                skip -= found
        return claim.number, "CLM"


def _claim_of(claim_id, claim_type, payer, patient, place, frequency, prior_auth, received, diagnoses, system,
              lines, conditions, billing_npi, bill_type, replaces=None, statement=(None, None)) -> Claim | None:
    """The Claim ``Claim.from_dict`` would build from these values, or None when one of them needs its checks.

    The values are those the reader found (texts, whole numbers or numbers,
    dates, lists; ``statement`` the first and last days of the statement
    period, or two Nones); this only normalises them as ``Claim.from_dict`` does
    (stripped texts, upper-case codes) and leaves anything it would refuse
    to it, so that it names the problem.
    """
    if payer is not None:
        if type(payer) is not str:
            return None
        payer = payer.strip()
        if not payer.isprintable():  # a control or invisible character: from_dict names it
            return None
    if frequency is not None:
        frequency = frequency.strip()
        if not FREQUENCY.match(frequency):
            return None
    prior_auth = tuple([text.strip() for text in prior_auth])
    diagnoses = tuple([text.strip() for text in diagnoses])
    if not all(prior_auth) or not all(diagnoses):
        return None
    conditions = tuple([text.strip().upper() for text in conditions])
    if not all(map(is_condition_code, conditions)):
        return None
    if patient:
        sex = patient.get("sex")
        if sex is not None:
            sex = sex.strip().upper()
            if sex not in SEXES:
                return None
        member = (patient.get("id") or "").strip()
        if not is_identifier(member):
            return None  # Claim.from_dict names it
        patient = Patient(birth_date=patient.get("birth_date"), sex=sex, id=member or None)
    else:
        patient = Patient()
    if len(lines) > MAX_LINES or (bill_type is not None and not _BILL_TYPE_DIGITS.match(bill_type)):
        return None
    statement_from, statement_through = statement
    if statement_from is not None and statement_through < statement_from:
        return None
    built = []
    for code, modifiers, units, charge, start, end, line_place, pointers, npi, revenue in lines:
        if code is not None:  # (None: an 837I line of a revenue code alone)
            code = code.strip().upper()
            if not code:
                return None
        if not 0 < units < MAX_NUMBER or (charge is not None and not 0 <= charge < MAX_NUMBER):
            return None
        if modifiers:
            modifiers = tuple([modifier.strip().upper() for modifier in modifiers])
            if not all(modifiers):
                return None
        else:
            modifiers = ()
        if pointers:
            if min(pointers) < 1 or max(pointers) >= MAX_NUMBER:
                return None
            pointers = tuple(pointers)
        else:
            pointers = ()
        if revenue is not None:
            revenue = revenue.strip()
            if not REVENUE_CODE.match(revenue):
                return None
        built.append(Line(
            code=code, date=start, units=units, modifiers=modifiers, diagnosis_pointers=pointers, end_date=end,
            charge=charge, place_of_service=None if line_place is None else line_place.strip(),
            rendering_npi=None if npi is None else npi.strip() or None, revenue_code=revenue,
        ))
    claim_id = claim_id.strip()
    if not is_identifier(claim_id):
        return None  # Claim.from_dict names it
    return mark_checked(Claim(
        id=claim_id or None, type=claim_type, payer=payer, patient=patient,
        place_of_service=None if place is None else place.strip(), prior_auth=prior_auth, received=received,
        diagnoses=diagnoses, frequency=frequency, diagnosis_system=system, condition_codes=conditions,
        billing_npi=None if billing_npi is None else billing_npi.strip() or None, bill_type=bill_type,
        replaces=replaces, statement_from=statement_from, statement_through=statement_through, lines=tuple(built),
    ))


def _line_shape(values: tuple) -> dict:
    """A line's JSON shape from ``Walker.line_values``."""
    code, modifiers, units, charge, start, end, place, pointers, npi, revenue = values
    out: dict = {"units": units, "date": start} if code is None else {"code": code, "units": units, "date": start}
    for key, value in (("modifiers", modifiers), ("charge", charge), ("end_date", end), ("place_of_service", place),
                       ("diagnosis_pointers", pointers), ("rendering_npi", npi), ("revenue_code", revenue)):
        if value is not None:
            out[key] = value
    return out


def element_at(elements: list, position: int) -> str:
    return elements[position] if position < len(elements) else ""
