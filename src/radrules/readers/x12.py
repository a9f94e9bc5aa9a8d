"""ASC X12 837P (005010X222A1) and 837I (005010X223A2) claims, read as a stream.

:func:`read_x12` reads a file in chunks and never holds more than one claim
(and one chunk) in memory, so a file of a million claims reads in constant
memory. docs/readers.md has the mapping of every field.

- The delimiters come from the ISA segment: the element separator is its
  4th character, the component separator ISA16, the segment terminator the
  character after ISA16 (line breaks after it are ignored).
- Segments are numbered from 1 (the ISA) through the whole file; every error
  names that number and the segment id, never a value from the file.
- Every CLM segment starts a claim; the claim ends at the next CLM, HL or SE.
  A claim that can't be mapped gives an :class:`~radrules.errors.InputError`
  (yielded, not raised) and the reader goes on with the next claim. An
  envelope whose counts or control numbers disagree is yielded the same way,
  after the claims it holds. A file whose structure is broken (no ISA,
  segments outside an envelope, a cut-off file) raises InputError.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import IO, Iterator, Mapping

from ..claim import _FREQUENCY, _REVENUE_CODE, SEXES, Claim, Line, Patient
from ..errors import ClaimError, InputError

CHUNK = 1 << 16
#: What may follow the last segment terminator of a file (line ends, blanks, a DOS end-of-file mark).
TRAILING = "\r\n \t\x1a"
#: How many distinct dates a reader remembers (it forgets them all when full).
_DATES_KEPT = 4096

#: SBR09 claim filing indicator codes that name the payer for the bundled rules.
FILING_INDICATOR_PAYERS = {"MA": "medicare", "MB": "medicare", "MC": "medicaid"}

#: HI qualifiers that carry diagnoses: (ICD system, principal?)
DIAGNOSIS_QUALIFIERS = {
    "ABK": ("icd10", True), "ABF": ("icd10", False),
    "BK": ("icd9", True), "BF": ("icd9", False),
}

#: Segments the walker reads; every other segment is only counted.
_READ = frozenset((
    "ISA", "IEA", "GS", "GE", "ST", "SE", "BHT", "HL", "SBR", "NM1", "DMG", "CLM", "REF", "DTP",
    "HI", "LX", "SV1", "SV2",
))
#: Segments of a CLM loop that the claim is built from; a claim's other segments are skipped.
_CLAIM_BODY = frozenset(("LX", "SV1", "SV2", "SBR", "NM1", "REF", "DTP", "HI"))
#: Segments that end a CLM loop (a claim ends at the next CLM, HL or SE; the others are errors there).
_CLAIM_END = frozenset(("CLM", "HL", "SE", "ST", "GS", "GE", "ISA", "IEA"))


# ---------------------------------------------------------------- tokenizer


class Delimiters:
    """The separators an interchange declares in its ISA segment."""

    __slots__ = ("element", "component", "repetition", "segment")

    def __init__(self, element: str, component: str, repetition: str | None, segment: str):
        self.element = element
        self.component = component
        self.repetition = repetition
        self.segment = segment


def _delimiters(head: str, name: str) -> tuple[Delimiters, int]:
    """The delimiters of the ISA at the start of ``head``, and where the ISA ends."""
    if len(head) < 4:
        raise InputError(name, "too short for an ISA segment", segment=1, segment_id="ISA")
    element = head[3]
    if element.isalnum() or element.isspace():
        raise InputError(name, "the element separator (4th character) is a letter, digit or space",
                         segment=1, segment_id="ISA")
    position = 3
    for _ in range(15):
        position = head.find(element, position + 1)
        if position < 0:
            raise InputError(name, "the ISA segment has fewer than 16 elements", segment=1, segment_id="ISA")
    if position + 2 >= len(head):
        raise InputError(name, "the ISA segment is cut off", segment=1, segment_id="ISA")
    component, terminator = head[position + 1], head[position + 2]
    if component.isalnum() or terminator.isalnum() or len({element, component, terminator}) < 3:
        raise InputError(name, "the component separator (ISA16) and the segment terminator after it must be "
                         "two different characters that are not letters, digits or the element separator",
                         segment=1, segment_id="ISA")
    fields = head[:position + 2].split(element)
    repetition = fields[11] if len(fields[11]) == 1 and not fields[11].isalnum() else None
    if repetition in (element, component, terminator, " "):
        repetition = None
    return Delimiters(element, component, repetition, terminator), position + 3


def _open(source) -> tuple[IO, str, bool]:
    """(file object, name for messages, whether we opened it)."""
    if isinstance(source, (str, os.PathLike)):
        name = os.fspath(source)
        try:
            return open(name, "rb"), name, True
        except OSError as problem:
            raise InputError(name, f"can't read the file: {problem.strerror}") from None
    name = getattr(source, "name", None)
    return source, name if isinstance(name, str) else "<x12>", False


def _chunks(handle, name: str) -> Iterator[str]:
    """The file's text in chunks (bytes are read as Latin-1, so no byte is ever refused)."""
    first = True
    while True:
        try:
            chunk = handle.read(CHUNK)
        except OSError as problem:
            raise InputError(name, f"can't read the file: {problem.strerror}") from None
        if not chunk:
            return
        if isinstance(chunk, bytes):
            if first and chunk.startswith(b"\xef\xbb\xbf"):
                chunk = chunk[3:]
            chunk = chunk.decode("latin-1")
        elif first and chunk.startswith("\ufeff"):
            chunk = chunk[1:]
        first = False
        yield chunk


