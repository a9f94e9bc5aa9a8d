"""X12 files cut into pieces for other processes: the pieces read exactly as the whole file does."""

from __future__ import annotations

import datetime as dt
import io
import pickle
import random
from pathlib import Path

import pytest

import radrules
from radrules.readers import x12_split
from radrules.readers.x12 import tokenize
from radrules.readers.x12_split import X12Piece, read_x12_piece, split_x12

from builders import x12_file

DATA = Path(__file__).parent / "data" / "x12"
FILES = [DATA / "radiology-837p.edi", DATA / "radiology-837i.edi", DATA / "imsweb" / "x12_complex.txt",
         DATA / "imsweb" / "x12_many_claims.txt"]


def seen(item) -> tuple:
    if isinstance(item, radrules.InputError):
        return ("error", str(item), item.claim, item.segment, item.segment_id)
    return ("claim", repr(item.to_dict()))  # every field, with its type (the repr hides protected ones)


def whole(data: bytes) -> tuple[list, tuple | None]:
    """What read_x12 yields for a file, and the problem it raises (if any)."""
    items = []
    try:
        for item in radrules.read_x12(io.BytesIO(data)):
            items.append(seen(item))
    except radrules.InputError as error:
        return items, seen(error)
    return items, None


def in_pieces(data: bytes, claims: int) -> tuple[list, tuple | None]:
    """The same, from split_x12's pieces (each pickled, as for another process) and envelope errors."""
    items = []
    try:
        for part in split_x12(io.BytesIO(data), claims=claims):
            if isinstance(part, X12Piece):
                piece = pickle.loads(pickle.dumps(part))
                try:
                    items.extend(seen(item) for item in read_x12_piece(piece))
                except radrules.InputError as error:  # a segment that is not a segment: the file stops here
                    return items, seen(error)
            else:
                items.append(seen(part))
    except radrules.InputError as error:
        return items, seen(error)
    return items, None


def variants(text: str) -> list[bytes]:
    """A file with its segment terminators followed by nothing, a line feed, CR LF, a blank line, or an empty segment."""
    plain = text.replace("~\r\n", "~").replace("~\n", "~")
    return [plain.replace("~", end).encode("latin-1") for end in ("~", "~\n", "~\r\n", "~\n\n", "~~\n")]


