"""X12 files cut into pieces of whole claims, to be read in other processes.

:func:`split_x12` cuts the segments of each 837P/837I transaction set into
:class:`X12Piece` objects: runs of whole CLM loops, each with what a reader
knows before it (delimiters, claim type, BHT date, subscriber and patient
loops, counters). Another process reads a piece with :func:`read_x12_piece`
and gets the very claims and errors :func:`~radrules.readers.x12.read_x12`
gives for those segments, with the same segment numbers and positions.

The splitter has two speeds. Segment by segment (the envelope, the header of
a transaction set, anything unusual) it runs the reader's own walker,
building no claim. From a subscriber loop (``HL`` with level 22) to the next
envelope segment, ``BHT`` (out of place there: the walker refuses it) or
billing provider loop (``HL`` with level 20, whose ``NM1*85`` the claims
after it depend on), where a claim depends on nothing before its
subscriber loop, it does not look at every segment: it finds the
next subscriber loop about a piece's worth further on and counts the
segments and the ``CLM`` segments between with string searches, and the
piece's reader checks the segments themselves. Segment ids that are not ids
stop the reading at the same segment either way.

The envelope segments (ISA, GS, ST, SE, GE, IEA) never go into a piece: the
splitter reads them and yields their errors between the pieces, where
``read_x12`` yields them. A file that can't be read raises InputError after
the pieces before the problem; the last is then marked incomplete, since its
last claim was cut off and ``read_x12`` does not yield it.
"""

from __future__ import annotations

import re
from typing import Iterator, Mapping

from ..claim import Claim
from ..errors import InputError
from .x12 import (
    CLAIM_BODY, CLAIM_END, CUT_OFF, MAX_SEGMENT, NOT_A_SEGMENT, OTHER_DELIMITERS, READ_SEGMENTS, SEGMENT_IDS,
    SEGMENT_TOO_LONG, TRAILING, Walker, is_segment_id, open_source, read_chunks, read_head,
)
from .x12_claims import FIRST_COUNT, ClaimSize, lost_hl

#: Segments of the envelope: read by the splitter, never sent in a piece.
_ENVELOPE = frozenset(("ISA", "IEA", "GS", "GE", "ST", "SE"))
#: Where a piece may end when cutting segment by segment: before a CLM or HL (it ends a claim).
_CUTS = frozenset(("CLM", "HL"))
#: Characters of text kept ahead when cutting quickly (a subscriber loop longer than this is cut slowly).
_WINDOW = 1 << 20


class X12Piece:
    """A run of whole CLM loops (and the segments between them) of one transaction set.

    ``text`` holds the segments, each ended by the segment ``terminator``
    (line ends around them are allowed), the first numbered ``first``;
    ``claims`` counts its CLM segments; ``state`` is what the reader knew
    before it. ``complete`` is False for the last piece before a problem
    that stops the file: its last claim is not read.
    """

    __slots__ = ("state", "terminator", "first", "text", "claims", "complete")

    def __init__(self, state: tuple, terminator: str, first: int, text: str, claims: int, complete: bool):
        self.state = state
        self.terminator = terminator
        self.first = first
        self.text = text
        self.claims = claims
        self.complete = complete

    def __getstate__(self):
        return (self.state, self.terminator, self.first, self.text, self.claims, self.complete)

    def __setstate__(self, state) -> None:
        self.state, self.terminator, self.first, self.text, self.claims, self.complete = state


class _Splitter(Walker):
    """A walker that keeps the state but builds no claim."""

    def end_claim(self) -> None:
        self.claim = None


def split_x12(source, *, payers: Mapping[str, str] | None = None,
              claims: int = 500) -> Iterator[X12Piece | InputError]:
    """Cut an X12 file into pieces of about ``claims`` claims, and the envelope errors between them, in order.

    Every CLM of a piece yields one item (a claim or an InputError) when the
    piece is read, except the last one of an incomplete piece. A file that
    can't be read raises InputError, as ``read_x12`` does, after the pieces
    before the problem.
    """
    handle, name, opened = open_source(source)
    try:
        yield from _Cutter(handle, name, dict(payers or {}), claims).pieces()
    finally:
        if opened:
            handle.close()