def tokenize(source) -> Iterator[tuple[int, str, str]]:
    """(1-based number, segment id, segment text) for every segment of an X12 file.

    Reads the file in chunks. The first item's text is the ISA; call
    :func:`delimiters_of` on it for the separators. Raises InputError if the
    file does not start with an ISA segment.
    """
    handle, name, opened = _open(source)
    try:
        yield from _tokenize(handle, name)
    finally:
        if opened:
            handle.close()


#: Problems the tokenizer reports (also readers/x12_split.py).
NOT_A_SEGMENT = ("not a segment: a segment starts with an id of 2 or 3 letters or digits (are the delimiters "
                 "in the ISA right?)")
OTHER_DELIMITERS = "this interchange uses other delimiters than the first one; split the file at its ISA segments"
CUT_OFF = "the file ends inside a segment (no segment terminator after it)"


def _head(chunks: Iterator[str], name: str) -> tuple[str, Delimiters | None]:
    """The first chunks (at least 200 characters, leading blanks dropped) and the ISA's delimiters (None: no text)."""
    head = ""
    for chunk in chunks:
        head += chunk
        if len(head.lstrip()) >= 200:
            break
    head = head.lstrip()
    if not head:
        return head, None
    if not head.startswith("ISA"):
        raise InputError(name, "not an X12 file: it must start with an ISA segment", segment=1)
    return head, _delimiters(head, name)[0]


def _tokenize(handle, name: str) -> Iterator[tuple[int, str, str]]:
    """:func:`tokenize` on an open file."""
    chunks = _chunks(handle, name)
    head, delimiters = _head(chunks, name)
    if delimiters is None:
        return
    element, terminator = delimiters.element, delimiters.segment
    number = 0
    rest = ""
    pending = [head]
    while True:
        if pending:
            text = pending.pop()
        else:
            text = next(chunks, None)
            if text is None:
                break
        text = rest + text
        pieces = text.split(terminator)
        rest = pieces.pop()
        blank = "\n" in text or "\r" in text
        for segment in pieces:
            if blank:
                segment = segment.strip("\r\n")
            if not segment:
                continue
            number += 1
            cut = segment.find(element)
            segment_id = segment if cut < 0 else segment[:cut]
            if not (1 < len(segment_id) < 4 and segment_id.isalnum()):
                raise InputError(name, NOT_A_SEGMENT, segment=number)
            if segment_id == "ISA" and number > 1 and (segment[3:4] != element or segment[-2:-1] != element):
                raise InputError(name, OTHER_DELIMITERS, segment=number, segment_id="ISA")
            yield number, segment_id, segment
    if rest.strip(TRAILING):
        raise InputError(name, CUT_OFF, segment=number + 1)


def delimiters_of(isa: str) -> Delimiters:
    """The delimiters declared by an ISA segment's text (without its terminator, which it can't tell)."""
    element, component = isa[3], isa[-1]
    fields = isa.split(element)
    repetition = fields[11] if len(fields) > 11 and len(fields[11]) == 1 and not fields[11].isalnum() else None
    return Delimiters(element, component, repetition if repetition not in (component, " ") else None, None)


# ---------------------------------------------------------------- claims