class TestSameAsTheWholeFile:
    @pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
    @pytest.mark.parametrize("claims", [1, 2, 500])
    def test_test_files(self, path, claims):
        """The test files (good and bad claims, envelope errors) read the same in pieces of 1, 2 or 500 claims."""
        for data in variants(path.read_text(encoding="latin-1")):
            assert in_pieces(data, claims) == whole(data)

    @pytest.mark.parametrize("claims", [1, 3, 40])
    def test_many_subscribers_and_several_interchanges(self, claims):
        """Subscriber loops cut quickly, and interchanges one after the other, read the same."""
        text = x12_file(120) + (DATA / "radiology-837i.edi").read_text(encoding="latin-1") + x12_file(30)
        for data in variants(text):
            found = in_pieces(data, claims)
            assert found == whole(data)
        assert len(found[0]) == 120 + 2 + 30 and found[1] is None

    @pytest.mark.parametrize("claims", [1, 2])
    def test_billing_providers_carry_into_pieces(self, claims):
        """The billing provider's NPI (2010AA), which a line without a rendering provider takes, reads the same
        in pieces cut inside and across billing provider loops (HL 20)."""
        head, body = x12_file(6).split("HL*1**20*1~\n", 1)
        first, rest = body.split("HL*5*1*22*0", 1)
        text = (head + "HL*1**20*1~\nNM1*85*1*SOLO*RAD****XX*1245319599~\n" + first
                + "HL*90**20*1~\nNM1*85*2*GROUP*****XX*1234567893~\nHL*5*90*22*0" + rest)
        data = text.encode("latin-1")
        found = in_pieces(data, claims)
        assert found == whole(data)
        npis = [item.lines[0].rendering_npi for item in radrules.read_x12(io.BytesIO(data))
                if not isinstance(item, radrules.InputError)]
        assert npis[:3] == ["1245319599"] * 3 and set(npis[3:]) == {"1234567893"}

    @pytest.mark.parametrize("claims", [1, 2])
    def test_a_second_billing_provider_reads_alike_in_pieces(self, claims):
        """A second NM1*85 in a billing provider loop makes its claims errors, in pieces cut inside and across
        billing provider loops too (the walker's snapshot carries it); the next billing provider's are read."""
        head, body = x12_file(6).split("HL*1**20*1~\n", 1)
        first, rest = body.split("HL*5*1*22*0", 1)
        text = (head + "HL*1**20*1~\nNM1*85*1*SOLO*RAD****XX*1245319599~\nNM1*85*1*SOLO*RAD****XX*1245319599~\n"
                + first + "HL*90**20*1~\nNM1*85*2*GROUP*****XX*1234567893~\nHL*5*90*22*0" + rest)
        data = text.encode("latin-1")
        found = in_pieces(data, claims)
        assert found == whole(data)
        twice = [item[2] for item in found[0] if item[0] == "error" and "NM1*85 appears twice" in item[1]]
        assert twice == [1, 2, 3] and sum(item[0] == "claim" for item in found[0]) == 3  # (and SE01's count)

    def test_pieces_hold_whole_claims(self):
        """Each piece holds the CLM segments it counts, about as many as asked; together, all the claims."""
        parts = [part for part in split_x12(io.BytesIO(x12_file(100).encode()), claims=10)]
        pieces = [part for part in parts if isinstance(part, X12Piece)]
        assert all(piece.complete for piece in pieces)
        assert sum(piece.claims for piece in pieces) == 100
        assert all(piece.text.count("CLM*") == piece.claims for piece in pieces)
        assert max(piece.claims for piece in pieces) <= 2 * 10  # about the size asked for

    def test_a_subscriber_loop_longer_than_the_window(self, monkeypatch):
        """When no subscriber loop starts within the window, the splitter cuts segment by segment: same claims."""
        monkeypatch.setattr(x12_split, "_WINDOW", 200)
        for data in variants(x12_file(40)):
            assert in_pieces(data, 3) == whole(data)

    def test_mutated_files(self):
        """Files with segments dropped, repeated or with a byte changed give the same claims, errors and problem."""
        rng = random.Random(7)
        sources = [x12_file(12).encode(), (DATA / "radiology-837p.edi").read_bytes()]
        for round_ in range(300):
            segments = rng.choice(sources).split(b"~")
            for _ in range(rng.randint(1, 3)):
                index = rng.randrange(len(segments))
                change = rng.random()
                if change < 0.3:
                    del segments[index]
                elif change < 0.5:
                    segments.insert(index, rng.choice(segments))
                elif segments[index]:
                    text = bytearray(segments[index])
                    text[rng.randrange(len(text))] = rng.choice(b"*:~0123456789AZaz \n-.\xb2")
                    segments[index] = bytes(text)
            data = b"~".join(segments)
            assert in_pieces(data, rng.choice([1, 2, 5])) == whole(data), round_


class TestProblems:
    def test_cut_off_file_marks_its_last_piece_incomplete(self):
        """A file cut inside a claim: the pieces before it, the last incomplete, then the reader's problem."""
        text = x12_file(20)
        data = text[:text.index("CLM*X17")].encode() + b"CLM*X17*64***11:B:1~"
        parts = []
        with pytest.raises(radrules.InputError) as caught:
            for part in split_x12(io.BytesIO(data), claims=4):
                parts.append(part)
        assert not parts[-1].complete and all(part.complete for part in parts[:-1])
        assert "without its SE" in str(caught.value)
        assert in_pieces(data, 4) == whole(data)

    def test_not_a_segment_inside_a_piece_stops_where_the_reader_stops(self):
        """A segment id that is not an id, inside a subscriber loop, stops both ways at the same segment."""
        data = x12_file(30).replace("HI*ABK:R0789~\nLX*1~\nSV1*HC:71046*64*UN*1***1~\nDTP*472*D8*20260302~\nHL*13",
                                    "HI*ABK:R0789~\nL X*1~\nSV1*HC:71046*64*UN*1***1~\nDTP*472*D8*20260302~\nHL*13",
                                    1).encode()
        items, problem = whole(data)
        assert problem is not None and "not a segment" in problem[1]
        assert in_pieces(data, 2) == (items, problem)