class _Cutter:
    """The text of an X12 file with a position in it, read chunk by chunk, and the walker's state there."""

    def __init__(self, handle, name: str, payers: dict, claims: int):
        self.name = name
        self.chunks = read_chunks(handle, name)
        self.walker = _Splitter(name, payers)
        self.claims = claims
        self.text = ""
        self.at = 0  # position in text
        self.eof = False
        self.number = 0  # of the last segment read
        self.segment_id = None  # of the last segment read
        self.element = self.terminator = None
        self.per_claim = 400  # characters per claim, as last seen

    # ------------------------------------------------------------ reading text

    def more(self) -> bool:
        """Append the next chunk (dropping the text before the position); False at the end of the file."""
        chunk = next(self.chunks, None)
        if chunk is None:
            self.eof = True
            return False
        self.text = self.text[self.at:] + chunk
        self.at = 0
        return True

    def fill(self, size: int) -> None:
        """Read chunks until ``size`` characters follow the position, or the file ends."""
        if len(self.text) - self.at >= size or self.eof:
            return
        chunks = [self.text[self.at:]]
        have = len(chunks[0])
        for chunk in self.chunks:
            chunks.append(chunk)
            have += len(chunk)
            if have >= size:
                break
        else:
            self.eof = True
        self.text, self.at = "".join(chunks), 0

    def segment(self) -> tuple[int, str, str, int] | None:
        """The next segment: (number, id, text, where its text starts), as the tokenizer reads it; None at the end."""
        terminator = self.terminator
        while True:
            end = self.text.find(terminator, self.at)
            if end < 0 and len(self.text) - self.at <= MAX_SEGMENT:
                if self.more():
                    continue
                if self.text[self.at:].strip(TRAILING):
                    raise InputError(self.name, CUT_OFF, segment=self.number + 1)
                return None
            if end < 0 or end - self.at > MAX_SEGMENT:
                raise InputError(self.name, SEGMENT_TOO_LONG, segment=self.number + 1)
            start = self.at
            text = self.text[start:end].strip("\r\n")
            self.at = end + 1
            if text:
                break
        self.number = number = self.number + 1
        cut = text.find(self.element)
        segment_id = text if cut < 0 else text[:cut]
        if not (segment_id in SEGMENT_IDS or is_segment_id(segment_id)):
            raise InputError(self.name, NOT_A_SEGMENT, segment=number)
        if segment_id == "ISA" and number > 1 and (text[3:4] != self.element or text[-2:-1] != self.element):
            raise InputError(self.name, OTHER_DELIMITERS, segment=number, segment_id="ISA")
        self.segment_id = segment_id
        return number, segment_id, text, start

    def unread(self, number: int, start: int) -> None:
        """Go back to the start of the segment just read (numbered ``number``)."""
        self.at, self.number = start, number - 1

    # ------------------------------------------------------------ cutting

    def pieces(self) -> Iterator[X12Piece | InputError]:
        head, delimiters = read_head(self.chunks, self.name)
        if delimiters is None:
            return
        self.text, self.element, self.terminator = head, delimiters.element, delimiters.segment
        walker, out = self.walker, self.walker.out
        held: X12Piece | None = None  # the last piece: complete unless the file breaks before the next envelope
        segments: list[str] = []  # of the piece being cut segment by segment
        state, first, count = None, 0, 0
        in_claim = False
        claim_lines = claim_lost = False  # the claim being cut has a service line; a sign of a lost HL
        size: ClaimSize | None = None  # of the claim being cut; None once it is too big (its rest is not sent)
        try:
            while True:
                found = self.segment()
                if found is None:
                    break
                number, segment_id, text, start = found
                if in_claim and segment_id not in CLAIM_END:
                    if size is not None:
                        segments.append(text)
                        if segment_id in CLAIM_BODY and size.add(segment_id) is not None:
                            size = None  # read_x12_piece reports it from what is sent; the piece ends with it
                    # the first sign of a lost HL in the claim, as first_lost_hl finds it when the claim is
                    # read: later pieces resume with it (walker.snapshot)
                    if segment_id in ("LX", "SV1", "SV2"):
                        claim_lines = True
                    elif (segment_id == "DMG" or (segment_id == "SBR" and claim_lines)) and not claim_lost:
                        walker.lost_hl = lost_hl(number, segment_id)
                        claim_lost = True
                    continue
                if segment_id in _ENVELOPE:
                    walker.segment(number, segment_id, text)
                elif segment_id == "BHT" and walker.in_transaction:
                    walker.check_bht(number)  # one out of place stops the file here: the piece before is cut off
                if held is not None:  # the segment after it reads: its last claim is whole
                    yield held
                    held = None
                if segment_id in _ENVELOPE:
                    if segments:
                        yield X12Piece(state, self.terminator, first, self.terminator.join(segments), count, True)
                        segments = []
                    if out:
                        yield from out
                        out.clear()
                    in_claim = False
                    continue
                if not walker.in_transaction:
                    if segment_id in READ_SEGMENTS:
                        walker.segment(number, segment_id, text)
                    else:
                        walker.outside(number, segment_id)
                    continue
                if walker.claim_type is None:  # a transaction set whose claims are not read: no pieces
                    if segment_id in READ_SEGMENTS:
                        walker.segment(number, segment_id, text)
                        if out:
                            yield from out
                            out.clear()
                    continue
                if segment_id == "HL" and _level(text, self.element) == "22":
                    if segments:
                        yield X12Piece(state, self.terminator, first, self.terminator.join(segments), count, True)
                        segments = []
                    self.unread(number, start)
                    for piece in self.subscribers(walker.snapshot()):
                        if held is not None:
                            yield held
                        held = piece
                    if held is not None:
                        in_claim = False
                        continue
                    self.segment()  # no piece: a subscriber loop longer than the window, cut segment by segment
                too_big = in_claim and size is None  # the piece lacks the end of the claim: the next starts after it
                if segment_id in _CUTS and (count >= self.claims or (too_big and segments)):
                    yield X12Piece(state, self.terminator, first, self.terminator.join(segments), count, True)
                    segments = []
                if not segments:
                    state, first, count = walker.snapshot(), number, 0
                if segment_id in READ_SEGMENTS:
                    walker.segment(number, segment_id, text)
                    if segment_id == "CLM":
                        count += 1
                        claim_lines = claim_lost = False
                        size = ClaimSize()
                    in_claim = walker.claim is not None
                segments.append(text)
            walker.finish(self.number, self.segment_id)
        except InputError:
            if held is not None:
                held.complete = False
                yield held
            if segments:
                yield X12Piece(state, self.terminator, first, self.terminator.join(segments), count, False)
            raise

    def subscribers(self, state: tuple) -> Iterator[X12Piece]:
        """Pieces of whole subscriber loops from the position (an HL of level 22) to the next envelope segment.

        Stops at the first envelope segment, BHT or billing provider loop (HL
        of level 20), at the end of the file, or when a subscriber loop is
        longer than the window (yielding nothing then). The walker is left as
        after the last piece, its claim ended.
        """
        terminator, element = re.escape(self.terminator), re.escape(self.element)
        after = f"(?={element}|[\\r\\n]*{terminator})"  # the end of a segment id
        # an envelope segment, a BHT (out of place after an HL: the walker refuses it where read_x12 does) or a
        # billing provider's HL (level 20), whose NM1*85 the walker must read
        level_20 = f"HL(?:{element}[^{element}{terminator}]*){{2}}{element}20{after}"
        boundary = re.compile(f"{terminator}[\\r\\n]*(?:(?:ISA|IEA|GS|GE|ST|SE|BHT){after}|{level_20})")
        subscriber = re.compile(f"{terminator}[\\r\\n]*HL(?:{element}[^{element}{terminator}]*){{2}}{element}22"
                                f"(?={element}|[\\r\\n]*{terminator})")
        claim = re.compile(f"{terminator}[\\r\\n]*CLM{after}")
        empty = re.compile(f"{terminator}[\\r\\n]*{terminator}")
        walker = self.walker
        while True:
            self.fill(_WINDOW)
            text, at = self.text, self.at
            limit = text.rfind(self.terminator) + 1  # the end of the last whole segment
            if limit <= at:
                break
            cut = None
            target = at + self.claims * self.per_claim
            if target < limit:
                found = subscriber.search(text, target - 1, limit)
                if found is not None:
                    cut = found.start() + 1
            stop = boundary.search(text, max(at - 1, 0), limit if cut is None else cut)
            if stop is not None:
                cut = end = stop.start() + 1  # the last piece: an envelope or a billing provider follows
            else:
                end = limit
                if cut is None:
                    found = subscriber.search(text, at, limit)  # a shorter piece, rather than none
                    if found is not None:
                        cut = found.start() + 1
                    elif self.eof:
                        cut = limit
                    else:
                        break  # no subscriber loop starts in the window
            if cut <= at or _long_gap(text, at, cut, self.terminator):
                break  # (a segment too long, maybe: segment by segment, each is measured)
            piece = text[at:cut]
            segments = piece.count(self.terminator)
            if empty.search(piece) or piece.startswith(self.terminator):
                segments = sum(1 for part in piece.split(self.terminator) if part.strip("\r\n"))
            claims = len(claim.findall(piece))
            yield X12Piece(state[:-1] + (walker.claims,), self.terminator, self.number + 1, piece, claims, True)
            if claims:
                self.per_claim = max(1, len(piece) // claims)
            walker.claims += claims
            self.number += segments
            self.segment_id = _last_id(piece, self.terminator, self.element)
            self.at = cut
            walker.claim, walker.level = None, "22"
            if cut == end and (stop is not None or self.eof):
                break


def _long_gap(text: str, start: int, end: int, terminator: str) -> bool:
    """Whether ``text[start:end]`` has a stretch of half MAX_SEGMENT characters without a terminator: every
    segment longer than MAX_SEGMENT holds one of the stretches tried."""
    step = MAX_SEGMENT // 2
    return any(text.find(terminator, at, at + step) < 0 for at in range(start, end - step + 1, step))


def _level(text: str, element: str) -> str:
    parts = text.split(element, 4)
    return parts[3] if len(parts) > 3 else ""


def _last_id(piece: str, terminator: str, element: str) -> str | None:
    """The id of the last segment of a piece (whose text ends with a terminator)."""
    end = len(piece) - 1
    while end > 0:
        start = piece.rfind(terminator, 0, end) + 1
        part = piece[start:end].strip("\r\n")
        if part:
            return part.split(element, 1)[0]
        end = start - 1
    return None


def read_x12_piece(piece: X12Piece) -> Iterator[Claim | InputError]:
    """The claims (and InputErrors for claims that can't be mapped) of a piece, as ``read_x12`` yields them.

    Raises InputError, as ``read_x12`` does, at a segment whose id is not an id.
    """
    walker = Walker.resume(piece.state)
    out = walker.out
    element, terminator, text = walker.delimiters.element, piece.terminator, piece.text
    blank = "\n" in text or "\r" in text
    if blank:  # most often a line feed after each terminator: drop those at once
        text = text.lstrip("\r\n").replace(terminator + "\r\n", terminator).replace(terminator + "\n", terminator)
        blank = "\n" in text or "\r" in text
    read, body_ids, end_ids = READ_SEGMENTS, CLAIM_BODY, CLAIM_END
    number = piece.first - 1
    body = None  # the segments of the CLM loop being read
    count_at = FIRST_COUNT  # as in read_x12
    for segment in text.split(terminator):
        if blank:
            segment = segment.strip("\r\n")
            if not segment:
                continue
        elif not segment:
            continue
        number += 1
        cut = segment.find(element)
        segment_id = segment if cut < 0 else segment[:cut]
        if body is not None and segment_id not in end_ids:
            if segment_id in body_ids:
                body.append((number, segment_id, segment.split(element)))
                if len(body) > count_at:
                    count_at = walker.count_claim(walker.claim)
            elif not (segment_id in SEGMENT_IDS or is_segment_id(segment_id)):
                raise InputError(walker.name, NOT_A_SEGMENT, segment=number)
            continue
        if segment_id in read:
            walker.transaction_segment(number, segment_id, segment.split(element))
            if out:
                yield from out
                out.clear()
            body = walker.claim.body if walker.claim is not None else None
            count_at = FIRST_COUNT
        elif not (segment_id in SEGMENT_IDS or is_segment_id(segment_id)):
            raise InputError(walker.name, NOT_A_SEGMENT, segment=number)
    if piece.complete:
        walker.end_claim()
        yield from out