def read_x12(source, *, payers: Mapping[str, str] | None = None) -> Iterator[Claim | InputError]:
    """Yield a :class:`~radrules.Claim` for every CLM loop of an 837P or 837I file.

    ``source`` is a path or a file object (binary or text). A claim that can't
    be mapped yields an :class:`~radrules.errors.InputError` whose ``claim``
    is its position in the file (the next claims are still read); a broken
    file raises InputError. ``payers`` maps payer ids (NM1*PR09 of loop
    2010BB) to the payer names radrules rules use; it wins over the default
    mapping (docs/readers.md).
    """
    handle, name, opened = _open(source)
    try:
        walker = _Walker(name, dict(payers or {}))
        out = walker.out
        read, body_ids, end_ids = _READ, _CLAIM_BODY, _CLAIM_END
        number, segment_id = 0, None
        body = None  # the segments of the CLM loop being read
        element = None
        for number, segment_id, text in _tokenize(handle, name):
            if body is not None and segment_id not in end_ids:
                if segment_id in body_ids:
                    body.append((number, segment_id, text.split(element)))
                continue
            if segment_id in read:
                walker.segment(number, segment_id, text)
                if out:
                    yield from out
                    out.clear()
                body = walker.claim.body if walker.claim is not None else None
                element = walker.delimiters.element
            elif not walker.in_transaction:
                walker.outside(number, segment_id)
        walker.finish(number, segment_id)
    finally:
        if opened:
            handle.close()


def _date8(value: str) -> dt.date | None:
    if len(value) != 8 or not value.isdecimal():
        return None
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


def _number(value: str) -> float | int | None:
    if value.isdecimal() and len(value) < 16:  # a whole number, exact as a float too
        return int(value)
    try:
        number = float(value)
    except ValueError:
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return int(number) if number.is_integer() else number


class _ClaimProblem(Exception):
    """One claim can't be mapped: raised inside the walker, yielded as an InputError."""

    def __init__(self, number: int, segment_id: str, problem: str):
        self.number = number
        self.segment_id = segment_id
        self.problem = problem


class _Line:
    __slots__ = ("number", "segment_id", "elements", "date", "rendering_npi", "prior_auth")

    def __init__(self, number: int):
        self.number = number  # of the LX (or of the SV1/SV2 when there is no LX)
        self.segment_id = "LX"
        self.elements = None
        self.date = None  # (segment number, DTP elements)
        self.rendering_npi = None
        self.prior_auth = None


class _ClaimState:
    """What one CLM loop has collected so far."""

    __slots__ = ("position", "number", "elements", "body", "lines", "diagnoses", "system", "principal",
                 "prior_auth", "rendering_npi", "received", "statement", "problem")

    def __init__(self, position: int, number: int, elements: list):
        self.position = position
        self.number = number
        self.elements = elements
        self.body: list[tuple[int, str, list]] = []  # (number, id, elements) of its _CLAIM_BODY segments
        self.lines: list[_Line] = []
        self.diagnoses: list[str] = []
        self.system = None
        self.principal = False
        self.prior_auth: list[str] = []
        self.rendering_npi = None
        self.received = None  # (segment number, value)
        self.statement = None  # (segment number, DTP elements)
        self.problem: _ClaimProblem | None = None