_LINE = ["LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302"]


@pytest.mark.parametrize("segments, head", [
    (["CLM*C1*10***11:B:1", *_LINE, "SBR*P*18*******CI", "NM1*IL*1*OTHER*PAT****MI*M2", "DMG*D8*19900101*M",
      "CLM*C2*10***11:B:1", *_LINE, "HL*3*1*22*0", "SBR*P*18*******CI", "CLM*C3*10***11:B:1", *_LINE], None),
    (["PAT*19", "NM1*QC*1*CHILD*PAT", "DMG*D8*20150601*M", "CLM*C1*10***11:B:1", *_LINE], None),
    (["CLM*C1*10***11:B:1", *_LINE, "clm*C2"], None),
    (["CLM*C1*10***11:B:1", "HI*ABK:R0789**ABF:R0600", *_LINE], None),
    ([], ["GS*HC*S*R*20260320*1200*1*X*005010X221A1", "ST*835*0001*005010X221A1", "BPR*I*100*C*ACH"]),
], ids=["lost subscriber HL", "lost patient HL", "lowercase segment", "HI gap", "an 835"])
def test_structural_errors_read_alike_in_pieces(segments, head):
    """Lost HLs, lowercase ids, HI gaps and other transaction sets: the pieces read as the whole file."""
    from test_readers_x12 import HEAD, x12

    data = x12(*segments, head=head or HEAD).encode()
    expected = whole(data)
    assert any(item[0] == "error" for item in expected[0]) or expected[1] is not None
    for claims in (1, 2, 10):
        assert in_pieces(data, claims) == expected


@pytest.mark.parametrize("lost", [
    ["NM1*QC*1*KID*ONE"], ["CLM*C0*10***11:B:1", *_LINE, "DMG*D8*19900101*M"],
    ["CLM*C0*10***11:B:1", "REF*G1", *_LINE, "DMG*D8*19900101*M"],
    ["CLM*C0*10***11:B:1", *_LINE, "SBR*P*18*******CI", "DMG*D8*19900101*M"],
], ids=["patient name", "demographics in a claim", "after an earlier problem of the claim", "subscriber after lines"])
def test_a_lost_hl_reads_alike_when_a_subscriber_loop_is_cut_claim_by_claim(monkeypatch, lost):
    """A subscriber loop longer than the window is cut claim by claim: the pieces after a lost HL carry
    it on (the splitter's state and the walker's snapshot), as read_x12 does."""
    from test_readers_x12 import HEAD, x12

    monkeypatch.setattr(x12_split, "_WINDOW", 200)
    claims = []
    for number in range(1, 40):
        claims += [f"CLM*C{number}*10***11:B:1", *_LINE]
    data = x12(*lost, *claims, head=HEAD).encode()
    expected = whole(data)
    assert sum(item[0] == "error" for item in expected[0]) == 40 - (len(lost) == 1)
    for size in (1, 3, 10):
        assert in_pieces(data, size) == expected


@pytest.mark.parametrize("window", [200, 1 << 20], ids=["cut segment by segment", "cut quickly"])
@pytest.mark.parametrize("twice", [["NM1*PR*2*OTHER*****PI*P2"], ["HL*3*2*23*0", "NM1*QC*1*KID*ONE",
                                   "DMG*D8*20150601*M", "DMG*D8*20150602*F"]], ids=["payer", "patient's DMG"])
