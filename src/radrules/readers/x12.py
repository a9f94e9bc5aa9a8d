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
  segments outside an envelope, a BHT that is not the segment after its ST,
  a cut-off file) raises InputError.

This module tokenizes and walks envelopes and loops; ``x12_claims.py`` maps
a CLM loop to a claim; ``x12_split.py`` cuts a file into pieces of whole
claims for other processes.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from typing import IO, Iterator, Mapping

from ..claim import Claim
from ..codes import is_digits
from ..errors import FileSource, InputError, open_path
from . import x12_claims
from .x12_claims import FIRST_COUNT, ClaimProblem, ClaimReader, ClaimState, element_at, twice_in_loop

#: Public names of this module since before the claim mapping moved to x12_claims.py (an assignment, which pyflakes
#: does not take for an unused import).
FILING_INDICATOR_PAYERS = x12_claims.FILING_INDICATOR_PAYERS
DIAGNOSIS_QUALIFIERS = x12_claims.DIAGNOSIS_QUALIFIERS

CHUNK = 1 << 16
#: What may follow the last segment terminator of a file (line ends, blanks, a DOS end-of-file mark).
TRAILING = "\r\n \t\x1a"
#: Segments the walker reads; every other segment is only counted.
READ_SEGMENTS = frozenset((
    "ISA", "IEA", "GS", "GE", "ST", "SE", "BHT", "HL", "SBR", "NM1", "DMG", "CLM", "REF", "DTP",
    "HI", "LX", "SV1", "SV2",
))
#: Segments of a CLM loop that the claim is built from; a claim's other segments are skipped.
CLAIM_BODY = frozenset(("LX", "SV1", "SV2", "SBR", "NM1", "REF", "DTP", "HI", "DMG"))
#: Segments that end a CLM loop (a claim ends at the next CLM, HL or SE; the others are errors there).
CLAIM_END = frozenset(("CLM", "HL", "SE", "ST", "GS", "GE", "ISA", "IEA", "BHT"))


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
    if not _is_component_separator(component):
        raise InputError(name, BAD_COMPONENT_SEPARATOR, segment=1, segment_id="ISA")
    if terminator.isalnum() or len({element, component, terminator}) < 3:
        raise InputError(name, "the component separator (ISA16) and the segment terminator after it must be "
                         "two different characters that are not letters, digits or the element separator",
                         segment=1, segment_id="ISA")
    fields = head[:position + 2].split(element)
    repetition = fields[11] if len(fields[11]) == 1 and not fields[11].isalnum() else None
    if repetition in (element, component, terminator, " "):
        repetition = None
    return Delimiters(element, component, repetition, terminator), position + 3


#: Why an ISA16 is refused (the first ISA's, or a later interchange's).
BAD_COMPONENT_SEPARATOR = "the component separator (ISA16) is a letter, digit or space"


def _is_component_separator(character: str) -> bool:
    """Whether ISA16 may be a component separator: not a letter, digit or space (an element can hold those)."""
    return not (character.isalnum() or character.isspace())


def open_source(source) -> tuple[IO, str, bool]:
    """(file object, name for messages, whether we opened it)."""
    if isinstance(source, (bytes, bytearray, memoryview)):  # the content (a request's body), not a path
        return io.BytesIO(source), "<x12>", True
    if isinstance(source, (str, os.PathLike)):
        return (*open_path(source, "an X12 file"), True)
    if not hasattr(source, "read"):
        raise InputError(None, f"expected the path of an X12 file, an open file or bytes, not {type(source).__name__}")
    name = getattr(source, "name", None)
    return source, name if isinstance(name, str) else "<x12>", False


def read_chunks(handle, name: str) -> Iterator[str]:
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
    handle, name, opened = open_source(source)
    try:
        yield from _tokenize(handle, name)
    finally:
        if opened:
            handle.close()


#: Problems the tokenizer reports (also readers/x12_split.py).
NOT_A_SEGMENT = ("not a segment: a segment starts with an id of 2 or 3 capital letters or digits (are the "
                 "delimiters in the ISA right?)")


def is_segment_id(text: str) -> bool:
    """Whether ``text`` is a segment id: 2 or 3 capital letters or digits (``N3``, ``SV1``; not ``clm``).

    Readers test ``text in SEGMENT_IDS or is_segment_id(text)``: the ids met before cost one set test.
    """
    if 1 < len(text) < 4 and text.isalnum() and text.isupper() and text.isascii():
        SEGMENT_IDS.add(text)  # at most 36^2 + 36^3 ids
        return True
    return False