class _Walker:
    """Walks the segments: envelopes, HL levels, CLM loops; builds claims."""

    def __init__(self, name: str, payers: dict):
        self.name = name
        self.payers = payers
        self.delimiters: Delimiters | None = None
        self.envelope: list[tuple[str, int, str, int]] = []  # (id, segment number, control number, count)
        self.in_transaction = False
        self.out: list = []  # what the last segment produced: claims and errors, in order
        self.claim_type = None
        self.created = None  # BHT04 (segment number, value)
        self.level = None  # HL03 of the current HL
        self.subscriber: dict = {}
        self.patient: dict | None = None
        self.last_entity = None
        self.claim: _ClaimState | None = None
        self.claims = 0
        self.version = ""
        self.skipped = 0
        self.skip_reason = ""
        self.transaction_control = ""
        self.transaction_start = 0
        self.dates: dict[str, dt.date] = {}  # CCYYMMDD -> date, see date8()

    def snapshot(self) -> tuple:
        """What a walker resumed inside a transaction set needs (see readers/x12_split.py)."""
        return (self.name, self.payers, self.delimiters, self.claim_type, self.created, self.level,
                dict(self.subscriber), None if self.patient is None else dict(self.patient), self.last_entity,
                self.claims)

    @classmethod
    def resume(cls, snapshot: tuple) -> "_Walker":
        """A walker in the state of :meth:`snapshot`, inside the transaction set."""
        (name, payers, delimiters, claim_type, created, level, subscriber, patient, last_entity,
         claims) = snapshot
        walker = cls(name, payers)
        walker.delimiters, walker.claim_type, walker.created, walker.level = delimiters, claim_type, created, level
        walker.subscriber, walker.patient, walker.last_entity, walker.claims = subscriber, patient, last_entity, claims
        walker.in_transaction = True
        return walker

    # ------------------------------------------------------------ envelope

    def error(self, number: int, segment_id: str, problem: str) -> InputError:
        return InputError(self.name, problem, segment=number, segment_id=segment_id)

    def outside(self, number: int, segment_id: str) -> None:
        """A segment outside a transaction set that is not an envelope segment."""
        if not self.envelope:
            raise self.error(number, segment_id, "a segment outside any interchange (ISA ... IEA)")
        elif len(self.envelope) == 1:
            raise self.error(number, segment_id, "a segment outside any functional group (GS ... GE)")
        else:
            raise self.error(number, segment_id, "a segment outside any transaction set (ST ... SE)")

    def segment(self, number: int, segment_id: str, text: str) -> None:
        delimiters = self.delimiters
        if segment_id == "ISA":
            if self.envelope:
                raise self.error(number, segment_id, "an ISA inside an interchange (missing IEA)")
            self.delimiters = delimiters = delimiters_of(text)
            elements = text.split(delimiters.element)
            if len(elements) != 17:
                raise self.error(number, segment_id, f"the ISA segment has {len(elements) - 1} elements, not 16")
            self.envelope.append(("ISA", number, elements[13].strip(), 0))
            return
        elements = text.split(delimiters.element)
        if self.in_transaction:
            if segment_id == "SE":
                self.end_claim()
                self.close_transaction(number, elements)
                return
            if segment_id in ("ST", "GS", "GE", "ISA", "IEA"):
                raise self.error(number, segment_id, "the transaction set before this segment has no SE")
            self.transaction_segment(number, segment_id, elements)
            return
        if segment_id == "GS":
            if len(self.envelope) != 1:
                raise self.error(number, segment_id, "a GS outside an interchange, or inside a group (missing GE)")
            self.envelope.append(("GS", number, _element(elements, 6), 0))
            self.version = _element(elements, 8)
        elif segment_id == "ST":
            if len(self.envelope) != 2:
                raise self.error(number, segment_id, "an ST outside a functional group (GS ... GE)")
            self.open_transaction(number, elements)
        elif segment_id == "GE":
            if len(self.envelope) != 2:
                raise self.error(number, segment_id, "a GE without its GS")
            _, start, control, count = self.envelope.pop()
            self.check_trailer(number, "GE", elements, control, count, "transaction sets")
            self.bump()
        elif segment_id == "IEA":
            if len(self.envelope) != 1:
                raise self.error(number, segment_id, "an IEA without its ISA, or inside a group (missing GE)")
            _, start, control, count = self.envelope.pop()
            self.check_trailer(number, "IEA", elements, control, count, "functional groups")
        elif segment_id == "SE":
            raise self.error(number, segment_id, "an SE without its ST")
        else:
            self.outside(number, segment_id)

    def bump(self) -> None:
        kind, start, control, count = self.envelope[-1]
        self.envelope[-1] = (kind, start, control, count + 1)

    def check_trailer(self, number, segment_id, elements, control, count, what) -> None:
        said = _element(elements, 1)
        if said != str(count):
            self.out.append(self.error(number, segment_id, f"{segment_id}01 says {_quote_count(said)} {what}, "
                                       f"but the envelope holds {count}"))
        if _element(elements, 2).strip() != control:
            opener = "GS" if segment_id == "GE" else "ISA"
            self.out.append(self.error(number, segment_id, f"{segment_id}02 does not match the control number "
                                       f"of the {opener} that opened it"))

    def open_transaction(self, number: int, elements: list) -> None:
        self.in_transaction = True
        self.transaction_control = _element(elements, 2)
        self.transaction_start = number
        version = _element(elements, 3) or self.version
        if _element(elements, 1) != "837":
            self.claim_type = None
            self.skip_reason = "the transaction set is not an 837 (ST01); its claims are not read"
        elif "X222" in version:
            self.claim_type = "professional"
        elif "X223" in version:
            self.claim_type = "institutional"
        else:
            self.claim_type = None
            self.skip_reason = ("the transaction set is not an 837P (005010X222A1) or 837I (005010X223A2) "
                                "(ST03, GS08); its claims are not read")
        self.created = None
        self.level = None
        self.subscriber = {}
        self.patient = None
        self.last_entity = None
        self.skipped = 0
        self.bump()

    def close_transaction(self, number: int, elements: list) -> None:
        self.in_transaction = False
        said = _element(elements, 1)
        count = number - self.transaction_start + 1
        if said != str(count):
            self.out.append(self.error(number, "SE", f"SE01 says {_quote_count(said)} segments, "
                                       f"but the transaction set has {count}"))
        if _element(elements, 2) != self.transaction_control:
            self.out.append(self.error(number, "SE", "SE02 does not match the control number of its ST"))
        if self.claim_type is None and self.skipped:
            self.out.append(self.error(self.transaction_start, "ST", self.skip_reason))

    def finish(self, number: int, segment_id: str | None) -> None:
        """After the last segment (its number and id): every envelope must be closed."""
        if self.in_transaction or self.envelope:
            missing = "SE" if self.in_transaction else ("GE" if len(self.envelope) == 2 else "IEA")
            raise InputError(self.name, f"the file ends after this segment without its {missing}: is it cut off?",
                             segment=number, segment_id=segment_id)

    # ------------------------------------------------------------ transaction content

    def transaction_segment(self, number: int, segment_id: str, elements: list) -> None:
        claim = self.claim
        if segment_id == "CLM":
            self.end_claim()
            self.claims += 1
            if self.claim_type is None:
                self.skipped += 1
                return
            self.claim = _ClaimState(self.claims, number, elements)
            if self.level is None:
                self.claim.problem = _ClaimProblem(number, "CLM", "a claim (CLM) before any subscriber (HL)")
            return
        if segment_id == "HL":
            self.end_claim()
            level = _element(elements, 3)
            self.level = level
            if level == "22":
                self.subscriber = {"number": number}
                self.patient = None
            elif level == "23":
                self.patient = {"number": number}
            self.last_entity = None
            return
        if claim is None:
            self.header_segment(number, segment_id, elements)
        elif segment_id in _CLAIM_BODY:
            claim.body.append((number, segment_id, elements))

    def header_segment(self, number: int, segment_id: str, elements: list) -> None:
        """Segments before the first CLM of a subscriber or patient loop."""
        if segment_id == "BHT":
            self.created = (number, _element(elements, 4))
        elif segment_id == "SBR" and self.level == "22":
            self.subscriber["filing"] = _element(elements, 9)
        elif segment_id == "NM1":
            entity = _element(elements, 1)
            self.last_entity = entity
            if entity == "IL" and self.level == "22":
                if _element(elements, 8) == "MI":
                    self.subscriber["member_id"] = _element(elements, 9) or None
            elif entity == "PR" and self.level == "22":
                self.subscriber["payer_name"] = _element(elements, 3)
                self.subscriber["payer_id"] = _element(elements, 9)
        elif segment_id == "DMG":
            if self.last_entity == "IL" and self.level == "22":
                self.subscriber["dmg"] = (number, elements)
            elif self.last_entity == "QC" and self.level == "23" and self.patient is not None:
                self.patient["dmg"] = (number, elements)

    def walk_claim(self, claim: _ClaimState) -> None:
        """Read the segments of a CLM loop in order (2300/2310, other subscribers 2320/2330, lines 2400)."""
        expected = "SV1" if self.claim_type == "professional" else "SV2"
        section = "claim"  # claim (2300/2310), other (2320/2330), line (2400/2410/2420)
        lines = claim.lines
        line = None
        for number, segment_id, elements in claim.body:
            if segment_id == "LX":
                section = "line"
                line = _Line(number)
                lines.append(line)
                continue
            if segment_id == "SV1" or segment_id == "SV2":
                if segment_id != expected:
                    raise _ClaimProblem(number, segment_id, f"a {segment_id} service line in an "
                                        f"{'837P' if expected == 'SV1' else '837I'} claim, which uses {expected}")
                if section != "line" or line.elements is not None:
                    section = "line"
                    line = _Line(number)
                    lines.append(line)
                line.number, line.segment_id, line.elements = number, segment_id, elements
                continue
            if segment_id == "SBR":
                if section == "line":
                    raise _ClaimProblem(number, segment_id, "an other-subscriber loop (SBR) after the service lines")
                section = "other"
                continue
            if section == "other":
                continue
            if segment_id == "DTP":
                qualifier = elements[1] if len(elements) > 1 else ""
                if section == "line":
                    if qualifier == "472":
                        line.date = (number, elements)
                elif qualifier == "050":
                    claim.received = (number, elements)
                elif qualifier == "434":
                    claim.statement = (number, elements)
            elif segment_id == "NM1":
                if _element(elements, 1) == "82" and _element(elements, 8) == "XX":
                    npi = _element(elements, 9) or None
                    if section == "line":
                        line.rendering_npi = npi
                    else:
                        claim.rendering_npi = npi
            elif segment_id == "REF":
                if _element(elements, 1) == "G1":
                    value = _element(elements, 2)
                    if not value:
                        raise _ClaimProblem(number, segment_id, "REF*G1 without a prior-authorization number (REF02)")
                    if value not in claim.prior_auth:
                        claim.prior_auth.append(value)
            elif segment_id == "HI" and section == "claim":
                self.diagnoses(claim, number, elements)

    def diagnoses(self, claim: _ClaimState, number: int, elements: list) -> None:
        component = self.delimiters.component
        for position in range(1, len(elements)):
            composite = elements[position]
            if not composite:
                continue
            parts = composite.split(component)
            qualifier = parts[0]
            where = f"HI{position:02d}"
            if len(parts) < 2 or not parts[1]:
                if qualifier in DIAGNOSIS_QUALIFIERS or len(parts) < 2:
                    raise _ClaimProblem(number, "HI", f"{where} has no code after its qualifier: qualifier and "
                                        f"code must be one composite, joined by the component separator "
                                        f"`{component}`")
                continue
            kind = DIAGNOSIS_QUALIFIERS.get(qualifier)
            if kind is None:
                continue  # occurrence, value, condition codes, procedures, other diagnoses
            system, principal = kind
            if claim.system is not None and claim.system != system:
                raise _ClaimProblem(number, "HI", "the claim mixes ICD-9-CM (BK/BF) and ICD-10-CM (ABK/ABF) "
                                    "diagnoses")
            claim.system = system
            code = parts[1].strip()
            if principal:
                if claim.principal:
                    raise _ClaimProblem(number, "HI", f"{where}: a second principal diagnosis ({qualifier})")
                claim.principal = True
                claim.diagnoses.insert(0, code)
            else:
                claim.diagnoses.append(code)

    # ------------------------------------------------------------ building a claim

    def end_claim(self) -> None:
        claim = self.claim
        if claim is None:
            return
        self.claim = None
        try:
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
                raise _ClaimProblem(number, segment_id, str(error)) from None
        except _ClaimProblem as problem:
            self.out.append(InputError(self.name, problem.problem, segment=problem.number,
                                       segment_id=problem.segment_id, claim=claim.position))

    def build(self, claim: _ClaimState) -> Claim | dict:
        """The claim; or, when a value needs ``Claim.from_dict``'s checks, its JSON shape (dates as dates)."""
        elements = claim.elements
        component = self.delimiters.component
        claim_id = elements[1] if len(elements) > 1 else ""
        if not claim_id:
            raise _ClaimProblem(claim.number, "CLM", "CLM01 (the claim id) is empty")
        facility = elements[5].split(component) if len(elements) > 5 else [""]
        place = facility[0] if self.claim_type == "professional" and facility[0] else None
        frequency = facility[2] if len(facility) > 2 and facility[2] else None
        subscriber = self.subscriber
        payer = self.payer_of(subscriber) or None
        patient = self.patient_of(subscriber)
        received = self.received_of(claim)
        if not claim.lines:
            raise _ClaimProblem(claim.number, "CLM", "the claim has no service line (LX with SV1 or SV2)")
        line_values = self.line_values
        lines = [line_values(claim, line, component) for line in claim.lines]
        system = "icd9" if claim.system == "icd9" else "icd10"
        built = _claim_of(claim_id, self.claim_type, payer, patient, place, frequency, claim.prior_auth, received,
                          claim.diagnoses, system, lines)
        if built is not None:
            return built
        data: dict = {"id": claim_id, "type": self.claim_type}
        for key, value in (("place_of_service", place), ("frequency", frequency), ("payer", payer),
                           ("patient", patient or None), ("prior_auth", list(claim.prior_auth) or None),
                           ("received", received)):
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
            if _element(dmg_elements, 2):
                if _element(dmg_elements, 1) not in ("D8", ""):
                    raise _ClaimProblem(number, "DMG", "DMG01 must be D8 (a date as CCYYMMDD)")
                birth = self.date8(_element(dmg_elements, 2))
                if birth is None:
                    raise _ClaimProblem(number, "DMG", "DMG02 (birth date) is not a date as CCYYMMDD")
                patient["birth_date"] = birth
            sex = _element(dmg_elements, 3)
            if sex:
                patient["sex"] = sex
        return patient

    def payer_of(self, subscriber: dict) -> str | None:
        payer_id = subscriber.get("payer_id")
        if payer_id and payer_id in self.payers:
            return self.payers[payer_id]
        filing = subscriber.get("filing")
        if filing in FILING_INDICATOR_PAYERS:
            return FILING_INDICATOR_PAYERS[filing]
        name = " ".join(subscriber.get("payer_name", "").split()).lower()
        return name or None

    def received_of(self, claim: _ClaimState) -> dt.date | None:
        if claim.received is not None:
            number, elements = claim.received
            value = self.date8(_element(elements, 3)) if _element(elements, 2) == "D8" else None
            if value is None:
                raise _ClaimProblem(number, "DTP", "DTP*050 (received date) is not a D8 date as CCYYMMDD")
            return value
        if self.created is not None:
            number, text = self.created
            value = self.date8(text)
            if value is None:
                raise _ClaimProblem(number, "BHT", "BHT04 (creation date) is not a date as CCYYMMDD")
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

    def line_values(self, claim: _ClaimState, line: _Line, component: str) -> tuple:
        """(code, modifiers, units, charge, date, end date, place of service, diagnosis pointers, rendering NPI,
        revenue code) of a service line; absent values are None (``_line_shape`` gives its JSON shape)."""
        elements = line.elements
        if elements is None:
            raise _ClaimProblem(line.number, "LX", "a service line (LX) without its SV1 or SV2")
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
        if not procedure:
            raise _ClaimProblem(number, segment_id, f"{segment_id}0{1 if professional else 2} (the procedure code) "
                                "is empty; radrules needs a CPT/HCPCS code on every line")
        parts = procedure.split(component)
        if parts[0] != "HC":
            raise _ClaimProblem(number, segment_id, f"{segment_id}0{1 if professional else 2}-1 must be HC "
                                "(CPT/HCPCS codes)")
        if len(parts) < 2 or not parts[1]:
            raise _ClaimProblem(number, segment_id, f"{segment_id}0{1 if professional else 2}-2 (the procedure "
                                "code) is empty")
        modifiers = None
        if len(parts) > 2:
            modifiers = parts[2:6]
            while modifiers and not modifiers[-1]:
                modifiers.pop()
            if "" in modifiers:
                raise _ClaimProblem(number, segment_id, f"{segment_id}0{1 if professional else 2}: an empty "
                                    "modifier before a later one")
            modifiers = modifiers or None
        units_text = elements[unit_at] if size > unit_at else ""
        units = _number(units_text) if units_text else None
        if units is None:
            raise _ClaimProblem(number, segment_id, f"{segment_id}{unit_at:02d} (units) is missing or not a number")
        amount = None
        if charge:
            amount = _number(charge)
            if amount is None:
                raise _ClaimProblem(number, segment_id, f"{segment_id}{unit_at - 2:02d} (charge) is not a number")
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
                    if not pointer.isdecimal():
                        raise _ClaimProblem(number, segment_id, "SV107 (diagnosis pointers) must be whole numbers")
                    pointers.append(int(pointer))
        elif claim.diagnoses:
            pointers = list(range(1, len(claim.diagnoses) + 1))
        npi = line.rendering_npi or claim.rendering_npi or None
        return parts[1], modifiers, units, amount, start, end, place, pointers, npi, revenue

    def line_dates(self, claim: _ClaimState, line: _Line) -> tuple[dt.date, dt.date | None]:
        if line.date is not None:
            return self.dates_of(line.date, "DTP*472 (service date)")
        if self.claim_type == "institutional" and claim.statement is not None:
            return self.dates_of(claim.statement, "DTP*434 (statement dates)")
        raise _ClaimProblem(line.number, line.segment_id, "the service line has no service date (DTP*472)")

    def dates_of(self, dtp: tuple, what: str) -> tuple[dt.date, dt.date | None]:
        """The date (D8) or the first and last dates (RD8) of a DTP segment."""
        number, elements = dtp
        if len(elements) > 3:
            form, value = elements[2], elements[3]
        else:
            form, value = _element(elements, 2), ""
        if form == "D8":
            date = self.date8(value)
            if date is not None:
                return date, None
        elif form == "RD8":
            first, dash, last = value.partition("-")
            start, end = self.date8(first), self.date8(last)
            if dash and start is not None and end is not None:
                return start, end
        raise _ClaimProblem(number, "DTP", f"{what} is not a D8 date (CCYYMMDD) or an RD8 range "
                            "(CCYYMMDD-CCYYMMDD)")

    def place_of(self, path: str, claim: _ClaimState) -> tuple[int, str]:
        """The segment behind a ClaimError's field path (``lines[2].units`` -> that line's SV1)."""
        head = path.split(".", 1)[0]
        if head.startswith("lines["):
            index = head[6:].split("]", 1)[0]
            if index.isdecimal() and int(index) < len(claim.lines):
                line = claim.lines[int(index)]
                return line.number, line.segment_id
        elif head == "patient":
            dmg = (self.patient or self.subscriber).get("dmg")
            if dmg is not None:
                return dmg[0], "DMG"
        return claim.number, "CLM"