def test_a_segment_twice_in_a_subscriber_or_patient_loop_reads_alike_in_pieces(monkeypatch, window, twice):
    """A payer's NM1*PR or a patient's DMG twice makes every claim of the loop an error, in pieces too (the
    walker's snapshot carries the subscriber and the patient)."""
    from test_readers_x12 import HEAD, x12

    monkeypatch.setattr(x12_split, "_WINDOW", window)
    claims = []
    for number in range(1, 40):
        claims += [f"CLM*C{number}*10***11:B:1", *_LINE]
    data = x12(*twice, *claims, "HL*9*1*22*0", "SBR*P*18*******CI", "CLM*C40*10***11:B:1", *_LINE,
               head=HEAD).encode()
    expected = whole(data)
    assert [item[0] for item in expected[0]] == ["error"] * 39 + ["claim"]
    for size in (1, 3, 10):
        assert in_pieces(data, size) == expected


@pytest.mark.parametrize("window", [200, 1 << 20], ids=["cut segment by segment", "cut quickly"])
def test_a_subscribers_dmg_twice_falls_on_its_own_claims_in_pieces(monkeypatch, window):
    """The subscriber's DMG twice: its own claims are errors and its dependent's claims are read, in pieces too
    (the walker's snapshot carries which claims read the segment)."""
    from test_readers_x12 import HEAD, x12

    monkeypatch.setattr(x12_split, "_WINDOW", window)
    at = HEAD.index("DMG*D8*19580314*F")
    head = HEAD[:at + 1] + ["DMG*D8*19800501*F"] + HEAD[at + 1:]
    own = [segment for number in range(1, 21) for segment in (f"CLM*C{number}*10***11:B:1", *_LINE)]
    dependent = [segment for number in range(21, 40) for segment in (f"CLM*C{number}*10***11:B:1", *_LINE)]
    data = x12(*own, "HL*3*2*23*0", "PAT*19", "NM1*QC*1*KID*ONE", "DMG*D8*20150601*M", *dependent,
               "HL*9*1*22*0", "SBR*P*18*******CI", "CLM*C40*10***11:B:1", *_LINE, head=head).encode()
    expected = whole(data)
    assert [item[0] for item in expected[0]] == ["error"] * 20 + ["claim"] * 20
    for size in (1, 3, 10):
        assert in_pieces(data, size) == expected


@pytest.mark.parametrize("where", ["HL*2*1*22*0~", "CLM*X12*", "DTP*472*D8*20260302~\nHL*20*1*22*0~"],
                         ids=["in the envelope's header", "in a claim", "before a subscriber loop"])
def test_a_segment_too_long_stops_where_the_reader_stops(where):
    """A segment longer than MAX_SEGMENT: the pieces before it, then the reader's problem at its number, whether
    it is cut quickly or segment by segment."""
    text = x12_file(40)
    at = text.index(where) + len(where)
    data = (text[:at] + "9" * (x12_split.MAX_SEGMENT + 5) + text[at:]).encode()
    items, problem = whole(data)
    assert problem is not None and "a segment of more than" in problem[1]
    for claims in (1, 3, 500):
        assert in_pieces(data, claims) == (items, problem)


@pytest.mark.parametrize("window", [200, 1 << 20], ids=["cut segment by segment", "cut quickly"])
@pytest.mark.parametrize("extra", [[], ["NM1*82*1*DOC****XX*1234567893", "DMG*D8*19900101*M"]],
                         ids=["plain", "a lost HL past the limit"])
def test_a_claim_of_too_many_lines_reads_alike_in_pieces(monkeypatch, window, extra):
    """A claim past the line limit: the splitter sends it only up to the limit and ends its piece there; its
    pieces read as the whole file (the error, a lost HL after the limit, the claims after it)."""
    from test_readers_x12 import HEAD, x12

    monkeypatch.setattr(x12_split, "_WINDOW", window)
    claims = ["CLM*C1*10***11:B:1", *_LINE * 1200, *extra]
    for number in range(2, 8):
        claims += [f"CLM*C{number}*10***11:B:1", *_LINE]
    data = x12(*claims, "HL*3*1*22*0", "SBR*P*18*******CI", "CLM*C9*10***11:B:1", *_LINE, head=HEAD).encode()
    expected = whole(data)
    assert "at most 999 service lines" in expected[0][0][1]
    assert sum(item[0] == "error" for item in expected[0]) == (7 if extra else 1)
    for size in (1, 3, 10):
        assert in_pieces(data, size) == expected