#: The segment ids :func:`is_segment_id` has accepted.
SEGMENT_IDS: set = set()
OTHER_DELIMITERS = "this interchange uses other delimiters than the first one; split the file at its ISA segments"
CUT_OFF = "the file ends inside a segment (no segment terminator after it)"
#: The longest segment read, in characters (with the line breaks before it): a real one has a few hundred.
#: (Longer than a chunk: the tokenizer measures only the segments that run on from one chunk into the next.)
MAX_SEGMENT = 100_000
SEGMENT_TOO_LONG = (f"a segment of more than {MAX_SEGMENT:,} characters: is the segment terminator in the ISA "
                    "the one the file uses?")


def read_head(chunks: Iterator[str], name: str) -> tuple[str, Delimiters | None]:
    """The first chunks (at least 200 characters, leading blanks dropped) and the ISA's delimiters (None: no text)."""
    head = ""
    for chunk in chunks:
        head = (head + chunk) if head else chunk.lstrip()  # blanks before the ISA are not kept
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
    chunks = read_chunks(handle, name)
    head, delimiters = read_head(chunks, name)
    if delimiters is None:
        return
    element, terminator = delimiters.element, delimiters.segment
    number = 0
    rest = [""]  # the text after the last terminator, in chunks (joined once its terminator comes)
    waiting = 0  # its length
    pending = [head]
    while True:
        if pending:
            text = pending.pop()
        else:
            text = next(chunks, None)
            if text is None:
                break
        if terminator not in text:
            rest.append(text)
            waiting += len(text)
            if waiting > MAX_SEGMENT:
                raise InputError(name, SEGMENT_TOO_LONG, segment=number + 1)
            continue
        text = "".join(rest) + text
        pieces = text.split(terminator)
        if len(pieces[0]) > MAX_SEGMENT:  # the others are shorter than a chunk
            raise InputError(name, SEGMENT_TOO_LONG, segment=number + 1)
        rest = [pieces.pop()]
        waiting = len(rest[0])
        blank = "\n" in text or "\r" in text
        for segment in pieces:
            if blank:
                segment = segment.strip("\r\n")
            if not segment:
                continue
            number += 1
            cut = segment.find(element)
            segment_id = segment if cut < 0 else segment[:cut]
            if not (segment_id in SEGMENT_IDS or is_segment_id(segment_id)):
                raise InputError(name, NOT_A_SEGMENT, segment=number)
            if segment_id == "ISA" and number > 1 and (segment[3:4] != element or segment[-2:-1] != element):
                raise InputError(name, OTHER_DELIMITERS, segment=number, segment_id="ISA")
            yield number, segment_id, segment
    if "".join(rest).strip(TRAILING):
        raise InputError(name, CUT_OFF, segment=number + 1)


def delimiters_of(isa: str) -> Delimiters:
    """The delimiters declared by an ISA segment's text (without its terminator, which it can't tell)."""
    element, component = isa[3], isa[-1]
    fields = isa.split(element)
    repetition = fields[11] if len(fields) > 11 and len(fields[11]) == 1 and not fields[11].isalnum() else None
    return Delimiters(element, component, repetition if repetition not in (component, " ") else None, None)


# ---------------------------------------------------------------- claims


def read_x12(source: FileSource, *, payers: Mapping[str, str] | None = None) -> Iterator[Claim | InputError]:
    """Yield a :class:`~radrules.Claim` for every CLM loop of an 837P or 837I file.

    ``source`` is a path, a file object (binary or text) or the file's bytes. A claim that can't
    be mapped yields an :class:`~radrules.errors.InputError` whose ``claim``
    is its position in the file (the next claims are still read); a broken
    file raises InputError. ``payers`` maps payer ids (NM1*PR09 of loop
    2010BB) to the payer names radrules rules use; it wins over the default
    mapping (docs/readers.md).
    """
    handle, name, opened = open_source(source)
    try:
        walker = Walker(name, dict(payers or {}))
        out = walker.out
        read, body_ids, end_ids = READ_SEGMENTS, CLAIM_BODY, CLAIM_END
        number, segment_id = 0, None
        body = None  # the segments of the CLM loop being read
        count_at = FIRST_COUNT  # the body's length at which its lines are counted (walker.count_claim)
        element = None
        for number, segment_id, text in _tokenize(handle, name):
            if body is not None and segment_id not in end_ids:
                if segment_id in body_ids:
                    body.append((number, segment_id, text.split(element)))
                    if len(body) > count_at:
                        count_at = walker.count_claim(walker.claim)
                continue
            if segment_id in read:
                walker.segment(number, segment_id, text)
                if out:
                    yield from out
                    out.clear()
                body = walker.claim.body if walker.claim is not None else None
                count_at = FIRST_COUNT
                element = walker.delimiters.element
            elif not walker.in_transaction:
                walker.outside(number, segment_id)
        walker.finish(number, segment_id)
    finally:
        if opened:
            handle.close()