def _claim_of(claim_id, claim_type, payer, patient, place, frequency, prior_auth, received, diagnoses, system,
              lines) -> Claim | None:
    """The Claim ``Claim.from_dict`` would build from these values, or None when one of them needs its checks.

    The values are those the reader found (texts, whole numbers or numbers,
    dates, lists); this only normalises them as ``Claim.from_dict`` does
    (stripped texts, upper-case codes) and leaves anything it would refuse
    to it, so that it names the problem.
    """
    if payer is not None:
        if type(payer) is not str:
            return None
        payer = payer.strip()
    if frequency is not None:
        frequency = frequency.strip()
        if not _FREQUENCY.match(frequency):
            return None
    prior_auth = tuple([text.strip() for text in prior_auth])
    diagnoses = tuple([text.strip() for text in diagnoses])
    if not all(prior_auth) or not all(diagnoses):
        return None
    if patient:
        sex = patient.get("sex")
        if sex is not None:
            sex = sex.strip().upper()
            if sex not in SEXES:
                return None
        patient = Patient(birth_date=patient.get("birth_date"), sex=sex, id=patient.get("id"))
    else:
        patient = Patient()
    built = []
    for code, modifiers, units, charge, start, end, line_place, pointers, npi, revenue in lines:
        code = code.strip().upper()
        if not code or units <= 0 or (charge is not None and charge < 0):
            return None
        if modifiers:
            modifiers = tuple([modifier.strip().upper() for modifier in modifiers])
            if not all(modifiers):
                return None
        else:
            modifiers = ()
        if pointers:
            if min(pointers) < 1:
                return None
            pointers = tuple(pointers)
        else:
            pointers = ()
        if revenue is not None:
            revenue = revenue.strip()
            if not _REVENUE_CODE.match(revenue):
                return None
        built.append(Line(
            code=code, date=start, units=units, modifiers=modifiers, diagnosis_pointers=pointers, end_date=end,
            charge=charge, place_of_service=None if line_place is None else line_place.strip(),
            rendering_npi=None if npi is None else npi.strip(), revenue_code=revenue,
        ))
    return Claim(
        id=claim_id, type=claim_type, payer=payer, patient=patient,
        place_of_service=None if place is None else place.strip(), prior_auth=prior_auth, received=received,
        diagnoses=diagnoses, frequency=frequency, diagnosis_system=system, lines=tuple(built),
    )


def _line_shape(values: tuple) -> dict:
    """A line's JSON shape from ``_Walker.line_values``."""
    code, modifiers, units, charge, start, end, place, pointers, npi, revenue = values
    out: dict = {"code": code, "units": units, "date": start}
    for key, value in (("modifiers", modifiers), ("charge", charge), ("end_date", end), ("place_of_service", place),
                       ("diagnosis_pointers", pointers), ("rendering_npi", npi), ("revenue_code", revenue)):
        if value is not None:
            out[key] = value
    return out


def _element(elements: list, position: int) -> str:
    return elements[position] if position < len(elements) else ""


def _quote_count(text: str) -> str:
    return text if text.isdecimal() else "no number"