def test_the_splitter_sends_a_claim_only_up_to_the_limit(monkeypatch):
    """The piece holding a claim of 30,000 lines, cut segment by segment, has about the limit's lines."""
    from test_readers_x12 import HEAD, x12

    monkeypatch.setattr(x12_split, "_WINDOW", 200)
    data = x12("CLM*C1*10***11:B:1", *_LINE * 30_000, "CLM*C2*10***11:B:1", *_LINE, head=HEAD).encode()
    pieces = [part for part in split_x12(io.BytesIO(data), claims=10) if isinstance(part, X12Piece)]
    assert max(piece.text.count("LX*") for piece in pieces) == 1000  # the 1000th line is past the limit
    assert in_pieces(data, 10) == whole(data)


_BHT = "BHT*0019*00*B1*20260410*1200*CH"


def _transaction(kind: str, count: int = 12) -> list[str]:
    """An 837P's or 837I's segments from its ST through its last claim, without a BHT: a billing provider loop
    and ``count`` subscriber loops of one claim each (C1, C2, ...), dated 2024: their received date is BHT04."""
    guide = "005010X222A1" if kind == "837P" else "005010X223A2"
    segments = [f"ST*837*0001*{guide}", "NM1*41*2*SUBMITTER*****46*S1", "HL*1**20*1",
                "NM1*85*2*GROUP*****XX*1234567893"]
    for n in range(1, count + 1):
        segments += [f"HL*{n + 1}*1*22*0", "SBR*P*18*******MB", f"NM1*IL*1*EXAMPLE*PAT****MI*M{n}",
                     "DMG*D8*19580314*F"]
        if kind == "837P":
            segments += [f"CLM*C{n}*64***11:B:1*Y*A*Y*Y", "HI*ABK:R0789", "LX*1", "SV1*HC:71046:26*64*UN*1***1"]
        else:
            segments += [f"CLM*C{n}*100***13:A:1**A*Y*Y", "DTP*434*RD8*20240302-20240302", "HI*ABK:R0789", "LX*1",
                         "SV2*0320*HC:71046*100*UN*1"]
        segments.append("DTP*472*D8*20240302")
    return segments


def _with_bht(kind: str, *after: str) -> bytes:
    """The 837 of :func:`_transaction` with a BHT after the first segment that starts with each text of ``after``
    (``ST*``: right after its ST), in one interchange with correct counts."""
    segments = _transaction(kind)
    for text in after:
        at = next(n for n, segment in enumerate(segments) if segment.startswith(text))
        segments.insert(at + 1, _BHT)
    guide = segments[0].rsplit("*", 1)[1]
    text = "~\n".join([
        "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260320*1200*^*00501*000000001*0*T*:",
        f"GS*HC*SENDER*RECEIVER*20260320*1200*1*X*{guide}", *segments, f"SE*{len(segments) + 1}*0001", "GE*1*1",
        "IEA*1*000000001"])
    return (text + "~\n").encode()


_MISPLACED = "a BHT that is not the segment right after its ST"
_SECOND = "a second BHT in the transaction set"


