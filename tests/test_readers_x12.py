"""The X12 837P/837I reader: every field mapping, malformed files, streaming memory."""

from __future__ import annotations

import datetime as dt
import io
import pickle
import tracemalloc
from pathlib import Path

import pytest

import radrules
from radrules.readers import x12_claims
from radrules.readers import x12 as x12_module
from radrules.readers.x12 import tokenize

DATA = Path(__file__).parent / "data" / "x12"
P837 = DATA / "radiology-837p.edi"
I837 = DATA / "radiology-837i.edi"
D = dt.date

ISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260320*1200*^*00501*000000001*0*T*:~"
HEAD = [
    "GS*HC*SENDER*RECEIVER*20260320*1200*1*X*005010X222A1",
    "ST*837*0001*005010X222A1",
    "BHT*0019*00*B1*20260320*1200*CH",
    "HL*1**20*1",
    "HL*2*1*22*0",
    "SBR*P*18*******CI",
    "NM1*IL*1*EXAMPLE*PAT****MI*M1",
    "DMG*D8*19580314*F",
    "NM1*PR*2*Example  Health   Plan*****PI*P1",
]


def x12(*claim_segments: str, head=HEAD, trailer=True) -> str:
    """An 837P interchange around the given segments, with correct SE/GE/IEA counts."""
    segments = list(head) + list(claim_segments)
    st_count = len(segments) - 1 + 1  # from ST through SE
    text = ISA + "~".join(segments) + "~"
    if trailer:
        text += f"SE*{st_count}*0001~GE*1*1~IEA*1*000000001~"
    return text


def read(text: str) -> list:
    return list(radrules.read_x12(io.StringIO(text)))


def one(*segments: str):
    items = read(x12(*segments))
    assert len(items) == 1, items
    return items[0]


def claims(path: Path) -> list:
    return list(radrules.read_x12(path))


class TestProfessionalFixture:
    """tests/data/x12/radiology-837p.edi: five claims, one of them bad."""

    def test_every_clm_is_a_claim_or_an_error_in_file_order(self):
        """Five CLM loops give four claims and one InputError, in file order, with CLM01 as id."""
        items = claims(P837)
        assert [type(item).__name__ for item in items] == ["Claim", "Claim", "Claim", "InputError", "Claim"]
        assert [item.id for item in items if isinstance(item, radrules.Claim)] == [
            "RAD-1001", "RAD-1002", "RAD-1003", "RAD-1005"]

    def test_claim_level_fields(self):
        """Claim 1: payer from SBR09 MB, patient from 2010BA DMG with the member id, POS and frequency from CLM05."""
        claim = claims(P837)[0]
        assert claim.type == "professional"
        assert claim.payer == "medicare"
        assert claim.patient == radrules.Patient(birth_date=D(1958, 3, 14), sex="F", id="MEMBER0001")
        assert claim.place_of_service == "11"
        assert claim.frequency == "1"
        assert claim.received == D(2026, 4, 10)  # BHT04
        assert claim.diagnoses == ("R0789", "M25561")
        assert claim.diagnosis_system == "icd10"

    def test_prior_auth_from_claim_and_line_ref_g1(self):
        """REF*G1 at 2300 and at 2400 both become prior-authorization numbers, claim level first."""
        assert claims(P837)[0].prior_auth == ("PA20260302A", "PA20260302B")

    def test_service_lines(self):
        """SV1 composite code and modifiers, charge, units, pointers, line POS, D8 and RD8 dates."""
        lines = claims(P837)[0].lines
        assert [(l.code, l.modifiers) for l in lines] == [("71046", ("26",)), ("73721", ("26", "RT")),
                                                          ("73721", ("TC", "LT"))]
        assert [l.charge for l in lines] == [64, 450, 450]
        assert [l.units for l in lines] == [1, 1, 2]
        assert [l.diagnosis_pointers for l in lines] == [(1,), (2, 1), (2,)]
        assert [l.place_of_service for l in lines] == [None, None, "22"]
        assert [(l.date, l.end_date) for l in lines] == [(D(2026, 3, 2), None), (D(2026, 3, 2), None),
                                                         (D(2026, 3, 2), D(2026, 3, 3))]

    def test_rendering_npi_from_claim_and_line(self):
        """NM1*82 at 2420A wins for its line; the 2310B one applies to the other lines."""
        assert [l.rendering_npi for l in claims(P837)[0].lines] == ["1234567810", "1234567828", "1234567810"]

    def test_received_date_from_dtp_050_and_frequency_7(self):
        """Claim 2: DTP*050 is the receipt date; CLM05-3 7 is a replacement claim."""
        claim = claims(P837)[1]
        assert claim.received == D(2026, 3, 25)
        assert claim.frequency == "7"
        assert claim.prior_auth == ()

    def test_dependent_patient_from_2010ca(self):
        """Claim 3: the patient loop (HL 23) gives the patient's DMG, and no member id (it is the subscriber's)."""
        claim = claims(P837)[2]
        assert claim.patient == radrules.Patient(birth_date=D(2010, 5, 1), sex="M", id=None)
        assert claim.payer == "acme"  # NM1*PR name, lower case
        assert claim.place_of_service == "22"

    def test_bad_claim_is_reported_with_segment_and_position(self):
        """Claim 4 (February 30) is an InputError naming segment 60 (DTP) and claim 4, without the value."""
        error = claims(P837)[3]
        assert isinstance(error, radrules.InputError)
        assert (error.segment, error.segment_id, error.claim) == (60, "DTP", 4)
        assert str(error).endswith("segment 60 (DTP): DTP*472 (service date) is not a D8 date (CCYYMMDD) "
                                   "or an RD8 range (CCYYMMDD-CCYYMMDD)")
        assert "20260230" not in str(error) and "RAD-1004" not in str(error)

    def test_icd9_diagnoses_are_flagged(self):
        """Claim 5: BK/BF diagnoses are read and marked icd9."""
        claim = claims(P837)[4]
        assert claim.diagnoses == ("78650", "4019")
        assert claim.diagnosis_system == "icd9"

    def test_claims_evaluate_with_the_bundled_rules(self):
        """The claims evaluate: claim 1's TC line of a hospital outpatient (POS 22) is Medicare's to deny, Acme's PTP
        edit and prior-auth rule fire on claim 3, format.icd9 on claim 5."""
        rules = radrules.load()
        results = [rules.evaluate(c) for c in claims(P837) if isinstance(c, radrules.Claim)]
        assert [r.passed for r in results] == [False, True, False, False]
        assert [(f.rule, f.lines) for f in results[0].findings] == [
            ("medicare.technical_component.hospital_patient", (3,))]
        assert {"acme.ptp", "acme.prior_auth.missing"} <= set(results[2].fired())
        assert results[3].fired() == ("format.icd9",)
        assert results[3].findings[0].carc == "CO-16" and results[3].findings[0].rarc == ("M76",)

    def test_payers_mapping_wins(self):
        """The payers mapping (payer id -> name) overrides the SBR09 and payer-name mapping."""
        items = list(radrules.read_x12(P837, payers={"ACME01": "acme_commercial", "00000": "medicare_b"}))
        assert [c.payer for c in items if isinstance(c, radrules.Claim)] == [
            "medicare_b", "medicare_b", "acme_commercial", "acme_commercial"]

    def test_a_mapped_payer_name_reads_as_rules_compare_it(self):
        """A mapped name with a run of spaces (or a no-break space) matched no rule, which compare payers with
        runs of white space as one: it is given as rules compare it."""
        items = list(radrules.read_x12(P837, payers={"ACME01": " Zeta \u00a0 Health"}))
        assert [c.payer for c in items if isinstance(c, radrules.Claim)][2:] == ["zeta health", "zeta health"]

    def test_binary_and_text_file_objects(self):
        """A binary or a text file object reads the same claims as the path."""
        by_path = claims(P837)
        with open(P837, "rb") as handle:
            by_binary = list(radrules.read_x12(handle))
        with open(P837, encoding="ascii") as handle:
            by_text = list(radrules.read_x12(handle))
        same = [c for c in by_path if isinstance(c, radrules.Claim)]
        assert [c for c in by_binary if isinstance(c, radrules.Claim)] == same
        assert [c for c in by_text if isinstance(c, radrules.Claim)] == same