class Walker(ClaimReader):
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
        self.lost_hl = None  # why the claims up to the next HL can't be read, if an HL seems lost
        self.subscriber: dict = {}
        self.patient: dict | None = None
        self.last_entity = None
        self.billing_npi = None  # NM1*85 of loop 2010AA: the rendering provider when no other is named (837P); ""
        # when it gives no NPI
        self.billing_twice = None  # a second NM1*85 of the loop: the problem of its claims (as _note_once)
        self.claim: ClaimState | None = None
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
                self.lost_hl, self.billing_npi, self.billing_twice, self.transaction_start,
                self.claims)  # claims last: the splitter replaces it

    @classmethod
    def resume(cls, snapshot: tuple) -> "Walker":
        """A walker in the state of :meth:`snapshot`, inside the transaction set."""
        (name, payers, delimiters, claim_type, created, level, subscriber, patient, last_entity,
         lost_hl, billing_npi, billing_twice, transaction_start, claims) = snapshot
        walker = cls(name, payers)
        walker.transaction_start = transaction_start
        walker.billing_npi, walker.billing_twice = billing_npi, billing_twice
        walker.delimiters, walker.claim_type, walker.created, walker.level = delimiters, claim_type, created, level
        walker.subscriber, walker.patient, walker.last_entity, walker.claims = subscriber, patient, last_entity, claims
        walker.lost_hl = lost_hl
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
            if not _is_component_separator(delimiters.component):
                raise self.error(number, segment_id, BAD_COMPONENT_SEPARATOR)
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
            self.envelope.append(("GS", number, element_at(elements, 6), 0))
            self.version = element_at(elements, 8)
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
        said = element_at(elements, 1)
        if said != str(count):
            self.out.append(self.error(number, segment_id, f"{segment_id}01 says {_quote_count(said)} {what}, "
                                       f"but the envelope holds {count}"))
        if element_at(elements, 2).strip() != control:
            opener = "GS" if segment_id == "GE" else "ISA"
            self.out.append(self.error(number, segment_id, f"{segment_id}02 does not match the control number "
                                       f"of the {opener} that opened it"))

    def open_transaction(self, number: int, elements: list) -> None:
        self.in_transaction = True
        self.transaction_control = element_at(elements, 2)
        self.transaction_start = number
        version = element_at(elements, 3) or self.version
        if element_at(elements, 1) != "837":
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
        self.lost_hl = None  # why the claims up to the next HL can't be read, if an HL seems lost
        self.subscriber = {}
        self.patient = None
        self.last_entity = None
        self.billing_npi = self.billing_twice = None
        self.skipped = 0
        self.bump()

    def close_transaction(self, number: int, elements: list) -> None:
        self.in_transaction = False
        said = element_at(elements, 1)
        count = number - self.transaction_start + 1
        if said != str(count):
            self.out.append(self.error(number, "SE", f"SE01 says {_quote_count(said)} segments, "
                                       f"but the transaction set has {count}"))
        if element_at(elements, 2) != self.transaction_control:
            self.out.append(self.error(number, "SE", "SE02 does not match the control number of its ST"))
        if self.claim_type is None:  # with claims or without (an 835, a 270): never passed over in silence
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
            self.claim = ClaimState(self.claims, number, elements)
            self.claim.billing_npi = self.billing_npi or None
            if self.level is None:
                self.claim.problem = ClaimProblem(number, "CLM", "a claim (CLM) before any subscriber (HL)")
            elif self.level not in ("22", "23"):
                # HL03 is shown only when it is a level code: the message must not carry a value of the file
                level = f"level {self.level}" if is_digits(self.level) and len(self.level) <= 2 else "another level"
                self.claim.problem = ClaimProblem(number, "CLM", f"a claim (CLM) in an HL of {level}, "
                                                  "not in a subscriber (22) or patient (23) loop: is an HL missing?")
            elif self.lost_hl is not None:
                self.claim.problem = ClaimProblem(number, "CLM", self.lost_hl)
            else:
                # every claim of the HL 20 reads its NM1*85; a subscriber's own claims read all its loop, a
                # dependent's its SBR and NM1*PR (_note_once), and the patient loop
                patient = self.patient
                twice = self.billing_twice or (self.subscriber.get("twice") if patient is None else
                                               self.subscriber.get("shared_twice") or patient.get("twice"))
                if twice is not None:
                    self.claim.problem = twice_in_loop(*twice)
            return
        if segment_id == "HL":
            self.end_claim()
            level = element_at(elements, 3)
            self.level = level
            self.lost_hl = None
            if level == "20":
                self.billing_npi = self.billing_twice = None
            elif level == "22":
                self.subscriber = {"number": number}
                self.patient = None
            elif level == "23":
                self.patient = {"number": number}
            self.last_entity = None
            return
        if claim is None:
            self.header_segment(number, segment_id, elements)
        elif segment_id in CLAIM_BODY:
            claim.body.append((number, segment_id, elements))
            if len(claim.body) > FIRST_COUNT:
                self.count_claim(claim)
        elif segment_id == "BHT":
            self.check_bht(number)  # inside a claim: out of place, it raises

    def check_bht(self, number: int) -> None:
        """Raise InputError unless the BHT numbered ``number`` is the first segment of an 837 being read.

        BHT04 is the received date of every claim of the set without a DTP*050, so a BHT anywhere else (after
        an HL, a second one) would date the claims before it otherwise than those after it, and each process
        of a split file otherwise than the whole file (readers/x12_split.py)."""
        if self.claim_type is None:  # a transaction set whose claims are not read
            return
        if self.created is not None:
            raise self.error(number, "BHT", "a second BHT in the transaction set: an 837 has one, right after its ST")
        if number != self.transaction_start + 1:
            raise self.error(number, "BHT", "a BHT that is not the segment right after its ST: an 837 begins "
                             "with its BHT")

    def header_segment(self, number: int, segment_id: str, elements: list) -> None:
        """Segments before the first CLM of a subscriber or patient loop."""
        if segment_id == "BHT":
            self.check_bht(number)
            self.created = (number, element_at(elements, 4))
        elif segment_id == "SBR" and self.level == "22":
            _note_once(self.subscriber, "SBR", number, "2000B", shared=True)
            self.subscriber["filing"] = element_at(elements, 9)
        elif segment_id == "NM1":
            entity = element_at(elements, 1)
            self.last_entity = entity
            if entity == "IL" and self.level == "22":
                _note_once(self.subscriber, "NM1*IL", number, "2010BA")
                if element_at(elements, 8) == "MI":
                    self.subscriber["member_id"] = element_at(elements, 9) or None
            elif entity == "QC" and self.level == "22":
                self.lost_hl = (f"a patient's name (NM1*QC, segment {number}) in a subscriber loop: is the patient's "
                                "HL (level 23) missing?")
            elif entity == "85" and self.level == "20":
                if self.billing_npi is not None:  # 2010AA comes once in its billing provider loop (HL 20)
                    self.billing_twice = self.billing_twice or (number, "NM1*85", "2010AA")
                else:
                    self.billing_npi = element_at(elements, 9).strip() if element_at(elements, 8) == "XX" else ""
            elif entity == "PR" and self.level == "22":
                _note_once(self.subscriber, "NM1*PR", number, "2010BB", shared=True)
                self.subscriber["payer_name"] = element_at(elements, 3)
                self.subscriber["payer_id"] = element_at(elements, 9)
        elif segment_id == "DMG":
            if self.last_entity == "IL" and self.level == "22":
                _note_once(self.subscriber, "DMG", number, "2010BA")
                self.subscriber["dmg"] = (number, elements)
            elif self.last_entity == "QC" and self.level == "23" and self.patient is not None:
                _note_once(self.patient, "DMG", number, "2010CA")
                self.patient["dmg"] = (number, elements)


def _note_once(loop: dict, segment: str, number: int, name: str, shared: bool = False) -> None:
    """Note in ``loop`` (a subscriber's or patient's dict) a segment read that the guide allows once in loop
    ``name``; the first second one is kept as ``loop["twice"]``, the problem of the claims that read the loop
    (docs/readers.md): the value read would be the second's, in silence.

    The problem falls only on the claims that read the segment. A subscriber's own claims read all of its loop;
    its dependents' claims (a patient loop, 2000C) read only the ``shared`` segments, the subscriber's SBR and
    payer (NM1*PR), and not its name (NM1*IL: a dependent has no member id of its own) or demographics (DMG: the
    patient's DMG is read), so the first second one of those is kept as ``loop["shared_twice"]`` too. (As a
    subscriber's malformed DMG is reported only on its own claims.)"""
    if segment not in loop:
        loop[segment] = number
        return
    twice = (number, segment, name)
    if "twice" not in loop:
        loop["twice"] = twice
    if shared and "shared_twice" not in loop:
        loop["shared_twice"] = twice


def _quote_count(text: str) -> str:
    """A count of an envelope (SE01, GE01, IEA01) to show in a message: a number of at most their 10 digits."""
    return text if is_digits(text) and len(text) <= 10 else "no number"