class TestBeginningSegment:
    """An 837's BHT (whose BHT04 is the claims' received date) is the segment right after its ST, once: both
    routes, the whole file and its pieces, refuse one elsewhere at the same segment, after the same claims."""

    @pytest.mark.parametrize("window", [200, 1 << 20], ids=["cut segment by segment", "cut quickly"])
    @pytest.mark.parametrize("kind", ["837P", "837I"])
    @pytest.mark.parametrize("after, problem, read", [
        (("ST*",), None, 12),
        (("NM1*41",), _MISPLACED, 0),
        (("HL*1*",), _MISPLACED, 0),
        (("HL*8*",), _MISPLACED, 6),
        (("CLM*C6*",), _MISPLACED, 5),
        (("ST*", "ST*"), _SECOND, 0),
        (("ST*", "HL*8*"), _SECOND, 6),
        (("ST*", "CLM*C9*"), _SECOND, 8),
    ], ids=["right after ST", "before the first HL", "after the billing provider's HL", "after a subscriber's HL",
            "inside a claim", "twice after ST", "again in a subscriber loop", "again in a claim"])
    def test_a_bht_elsewhere_is_refused_alike(self, monkeypatch, window, kind, after, problem, read):
        """A BHT after other segments of the header, after an HL or inside a claim, or a second one: the whole
        file and its pieces (of 1, 2, 5 or 500 claims) raise InputError at that BHT's segment number, after
        the claims before it (not the claim it interrupts)."""
        monkeypatch.setattr(x12_split, "_WINDOW", window)
        data = _with_bht(kind, *after)
        items, raised = expected = whole(data)
        assert [item[0] for item in items] == ["claim"] * read
        if problem is None:
            assert {item.received for item in radrules.read_x12(io.BytesIO(data))} == {dt.date(2026, 4, 10)}
            assert raised is None
        else:
            number = [n for n, segment_id, _ in tokenize(io.BytesIO(data)) if segment_id == "BHT"][-1]
            assert raised[3:] == (number, "BHT") and problem in raised[1]
        for claims in (1, 2, 5, 500):
            assert in_pieces(data, claims) == expected

    def test_the_splitter_stops_at_the_bht(self):
        """A BHT after subscriber loops cut quickly: split_x12 raises at it, as read_x12 does, after a last
        piece marked incomplete (the claim the BHT interrupts is not read)."""
        parts = []
        with pytest.raises(radrules.InputError) as caught:
            for part in split_x12(io.BytesIO(_with_bht("837P", "ST*", "CLM*C9*")), claims=2):
                parts.append(part)
        assert (caught.value.segment, caught.value.segment_id) == (85, "BHT")
        assert not parts[-1].complete and all(part.complete for part in parts[:-1])
        assert sum(part.claims for part in parts) == 9

    @pytest.mark.parametrize("kind", ["837P", "837I"])
    def test_the_fuzzed_file(self, kind):
        """The file a fuzz tester found: a subscriber's HL before the BHT, then the billing provider and the
        claims. The pieces read the claims without BHT04 where the whole file gave them it: both now refuse
        the file at its BHT (segment 5)."""
        data = _with_bht(kind, "ST*").replace(b"~\nBHT*", b"~\nHL*90*1*22*0~\nBHT*", 1)
        for found in [whole(data)] + [in_pieces(data, claims) for claims in (1, 2, 500)]:
            assert found[0] == [] and found[1][3:] == (5, "BHT") and _MISPLACED in found[1][1]

    def test_another_transaction_set_is_not_checked(self):
        """A BHT out of place in a transaction set whose claims are not read (an 837 of another guide) is not
        refused: the set is reported on its ST, as before."""
        data = _with_bht("837P", "HL*1*").replace(b"005010X222A1", b"005010X224A2")
        items, raised = whole(data)
        assert raised is None and len(items) == 1 and "not an 837P" in items[0][1]
        for claims in (1, 2, 500):
            assert in_pieces(data, claims) == (items, raised)


@pytest.mark.parametrize("claims", [1, 3, 500])
def test_a_space_for_the_component_separator_of_a_later_interchange(claims):
    """A second interchange whose ISA16 is a space: both routes raise InputError at that ISA, after the first
    interchange's claims."""
    data = (x12_file(10) + x12_file(10).replace("*T*:~", "*T* ~")).encode()
    items, raised = whole(data)
    assert len(items) == 10 and raised[3:] == (109, "ISA") and "component separator (ISA16)" in raised[1]
    assert in_pieces(data, claims) == (items, raised)