class TestInstitutionalFixture:
    """tests/data/x12/radiology-837i.edi: SV2 lines with revenue codes."""

    def test_sv2_lines(self):
        """SV2 gives revenue code, HCPCS code and modifiers, charge and units; pointers cover every diagnosis."""
        claim = claims(I837)[0]
        assert claim.type == "institutional"
        assert claim.payer == "medicare"  # SBR09 MA
        assert claim.place_of_service is None  # CLM05-1 is a facility type code on an 837I
        assert claim.frequency == "1"
        assert claim.diagnoses == ("R1084", "R0789")  # ABJ (admitting) is not a claim diagnosis
        lines = claim.lines
        assert [l.revenue_code for l in lines] == ["0350", "0320", "0610"]
        assert [(l.code, l.modifiers) for l in lines] == [("74177", ()), ("71046", ("LT",)), ("70553", ())]
        assert [l.charge for l in lines] == [900, 150, 700]
        assert all(l.diagnosis_pointers == (1, 2) for l in lines)

    def test_line_dates_fall_back_to_the_statement_period(self):
        """A line without DTP*472 takes the DTP*434 statement period (RD8) as its span."""
        lines = claims(I837)[0].lines
        assert [(l.date, l.end_date) for l in lines] == [(D(2026, 3, 2), None), (D(2026, 3, 2), D(2026, 3, 3)),
                                                         (D(2026, 3, 3), None)]
        # a line without a rendering provider (2420C, 2310D) has the attending provider's (2310A)
        assert [l.rendering_npi for l in lines] == ["1234567836", "1234567836", "1234567844"]

    def test_the_billing_provider_is_the_claims(self):
        """NM1*85 of loop 2010AA is the claim's billing_npi, on an 837I (the hospital: the provider its lines are
        compared by) as on an 837P, and it is written back by to_dict."""
        assert claims(I837)[0].billing_npi == claims(P837)[0].billing_npi == "1234567802"
        assert claims(I837)[0].to_dict()["billing_npi"] == "1234567802"

    def test_the_type_of_bill_is_the_facility_code_and_the_frequency(self):
        """837I CLM05-1 and CLM05-3 make the type of bill (`13:A:1` is 131); an 837P has none."""
        assert claims(I837)[0].bill_type == "131"
        assert claims(P837)[0].bill_type is None

    def test_revenue_code_only_line_is_read(self):
        """An SV2 without a HCPCS code (pharmacy 0250) is a line of a revenue code alone: no code, no modifiers
        (docs/claim-format.md#lines-without-a-procedure-code)."""
        claim = claims(I837)[1]
        assert isinstance(claim, radrules.Claim)
        (line,) = claim.lines
        assert (line.code, line.modifiers, line.revenue_code, line.charge) == (None, (), "0250", 80)


class TestMapping:
    """Field mappings on small hand-made files."""

    def test_hi_principal_first_and_several_hi_segments(self):
        """ABF before ABK, across two HI segments: the principal diagnosis is still diagnosis 1."""
        claim = one("CLM*C1*10***11:B:1", "HI*ABF:R0789", "HI*ABK:J189*ABF:Z87891*BH:A1:D8:20260101",
                    "LX*1", "SV1*HC:71046*10*UN*1***1", "DTP*472*D8*20260302")
        assert claim.diagnoses == ("J189", "R0789", "Z87891")

    def test_condition_codes_from_hi_bg(self):
        """HI composites with qualifier BG are the claim's condition codes, in order; they take no diagnosis
        position, so SV107 pointers still count the diagnoses alone."""
        claim = one("CLM*C1*10***11:B:1", "HI*ABK:J189*BG:45", "HI*BG:a1*BG:P1", "LX*1",
                    "SV1*HC:71046*10*UN*1***1", "DTP*472*D8*20260302")
        assert claim.condition_codes == ("45", "A1", "P1")
        assert claim.diagnoses == ("J189",)
        assert claim.lines[0].diagnosis_pointers == (1,)
        assert one("CLM*C1*10***11:B:1", "HI*ABK:J189", "LX*1", "SV1*HC:71046*10*UN*1***1",
                   "DTP*472*D8*20260302").condition_codes == ()

    def test_bad_condition_code_is_an_input_error(self):
        """A BG code that is not two letters or digits is the claim's problem, named by its field."""
        [error] = read(x12("CLM*C1*10***11:B:1", "HI*BG:451", "LX*1", "SV1*HC:71046*10*UN*1***1",
                           "DTP*472*D8*20260302"))
        assert isinstance(error, radrules.InputError)
        assert "condition_codes[0]" in str(error)

    def test_a_blank_claim_id_is_an_error(self):
        """CLM01 of blanks is an empty claim id (trimmed, it would be a claim without one)."""
        [error, _] = read(x12("CLM*   *10***11:B:1", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302",
                              "CLM*C9*10***11:B:1", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302"))
        assert isinstance(error, radrules.InputError) and "CLM01 (the claim id) is empty" in error.problem

    @pytest.mark.parametrize("claim_id, problem", [("C\x011", "id: holds a control or invisible character"),
                                                   ("C" * 129, "id: longer than 128 characters")])
    def test_a_claim_id_no_result_could_carry_is_an_error_of_that_claim(self, claim_id, problem):
        """The fast mapping leaves it to the claim's checks, which name the field (never the value); the next
        claim is read."""
        [error, later] = read(x12(f"CLM*{claim_id}*10***11:B:1", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302",
                                  "CLM*C9*10***11:B:1", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302"))
        assert isinstance(error, radrules.InputError) and problem in error.problem
        assert claim_id not in str(error) and later.id == "C9"

    @pytest.mark.parametrize("segments, at", [
        (["HI*ABK:J189", "HI*BG:451"], 2),
        (["HI*ABK:J189", "HI*BG:45", "HI*BG:451"], 3),
        (["HI*ABK:J189", "HI*BG:45*BG:07", "HI*BG:A1*BG:451"], 3),
    ], ids=["one BG HI", "the second BG HI", "the second code of the second"])
    def test_a_bad_condition_code_names_its_hi_segment(self, segments, at):
        """The error of a bad BG code is placed on the HI that holds it, not on CLM or another HI."""
        [error] = read(x12("CLM*C1*10***11:B:1", *segments, "LX*1", "SV1*HC:71046*10*UN*1***1",
                           "DTP*472*D8*20260302"))
        [clm] = [n for n, s in enumerate(x12("CLM*C1*10***11:B:1").split("~"), 1) if s.startswith("CLM")]
        assert (error.segment_id, error.segment) == ("HI", clm + at)

    def test_four_modifiers_and_description_ignored(self):
        """SV101 carries up to four modifiers; its 7th component (a description) is not a modifier."""
        claim = one("CLM*C1*10***11:B:1", "HI*ABK:J189", "LX*1", "SV1*HC:73721:26:RT:59:76:KNEE MRI*10*UN*1***1",
                    "DTP*472*D8*20260302")
        assert claim.lines[0].modifiers == ("26", "RT", "59", "76")

    def test_decimal_units_and_charge(self):
        """Units and charges with decimals are read as numbers."""
        claim = one("CLM*C1*10***11:B:1", "LX*1", "SV1*HC:Q9967*12.5*UN*2.5", "DTP*472*D8*20260302")
        assert (claim.lines[0].units, claim.lines[0].charge) == (2.5, 12.5)

    def test_payer_name_lower_case_with_spaces_collapsed(self):
        """Without a payer mapping and with SBR09 CI, the payer is NM1*PR03 in lower case."""
        claim = one("CLM*C1*10***11:B:1", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302")
        assert claim.payer == "example health plan"

    def test_other_subscriber_loops_are_not_this_claims_data(self):
        """REF*G1 and NM1*82 inside 2320/2330 (after SBR) belong to the other payer and are skipped."""
        claim = one("CLM*C1*10***11:B:1", "REF*G1*PA1", "SBR*S*01*******CI", "NM1*82*1*X****XX*1234567836",
                    "REF*G1*OTHERPA", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302")
        assert claim.prior_auth == ("PA1",)
        assert claim.lines[0].rendering_npi is None

    def test_ref_f8_is_the_claim_replaced(self):
        """REF*F8 of loop 2300 is the payer's claim control number of the claim a replacement replaces
        (`replaces`); the REF*F8 of 2330B, after SBR, is the other payer's and is skipped."""
        claim = one("CLM*C1*10***11:B:7", "REF*F8* 26123000456 ", "SBR*S*01*******CI", "REF*F8*OTHER",
                    "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302")
        assert (claim.frequency, claim.replaces) == ("7", "26123000456")
        assert claim.to_dict()["replaces"] == "26123000456"
        assert one("CLM*C1*10***11:B:1", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302").replaces is None

    def test_a_replacement_read_from_x12_is_judged_without_the_claim_it_replaces(self):
        """An 837P replacement (CLM05-3 7) with REF*F8: the history lines of that claim are not duplicates."""
        rules = radrules.load(bundled=True)
        history = [{"code": "71046", "date": "2026-03-02", "claim": "26123000456"}]
        for frequency, passed in (("7", True), ("1", False)):
            claim = one(f"CLM*C1*10***11:B:{frequency}", "REF*F8*26123000456", "LX*1", "SV1*HC:71046*10*UN*1",
                        "DTP*472*D8*20260302")
            result = rules.evaluate(claim, history=history)
            assert (result.passed, [f.rule for f in result.findings]) == (
                passed, [] if passed else ["duplicate.history"])

    def test_claims_under_two_st_and_two_gs(self):
        """Several GS and ST envelopes in one interchange: every CLM is read, in order."""
        body = ["BHT*0019*00*B1*20260320*1200*CH", "HL*1**20*1", "HL*2*1*22*0", "SBR*P*18*******MB",
                "CLM*C1*10***11:B:1", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302"]
        st = lambda n: [f"ST*837*{n}*005010X222A1", *body, f"SE*{len(body) + 2}*{n}"]
        segments = (["GS*HC*S*R*20260320*1200*1*X*005010X222A1", *st("0001"), *st("0002"), "GE*2*1",
                     "GS*HC*S*R*20260320*1200*2*X*005010X222A1", *st("0003"), "GE*1*2", "IEA*2*000000001"])
        items = read(ISA + "~".join(segments) + "~")
        assert [type(i).__name__ for i in items] == ["Claim"] * 3

    def test_other_delimiters_and_line_breaks(self):
        """Delimiters come from the ISA (| ^ >, terminator !), and line breaks after segments are ignored."""
        text = x12("CLM*C1*10***11>B>1", "HI*ABK>J189", "LX*1", "SV1*HC>71046>26*10*UN*1***1",
                   "DTP*472*RD8*20260302-20260304")
        text = text.replace("*", "|").replace("~", "!\r\n").replace("|^|00501", "|^|00501")
        text = text.replace("|T|:", "|T|>")
        claim = read(text)[0]
        assert (claim.lines[0].code, claim.lines[0].modifiers) == ("71046", ("26",))
        assert claim.diagnoses == ("J189",)
        assert claim.lines[0].end_date == D(2026, 3, 4)

    def test_tokenizer_numbers_segments_from_the_isa(self):
        """tokenize() yields (number, id, text) with the ISA as segment 1."""
        segments = list(tokenize(io.StringIO(x12("CLM*C1*10***11:B:1"))))
        assert [s[:2] for s in segments[:3]] == [(1, "ISA"), (2, "GS"), (3, "ST")]
        assert segments[-1][:2] == (len(segments), "IEA")

    def test_837i_statement_period_is_the_claims(self):
        """DTP*434 of an 837I is the claim's statement period, also when every line has its own date (Medicare
        counts timely filing from its Through date); a D8 is a period of one day. An 837P has none."""
        head = [h.replace("005010X222A1", "005010X223A2") for h in HEAD]
        lines = ("LX*1", "SV2*0320*HC:71046*10*UN*1", "DTP*472*D8*20250305")
        claim = read(x12("CLM*C1*10***13:A:1", "DTP*434*RD8*20250301-20250331", *lines, head=head))[0]
        assert (claim.statement_from, claim.statement_through) == (D(2025, 3, 1), D(2025, 3, 31))
        assert claim.to_dict()["statement_through"] == "2025-03-31"
        claim = read(x12("CLM*C1*10***13:A:1", "DTP*434*D8*20250305", *lines, head=head))[0]
        assert (claim.statement_from, claim.statement_through) == (D(2025, 3, 5), D(2025, 3, 5))
        assert one("CLM*C1*10***11:B:1", "DTP*434*RD8*20250301-20250331", "LX*1", "SV1*HC:71046*10*UN*1",
                   "DTP*472*D8*20250305").statement_through is None

    @pytest.mark.parametrize("dtp, problem", [
        ("DTP*434*RD8*20250331-20250301", "statement_through: expected a date on or after `statement_from`"),
        ("DTP*434*RD8*20250301", "DTP*434 (statement dates) is not a D8 date (CCYYMMDD) or an RD8 range"),
    ])
    def test_837i_bad_statement_period_is_reported_on_its_dtp(self, dtp, problem):
        """A statement period that ends before it starts, or is not a date, is reported on its DTP, also when
        every line has a date of its own."""
        head = [h.replace("005010X222A1", "005010X223A2") for h in HEAD]
        items = read(x12("CLM*C1*10***13:A:1", dtp, "LX*1", "SV2*0320*HC:71046*10*UN*1", "DTP*472*D8*20250305",
                         head=head))
        assert isinstance(items[0], radrules.InputError) and items[0].segment_id == "DTP"
        assert problem in items[0].problem

    @pytest.mark.parametrize("frequency, kept", [("Q", "Q"), ("q", "Q"), ("0", "0"), ("A", "A")])
    def test_837i_frequency_letters(self, frequency, kept):
        """CLM05-3 may be a letter (`Q`, a reopening: TOB 13Q, CR 8581); the type of bill ends in it."""
        head = [h.replace("005010X222A1", "005010X223A2") for h in HEAD]
        claim = read(x12(f"CLM*C1*10***13:A:{frequency}", "LX*1", "SV2*0320*HC:71046*10*UN*1",
                         "DTP*472*D8*20250305", head=head))[0]
        assert (claim.bill_type, claim.frequency) == ("13" + kept, kept)
        error = read(x12("CLM*C1*10***13:A:L", "LX*1", "SV2*0320*HC:71046*10*UN*1", "DTP*472*D8*20250305",
                         head=head))[0]
        assert isinstance(error, radrules.InputError) and error.segment_id == "CLM"
        assert "frequency: expected the claim frequency code" in error.problem

    def test_837i_line_without_any_date_is_an_error(self):
        """An 837I line with neither DTP*472 nor a statement period is reported on its SV2."""
        head = [h.replace("005010X222A1", "005010X223A2") for h in HEAD]
        items = read(x12("CLM*C1*10***13:A:1", "LX*1", "SV2*0320*HC:71046*10*UN*1", head=head))
        assert items[0].segment_id == "SV2" and "no service date" in items[0].problem


class TestMalformed:
    """Malformed files raise, and malformed claims are yielded, with segment number and id."""

    @pytest.mark.parametrize("text, segment, segment_id, words", [
        ("GS*HC*S*R~", 1, None, "must start with an ISA segment"),
        ("ISA*00*  *00~", 1, "ISA", "fewer than 16 elements"),
        (ISA.replace("*:~", "*A~"), 1, "ISA", "component separator"),
        (ISA.replace("*:~", "* ~"), 1, "ISA", "the component separator (ISA16) is a letter, digit or space"),
        (ISA + "GS*HC*S*R*20260320*1200*1*X*005010X222A1~ST*837*1*005010X222A1~HL*1**20*1~BHT*0019*00*B1~", 5,
         "BHT", "a BHT that is not the segment right after its ST"),
        (ISA + "GS*HC*S*R*20260320*1200*1*X*005010X223A2~ST*837*1*005010X223A2~BHT*0019~BHT*0019~", 5, "BHT",
         "a second BHT in the transaction set"),
        (ISA + "ST*837*0001*005010X222A1~", 2, "ST", "outside a functional group"),
        (ISA + "GS*HC*S*R*20260320*1200*1*X*005010X222A1~CLM*C1~", 3, "CLM", "outside any transaction set"),
        (ISA + "GS*HC*S*R*20260320*1200*1*X*005010X222A1~ST*837*1~ST*837*2~", 4, "ST", "has no SE"),
        (ISA + "GS*HC*S*R*20260320*1200*1*X*005010X222A1~SE*1*1~", 3, "SE", "without its ST"),
        (ISA + "G$*HC~", 2, None, "not a segment"),
        (ISA + "GS*HC*S*R", 2, None, "ends inside a segment"),
    ])
    def test_broken_files_raise(self, text, segment, segment_id, words):
        """A broken file raises InputError naming the segment number (and id when it has one)."""
        with pytest.raises(radrules.InputError) as caught:
            read(text)
        assert (caught.value.segment, caught.value.segment_id) == (segment, segment_id)
        assert words in str(caught.value)

    def test_cut_off_file_raises_after_the_claims_it_read(self):
        """A file without SE/GE/IEA yields its complete claims, then raises."""
        reader = radrules.read_x12(io.StringIO(x12("CLM*C1*10***11:B:1", "LX*1", "SV1*HC:71046*10*UN*1",
                                                    "DTP*472*D8*20260302", "CLM*C2*10***11:B:1", trailer=False)))
        claim = next(reader)
        assert claim.id == "C1"
        with pytest.raises(radrules.InputError) as caught:
            list(reader)
        assert (caught.value.segment, caught.value.segment_id) == (15, "CLM")
        assert caught.value.problem == "the file ends after this segment without its SE: is it cut off?"

    def test_a_lost_subscriber_hl_does_not_give_claims_the_earlier_subscriber(self):
        """Without its HL, a second subscriber's segments fall inside the first one's claim: that claim is an
        error, and so is every claim up to the next HL, rather than taking the first subscriber's patient
        and payer."""
        lost = ["SBR*P*18*******CI", "NM1*IL*1*OTHER*PAT****MI*M2", "DMG*D8*19900101*M", "NM1*PR*2*ACME*****PI*P2"]
        line = ["LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302"]
        items = read(x12("CLM*C1*10***11:B:1", *line, *lost, "CLM*C2*10***11:B:1", *line,
                         "HL*3*1*22*0", "SBR*P*18*******CI", "NM1*IL*1*THIRD*PAT****MI*M3", "CLM*C3*10***11:B:1",
                         *line))
        assert [type(item).__name__ for item in items] == ["InputError", "InputError", "Claim"]
        assert items[1].segment_id == "CLM" and "is their HL missing?" in items[1].problem
        assert items[2].id == "C3"

    def test_a_lost_patient_hl_does_not_give_the_claim_the_subscriber(self):
        """A dependent's name (NM1*QC) in the subscriber's loop: the HL 23 is lost, the claim is an error."""
        items = read(x12("PAT*19", "NM1*QC*1*CHILD*PAT", "DMG*D8*20150601*M", "CLM*C1*10***11:B:1", "LX*1",
                         "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302"))
        (error,) = items
        assert error.segment_id == "CLM" and "HL (level 23) missing" in error.problem

    def test_the_billing_provider_renders_when_no_other_is_named(self):
        """837P: 2310B is sent only when the rendering provider is not the billing provider (2010AA), so a line
        without 2420A or 2310B has the billing provider's NPI; a new billing provider loop (HL 20) has its own."""
        solo = ["HL*1**20*1", "NM1*85*1*SOLO*RAD****XX*1245319599"]
        head = [s for s in HEAD if s != "HL*1**20*1"]
        head = head[:3] + solo + head[3:]
        line = ["LX*1", "SV1*HC:71046:26*10*UN*1***1", "DTP*472*D8*20260302"]
        second = ["HL*3**20*1", "NM1*85*2*GROUP*****XX*1234567893", "HL*4*3*22*0", "SBR*P*18*******CI",
                  "NM1*IL*1*EXAMPLE*PAT****MI*M1", "DMG*D8*19580314*F", "NM1*PR*2*PLAN*****PI*P1"]
        items = read(x12("CLM*C1*10***11:B:1", "HI*ABK:R0789", *line,
                         "CLM*C2*10***11:B:1", "HI*ABK:R0789", "NM1*82*1*OTHER*DOC****XX*1234567893", *line,
                         *second, "CLM*C3*10***11:B:1", "HI*ABK:R0789", *line, head=head))
        assert [(c.id, c.lines[0].rendering_npi) for c in items] == [
            ("C1", "1245319599"), ("C2", "1234567893"), ("C3", "1234567893")]
        assert [c.billing_npi for c in items] == ["1245319599", "1245319599", "1234567893"]
        history = [{"code": "71046", "modifiers": ["26"], "date": "2026-03-02", "rendering_npi": "1234567893"}]
        result = radrules.load().evaluate(items[0], history=history)
        assert "duplicate.history" not in {f.rule for f in result.findings}  # another radiologist's read

    def test_a_claim_under_the_billing_provider_is_an_error(self):
        head = [segment for segment in HEAD if not segment.startswith("HL*2")]
        items = read(x12("CLM*C1*10***11:B:1", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302", head=head))
        (error,) = items
        assert error.segment_id == "CLM" and "in an HL of level 20" in error.problem

    @pytest.mark.parametrize("st, gs08", [("ST*835*0001*005010X221A1", "005010X221A1"),
                                          ("ST*270*0001*005010X279A1", "005010X279A1")])
    def test_another_transaction_set_is_reported_even_without_claims(self, st, gs08):
        """An 835 or a 270 has no CLM: it is still reported on its ST, never read as "0 claims"."""
        head = [f"GS*HC*S*R*20260320*1200*1*X*{gs08}", st, "BPR*I*100*C*ACH"]
        (error,) = read(x12(head=head))
        assert (error.segment, error.segment_id) == (3, "ST")
        assert "not an 837" in error.problem

    @pytest.mark.parametrize("segment", ["clm*C2*10***11:B:1", "hi*ABK:R0789", "Sv1*HC:71046*10*UN*1"])
    def test_a_lowercase_segment_id_is_not_a_segment(self, segment):
        """Segment ids are capitals and digits: a lowercase one is refused, never read as a segment to skip
        (a lowercase CLM merged two claims; a lowercase HI dropped the diagnoses)."""
        with pytest.raises(radrules.InputError) as caught:
            read(x12("CLM*C1*10***11:B:1", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302", segment))
        assert caught.value.problem.startswith("not a segment")

    def test_missing_file(self, tmp_path):
        """A path that does not exist raises InputError naming it."""
        with pytest.raises(radrules.InputError, match="can't read the file"):
            list(radrules.read_x12(tmp_path / "missing.edi"))

    @pytest.mark.parametrize("segments, segment_id, words", [
        (["HI*BK*0340"], "HI", "HI01 has no code after its qualifier"),
        (["HI*ABK:J189*BF:4019"], "HI", "mixes ICD-9-CM (BK/BF) and ICD-10-CM"),
        (["HI*ABK:J189*ABK:R0789"], "HI", "a second principal diagnosis"),
        (["LX*1", "SV1*ER:71046*10*UN*1", "DTP*472*D8*20260302"], "SV1", "must be HC"),
        (["LX*1", "SV1*HC:71046*10*UN", "DTP*472*D8*20260302"], "SV1", "SV104 (units) is missing"),
        (["LX*1", "SV1*HC:71046*ten*UN*1", "DTP*472*D8*20260302"], "SV1", "SV102 (charge) is not a number"),
        (["LX*1", "SV1*HC:71046*10*UN*1***A", "DTP*472*D8*20260302"], "SV1", "SV107 (diagnosis pointers)"),
        (["LX*1", "SV1*HC:71046::RT*10*UN*1", "DTP*472*D8*20260302"], "SV1", "an empty modifier"),
        (["LX*1", "SV1*HC:71046*10*UN*1"], "SV1", "no service date"),
        (["LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*RD8*20260302"], "DTP", "RD8 range"),
        (["LX*1", "SV1*HC:71046*10*UN*0", "DTP*472*D8*20260302"], "SV1", "lines[0].units: expected a positive"),
        (["LX*1"], "LX", "without its SV1 or SV2"),
        ([], "CLM", "no service line"),
        (["LX*1", "SV2*0320*HC:71046*10*UN*1", "DTP*472*D8*20260302"], "SV2", "uses SV1"),
        (["DTP*050*D8*2026", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302"], "DTP", "received date"),
        (["REF*G1", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302"], "REF", "REF*G1 without"),
        (["REF*F8* ", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302"], "REF", "REF*F8 without the payer's"),
        # SV107 pointers count HI positions: a principal moved first or an empty composite would re-aim them
        (["HI*ABF:R0600*ABK:R0789", "LX*1", "SV1*HC:71046*10*UN*1***1", "DTP*472*D8*20260302"], "HI",
         "HI02: the principal diagnosis (ABK) comes after another"),
        (["HI*ABK:R0789**ABF:R0600", "LX*1", "SV1*HC:71046*10*UN*1***3", "DTP*472*D8*20260302"], "HI",
         "HI02 is empty but HI03 holds a diagnosis"),
        (["LX*1", "SV1*HC:71046*1_000*UN*1", "DTP*472*D8*20260302"], "SV1", "SV102 (charge) is not a number"),
        (["LX*1", "SV1*HC:71046*10*UN*nan", "DTP*472*D8*20260302"], "SV1", "SV104 (units) is missing or not"),
        # a condition code among the diagnoses would re-aim the pointers too
        (["HI*ABK:J189*BG:45*ABF:R0789", "LX*1", "SV1*HC:71046*10*UN*1***2", "DTP*472*D8*20260302"], "HI",
         "HI02 holds a BG code and HI03 a diagnosis"),
        (["HI*BG:45*ABK:J189", "LX*1", "SV1*HC:71046*10*UN*1***1", "DTP*472*D8*20260302"], "HI",
         "HI01 holds a BG code and HI02 a diagnosis"),
        (["HI*BG:", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302"], "HI", "HI01 has no code after"),
        (["HI*ABK:J189", "HI*BG:451", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302"], "HI",
         "condition_codes[0]: expected a condition code"),
        # a pointer past 10^15 is refused as from_dict refuses it; one of 5,000 digits made int() raise ValueError
        (["HI*ABK:J189", "LX*1", "SV1*HC:71046*10*UN*1***1:" + "9" * 20, "DTP*472*D8*20260302"], "SV1",
         "lines[0].diagnosis_pointers[1]: expected a number under 10^15"),
        (["HI*ABK:J189", "LX*1", "SV1*HC:71046*10*UN*1***" + "9" * 5000, "DTP*472*D8*20260302"], "SV1",
         "lines[0].diagnosis_pointers[0]: expected a number under 10^15"),
    ])
    def test_bad_claims_are_yielded_and_the_next_claim_is_read(self, segments, segment_id, words):
        """A claim that can't be mapped is an InputError naming its segment; the next claim is still read."""
        good = ["CLM*C9*10***11:B:1", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302"]
        items = read(x12("CLM*C1*10***11:B:1", *segments, *good))
        error, claim = items
        assert isinstance(error, radrules.InputError) and error.claim == 1
        assert error.segment_id == segment_id
        assert words in error.problem
        assert isinstance(claim, radrules.Claim) and claim.id == "C9"
        for number in ("26123000456", "26123000789"):  # claim control numbers identify claims: never shown
            assert number not in str(error)

    @pytest.mark.parametrize("segments, segment_id, words", [
        (["LX*1", "SV1*HC:71046*10*UN*1***1:\xb2", "DTP*472*D8*20260302"], "SV1", "SV107 (diagnosis pointers)"),
        (["LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*2026030\xb2"], "DTP", "not a D8 date"),
    ])
    def test_superscript_digits_are_not_digits(self, segments, segment_id, words):
        """A Latin-1 superscript digit (byte B2) in a pointer or a date makes its claim unreadable, never crashes."""
        good = ["CLM*C9*10***11:B:1", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302"]
        data = x12("CLM*C1*10***11:B:1", *segments, *good).encode("latin-1")
        error, claim = list(radrules.read_x12(io.BytesIO(data)))
        assert isinstance(error, radrules.InputError) and error.segment_id == segment_id
        assert words in error.problem
        assert claim.id == "C9"

    @pytest.mark.parametrize("segments, segment_id, words", [
        (["LX*1", "SV1*HC:71046*10*UN*1***\u0661", "DTP*472*D8*20260302"], "SV1", "SV107 (diagnosis pointers)"),
        (["LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*\uff12\uff10\uff12\uff16\uff10\uff13\uff10\uff12"], "DTP",
         "not a D8 date"),
    ])
    def test_digits_of_other_scripts_are_not_digits(self, segments, segment_id, words):
        """An Arabic-Indic pointer or a full-width date (in a UTF-8 file) makes its claim unreadable: int() reads
        them as digits, and the claim was read as if they were ASCII."""
        good = ["CLM*C9*10***11:B:1", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302"]
        error, claim = read(x12("CLM*C1*10***11:B:1", "HI*ABK:R0789", *segments, *good))
        assert isinstance(error, radrules.InputError) and error.segment_id == segment_id
        assert words in error.problem
        assert claim.id == "C9"

    def test_sv101_seventh_component_is_the_description(self):
        """SV101-7 is the description (TR3), so a fifth code after four modifiers is not read as a modifier."""
        claim = one("CLM*C1*10***11:B:1", "LX*1", "SV1*HC:71046:26:TC:59:76:XU*10*UN*1", "DTP*472*D8*20260302")
        assert claim.lines[0].modifiers == ("26", "TC", "59", "76")

    def test_bad_birth_date_names_the_dmg(self):
        """A DMG birth date that is not a date is reported on the DMG segment, for the claim that uses it."""
        head = [h if not h.startswith("DMG") else "DMG*D8*19581314*F" for h in HEAD]
        items = read(x12("CLM*C1*10***11:B:1", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302", head=head))
        assert (items[0].segment, items[0].segment_id) == (9, "DMG")

    def test_envelope_count_errors_are_yielded_after_the_claims(self):
        """Wrong SE01 and GE01 counts are yielded as InputErrors with no claim position; the claim still reads."""
        text = x12("CLM*C1*10***11:B:1", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302")
        assert "~SE*13*0001~" in text
        text = text.replace("GE*1*1", "GE*3*1").replace("~SE*13*", "~SE*99*")
        items = read(text)
        assert isinstance(items[0], radrules.Claim)
        assert [(e.segment_id, e.claim) for e in items[1:]] == [("SE", None), ("GE", None)]
        assert "SE01 says 99 segments, but the transaction set has 13" in items[1].problem

    def test_unsupported_transaction_is_reported(self):
        """An 837 of another guide (dental X224) is reported once on its ST; its claims are not read."""
        head = [h.replace("005010X222A1", "005010X224A2") for h in HEAD]
        items = read(x12("CLM*C1*10***11:B:1", "LX*1", head=head))
        assert len(items) == 1 and items[0].segment_id == "ST" and "not an 837P" in items[0].problem

    def test_claims_round_trip_through_their_json_shape(self):
        """Every claim read (new fields frequency, diagnosis_system, revenue_code included, and a line of a revenue
        code alone) survives to_dict/from_dict."""
        read_claims = [c for path in (P837, I837) for c in claims(path) if isinstance(c, radrules.Claim)]
        assert len(read_claims) == 6
        for claim in read_claims:
            assert radrules.Claim.from_dict(claim.to_dict()) == claim

    def test_input_error_pickles(self):
        """InputError survives pickling with all its parts (for multiprocessing)."""
        error = claims(P837)[3]
        copy = pickle.loads(pickle.dumps(error))
        assert (copy.file, copy.segment, copy.segment_id, copy.claim, str(copy)) == (
            error.file, error.segment, error.segment_id, error.claim, str(error))


HEAD_I = [h.replace("005010X222A1", "005010X223A2") for h in HEAD]
CLM = len(HEAD) + 2  # the segment number of the first claim segment


class TestOneServiceSegmentALine:
    """A service line (LX) has one SV1 or SV2: a second one was read as a line of its own, which took the LX's
    DTP*472 and left the first undated (837P: an error that named the first; 837I: a line on the statement
    period, in silence)."""

    @pytest.mark.parametrize("segments, head, at, segment_id", [
        (["CLM*C1*10***11:B:1", "LX*1", "SV1*HC:99213*40*UN*1***1", "SV1*HC:99214:59*40*UN*3***1",
          "DTP*472*D8*20260302"], HEAD, 3, "SV1"),
        (["CLM*C1*10***13:A:1", "DTP*434*RD8*20250911-20250911", "LX*1", "SV2*0305*HC:85025*13.39*UN*1",
          "SV2*0320*HC:71045*10*UN*1", "DTP*472*D8*20250911"], HEAD_I, 4, "SV2"),
    ], ids=["SV1", "SV2"])
    def test_a_second_service_segment_after_one_lx(self, segments, head, at, segment_id):
        """The claim is an error at the second SV1 (SV2); the next claim is read."""
        good = ["CLM*C9*10***11:B:1", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302"]
        if head is HEAD_I:
            good = ["CLM*C9*10***13:A:1", "LX*1", "SV2*0320*HC:71046*10*UN*1", "DTP*472*D8*20260302"]
        error, claim = read(x12(*segments, *good, head=head))
        assert (error.segment, error.segment_id, error.claim) == (CLM + at, segment_id, 1)
        assert error.problem == (f"a second {segment_id} in one service line: a service line (LX) has one "
                                 f"{segment_id}; is an LX missing?")
        assert isinstance(claim, radrules.Claim) and claim.id == "C9"

    def test_service_lines_without_lx_are_still_lines(self):
        """Before any LX, each SV1 starts a service line of its own (docs/readers.md): only a second SV1 after one LX
        is refused."""
        claim = one("CLM*C1*10***11:B:1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302", "SV1*HC:71047*10*UN*1",
                    "DTP*472*D8*20260303", "LX*3", "SV1*HC:71048*10*UN*1", "DTP*472*D8*20260304")
        assert [(line.code, line.date) for line in claim.lines] == [
            ("71046", D(2026, 3, 2)), ("71047", D(2026, 3, 3)), ("71048", D(2026, 3, 4))]


class TestSegmentsOnceInTheirLoop:
    """A segment the guides allow once in its loop, given twice, makes the claims that read it errors: the
    value read was the second's, in silence (another date of service, birth date or payer)."""

    _GOOD = ["CLM*C9*10***11:B:1", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302"]

    @pytest.mark.parametrize("segments, head, at, segment_id, words", [
        (["CLM*C1*10***11:B:1", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302", "DTP*472*D8*20260303"],
         HEAD, 4, "DTP", "DTP*472 appears twice in its loop (2400), which has one"),
        (["CLM*C1*10***11:B:1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302", "NTE*ADD*X", "DTP*472*D8*20260303"],
         HEAD, 4, "DTP", "DTP*472 appears twice in its loop (2400), which has one"),
        (["CLM*C1*10***11:B:1", "DTP*050*D8*20260310", "DTP*050*D8*20260311", "LX*1", "SV1*HC:71046*10*UN*1",
          "DTP*472*D8*20260302"], HEAD, 2, "DTP", "DTP*050 appears twice in its loop (2300), which has one"),
        (["CLM*C1*10***13:A:1", "DTP*434*RD8*20250911-20250911", "DTP*434*RD8*20250901-20250930", "LX*1",
          "SV2*0320*HC:71046*10*UN*1", "DTP*472*D8*20250911"], HEAD_I, 2, "DTP",
         "DTP*434 appears twice in its loop (2300), which has one"),
        (["CLM*C1*10***11:B:7", "REF*F8*26123000456", "REF*F8*26123000789", "LX*1", "SV1*HC:71046*10*UN*1",
          "DTP*472*D8*20260302"], HEAD, 2, "REF", "REF*F8 appears twice in its loop (2300), which has one"),
        # the same value twice is refused too (one rule for every such segment: x12_claims.twice_in_loop)
        (["CLM*C1*10***11:B:7", "REF*F8*26123000456", "REF*F8*26123000456", "LX*1", "SV1*HC:71046*10*UN*1",
          "DTP*472*D8*20260302"], HEAD, 2, "REF", "REF*F8 appears twice in its loop (2300), which has one"),
        (["CLM*C1*10***11:B:7", "REF*F8*26123000456", "REF*F8* ", "LX*1", "SV1*HC:71046*10*UN*1",
          "DTP*472*D8*20260302"], HEAD, 2, "REF", "REF*F8 appears twice in its loop (2300), which has one"),
        (["CLM*C1*10***11:B:1", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302", "DTP*472*D8*20260302"],
         HEAD, 4, "DTP", "DTP*472 appears twice in its loop (2400), which has one"),
        (["CLM*C1*10***11:B:1", "DTP*050*D8*20260310", "DTP*050*D8*20260310", "LX*1", "SV1*HC:71046*10*UN*1",
          "DTP*472*D8*20260302"], HEAD, 2, "DTP", "DTP*050 appears twice in its loop (2300), which has one"),
        # providers: 837P 2310B and 2420A, 837I 2310A (attending), 2310D and 2420C (a second NPI won in silence)
        (["CLM*C1*10***11:B:1", "NM1*82*1*READER*ONE****XX*1234567893", "NM1*82*1*READER*TWO****XX*1245319599",
          "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302"], HEAD, 2, "NM1",
         "NM1*82 appears twice in its loop (2310B), which has one"),
        (["CLM*C1*10***11:B:1", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302",
          "NM1*82*1*READER*ONE****XX*1234567893", "NM1*82*1*READER*TWO****XX*1245319599"], HEAD, 5, "NM1",
         "NM1*82 appears twice in its loop (2420A), which has one"),
        (["CLM*C1*10***11:B:1", "NM1*82*1*READER*ONE", "NM1*82*1*READER*TWO****XX*1245319599", "LX*1",
          "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302"], HEAD, 2, "NM1",
         "NM1*82 appears twice in its loop (2310B), which has one"),
        (["CLM*C1*10***13:A:1", "NM1*71*1*ATTENDING*ONE****XX*1234567893",
          "NM1*71*1*ATTENDING*TWO****XX*1245319599", "LX*1", "SV2*0320*HC:71046*10*UN*1", "DTP*472*D8*20250911"],
         HEAD_I, 2, "NM1", "NM1*71 appears twice in its loop (2310A), which has one"),
        (["CLM*C1*10***13:A:1", "NM1*82*1*READER*ONE****XX*1234567893", "NM1*82*1*READER*TWO****XX*1245319599",
          "LX*1", "SV2*0320*HC:71046*10*UN*1", "DTP*472*D8*20250911"], HEAD_I, 2, "NM1",
         "NM1*82 appears twice in its loop (2310D), which has one"),
        (["CLM*C1*10***13:A:1", "LX*1", "SV2*0320*HC:71046*10*UN*1", "DTP*472*D8*20250911",
          "NM1*82*1*READER*ONE****XX*1234567893", "NM1*82*1*READER*ONE****XX*1234567893"], HEAD_I, 5, "NM1",
         "NM1*82 appears twice in its loop (2420C), which has one"),
    ], ids=["2400 DTP*472", "2400 DTP*472, line without LX", "2300 DTP*050", "2300 DTP*434", "2300 REF*F8",
            "2300 REF*F8, same number", "2300 REF*F8, then an empty one", "2400 DTP*472, same date",
            "2300 DTP*050, same date", "837P 2310B NM1*82", "837P 2420A NM1*82", "837P 2310B NM1*82, first without NPI",
            "837I 2310A NM1*71", "837I 2310D NM1*82", "837I 2420C NM1*82, same NPI"])
    def test_twice_in_a_claim(self, segments, head, at, segment_id, words):
        """The claim is an error at the second segment, whether or not it repeats the first; the next claim is
        read."""
        good = [s.replace("11:B:1", "13:A:1").replace("SV1*", "SV2*0320*") for s in self._GOOD] \
            if head is HEAD_I else self._GOOD
        error, claim = read(x12(*segments, *good, head=head))
        assert (error.segment, error.segment_id, error.claim, error.problem) == (CLM + at, segment_id, 1, words)
        assert isinstance(claim, radrules.Claim) and claim.id == "C9"

    _PATIENT = ["HL*3*2*23*0", "PAT*19", "NM1*QC*1*CHILD*PAT", "DMG*D8*20150601*M"]
    _NEXT = ["HL*4*1*22*0", "SBR*P*18*******CI", "NM1*IL*1*NEXT*PAT****MI*M3", "DMG*D8*19700101*M",
             "NM1*PR*2*ACME*****PI*P3"]

    def subscriber_file(self, head: list) -> list:
        """A subscriber (``head``) with a claim of its own (C1), a dependent with a claim (C2), and the next
        subscriber with a claim (C3)."""
        line = ["LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302"]
        return read(x12("CLM*C1*10***11:B:1", *line, *self._PATIENT, "CLM*C2*10***11:B:1", *line, *self._NEXT,
                        "CLM*C3*10***11:B:1", *line, head=head))

    @pytest.mark.parametrize("segment, after, loop, dependent_reads_it", [
        ("DMG*D8*19800501*F", "DMG*D8*19580314*F", "DMG appears twice in its loop (2010BA)", False),
        ("NM1*PR*2*OTHER PLAN*****PI*P2", "NM1*PR*2*Example  Health   Plan*****PI*P1",
         "NM1*PR appears twice in its loop (2010BB)", True),
        ("NM1*IL*1*OTHER*PAT****MI*M2", "NM1*IL*1*EXAMPLE*PAT****MI*M1", "NM1*IL appears twice in its loop (2010BA)",
         False),
        ("SBR*P*18*******MC", "SBR*P*18*******CI", "SBR appears twice in its loop (2000B)", True),
        # the same values twice are refused too (one rule for every such segment: x12_claims.twice_in_loop)
        ("DMG*D8*19580314*F", "DMG*D8*19580314*F", "DMG appears twice in its loop (2010BA)", False),
        ("SBR*P*18*******CI", "SBR*P*18*******CI", "SBR appears twice in its loop (2000B)", True),
    ], ids=["DMG", "NM1*PR", "NM1*IL", "SBR", "DMG, same values", "SBR, same values"])
    def test_twice_in_a_subscriber_loop(self, segment, after, loop, dependent_reads_it):
        """The subscriber's own claim is an error at the second segment; its dependent's claim too when it reads
        the segment (SBR, the payer's NM1*PR), and not when it does not (the subscriber's NM1*IL and DMG: the
        dependent's claim has the patient's DMG and no member id); the next subscriber's claims are read."""
        at = HEAD.index(after)
        items = self.subscriber_file(HEAD[:at + 1] + [segment] + HEAD[at + 1:])
        assert [type(item).__name__ for item in items] == [
            "InputError", "InputError" if dependent_reads_it else "Claim", "Claim"]
        for item in items[:2 if dependent_reads_it else 1]:
            assert (item.segment, item.segment_id, item.problem) == (at + 3, segment[:3], f"{loop}, which has one")
        assert items[0].claim == 1 and (items[1].claim == 2 if dependent_reads_it else items[1].id == "C2")
        if not dependent_reads_it:  # the dependent's own birth date and sex, the subscriber's payer
            dependent = items[1]
            assert (dependent.patient.birth_date, dependent.patient.sex, dependent.patient.id) == (
                D(2015, 6, 1), "M", None)
            assert dependent.payer == "example health plan"
        assert items[2].id == "C3" and items[2].payer == "acme"

    def test_twice_in_a_subscriber_loop_read_and_not_read_by_the_dependent(self):
        """A subscriber's DMG twice and then its NM1*PR twice: its own claim is an error at the first second
        segment (the DMG), its dependent's at the NM1*PR, which it reads."""
        at = HEAD.index("DMG*D8*19580314*F")
        head = HEAD[:at + 1] + ["DMG*D8*19800501*F"] + HEAD[at + 1:] + ["NM1*PR*2*OTHER PLAN*****PI*P2"]
        own, dependent, following = self.subscriber_file(head)
        assert (own.segment, own.segment_id, own.claim) == (at + 3, "DMG", 1)
        assert (dependent.segment, dependent.segment_id, dependent.claim) == (len(head) + 1, "NM1", 2)
        assert dependent.problem == "NM1*PR appears twice in its loop (2010BB), which has one"
        assert following.id == "C3"

    def test_twice_in_a_patient_loop(self):
        """The patient's DMG (2010CA) twice: the patient's claim is an error; the subscriber's own claim is read."""
        line = ["LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302"]
        items = read(x12("CLM*C1*10***11:B:1", *line, "HL*3*2*23*0", "PAT*19", "NM1*QC*1*CHILD*PAT",
                         "DMG*D8*20150601*M", "DMG*D8*20150602*F", "CLM*C2*10***11:B:1", *line))
        claim, error = items
        assert claim.id == "C1" and claim.patient.birth_date == D(1958, 3, 14)
        assert (error.segment, error.segment_id, error.claim) == (CLM + 8, "DMG", 2)
        assert error.problem == "DMG appears twice in its loop (2010CA), which has one"

    @pytest.mark.parametrize("head", [HEAD, HEAD_I], ids=["837P", "837I"])
    def test_providers_of_other_loops_are_no_second_one(self, head):
        """A rendering provider of the claim (2310B, 837I 2310D) and one of each line (2420A, 2420C) are in
        different loops, and another payer's providers (2330x, after SBR) are not this claim's: each is the one
        of its loop, and each line reads its own, else the claim's."""
        if head is HEAD_I:
            clm, service = "CLM*C1*10***13:A:1", "SV2*0320*HC:{}*10*UN*1"
            attending, others = ["NM1*71*1*ATTENDING*DOC****XX*1111111112"], ["NM1*71*1*OTHER*DOC****XX*9999999991"]
        else:
            clm, service, attending, others = "CLM*C1*10***11:B:1", "SV1*HC:{}*10*UN*1", [], []
        (claim,) = read(x12(
            clm, *attending, "NM1*82*1*READER*CLAIM****XX*1234567893",
            "SBR*S*01*******CI", "NM1*PR*2*OTHER*****PI*P9", *others, "NM1*82*1*OTHER*PAYERS****XX*9999999991",
            "LX*1", service.format("71046"), "DTP*472*D8*20260302", "NM1*82*1*READER*ONE****XX*1245319599",
            "LX*2", service.format("71047"), "DTP*472*D8*20260302",
            "LX*3", service.format("71048"), "DTP*472*D8*20260302", "NM1*82*1*READER*THREE****XX*1245319599",
            head=head))
        assert [line.rendering_npi for line in claim.lines] == ["1245319599", "1234567893", "1245319599"]

    def test_an_attending_provider_of_an_837p_is_not_read(self):
        """NM1*71 (an attending provider, 837I loop 2310A) is not read from an 837P, so two of them are no error
        there: the claim's lines take the billing provider's NPI."""
        head = HEAD[:4] + ["NM1*85*2*GROUP*****XX*1234567893"] + HEAD[4:]
        (claim,) = read(x12("CLM*C1*10***11:B:1", "NM1*71*1*A*ONE****XX*1111111112",
                            "NM1*71*1*A*TWO****XX*9999999991", "LX*1", "SV1*HC:71046*10*UN*1",
                            "DTP*472*D8*20260302", head=head))
        assert claim.lines[0].rendering_npi == claim.billing_npi == "1234567893"

    @pytest.mark.parametrize("second", ["NM1*85*2*GROUP*****XX*1245319599", "NM1*85*2*GROUP*****XX*1234567893"],
                             ids=["another NPI", "the same NPI"])
    def test_a_second_billing_provider(self, second):
        """A second NM1*85 in one billing provider loop (2010AA, once in HL 20) makes every claim below it an
        error at the second, the subscriber's and the dependent's (each reads the billing provider); a new
        billing provider loop (HL 20) has its own, and its claims are read."""
        at = HEAD.index("HL*1**20*1") + 1
        head = HEAD[:at] + ["NM1*85*2*GROUP*****XX*1234567893", "N3*1 MAIN ST", second] + HEAD[at:]
        line = ["LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302"]
        following = ["HL*5**20*1", "NM1*85*2*OTHER GROUP*****XX*1245319599", "HL*6*5*22*0", "SBR*P*18*******CI",
                     "NM1*IL*1*NEXT*PAT****MI*M3", "DMG*D8*19700101*M", "NM1*PR*2*ACME*****PI*P3"]
        items = read(x12("CLM*C1*10***11:B:1", *line, *self._PATIENT, "CLM*C2*10***11:B:1", *line, *following,
                         "CLM*C3*10***11:B:1", *line, head=head))
        assert [type(item).__name__ for item in items] == ["InputError", "InputError", "Claim"]
        for item, position in zip(items, (1, 2)):
            assert (item.segment, item.segment_id, item.claim) == (at + 4, "NM1", position)
            assert item.problem == "NM1*85 appears twice in its loop (2010AA), which has one"
        assert items[2].id == "C3" and items[2].billing_npi == items[2].lines[0].rendering_npi == "1245319599"

    def test_segments_that_may_repeat_are_read(self):
        """DTPs of other qualifiers, a DTP*472 on each line, several HI, REF*G1, NTE, and the other payer's
        NM1*PR, REF*F8 and dates (2330B, after SBR) are no second segment of a loop."""
        claim = one("CLM*C1*10***11:B:7", "DTP*431*D8*20260301", "DTP*454*D8*20260301", "DTP*050*D8*20260310",
                    "REF*G1*PA1", "REF*G1*PA2", "REF*F8*ICN1", "NTE*ADD*ONE", "NTE*ADD*TWO",
                    "HI*ABK:J189", "HI*ABF:R0789", "HI*BG:45", "SBR*S*01*******CI", "NM1*PR*2*OTHER*****PI*P9",
                    "REF*F8*ICN2", "DTP*573*D8*20260320", "LX*1", "SV1*HC:71046*10*UN*1***1", "DTP*472*D8*20260302",
                    "DTP*573*D8*20260320", "REF*G1*PA3", "LX*2", "SV1*HC:71047*10*UN*1***2", "DTP*472*D8*20260303")
        assert [line.date for line in claim.lines] == [D(2026, 3, 2), D(2026, 3, 3)]
        assert claim.received == D(2026, 3, 10) and claim.prior_auth == ("PA1", "PA2", "PA3")
        assert claim.diagnoses == ("J189", "R0789") and claim.replaces == "ICN1"
        assert claim.payer == "example health plan"


class TestImsweb:
    """The two imsweb test files (BSD-3-Clause, tests/data/x12/imsweb): their documented errors."""

    def test_complex_file(self):
        """x12_complex.txt: 6 claims, each reported on its malformed HI; 2 SE counts and the GE count are wrong."""
        items = claims(DATA / "imsweb" / "x12_complex.txt")
        per_claim = [i for i in items if i.claim is not None]
        assert [i.claim for i in per_claim] == [1, 2, 3, 4, 5, 6]
        assert all(i.segment_id == "HI" and i.problem.startswith("HI01 has no code after its qualifier")
                   for i in per_claim)
        assert [(i.segment, i.segment_id) for i in items if i.claim is None] == [
            (149, "SE"), (296, "SE"), (297, "GE")]

    def test_many_claims_file(self):
        """x12_many_claims.txt: 820 claims, each reported on its HI, and one wrong SE count."""
        items = claims(DATA / "imsweb" / "x12_many_claims.txt")
        assert len(items) == 821
        assert all(i.segment_id == "HI" for i in items[:820])
        assert (items[-1].segment_id, items[-1].claim) == ("SE", None)


class _Generated(io.RawIOBase):
    """A binary stream of an 837P with ``count`` claims, made on the fly (never whole in memory)."""

    def __init__(self, count: int):
        self.parts = self._parts(count)
        self.buffer = b""

    @staticmethod
    def _parts(count: int):
        yield (ISA + "GS*HC*S*R*20260320*1200*1*X*005010X222A1~ST*837*0001*005010X222A1~"
               "BHT*0019*00*B1*20260320*1200*CH~HL*1**20*1~").encode()
        segments = 3
        for n in range(count):
            claim = (f"HL*{n + 2}*1*22*0~SBR*P*18*******MB~NM1*IL*1*EXAMPLE*PAT****MI*M{n}~DMG*D8*19580314*F~"
                     f"CLM*C{n}*64***11:B:1~HI*ABK:R0789~LX*1~SV1*HC:71046:26*64*UN*1***1~DTP*472*D8*20260302~")
            segments += 9
            yield claim.encode()
        yield f"SE*{segments + 1}*0001~GE*1*1~IEA*1*000000001~".encode()

    def readable(self):
        return True

    def read(self, size=-1):
        while size < 0 or len(self.buffer) < size:
            part = next(self.parts, None)
            if part is None:
                break
            self.buffer += part
        data, self.buffer = (self.buffer, b"") if size < 0 else (self.buffer[:size], self.buffer[size:])
        return data


def _peak(count: int) -> tuple[int, int]:
    tracemalloc.start()
    try:
        seen = sum(1 for item in radrules.read_x12(_Generated(count)) if isinstance(item, radrules.Claim))
        return seen, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_streaming_memory_does_not_grow_with_the_file():
    """Reading 6,000 claims peaks at about the memory of reading 500 (constant memory, chunked reads)."""
    small_count, small_peak = _peak(500)
    large_count, large_peak = _peak(6_000)
    assert (small_count, large_count) == (500, 6_000)
    assert large_peak < small_peak * 1.5 + 64_000
    assert large_peak < 2_000_000


_LINE = ["LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302"]


class _Counted(io.BytesIO):
    """A binary file that counts the bytes read from it."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.taken = 0

    def read(self, size=-1):
        data = super().read(size)
        self.taken += len(data)
        return data


class TestLongSegments:
    def test_a_file_without_terminators_stops_early(self):
        """No segment terminator after the ST: the text was joined again with each chunk (64 MB took 50 s) and the
        file refused only at its end; now it stops after a segment's limit, at the segment's number."""
        source = _Counted((ISA + "GS*HC*S*R*20260320*1200*1*X*005010X222A1~ST*837*1*005010X222A1~NM1*"
                           + "SECRET" * 1_000_000).encode())
        with pytest.raises(radrules.InputError) as caught:
            list(radrules.read_x12(source))
        assert (caught.value.segment, caught.value.segment_id) == (4, None)
        assert caught.value.problem == x12_module.SEGMENT_TOO_LONG and "SECRET" not in str(caught.value)
        assert source.taken < x12_module.MAX_SEGMENT + 3 * x12_module.CHUNK

    def test_a_long_segment_is_refused_at_its_number(self):
        """A segment of more than MAX_SEGMENT characters, terminated, stops the file there; one of fewer is read."""
        long = "NM1*82*1*" + "X" * x12_module.MAX_SEGMENT
        with pytest.raises(radrules.InputError) as caught:
            read(x12("CLM*C1*10***11:B:1", long, *_LINE))
        assert (caught.value.segment, caught.value.problem) == (len(HEAD) + 3, x12_module.SEGMENT_TOO_LONG)
        (claim,) = read(x12("CLM*C1*10***11:B:1", long[:x12_module.MAX_SEGMENT - 10], *_LINE))
        assert claim.id == "C1"


class TestClaimSize:
    """A claim of more than 999 lines (or 100,000 segments) is reported as it is read, not kept whole."""

    def test_a_claim_of_many_lines_is_not_kept(self):
        """One CLM of 30,000 lines was kept whole (400,000 took 1 GB) before the 999-line limit refused it; now
        the reader stops keeping it past the limit, reports the same error and reads the next claim."""
        data = x12("CLM*C1*10***11:B:1", *_LINE * 30_000, "CLM*C2*10***11:B:1", *_LINE).encode()
        source = io.BytesIO(data)
        tracemalloc.start()
        try:
            items = list(radrules.read_x12(source))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert [type(item).__name__ for item in items] == ["InputError", "Claim"]
        assert (items[0].segment, items[0].segment_id, items[0].claim) == (len(HEAD) + 2, "CLM", 1)
        assert items[0].problem == "lines: at most 999 service lines per claim (the 837I limit)"
        assert peak < 4_000_000, f"{peak / 1e6:.0f} MB"

    @pytest.mark.parametrize("count, ok", [(999, True), (1000, False)])
    def test_the_limit_is_999_lines(self, count, ok):
        """999 lines make a claim, 1,000 don't (an LX with its SV1 is one line, an SV1 without an LX another; those
        come first: an SV1 after an LX's is the LX line's second)."""
        lines = [segment for n in range(count) for segment in (_LINE if n >= count // 2 else _LINE[1:])]
        (item,) = read(x12("CLM*C1*10***11:B:1", *lines))
        assert isinstance(item, radrules.Claim) is ok

    def test_past_the_limit_no_other_problem_of_the_claim_is_named(self):
        """A line with bad units before the limit: the limit is the problem, however the claim was cut up."""
        lines = ["LX*1", "SV1*HC:71046*10*UN*X", "DTP*472*D8*20260302"] + _LINE * 1000
        (item,) = read(x12("CLM*C1*10***11:B:1", *lines))
        assert item.problem.startswith("lines: at most 999")

    def test_a_claim_of_too_many_segments(self, monkeypatch):
        """Segments kept past MAX_CLAIM_SEGMENTS (here 50) make the claim an error at its CLM; a DMG after them,
        a lost HL, still makes the claims up to the next HL errors."""
        monkeypatch.setattr(x12_claims, "MAX_CLAIM_SEGMENTS", 50)
        items = read(x12("CLM*C1*10***11:B:1", *_LINE, *["DTP*434*D8*20260302"] * 2000, "DMG*D8*19900101*M",
                         "CLM*C2*10***11:B:1", *_LINE))
        assert [item.problem for item in items] == [x12_claims.TOO_MANY_SEGMENTS, x12_claims.lost_hl(
            len(HEAD) + 2006, "DMG")]


# ---------------------------------------------------------------- never a traceback

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_FIXTURE = P837.read_text(encoding="ascii")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(_FIXTURE) - 1), st.integers(0, 40),
                          st.text(alphabet="*:~^AB0129-\n ", max_size=6)), max_size=4))
def test_mangled_files_give_claims_or_input_errors_only(edits):
    """Cutting and splicing the fixture anywhere yields Claims and InputErrors, or raises InputError: nothing else."""
    text = _FIXTURE
    for start, length, insert in edits:
        text = text[:start] + insert + text[start + length:]
    try:
        for item in radrules.read_x12(io.StringIO(text)):
            assert isinstance(item, (radrules.Claim, radrules.InputError))
            if isinstance(item, radrules.InputError):
                assert "MEMBER0001" not in str(item) and "PA20260302A" not in str(item)
    except radrules.InputError as error:
        assert "MEMBER0001" not in str(error)


class TestDirectClaims:
    """The reader builds ordinary claims itself and leaves anything unusual to Claim.from_dict: same results."""

    ODD = [
        ["LX*1", "SV1*HC:71046:rt*10*UN*1", "DTP*472*D8*20260302"],
        ["LX*1", "SV1*HC: 71046 : 26 *10*UN*1", "DTP*472*D8*20260302"],
        ["LX*1", "SV1*HC:71046*10*UN*0", "DTP*472*D8*20260302"],
        ["LX*1", "SV1*HC:71046*10*UN*-1", "DTP*472*D8*20260302"],
        ["LX*1", "SV1*HC:71046*10*UN*1.5", "DTP*472*D8*20260302"],
        ["LX*1", "SV1*HC:71046*10*UN*2.0", "DTP*472*D8*20260302"],
        ["LX*1", "SV1*HC:71046*-5*UN*1", "DTP*472*D8*20260302"],
        ["LX*1", "SV1*HC:71046*12.50*UN*1***0", "DTP*472*D8*20260302"],
        ["LX*1", "SV1*HC:71046*10*UN*1* 11**1:2", "DTP*472*D8*20260302"],
        ["LX*1", "SV1*HC:71046:  *10*UN*1", "DTP*472*D8*20260302"],
        ["HI*ABK: ", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302"],
        ["REF*G1*  ", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302"],
        ["REF*F8* ICN9 ", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302"],
        ["NM1*82*1*R*O****XX* 1234567893 ", "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302"],
    ]

    @staticmethod
    def both_ways(text: str, monkeypatch, payers=None) -> tuple[list, list]:
        def seen(items):
            return [repr(item.to_dict()) if isinstance(item, radrules.Claim) else str(item) for item in items]
        direct = seen(radrules.read_x12(io.StringIO(text), payers=payers))
        with monkeypatch.context() as patch:
            patch.setattr(x12_claims, "_claim_of", lambda *values: None)
            checked = seen(radrules.read_x12(io.StringIO(text), payers=payers))
        return direct, checked

    @pytest.mark.parametrize("segments", ODD)
    def test_odd_values_read_as_from_dict_reads_them(self, segments, monkeypatch):
        """Lower-case codes, blanks, zero or negative numbers give the claims and errors of Claim.from_dict."""
        direct, checked = self.both_ways(x12("CLM*C1*10***11:B:1", *segments), monkeypatch)
        assert direct == checked

    @pytest.mark.parametrize("head, clm", [
        ([h.replace("DMG*D8*19580314*F", "DMG*D8*19580314*f") for h in HEAD], "CLM*C1*10***11:B:1"),
        ([h.replace("DMG*D8*19580314*F", "DMG*D8*19580314*X") for h in HEAD], "CLM*C1*10***11:B:1"),
        (HEAD, "CLM*C1*10*** 11 :B:A"),
        (HEAD, "CLM*C1*10***11:B: 7 "),
    ])
    def test_odd_claim_values_read_as_from_dict_reads_them(self, head, clm, monkeypatch):
        """An odd sex, place of service or frequency gives the claim or error of Claim.from_dict."""
        text = x12(clm, "LX*1", "SV1*HC:71046*10*UN*1", "DTP*472*D8*20260302", head=head)
        direct, checked = self.both_ways(text, monkeypatch)
        assert direct == checked

    def test_fixtures_and_a_payer_map_that_is_not_text(self, monkeypatch):
        """The fixtures read the same both ways, and so does a payers mapping whose value is not a text."""
        for path in (P837, I837):
            direct, checked = self.both_ways(path.read_text(encoding="latin-1"), monkeypatch)
            assert direct == checked
        direct, checked = self.both_ways(P837.read_text(encoding="latin-1"), monkeypatch, payers={"ACME01": 7})
        assert direct == checked
        assert any("payer: expected a text" in item for item in direct)


def test_a_rendering_npi_of_blanks_is_none_and_the_next_source_is_read():
    """A line's NM1*82 whose NPI is blanks names no one: the claim's rendering provider stands for it, as for an
    empty element (it was kept as blanks, then read as none: the line paired with every provider's)."""
    text = P837.read_text(encoding="utf-8")
    empty, blanks = (read(text.replace("XX*1234567828~", f"XX*{npi}~")) for npi in ("", "   "))
    assert [line.rendering_npi for line in blanks[0].lines] == [line.rendering_npi for line in empty[0].lines]
    assert blanks[0].lines[1].rendering_npi == "1234567810"
    # a billing provider's NPI of blanks is none too: a line that names no one then names no one (it was read as
    # an NPI of no digits, and every such line was denied format.npi)
    no_billing = read(text.replace("*XX*1234567802~", "*XX*   ~", 1).replace("NM1*82*1*READER*ONE****XX*1234567810~",
                                                                             ""))[0]
    assert "format.npi" not in radrules.load().evaluate(no_billing).fired()
    claim = read(text.replace("NM1*82*1*READER*ONE****XX*1234567810~", "").replace("XX*1234567828~", "XX*~")
                 .replace("*XX*1234567802~", "*XX*   ~", 1))[0]
    assert all(line.rendering_npi is None for line in claim.lines) and claim.billing_npi is None
