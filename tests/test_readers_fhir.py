"""The FHIR R4 Claim reader and the ClaimResponse writer: every field mapping, malformed input."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from pathlib import Path

import pytest

import radrules
from radrules.readers.fhir_common import FREQUENCY_SYSTEM
from radrules.readers.fhir_response import ADJUDICATION_SYSTEM, CARC_SYSTEM

DATA = Path(__file__).parent / "data" / "fhir"
CLAIM = DATA / "radiology-claim.json"
BUNDLE = DATA / "radiology-bundle.json"
HL7 = sorted((DATA / "hl7-r4").glob("*.json"))
D = dt.date
PRIOR = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship", "code": "prior"}]}


def resource() -> dict:
    return json.loads(CLAIM.read_text(encoding="utf-8"))


def read_one(data) -> object:
    items = list(radrules.read_fhir(data))
    assert len(items) == 1
    return items[0]


class TestText:
    def test_ndjson_lines_break_only_at_line_feeds(self, tmp_path):
        """NDJSON: a resource holding U+2028 in a string stays one line (str.splitlines would cut it)."""
        first, second = resource(), resource()
        first["id"], second["id"] = "odd", "plain"
        first["text"] = {"status": "generated", "div": "<div>a\u2028b</div>"}  # (an id may not hold one)
        path = tmp_path / "claims.ndjson"
        path.write_text(json.dumps(first, ensure_ascii=False) + "\n" + json.dumps(second) + "\n", encoding="utf-8")
        assert "\u2028" in path.read_text(encoding="utf-8")
        claims = list(radrules.read_fhir(path))
        assert [c.id for c in claims] == ["odd", "plain"]

    def test_nested_too_deeply_is_an_input_error(self, tmp_path):
        """JSON nested deeper than Python can read is an InputError naming the file, not a RecursionError."""
        path = tmp_path / "deep.json"
        path.write_text("[" * 100_000)
        with pytest.raises(radrules.InputError, match="nested too deeply"):
            list(radrules.read_fhir(path))

    def test_a_list_in_a_list_is_no_resource(self):
        """A list of resources holds resources: 950 lists, one inside the next, around a claim gave a path of 950
        steps (`[0].[0].[0]...`); the list inside is refused at once."""
        data: object = [resource()]
        for _ in range(950):
            data = [data]
        with pytest.raises(radrules.InputError) as caught:
            list(radrules.read_fhir(data))
        assert str(caught.value) == "<fhir>: [0]: expected a FHIR resource (a JSON object with `resourceType`)"

    def test_a_long_path_shows_its_ends(self):
        """A path of more than MAX_PATH_STEPS steps shows its first and last four (no claim has one)."""
        path = ".".join(f"a{n}" for n in range(100))
        error = radrules.InputError("f.json", "problem", path=path)
        assert error.path == "a0.a1.a2.a3.\u2026.a96.a97.a98.a99"
        assert str(error) == f"f.json: {error.path}: problem"
        assert radrules.InputError("f.json", "p", path="entry[4].resource.item[0].servicedDate").path == (
            "entry[4].resource.item[0].servicedDate")


class TestClaimMapping:
    """tests/data/fhir/radiology-claim.json: a professional Claim with contained resources."""

    def test_claim_fields(self):
        """id, type, payer (contained Organization name), patient (contained), prior auth, created."""
        claim = read_one(CLAIM)
        assert claim.id == "RAD-F-3001"
        assert claim.type == "professional"
        assert claim.payer == "acme"
        assert claim.patient == radrules.Patient(birth_date=D(1958, 3, 14), sex="F", id="MEMBER0101")
        assert claim.prior_auth == ("PA20260302A",)
        assert claim.received == D(2026, 3, 20)

    def test_diagnoses_in_sequence_order_and_pointers(self):
        """Diagnoses are put in sequence order; diagnosisSequence becomes 1-based pointers into that order."""
        claim = read_one(CLAIM)
        assert claim.diagnoses == ("R07.89", "M25.561")
        assert [l.diagnosis_pointers for l in claim.lines][:3] == [(1,), (2, 1), (1,)]

    def test_the_line_code_is_a_cpt_or_hcpcs_coding_else_one_without_a_system(self):
        """A coding in the CPT or HCPCS system (by URL or HL7 OID) is the code, then one without a system; a
        code of another system only stays tied to it (`system|code`), so it fails format.code even when it
        looks like a CPT code (a local charge code 70450, say)."""
        def code_of(*codings):
            data = resource()
            data["item"] = data["item"][:1]
            data["item"][0]["productOrService"] = {"coding": list(codings)}
            return read_one(data).lines[0].code
        local = {"system": "http://hospital.example/cdm", "code": "70450"}
        assert code_of(local, {"system": "urn:oid:2.16.840.1.113883.6.12", "code": "71046"}) == "71046"
        assert code_of(local, {"system": "urn:oid:2.16.840.1.113883.6.285", "code": "Q9967"}) == "Q9967"
        assert code_of(local, {"code": "71045"}) == "71045"
        assert code_of(local) == "HTTP://HOSPITAL.EXAMPLE/CDM|70450"
        # a system's scheme and host compare in any case, its path with its case
        assert code_of(local, {"system": "HTTP://WWW.AMA-ASSN.ORG/go/cpt", "code": "71046"}) == "71046"
        assert code_of({"system": "http://www.ama-assn.org/GO/CPT", "code": "71046"}) == (
            "HTTP://WWW.AMA-ASSN.ORG/GO/CPT|71046")

    @pytest.mark.parametrize("coding", [
        {"system": "https://www.nubc.org/CodeSystem/RevenueCodes", "code": "0255"},
        {"system": "http://terminology.hl7.org/CodeSystem/data-absent-reason", "code": "not-applicable"},
        {"system": "HTTPS://WWW.NUBC.ORG/CodeSystem/RevenueCodes", "code": "0255"},
        {"system": "URN:OID:2.16.840.1.113883.6.301.3", "code": "0255"},
    ], ids=["revenue code", "data absent", "upper-case scheme and host", "upper-case oid"])
    def test_an_item_with_no_procedure_code(self, coding):
        """A hospital item whose productOrService is its revenue code or a data-absent reason has no CPT/HCPCS
        code: a line of a revenue code alone, as an 837I line without one is (it was judged as a malformed
        procedure code, denied by format.code, then made the claim unreadable); on a professional claim it makes
        the claim unreadable, naming the item."""
        data = resource()
        data["type"] = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                                    "code": "institutional"}]}
        data["item"][1]["productOrService"] = {"coding": [{"system": "http://hospital.example/cdm", "code": "1"},
                                                          coding]}
        data["item"][1]["revenue"] = {"coding": [{"system": "https://www.nubc.org/CodeSystem/RevenueCodes",
                                                  "code": "0255"}]}
        del data["item"][1]["modifier"]  # (modifiers need a code: a ClaimError)
        claim = read_one(data)
        assert (claim.lines[1].code, claim.lines[1].revenue_code) == (None, "0255")
        data["type"]["coding"][0]["code"] = "professional"
        error = read_one(data)
        assert isinstance(error, radrules.InputError)
        assert str(error) == ("<fhir>: item[1].productOrService: a revenue code or a data-absent reason, no "
                              "CPT/HCPCS code; radrules needs a CPT/HCPCS code on every line of a professional claim")

    def test_a_bad_revenue_code_given_as_the_product_is_named_where_it_is(self):
        """A revenue code read from productOrService (no `revenue`) that is not one: the error names
        item[N].productOrService, where it was, not item[N].revenue, which the item does not have."""
        data = resource()
        data["type"] = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                                    "code": "institutional"}]}
        data["item"][1]["productOrService"] = {"coding": [{"system": "https://www.nubc.org/CodeSystem/RevenueCodes",
                                                           "code": "25"}]}
        data["item"][1].pop("revenue", None)
        del data["item"][1]["modifier"]
        error = read_one(data)
        assert isinstance(error, radrules.InputError)
        assert str(error).startswith("<fhir>: item[1].productOrService: ")
        data["item"][1]["revenue"] = {"coding": [{"system": "https://www.nubc.org/CodeSystem/RevenueCodes",
                                                  "code": "25"}]}
        assert str(read_one(data)).startswith("<fhir>: item[1].revenue: ")

    def test_other_systems_compare_by_scheme_and_host_in_any_case(self):
        """Every system the reader knows compares as CPT's and HCPCS's do (codes.system_key): its scheme and host
        in any case, its path as written. They compared exactly, so an upper-case host made a revenue code a
        malformed procedure code, a condition code or an ICD-9 diagnosis no such code."""
        data = resource()
        data["type"] = {"coding": [{"system": "HTTP://TERMINOLOGY.HL7.ORG/CodeSystem/claim-type",
                                    "code": "institutional"}]}
        data["subType"] = {"coding": [{"system": "HTTPS://WWW.NUBC.ORG/CodeSystem/TypeOfBill", "code": "0111"}]}
        data["supportingInfo"] = [{"sequence": 1, "code": {"coding": [
            {"system": "https://WWW.NUBC.org/CodeSystem/ConditionCodes", "code": "45"}]}}]
        data["provider"] = {"identifier": {"system": "HTTP://HL7.ORG/fhir/sid/us-npi", "value": "1234567893"}}
        for entry in data["diagnosis"]:
            entry["diagnosisCodeableConcept"]["coding"].insert(0, {"system": "http://hospital.example/dx",
                                                                   "code": "X1"})
            entry["diagnosisCodeableConcept"]["coding"][1].update(system="HTTP://HL7.ORG/fhir/sid/icd-9-cm",
                                                                  code="4019")
        claim = read_one(data)
        assert (claim.type, claim.bill_type, claim.condition_codes) == ("institutional", "111", ("45",))
        assert (claim.billing_npi, claim.diagnosis_system, claim.diagnoses[0]) == ("1234567893", "icd9", "4019")
        # the path keeps its case
        data["supportingInfo"][0]["code"]["coding"][0]["system"] = "https://www.nubc.org/codesystem/conditioncodes"
        assert read_one(data).condition_codes == ()

    @pytest.mark.parametrize("item, charge", [({"net": {"value": 90}, "unitPrice": {"value": 10}}, 90),
                                              ({"unitPrice": {"value": 12.5}, "quantity": {"value": 3}}, 37.5),
                                              ({"unitPrice": {"value": 10}, "quantity": {"value": 2}, "factor": 0.5}, 10),
                                              ({"unitPrice": {"value": 10}}, 10), ({}, None)],
                             ids=["net", "price x quantity", "and factor", "price alone", "none"])
    def test_the_charge_is_net_or_price_times_quantity(self, item, charge):
        """FHIR's net is quantity x unitPrice x factor, as X12's SV102 is the line total: a line without net
        charges its unit price times its quantity."""
        data = resource()
        data["item"] = data["item"][:1]
        data["item"][0].pop("net", None)
        data["item"][0].pop("unitPrice", None)
        data["item"][0].pop("quantity", None)
        data["item"][0].update(item)
        assert read_one(data).lines[0].charge == charge

    @pytest.mark.parametrize("kind, expected", [("institutional", ["Z12.2"]), ("professional", ["Z12.2", "Z87.891"])])
    def test_an_admitting_diagnosis_is_not_a_diagnosis_of_a_hospital_claim(self, kind, expected):
        """On an institutional claim an admitting diagnosis, a reason for the visit or an external cause is
        skipped, as the X12 reader skips HI qualifiers ABJ, APR and ABN: a line pointing at one points at the
        claim's diagnoses only."""
        data = resource()
        data["type"] = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": kind}]}
        data["diagnosis"] = [
            {"sequence": 1, "diagnosisCodeableConcept": {"coding": [
                {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "Z12.2"}]},
             "type": [{"coding": [{"code": "principal"}]}]},
            {"sequence": 2, "diagnosisCodeableConcept": {"coding": [
                {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "Z87.891"}]},
             "type": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/ex-diagnosistype",
                                   "code": "admitting"}]}]}]
        data["item"] = data["item"][:1]
        data["item"][0]["diagnosisSequence"] = [1, 2]
        claim = read_one(data)
        assert list(claim.diagnoses) == expected
        assert claim.lines[0].diagnosis_pointers == tuple(range(1, len(expected) + 1))

    def test_a_principal_diagnosis_also_typed_admitting_is_kept(self):
        """A diagnosis is skipped on a hospital claim only when all its types are admitting, reason for visit or
        external cause: one typed principal and admitting (type is 0..*) is the claim's principal diagnosis."""
        data = resource()
        data["type"] = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                                    "code": "institutional"}]}
        data["diagnosis"] = [{"sequence": 1, "diagnosisCodeableConcept": {"coding": [
            {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "Z87.891"}]},
            "type": [{"coding": [{"code": "principal"}]}, {"coding": [{"code": "admitting"}]}]}]
        data["item"] = data["item"][:1]
        data["item"][0]["diagnosisSequence"] = [1]
        claim = read_one(data)
        assert list(claim.diagnoses) == ["Z87.891"] and claim.lines[0].diagnosis_pointers == (1,)

    @pytest.mark.parametrize("concept, kind", [
        ({"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "Institutional"}]},
         "institutional"),
        ({"coding": [{"system": "http://hl7.org/fhir/ex-claimtype", "code": "institutional"}]}, "institutional"),
        ({"coding": [{"system": "https://bills.example/kinds", "code": "H"},
                     {"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "institutional"}]},
         "institutional"),
        ({"text": " Institutional "}, "institutional"),
        ({"coding": [{"code": "VISION"}]}, "professional"),
        ({"coding": [{"system": "https://bills.example/kinds", "code": "H"}], "text": "institutional"},
         "institutional"),
        (None, "professional"),
        ({}, "professional"),
    ], ids=["capital", "stu3 system", "after another system", "text", "no system", "text after another system",
            "none", "empty"])
    def test_claim_types_of_both_systems_in_any_case(self, concept, kind):
        """The codes of the claim-type systems of R4 and STU3, in any case, or a `text` that is one of them: a
        hospital claim typed `Institutional` was read as professional, its revenue codes dropped and its lines
        judged with the practitioners' tables."""
        data = resource()
        data.pop("type")
        if concept is not None:
            data["type"] = concept
        assert read_one(data).type == kind

    @pytest.mark.parametrize("concept, path", [
        ({"coding": [{"system": "https://bills.example/kinds", "code": "institutional"}]}, "type.coding[0].system"),
        ({"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "hospital"}]},
         "type.coding[0].code"),
        ({"coding": [{"code": "inpatient"}]}, "type.coding[0].code"),
        ({"text": "Hospital"}, "type.text"),
    ], ids=["other system", "unknown code", "unknown code, no system", "unknown text"])
    def test_a_claim_type_not_known_is_an_error(self, concept, path):
        """A type radrules does not know is an error naming its path (never its value), not a professional
        claim."""
        data = resource()
        data["type"] = concept
        error = read_one(data)
        assert isinstance(error, radrules.InputError) and error.path == path
        assert str(error) == (f"<fhir>: {path}: not a claim type radrules reads: expected " + (
            "`institutional`, `professional`, `oral`, `vision` or `pharmacy`, or a coding of the claim-type system"
            if path == "type.text" else "a code `institutional`, `professional`, `oral`, `vision` or `pharmacy` "
            "of the claim-type system (http://terminology.hl7.org/CodeSystem/claim-type)"))

    def test_the_type_of_bill_of_an_institutional_claim(self):
        """subType (or a supportingInfo code) in a type-of-bill system is an institutional claim's bill_type;
        a professional claim has none; a bad one names subType."""
        data = resource()
        data["subType"] = {"coding": [{"system": "https://www.nubc.org/CodeSystem/TypeOfBill", "code": "0111"}]}
        assert read_one(data).bill_type is None
        data["type"] = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                                    "code": "institutional"}]}
        assert read_one(data).bill_type == "111"
        data.pop("subType")
        bill = {"coding": [{"system": "https://www.cms.gov/codes/billtype", "code": "831"}]}
        data["supportingInfo"] = [{"sequence": 1, "category": {"coding": [{"code": "typeofbill"}]}, "code": bill}]
        assert read_one(data).bill_type == "831"
        data["supportingInfo"][0]["code"]["coding"][0]["code"] = "83"
        error = read_one(data)
        assert isinstance(error, radrules.InputError) and error.path == "subType"

    def test_the_frequency_from_da_vinci_pcts_supporting_info(self):
        """A supportingInfo code in Da Vinci PCT's frequency system is the claim's frequency, on either claim
        type; one that disagrees with the type of bill names its own supportingInfo path."""
        data = resource()
        assert read_one(data).frequency is None
        frequency = {"sequence": 2, "category": {"coding": [{"code": "claimFrequency"}]},
                     "code": {"coding": [{"system": FREQUENCY_SYSTEM, "code": "7"}]}}
        data["supportingInfo"] = [{"sequence": 1, "category": {"coding": [{"code": "other"}]}}, frequency]
        assert read_one(data).frequency == "7"
        data["type"] = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                                    "code": "institutional"}]}
        data["subType"] = {"coding": [{"system": "https://www.nubc.org/CodeSystem/TypeOfBill", "code": "0137"}]}
        assert (read_one(data).bill_type, read_one(data).frequency) == ("137", "7")
        data["subType"]["coding"][0]["code"] = "0131"
        error = read_one(data)
        assert isinstance(error, radrules.InputError) and error.path == "supportingInfo[1].code"
        assert "is not the frequency code the type of bill ends in" in error.problem
        frequency["code"]["coding"][0]["code"] = "77"
        error = read_one(data)
        assert isinstance(error, radrules.InputError) and error.path == "supportingInfo[1].code"
        assert error.problem.startswith("expected the claim frequency code")

    @pytest.mark.parametrize("related, replaces", [
        ([{"relationship": PRIOR, "reference": {"value": "26123000456"}}], "26123000456"),
        ([{"relationship": PRIOR, "claim": {"identifier": {"value": "26123000456"}}}], "26123000456"),
        ([{"relationship": PRIOR, "claim": {"reference": "Claim/RAD-F-2001"}}], "RAD-F-2001"),
        ([{"relationship": PRIOR, "claim": {"reference": "https://fhir.example.org/r4/Claim/RAD-F-2001/_history/3"}}],
         "RAD-F-2001"),
        ([{"relationship": {"coding": [{"code": "prior"}]}, "reference": {"value": " 26123000456 "}}], "26123000456"),
        # another relationship (CARIN's `replacedby`: this claim was replaced), or none, is not the claim replaced
        ([{"relationship": {"coding": [{"system": "http://hl7.org/fhir/us/carin-bb/CodeSystem/"
                                                  "C4BBRelatedClaimRelationshipCodes", "code": "replacedby"}]},
           "reference": {"value": "A2"}},
          {"reference": {"value": "A3"}},
          {"relationship": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship",
                                        "code": "associated"}]}, "reference": {"value": "A4"}}], None),
        ([{"relationship": PRIOR, "reference": {"value": "A1"}}, {"relationship": PRIOR, "reference": {"value": "A1"}}],
         "A1"),
        # R4's `reference` is a file or case number (a workers' compensation case): the prior claim is `claim`
        ([{"relationship": PRIOR, "claim": {"identifier": {"value": "26123000456"}},
           "reference": {"value": "WC-CASE-2026-77"}}], "26123000456"),
        ([{"relationship": PRIOR, "claim": {"reference": "Claim/RAD-F-2001"}, "reference": {"value": "WC-1"}}],
         "RAD-F-2001"),
    ])
    def test_the_claim_replaced_from_related(self, related, replaces):
        """`related` whose relationship is `prior` names the claim this one replaces (the 837's REF*F8): its
        claim's identifier, else the id of its claim's reference to a Claim, else its reference.value."""
        data = resource()
        data["related"] = related
        assert read_one(data).replaces == replaces

    def test_the_claim_replaced_by_a_bundle_reference(self):
        """A prior claim referenced by the fullUrl of its Bundle entry (`urn:uuid:`) is read by its id, as the
        reader gives it to that claim; one the Bundle does not hold is an error naming the reference."""
        original, replacement = resource(), resource()
        original["id"] = "RAD-F-2001"
        replacement["id"] = "RAD-F-2002"
        replacement["related"] = [{"relationship": PRIOR,
                                   "claim": {"reference": "urn:uuid:0d3b9b1c-6a8e-4c47-9d7e-2b5b8e1a0f11"}}]
        bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
            {"fullUrl": "urn:uuid:0d3b9b1c-6a8e-4c47-9d7e-2b5b8e1a0f11", "resource": original},
            {"fullUrl": "urn:uuid:5c0e2d34-1f7b-4b8e-8a43-0d6c1e9e2b77", "resource": replacement}]}
        claims = list(radrules.read_fhir(bundle))
        assert [c.id for c in claims] == ["RAD-F-2001", "RAD-F-2002"] and claims[1].replaces == "RAD-F-2001"
        bundle["entry"] = bundle["entry"][1:]
        error = list(radrules.read_fhir(bundle))[0]
        assert isinstance(error, radrules.InputError) and error.path.endswith("related[0].claim.reference")
        assert "a Claim of the Bundle" in error.problem

    def test_two_different_frequency_codes_are_an_error(self):
        """A void (8) and a replacement (7) are judged against different history: two codes that disagree are
        an error naming the second, not the first one taken."""
        data = resource()
        data["supportingInfo"] = [{"sequence": n, "category": {"coding": [{"code": "claimFrequency"}]},
                                   "code": {"coding": [{"system": FREQUENCY_SYSTEM, "code": code}]}}
                                  for n, code in ((1, "7"), (2, "8"))]
        error = read_one(data)
        assert isinstance(error, radrules.InputError) and error.path == "supportingInfo[1].code"
        assert "a second claim frequency code" in error.problem
        data["supportingInfo"][1]["code"]["coding"][0]["code"] = "7"
        assert read_one(data).frequency == "7"

    def test_a_replacement_read_from_fhir_is_judged_without_the_claim_it_replaces(self):
        """A FHIR replacement (frequency 7, related prior): the history lines of that claim are not duplicates;
        an original of the same lines is."""
        rules = radrules.load(bundled=True)
        for frequency, passed in (("7", True), ("1", False)):
            data = resource()
            data["item"] = data["item"][:1]
            data["supportingInfo"] = [{"sequence": 1, "category": {"coding": [{"code": "claimFrequency"}]},
                                       "code": {"coding": [{"system": FREQUENCY_SYSTEM, "code": frequency}]}}]
            data["related"] = [{"relationship": PRIOR, "reference": {"value": "26123000456"}}]
            claim = read_one(data)
            paid = claim.lines[0]
            history = [{"code": paid.code, "modifiers": list(paid.modifiers), "date": "2026-03-02",
                        "rendering_npi": paid.rendering_npi, "claim": "26123000456"}]
            result = rules.evaluate(claim, history=history)
            assert ("duplicate.history" in {f.rule for f in result.findings}) is not passed, frequency

    def test_the_statement_period_of_an_institutional_claim(self):
        """billablePeriod is an institutional claim's statement period (a professional claim has none); an end
        before its start, or an item outside it, is named."""
        data = resource()
        data["billablePeriod"] = {"start": "2026-03-01", "end": "2026-03-04T23:59:00Z"}
        assert read_one(data).statement_through is None
        data["type"] = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                                    "code": "institutional"}]}
        claim = read_one(data)
        assert (claim.statement_from, claim.statement_through) == (D(2026, 3, 1), D(2026, 3, 4))
        assert not any(f.rule == "format.statement_period" for f in radrules.load().evaluate(claim).findings)
        data["billablePeriod"] = {"start": "2026-03-03"}
        claim = read_one(data)
        assert (claim.statement_from, claim.statement_through) == (D(2026, 3, 3), None)
        assert [f.lines for f in radrules.load().evaluate(claim).findings if f.rule == "format.statement_period"] == [
            (1,), (2,), (3,)]  # (dated 2026-03-02)
        data["billablePeriod"] = {"start": "2026-03-04", "end": "2026-03-01"}
        error = read_one(data)
        assert isinstance(error, radrules.InputError) and error.path == "billablePeriod.end"
        assert error.problem == "expected a date on or after `statement_from`"
        data["billablePeriod"] = "2026-03-01"
        error = read_one(data)
        assert isinstance(error, radrules.InputError) and error.path == "billablePeriod"

    def test_a_self_pay_coverage_gives_no_payer(self):
        """A Coverage whose payor is the patient (self-pay) names no payer: the patient's name never becomes
        the claim's payer."""
        data = resource()
        data.pop("insurer")
        data["contained"].append({"resourceType": "Coverage", "id": "cov", "status": "active",
                                  "beneficiary": {"reference": "#pat"},
                                  "payor": [{"reference": "#pat", "display": "Jane Q. Doe"}]})
        data["insurance"][0]["coverage"] = {"reference": "#cov"}
        assert read_one(data).payer is None

    def test_without_an_insurer_the_coverages_payor_is_the_payer(self):
        """`insurer` is optional in R4: without it, the payer is the first `payor` of the focal insurance's
        Coverage (here contained, naming the contained Organization), so payer rules still apply."""
        data = resource()
        data.pop("insurer")
        assert read_one(data).payer is None
        data["contained"].append({"resourceType": "Coverage", "id": "cov", "status": "active",
                                  "beneficiary": {"reference": "#pat"}, "payor": [{"reference": "#payer"}]})
        data["insurance"][0]["coverage"] = {"reference": "#cov"}
        assert read_one(data).payer == "acme"
        data["contained"][-1]["payor"] = [{"display": "Medicare  Part B"}]
        assert read_one(data).payer == "medicare part b"

    def test_items(self):
        """productOrService (CPT and HCPCS), modifier, quantity, servicedDate/Period, net/unitPrice, location."""
        lines = read_one(CLAIM).lines
        assert [(l.code, l.modifiers, l.units) for l in lines] == [
            ("71046", ("26",), 1), ("73721", ("26", "RT"), 2), ("Q9967", (), 100), ("74176", (), 1), ("74150", (), 1)]
        assert [(l.date, l.end_date) for l in lines[:2]] == [(D(2026, 3, 2), None), (D(2026, 3, 2), D(2026, 3, 3))]
        assert [l.charge for l in lines[:3]] == [64.0, 900.0, None]  # no net: unitPrice 450 times quantity 2
        assert lines[0].place_of_service == "11"

    def test_rendering_npi_from_the_care_team(self):
        """careTeamSequence -> careTeam -> Practitioner identifier with the NPI system."""
        assert [l.rendering_npi for l in read_one(CLAIM).lines][:2] == ["1234567810", None]

    def test_place_of_service_and_modifiers_prefer_their_systems_codings(self):
        """A location or modifier given in several systems is read from the CMS place-of-service (CPT/HCPCS)
        coding, else one without a system, else the first; the first coding was read whatever its system, so
        HL7's `HOSP` became the place of service and a local modifier code hid the 26."""
        pos = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
        data = resource()
        data["item"][0]["locationCodeableConcept"] = {"coding": [
            {"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": "HOSP"},
            {"system": pos, "code": "22"}]}
        data["item"][0]["modifier"] = [{"coding": [{"system": "http://example.org/local-modifiers", "code": "PROF"},
                                                   {"system": "http://www.ama-assn.org/go/cpt", "code": "26"}]}]
        data["item"][1]["locationCodeableConcept"] = {"coding": [
            {"system": "http://snomed.info/sct", "code": "22232009"}, {"code": "19"}]}
        data["item"][1]["modifier"] = [{"coding": [{"system": "http://example.org/local-modifiers", "code": "RIGHT"},
                                                   {"code": "RT"}]}]
        lines = read_one(data).lines
        assert [(l.place_of_service, l.modifiers) for l in lines[:2]] == [("22", ("26",)), ("19", ("RT",))]
        data["item"][0]["locationCodeableConcept"]["coding"][1]["system"] = pos.lower() + ".html"  # HL7's example
        assert read_one(data).lines[0].place_of_service == "22"

    def test_a_referring_or_supervising_member_is_not_the_rendering_provider(self):
        """An item's care team members may include its referring or supervising physician (the 837's other
        loops): the rendering NPI is that of its first member of another role (or none), else the billing
        provider's. The first member was read whatever its role, so the referring physician rendered the line.
        Every careTeamSequence must name a member."""
        npi = "http://hl7.org/fhir/sid/us-npi"
        role = "http://terminology.hl7.org/CodeSystem/claimcareteamrole"
        data = resource()
        data["provider"] = {"identifier": {"system": npi, "value": "1234567893"}}
        data["careTeam"] = [
            {"sequence": 1, "provider": {"identifier": {"system": npi, "value": "1497758544"}},
             "role": {"coding": [{"system": "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimCareTeamRole",
                                  "code": "referring"}]}},
            {"sequence": 2, "provider": {"identifier": {"system": npi, "value": "1245319599"}},
             "role": {"coding": [{"system": role, "code": "supervisor"}]}},
            {"sequence": 3, "provider": {"reference": "#reader"}, "role": {"coding": [{"system": role, "code": "primary"}]}}]
        data["item"][0]["careTeamSequence"] = [1, 2, 3]
        data["item"][1]["careTeamSequence"] = [1, 2]
        data["item"][2]["careTeamSequence"] = [3, 1]
        assert [l.rendering_npi for l in read_one(data).lines][:3] == ["1234567810", "1234567893", "1234567810"]
        del data["careTeam"][2]["role"]  # a member without a role may render the item
        assert read_one(data).lines[0].rendering_npi == "1234567810"
        data["item"][2]["careTeamSequence"] = [3, 7]
        assert read_one(data).path == "item[2].careTeamSequence[1]"

    def test_an_extension_is_read_past_and_a_modifier_extension_refused(self):
        """An `extension` radrules does not know is ignored; a `modifierExtension` (which may say an item is not
        billed) makes the claim unreadable at its path, wherever it is: FHIR forbids reading past one."""
        unknown = [{"url": "http://example.org/fhir/StructureDefinition/not-billed", "valueBoolean": True}]
        data = resource()
        data["extension"] = unknown
        data["item"][0]["extension"] = unknown
        assert [l.code for l in read_one(data).lines] == [l.code for l in read_one(resource()).lines]
        for where, path in ((lambda d: d, "modifierExtension"), (lambda d: d["item"][1], "item[1].modifierExtension"),
                            (lambda d: d["contained"][0], "contained[0].modifierExtension")):
            changed = copy.deepcopy(data)
            where(changed)["modifierExtension"] = unknown
            error = read_one(changed)
            assert isinstance(error, radrules.InputError) and error.path == path
            assert "modifier extension" in error.problem and "example.org" not in str(error)
        data["item"][0]["detail"] = [{"sequence": 1, "productOrService": {"coding": [{"code": "Q9967"}]},
                                      "subDetail": [{"sequence": 1, "modifierExtension": unknown}]}]
        assert read_one(data).path == "item[0].detail[0].subDetail[0].modifierExtension"
        data["item"][0]["detail"][0]["subDetail"][0]["modifierExtension"] = []  # an empty list is none
        assert isinstance(read_one(data), radrules.Claim)

    @pytest.mark.parametrize("status, readable", [
        ("active", True), ("draft", True), (None, True), ("cancelled", False), ("entered-in-error", False)])
    def test_a_claim_cancelled_or_entered_in_error_is_not_read(self, status, readable):
        """R4's Claim.status is a modifier element: a claim `cancelled` or `entered-in-error` is no claim in force,
        and was judged (and passed) like an active one."""
        data = resource()
        data.pop("status")
        if status is not None:
            data["status"] = status
        item = read_one(data)
        assert isinstance(item, radrules.Claim) if readable else (
            isinstance(item, radrules.InputError) and item.path == "status" and "cancelled" in item.problem)

    def test_an_npi_through_a_practitioner_role(self):
        """R4's careTeam.provider and provider may reference a PractitionerRole: its NPI, else that of the
        Practitioner it names. The line took the billing provider's NPI instead, in silence."""
        npi = "http://hl7.org/fhir/sid/us-npi"
        data = resource()
        data["provider"] = {"identifier": {"system": npi, "value": "1234567893"}}
        data["contained"] += [
            {"resourceType": "PractitionerRole", "id": "role", "practitioner": {"reference": "#other"}},
            {"resourceType": "Practitioner", "id": "other", "identifier": [{"system": npi, "value": "1497758544"}]}]
        data["careTeam"][0]["provider"] = {"reference": "#role"}
        assert read_one(data).lines[0].rendering_npi == "1497758544"
        data["contained"][-2]["identifier"] = [{"system": npi, "value": "1245319599"}]  # the role's own first
        assert read_one(data).lines[0].rendering_npi == "1245319599"
        data["provider"] = {"reference": "#role"}
        assert read_one(data).billing_npi == "1245319599"
        del data["contained"][-2]["identifier"]
        data["contained"][-1]["identifier"][0]["value"] = 1497758544
        error = read_one(data)
        assert isinstance(error, radrules.InputError)
        assert error.path == "provider.practitioner.identifier[0].value" and "1497758544" not in str(error)

    def test_an_item_naming_no_provider_is_the_billing_providers(self):
        """As the 837P's 2010AA stands for a rendering provider it does not name: an item without
        careTeamSequence (or whose member has no NPI) is rendered by the claim's `provider`, by its identifier
        or the Organization it references. Without it the line named no provider and compared with any
        radiologist's paid lines."""
        npi = {"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}
        data = resource()
        data["provider"] = {"identifier": npi}
        data["contained"].append({"resourceType": "Practitioner", "id": "nobody", "name": [{"text": "A. Reader"}]})
        data["careTeam"].append({"sequence": 2, "provider": {"reference": "#nobody"}})
        data["item"][2]["careTeamSequence"] = [2]
        assert [l.rendering_npi for l in read_one(data).lines][:3] == ["1234567810", "1234567893", "1234567893"]
        data["contained"].append({"resourceType": "Organization", "id": "group", "identifier": [npi]})
        data["provider"] = {"reference": "#group"}
        assert read_one(data).lines[1].rendering_npi == "1234567893"
        assert read_one(data).billing_npi == "1234567893"
        data["contained"][-1]["identifier"] = [{"system": npi["system"], "value": 1234567893}]
        error = read_one(data)
        assert isinstance(error, radrules.InputError) and error.path == "provider.identifier[0].value"

    def test_an_institutional_item_naming_no_provider_is_the_attendings(self):
        """On an institutional claim the attending member of the care team stands for a rendering provider not
        named (the 837I's 2310A); the claim's `provider` there is the hospital."""
        data = resource()
        data["type"] = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                                    "code": "institutional"}]}
        data["provider"] = {"identifier": {"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}}
        assert read_one(data).lines[1].rendering_npi is None
        assert read_one(data).billing_npi == "1234567893"  # the provider the hospital's lines are compared by
        data["careTeam"][0]["role"] = {"coding": [{"system": "http://hl7.org/fhir/us/carin-bb/CodeSystem/"
                                                   "C4BBClaimCareTeamRole", "code": "attending"}]}
        assert [l.rendering_npi for l in read_one(data).lines][:2] == ["1234567810", "1234567810"]

    def test_payers_mapping_by_insurer_identifier(self):
        """The payers mapping, keyed by an insurer identifier value, wins over the name."""
        claim = next(radrules.read_fhir(CLAIM, payers={"ACME01": "acme_commercial"}))
        assert claim.payer == "acme_commercial"
        # as rules compare payers: runs of white space as one
        assert next(radrules.read_fhir(CLAIM, payers={"ACME01": "Acme  Commercial "})).payer == "acme commercial"

    def test_preferred_procedure_system(self):
        """A CPT or HCPCS coding is chosen over another coding of the same item."""
        data = resource()
        data["item"][0]["productOrService"]["coding"].insert(0, {"system": "urn:local", "code": "CXR2"})
        assert read_one(data).lines[0].code == "71046"

    def test_focal_insurance_gives_the_prior_auth(self):
        """Only the focal insurance's preAuthRef numbers are the claim's."""
        data = resource()
        data["insurance"] = [{"sequence": 1, "focal": False, "coverage": {"display": "x"}, "preAuthRef": ["OTHER"]},
                             {"sequence": 2, "focal": True, "coverage": {"display": "y"}, "preAuthRef": ["PA1", "PA2"]}]
        assert read_one(data).prior_auth == ("PA1", "PA2")

    def test_condition_codes_from_supporting_info(self):
        """supportingInfo codings in the NUBC condition-code system are the claim's condition codes, in order;
        codes of other systems are not."""
        data = resource()
        nubc = "https://www.nubc.org/CodeSystem/ConditionCodes"
        old_name = "http://terminology.hl7.org/CodeSystem/AHANUBCConditionCodes"
        info = {"coding": [{"code": "info"}]}
        data["supportingInfo"] = [
            {"sequence": 1, "category": info, "code": {"coding": [{"system": nubc, "code": "45"}]}},
            {"sequence": 2, "category": info, "code": {"coding": [{"system": "urn:x", "code": "77"}]}},
            {"sequence": 3, "category": info, "code": {"coding": [{"system": old_name, "code": "a1"}]}},
        ]
        assert read_one(data).condition_codes == ("45", "A1")
        assert read_one(resource()).condition_codes == ()

    def test_one_condition_code_per_supporting_info(self):
        """One code written in both condition-code systems is one code, not two."""
        data = resource()
        codings = [{"system": "https://www.nubc.org/CodeSystem/ConditionCodes", "code": "45"},
                   {"system": "http://terminology.hl7.org/CodeSystem/AHANUBCConditionCodes", "code": "45"}]
        data["supportingInfo"] = [{"sequence": 1, "code": {"coding": codings}}]
        assert read_one(data).condition_codes == ("45",)

    def test_a_blank_subscriber_id_falls_back_to_the_coverage_identifier(self):
        """A subscriberId of blanks is no member id: the coverage's identifier is read."""
        data = resource()
        data["contained"].append({"resourceType": "Coverage", "id": "cov1", "subscriberId": "   ",
                                  "identifier": [{"value": "MBR-7"}]})
        data["insurance"][0]["coverage"] = {"reference": "#cov1"}
        assert read_one(data).patient.id == "MBR-7"
        data["contained"][-1]["subscriberId"] = "SUB-1"
        assert read_one(data).patient.id == "SUB-1"

    def test_a_blank_id_falls_back_to_the_identifier(self):
        """An `id` of blanks is no id: the first identifier with a value names the claim."""
        data = resource()
        data["id"] = "  "
        data["identifier"] = [{"value": " "}, {"value": "CLAIM-9"}]
        assert read_one(data).id == "CLAIM-9"

    def test_icd9_system_is_flagged(self):
        """Diagnoses coded in the ICD-9-CM system make the claim's diagnosis_system icd9."""
        data = resource()
        for entry in data["diagnosis"]:
            entry["diagnosisCodeableConcept"]["coding"][0].update(system="http://hl7.org/fhir/sid/icd-9-cm", code="4019")
        claim = read_one(data)
        assert claim.diagnosis_system == "icd9"
        assert "format.icd9" in radrules.load().evaluate(claim).fired()

    @pytest.mark.parametrize("relationship, expected", [
        (None, "SUB-1"), ("self", "SUB-1"), ("child", "SUB-1-02"), ("spouse", "SUB-1-02")])
    def test_a_dependent_does_not_take_the_subscribers_id(self, relationship, expected):
        """Coverage.subscriberId is the subscriber's id: a dependent gets the coverage's identifier instead,
        so the parent's paid services are not the child's history."""
        data = resource()
        coverage = {"resourceType": "Coverage", "id": "cov", "status": "active", "subscriberId": "SUB-1",
                    "identifier": [{"value": "SUB-1-02"}], "beneficiary": {"reference": "#patient-1"},
                    "payor": [{"display": "Acme"}]}
        if relationship:
            coverage["relationship"] = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/"
                                                    "subscriber-relationship", "code": relationship}]}
        data["contained"].append(coverage)
        data["insurance"][0]["coverage"] = {"reference": "#cov"}
        assert read_one(data).patient.id == expected

    def test_gender_values(self):
        """female/male/other/unknown become F/M/U/U."""
        sexes = []
        for gender in ("female", "male", "other", "unknown"):
            data = resource()
            data["contained"][0]["gender"] = gender
            sexes.append(read_one(data).patient.sex)
        assert sexes == ["F", "M", "U", "U"]


class TestBundle:
    """tests/data/fhir/radiology-bundle.json: three Claims and the resources they reference."""

    @staticmethod
    def _two_servers(patient_reference: str) -> dict:
        """A Bundle of two claims from two servers, each naming its own server's Patient/1."""
        entries = []
        for server, sex, born in (("http://a.example/fhir", "female", "1950-01-01"),
                                  ("http://b.example/fhir", "male", "2001-01-01")):
            claim = resource()
            claim["id"] = f"c-{sex}"
            claim["contained"] = [r for r in claim["contained"] if r.get("resourceType") != "Patient"]
            claim["patient"] = {"reference": patient_reference}
            entries.append({"fullUrl": f"{server}/Claim/c-{sex}", "resource": claim})
            entries.append({"fullUrl": f"{server}/Patient/1",
                            "resource": {"resourceType": "Patient", "id": "1", "gender": sex, "birthDate": born}})
        return {"resourceType": "Bundle", "type": "collection", "entry": entries}

    @pytest.mark.parametrize("reference", ["Patient/1", "Patient/1/_history/2"])
    def test_a_relative_reference_resolves_against_its_claims_server(self, reference):
        """Two servers' Patient/1 are two patients: each claim's relative reference (a version of it too)
        resolves against the base of its own entry's fullUrl (FHIR R4 bundle.html#references)."""
        claims = list(radrules.read_fhir(self._two_servers(reference)))
        assert [(c.id, c.patient.sex, c.patient.birth_date) for c in claims] == [
            ("c-female", "F", D(1950, 1, 1)), ("c-male", "M", D(2001, 1, 1))]

    def test_institutional_claim(self):
        """Bundled Patient and Coverage (subscriberId), a Condition by reference, revenue codes."""
        claim = next(radrules.read_fhir(BUNDLE))
        assert claim.type == "institutional"
        assert claim.payer == "medicare"
        assert claim.patient == radrules.Patient(birth_date=D(1960, 7, 4), sex="M", id="MEMBER0303")
        assert claim.diagnoses == ("R10.84", "R07.89")
        assert [l.revenue_code for l in claim.lines] == ["0350", "0320", "0610"]
        assert all(l.diagnosis_pointers == (1, 2) for l in claim.lines)

    def test_item_without_a_date_takes_the_billable_period(self):
        """An item with no servicedDate or servicedPeriod is dated by the claim's billablePeriod."""
        line = next(radrules.read_fhir(BUNDLE)).lines[1]
        assert (line.date, line.end_date) == (D(2026, 3, 2), D(2026, 3, 3))

    def test_an_item_with_both_a_date_and_a_period_is_refused(self):
        """R4's serviced[x] is one of servicedDate and servicedPeriod: an item with both is refused at its period,
        not read from the date (which of the two the sender meant is not known)."""
        data = resource()
        data["item"][0]["servicedPeriod"] = {"start": "2026-03-01", "end": "2026-03-03"}
        error = read_one(data)
        assert isinstance(error, radrules.InputError)
        assert (error.path, error.problem) == ("item[0].servicedPeriod",
                                               "an item has servicedDate or servicedPeriod, not both")

    def test_bad_claim_in_a_bundle_is_reported_and_the_next_is_read(self):
        """Claim 2 (February 30) is an InputError with its JSON path; claim 3 is read."""
        items = list(radrules.read_fhir(BUNDLE))
        assert [type(i).__name__ for i in items] == ["Claim", "InputError", "Claim"]
        error = items[1]
        assert (error.path, error.problem, error.claim) == (
            "entry[4].resource.item[0].servicedDate", "not a calendar date", 2)
        assert str(error) == f"{BUNDLE}: entry[4].resource.item[0].servicedDate: not a calendar date"

    def test_ndjson_and_lists(self, tmp_path):
        """NDJSON (one resource per line) and a JSON list of resources read like separate files."""
        data = resource()
        path = tmp_path / "claims.ndjson"
        path.write_text(json.dumps(data) + "\n" + json.dumps(data) + "\n", encoding="utf-8")
        assert [c.id for c in radrules.read_fhir(path)] == ["RAD-F-3001", "RAD-F-3001"]
        assert [c.id for c in radrules.read_fhir([data, data])] == ["RAD-F-3001", "RAD-F-3001"]
        assert [c.id for c in radrules.read_fhir(io.StringIO(json.dumps(data)))] == ["RAD-F-3001"]


def _coverage(data: dict, **fields) -> None:
    """Give the claim a contained Coverage with ``fields`` as its focal insurance's coverage."""
    data["contained"].append({"resourceType": "Coverage", "id": "cov", **fields})
    data["insurance"][0]["coverage"] = {"reference": "#cov"}


def _broken(change) -> radrules.InputError:
    data = resource()
    change(data)
    item = read_one(data)
    assert isinstance(item, radrules.InputError)
    return item


class TestMalformed:
    """A claim resource of the wrong shape is an InputError with the JSON path; no value is shown."""

    @pytest.mark.parametrize("text", [b"", b"  \n\n", b"\xef\xbb\xbf\n"], ids=["empty", "blank lines", "BOM"])
    def test_an_empty_file_holds_no_claims(self, text):
        """An empty file is no claims (as in the other input formats, cli.md), not "not JSON"."""
        assert list(radrules.read_fhir(io.BytesIO(text))) == []

    @pytest.mark.parametrize("change, path, problem", [
        (lambda d: d.update(item=[]), "item", "a claim needs at least one item"),
        (lambda d: d["item"][0].pop("servicedDate"), "item[0].servicedDate", "required"),
        (lambda d: d["item"][0].update(servicedDate="03/02/2026"), "item[0].servicedDate", "expected a full date"),
        (lambda d: d["item"][0].update(diagnosisSequence=[7]), "item[0].diagnosisSequence[0]", "no diagnosis has"),
        (lambda d: d["item"][0].update(quantity={"value": 0}), "item[0].quantity.value", "expected a positive number"),
        (lambda d: d["item"][0].update(quantity=3), "item[0].quantity", "expected a Quantity"),
        (lambda d: d["item"][0].update(modifier=[{"coding": []}]), "item[0].modifier[0]", "no code"),
        (lambda d: d["item"][0].update(modifier=[{"coding": [{"code": m}]} for m in "ABCDE"]),
         "item[0].modifier", "at most 4 modifiers per line"),
        (lambda d: d["item"][0].update(productOrService={"text": "chest"}), "item[0].productOrService", "no code"),
        (lambda d: d["diagnosis"][0].update(sequence=0), "diagnosis[0].sequence", "expected a positive whole number"),
        (lambda d: d["diagnosis"][0].update(sequence=1), "diagnosis[1].sequence", "two diagnoses have the same"),
        (lambda d: d["diagnosis"][0].pop("diagnosisCodeableConcept"), "diagnosis[0].diagnosisReference", "neither"),
        (lambda d: d["contained"][0].update(birthDate="1958"), "patient.birthDate", "expected a full date"),
        (lambda d: d["contained"][0].update(birthDate="\uff11\uff19\uff15\uff18-03-14"), "patient.birthDate",
         "expected a full date"),
        (lambda d: d["contained"][0].update(gender="f"), "patient.gender", "expected `female`"),
        (lambda d: d["patient"].update(reference="#" + d["contained"][0]["id"].upper()), "patient.reference",
         "no contained Patient"),
        (lambda d: d.update(created="yesterday"), "created", "expected a full date"),
        # identifiers that are there but not texts: never skipped (a member id skipped gave the claim the history
        # of claims without one; an NPI skipped, no format.npi)
        (lambda d: d.update(id={"value": "SECRET-7"}), "id", "expected a text"),
        (lambda d: d.update(id=4001), "id", "expected a text"),
        (lambda d: d.update(id=" ", identifier=[{"value": ["SECRET-7"]}]), "identifier[0].value", "expected a text"),
        (lambda d: d["contained"][0]["identifier"][0].update(value={"x": "SECRET-7"}), "patient.identifier[0].value",
         "expected a text"),
        (lambda d: d["contained"][0]["identifier"][0].update(value=["SECRET-7"]), "patient.identifier[0].value",
         "expected a text"),
        (lambda d: _coverage(d, subscriberId=55012), "insurance[0].coverage.subscriberId", "expected a text"),
        # the path counts every entry of `insurance` as written (it named the entry before the focal one)
        (lambda d: (_coverage(d, subscriberId=55012), d.update(insurance=["junk", dict(d["insurance"][0], focal=True)])),
         "insurance[1].coverage.subscriberId", "expected a text"),
        (lambda d: _coverage(d, identifier=[{"value": {"id": "SECRET-7"}}]), "insurance[0].coverage.identifier[0].value",
         "expected a text"),
        (lambda d: d["contained"][2]["identifier"][0].update(value=1234567810),
         "careTeam[0].provider.identifier[0].value", "expected a text"),
        (lambda d: d["careTeam"][0]["provider"].update(identifier={"system": "http://hl7.org/fhir/sid/us-npi",
                                                                    "value": 1234567810}),
         "careTeam[0].provider.identifier.value", "expected a text"),
        (lambda d: d["item"][0].update(careTeamSequence=[7]), "item[0].careTeamSequence[0]",
         "no care team member has this sequence"),
        (lambda d: d["insurance"][0].update(preAuthRef=[""]), "insurance[0].preAuthRef[0]", "expected a text"),
        (lambda d: d.update(item={"sequence": 1}), "item", "expected a list"),
        (lambda d: d.update(supportingInfo=[{"sequence": 1, "code": {"coding": [
            {"system": "https://www.nubc.org/CodeSystem/ConditionCodes", "code": "451"}]}}]),
         "supportingInfo[0].code", "expected a condition code"),
        (lambda d: d.update(related={"reference": {"value": "SECRET-7"}}), "related", "expected a list"),
        (lambda d: d.update(related=[{"relationship": PRIOR}]), "related[0]", "a prior claim without its number"),
        (lambda d: d.update(related=[{"relationship": PRIOR, "reference": {"value": 55012}}]),
         "related[0].reference.value", "expected a text"),
        (lambda d: d.update(related=[{"relationship": PRIOR, "claim": {"reference": "Coverage/SECRET-7"}}]),
         "related[0].claim.reference", "expected a reference to a Claim"),
        (lambda d: d.update(related=[{"relationship": PRIOR, "reference": {"value": "SECRET-7"}},
                                     {"relationship": PRIOR, "claim": {"identifier": {"value": "MEMBER0101"}}}]),
         "related[1].claim.identifier.value", "a second prior claim of another number"),
        (lambda d: d.update(related=[{"relationship": "prior", "reference": {"value": "SECRET-7"}}]),
         "related[0].relationship", "expected a CodeableConcept"),
    ])
    def test_bad_claim(self, change, path, problem):
        """Each shape problem names its FHIR path and what is wrong."""
        error = _broken(change)
        assert error.path == path and problem in error.problem and error.claim == 1
        for secret in ("1958-03-14", "PA20260302A", "SECRET-7", "MEMBER0101", "55012", "1234567810"):
            assert secret not in str(error)

    @pytest.mark.parametrize("text, words", [
        ('{"resourceType": "Patient"}', "expected a FHIR `Claim` or `Bundle`"),
        ("[1]", "expected a FHIR resource"),
        ("{not json", "not JSON"),
    ])
    def test_not_fhir_raises(self, tmp_path, text, words):
        """A file that is not FHIR Claim JSON raises InputError naming the file."""
        path = tmp_path / "x.json"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(radrules.InputError) as caught:
            list(radrules.read_fhir(path))
        assert words in str(caught.value) and str(path) in str(caught.value)


@pytest.mark.parametrize("path", HL7, ids=[p.name for p in HL7])
def test_hl7_examples_read_and_evaluate(path):
    """Each of the 17 HL7 R4 Claim examples (CC0) reads into one Claim that evaluates."""
    claim = read_one(path)
    assert isinstance(claim, radrules.Claim) and claim.lines
    assert radrules.load().evaluate(claim).lines


def test_hl7_claim_types_and_uses():
    """FHIR claim types other than institutional read as professional; a preauthorization is read like a claim
    (without a received date)."""
    types = {p.name: read_one(p).type for p in HL7}
    assert types["claim-example-institutional.json"] == "institutional"
    assert types["claim-example-oral-average.json"] == types["claim-example-vision.json"] == "professional"
    assert types["claim-example-pharmacy.json"] == types["claim-example-professional.json"] == "professional"
    plan = read_one(DATA / "hl7-r4" / "claim-example-oral-orthoplan.json")
    # codes of an oral service system, not CPT: given with their system, so 21211 is not judged as CPT 21211
    system = "HTTP://EXAMPLE.ORG/FHIR/ORALSERVICECODES"
    assert [l.code for l in plan.lines] == [f"{system}|ORTHPLAN", f"{system}|21211", f"{system}|27211"]
    messages = [f.message for f in radrules.load().evaluate(plan).findings if f.rule == "format.code"]
    assert messages == [
        "line 1's procedure code is a code of another system, not a CPT/HCPCS code (8 characters, not shown)",
        "`21211` is a code of another system, not a CPT/HCPCS code",
        "`27211` is a code of another system, not a CPT/HCPCS code"]


@pytest.mark.parametrize("use, received", [
    ("claim", D(2026, 3, 20)), (None, D(2026, 3, 20)), ("preauthorization", None), ("predetermination", None)])
def test_a_preauthorization_has_no_received_date(use, received):
    """A preauthorization or predetermination asks about services to come: `created` is not when a claim for them
    was received. Read as such, each of its items (dated after it) was denied by format.date_after_received,
    as HL7's orthodontic plan example was."""
    data = resource()
    data.pop("use")
    if use is not None:
        data["use"] = use
    data["item"][0]["servicedDate"] = "2026-04-15"
    claim = read_one(data)
    assert claim.received == received
    assert ("format.date_after_received" in radrules.load().evaluate(claim).fired()) == (received is not None)
    data["created"] = "2026-02-30"
    assert read_one(data).path == "created"  # still checked
    plan = read_one(DATA / "hl7-r4" / "claim-example-oral-orthoplan.json")
    assert plan.received is None and "format.date_after_received" not in radrules.load().evaluate(plan).fired()


def test_a_round_trip_of_a_bundle_of_radiology_claims():
    """tests/data/fhir/radiology-round-trip.json (written for radrules): claims of a Bundle whose rendering provider
    is a PractitionerRole, whose place of service and modifier come with codings of other systems first, a
    preauthorization and a claim with a modifier extension, each answered for its own items."""
    pairs = list(radrules.read_fhir(DATA / "radiology-round-trip.json", with_resources=True))
    (first, claim), (plan, request), (_, refused) = pairs
    assert [(l.modifiers, l.place_of_service, l.rendering_npi) for l in claim.lines] == [
        (("26",), "11", "1245319599"), ((), "22", "1245319599"), ((), "11", "1245319599")]
    assert request.received is None
    assert refused.path == "entry[7].resource.item[0].modifierExtension" and refused.claim == 3
    response = radrules.to_fhir_claim_response(radrules.load().evaluate(claim), first, created="2026-03-21")
    assert response["request"] == {"reference": "Claim/RT-1"}
    assert [item["itemSequence"] for item in response["item"]] == [10, 20, 30]
    assert response["disposition"] == "failed: item 20 denied"
    assert response["item"][1]["adjudication"][1]["reason"]["coding"] == [{"system": CARC_SYSTEM, "code": "97"}]
    response = radrules.to_fhir_claim_response(radrules.load().evaluate(request), plan, created="2026-03-21")
    assert (response["use"], response["request"], response["disposition"]) == (
        "preauthorization", {"reference": "Claim/RT-2"}, "passed: no finding denies a line or asks for review")


def test_hl7_prior_auth_and_modifier():
    """The 3-tier vision example: the focal insurance's preAuthRef, and the item modifier in capitals."""
    claim = read_one(DATA / "hl7-r4" / "claim-example-vision-glasses-3tier.json")
    assert claim.prior_auth == ("AB543GTD7567",)
    assert claim.lines[0].modifiers == ("ROOH",)
    assert "format.modifier" in radrules.load().evaluate(claim).fired()


def test_hl7_cms1500_example_mapping():
    """The CMS-1500 example: institutional, contained Patient and Coverage, CPT 62264, pointers 2 and 4, POS 24."""
    claim = read_one(DATA / "hl7-r4" / "claim-example-cms1500-medical.json")
    assert (claim.type, claim.payer, claim.patient.birth_date, claim.patient.sex) == (
        "institutional", "humana inc.", D(1954, 6, 11), "F")
    assert claim.diagnoses == ("M96.1", "G89.4", "M53.88", "M47.816")
    line = claim.lines[0]
    assert (line.code, line.diagnosis_pointers, line.place_of_service, line.date, line.charge) == (
        "62264", (2, 4), "24", D(2015, 10, 13), 12500.0)


class TestClaimResponse:
    """to_fhir_claim_response: a Result as a FHIR ClaimResponse."""

    def response(self):
        data = resource()
        claim = read_one(data)
        result = radrules.load().evaluate(claim)
        return result, radrules.to_fhir_claim_response(result, data, created=D(2026, 3, 21))

    def test_header(self):
        """Type, use, patient, insurer and request come from the Claim resource; outcome complete."""
        result, response = self.response()
        assert response["resourceType"] == "ClaimResponse"
        assert response["type"]["coding"][0]["code"] == "professional"
        assert (response["use"], response["status"], response["outcome"]) == ("claim", "active", "complete")
        # the Claim's references are contained (#pat, #payer): they would point at nothing in the response
        assert response["patient"] == {"display": "the patient of the claim"}
        assert response["insurer"] == {"display": "the payer of the claim"}
        assert response["request"] == {"reference": "Claim/RAD-F-3001"}
        assert response["created"] == "2026-03-21"
        assert response["disposition"] == "failed: item 5 denied"

    def test_items_named_by_their_sequence_and_a_line_left_for_review(self):
        """A Claim whose items are numbered 10, 20, 30: the disposition names item 30, not line 3, and a first
        note says which item each line of the messages is; a line left for review makes the outcome `partial`
        (it said `complete`, as for a claim judged whole: a denials analyst's finding)."""
        rules = radrules.loads('rule t.review "x"\n  when line.code is 74177\n  then review line "line '
                               '{line.number}: send the report"\n  reference "t"\nend\n'
                               'rule t.deny "x"\n  when line.code is 74150\n  then deny line "no"\n  carc CO-16\n'
                               '  reference "t"\nend\n')
        data = {"resourceType": "Claim", "id": "c1", "status": "active", "use": "claim",
                "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                                     "code": "professional"}]},
                "patient": {"reference": "Patient/p1"}, "created": "2026-03-02", "provider": {"reference": "#x"},
                "priority": {"coding": [{"code": "normal"}]}, "insurance": [],
                "item": [{"sequence": sequence, "productOrService": {"coding": [{"code": code}]},
                          "servicedDate": "2026-03-02"}
                         for sequence, code in ((10, "71046"), (20, "74177"), (30, "74150"))]}
        claim = radrules.Claim.from_dict({"lines": [{"code": i["productOrService"]["coding"][0]["code"],
                                                    "date": "2026-03-02"} for i in data["item"]]})
        response = radrules.to_fhir_claim_response(rules.evaluate(claim), data, created=D(2026, 3, 21))
        assert response["outcome"] == "partial"
        assert response["disposition"] == "failed: item 30 denied; item 20 for review"
        assert response["processNote"][0]["text"] == ("the notes number lines in claim order: line 1 is item 10, "
                                                      "line 2 is item 20, line 3 is item 30")
        assert [item["itemSequence"] for item in response["item"]] == [10, 20, 30]
        notes = {note["number"]: note["text"].split()[0] for note in response["processNote"]}
        assert [[notes[n] for n in item.get("noteNumber", [])] for item in response["item"]] == [
            [], ["t.review"], ["t.deny"]]

    @pytest.mark.parametrize("created, expected", [(D(2026, 3, 21), "2026-03-21"), ("2026-03-21", "2026-03-21"),
                                                   ("2026-02-30", ValueError), ("20260321", ValueError),
                                                   (20260321, ValueError)])
    def test_created_is_a_date_or_its_text(self, created, expected):
        """`created` takes a date or YYYY-MM-DD text (readers.md); anything else is a ValueError, not a crash."""
        result = radrules.load().evaluate(read_one(resource()))
        if expected is ValueError:
            with pytest.raises(ValueError, match="created: expected a datetime.date, an aware datetime or YYYY-MM-DD"):
                radrules.to_fhir_claim_response(result, created=created)
        else:
            assert radrules.to_fhir_claim_response(result, created=created)["created"] == expected

    def test_created_datetime_needs_its_time_zone(self):
        """A FHIR dateTime with a time must have a time zone: a naive datetime (`datetime.now()`) is refused,
        not written as `2026-03-20T14:05:00`; an aware one is written with its offset."""
        result = radrules.load().evaluate(read_one(resource()))
        with pytest.raises(ValueError, match="without a time zone is not a FHIR dateTime"):
            radrules.to_fhir_claim_response(result, created=dt.datetime(2026, 3, 20, 14, 5))
        aware = dt.datetime(2026, 3, 20, 14, 5, 7, 123456, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
        assert radrules.to_fhir_claim_response(result, created=aware)["created"] == "2026-03-20T14:05:07-05:00"

    def test_references_outside_the_claim_are_copied_without_identifiers(self):
        """A reference to a resource elsewhere is kept with its display; an identifier (which may be the
        member id) never is."""
        data = resource()
        data["patient"] = {"reference": "Patient/123", "display": "Jane Example",
                           "identifier": {"value": "MEMBER0101"}}
        data["insurer"] = {"display": "Acme"}
        result = radrules.load().evaluate(read_one(data))
        response = radrules.to_fhir_claim_response(result, data, created=D(2026, 3, 21))
        assert response["patient"] == {"reference": "Patient/123"}  # a patient's display is usually a name
        assert response["insurer"] == {"display": "Acme"}
        assert "MEMBER0101" not in json.dumps(response) and "Jane" not in json.dumps(response)

    @pytest.mark.parametrize("reference, copied", [
        ("Patient?identifier=urn:example:member|MEMBER0101&family=EXAMPLE&birthdate=1958-03-14", False),
        ("Patient/123?_format=json", False),
        ("https://fhir.example.org/r4/Patient/123", True),
        ("https://fhir.example.org/r4/Patient/123/_history/4", True),
        ("urn:uuid:0d9c1f1e-2f38-4d59-9b1c-1fa2b1c0e7a1", False),
        ("Patient/", False),
    ])
    def test_only_a_reference_by_id_is_copied(self, reference, copied):
        """A conditional reference searches by what it holds (the member id, a name, a birth date): only a
        reference to a resource by its id is copied, else the placeholder."""
        data = resource()
        data["patient"] = {"reference": reference}
        response = radrules.to_fhir_claim_response(radrules.load().evaluate(read_one(data)), data,
                                                   created=D(2026, 3, 21))
        assert response["patient"] == ({"reference": reference} if copied else {"display": "the patient of the claim"})

    def test_type_is_the_claim_type_the_reader_judged(self):
        """A coding of another system is no claim-type code: the response carries the type the reader read."""
        data = resource()
        data["type"] = {"coding": [{"system": "urn:example:local", "code": "RAD"},
                                   {"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                                    "code": "institutional"}]}
        claim = read_one(data)
        response = radrules.to_fhir_claim_response(radrules.load().evaluate(claim), data)
        assert claim.type == "institutional"
        assert response["type"]["coding"] == [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                                               "code": "institutional"}]

    def test_denied_item_has_the_carc_as_reason(self):
        """The PTP-denied item 5 has an adjudication with reason CARC 97 (text CO-97) and amount 0."""
        result, response = self.response()
        item = response["item"][4]
        assert item["itemSequence"] == 5
        reasons = [a for a in item["adjudication"] if "reason" in a]
        assert reasons == [{
            "category": {"coding": [{"system": ADJUDICATION_SYSTEM, "code": "benefit"}]},
            "reason": {"coding": [{"system": CARC_SYSTEM, "code": "97"}], "text": "CO-97"},
            "amount": {"value": 0, "currency": "USD"},
        }]

    def test_paid_items_and_notes(self):
        """Items with no CARC finding get one `submitted` adjudication, with the item's `net` as its amount; every
        finding is a process note."""
        result, response = self.response()
        assert response["item"][0]["adjudication"] == [
            {"category": {"coding": [{"system": ADJUDICATION_SYSTEM, "code": "submitted"}]},
             "amount": {"value": 64.0, "currency": "USD"}}]
        notes = response["processNote"]
        assert len(notes) == len(result.findings)
        ptp = next(n for n in notes if n["text"].startswith("acme.ptp [deny]"))
        assert ptp["text"].endswith("(M80)")
        assert ptp["number"] in response["item"][4]["noteNumber"]

    def test_a_denied_item_carries_what_was_billed(self):
        """A denied item's `benefit` 0 sits beside a `submitted` amount, the charge, so that a reader can work out
        the adjustment (it had the 0 alone: a denials analyst's finding); without a charge, no amount."""
        data = resource()
        data["item"][4]["net"] = {"value": 212.5, "currency": "USD"}
        result = radrules.load().evaluate(read_one(data))
        denied = radrules.to_fhir_claim_response(result, data, created=D(2026, 3, 21))["item"][4]["adjudication"]
        assert [entry["category"]["coding"][0]["code"] for entry in denied] == ["submitted", "benefit"]
        assert [entry["amount"] for entry in denied] == [{"value": 212.5, "currency": "USD"},
                                                         {"value": 0, "currency": "USD"}]
        claim = radrules.Claim.from_dict({"lines": [{"code": "71046", "date": "2026-03-02", "charge": 80.5},
                                                    {"code": "71047", "date": "2026-03-02"}]})
        items = radrules.to_fhir_claim_response(radrules.load().evaluate(claim), claim)["item"]
        assert [item["adjudication"][0].get("amount") for item in items] == [{"value": 80.5, "currency": "USD"}, None]

    def test_without_a_resource(self):
        """From a radrules Claim: its type, the claim id as request identifier, no member id anywhere."""
        claim = next(radrules.read_x12(Path(__file__).parent / "data" / "x12" / "radiology-837i.edi"))
        result = radrules.load().evaluate(claim)
        response = radrules.to_fhir_claim_response(result, claim)
        assert response["type"]["coding"][0]["code"] == "institutional"
        assert response["request"] == {"identifier": {"value": "RADI-2001"}}
        assert [item["itemSequence"] for item in response["item"]] == [1, 2, 3]
        assert "MEMBER0003" not in json.dumps(response)

    def test_item_sequences_json_cannot_write_are_numbered_by_position(self):
        """An item `sequence` of 5,000 digits (read from a Python dict) is not copied: json.dumps of the response
        raised ValueError. The items are numbered 1, 2, ... instead. (The reader refuses such a claim.)"""
        data = resource()
        result = radrules.load().evaluate(read_one(data))
        data["item"][0]["sequence"] = 10**5000
        assert read_one(data).path == "item[0].sequence"
        response = radrules.to_fhir_claim_response(result, data)
        assert [item["itemSequence"] for item in response["item"]] == list(range(1, len(data["item"]) + 1))
        json.dumps(response)

    @pytest.mark.parametrize("sequences, path, words", [
        ([1, 2, 2, 4, 5], "item[2].sequence", "item[1] has the same sequence"),
        ([2, None, 3, 4, 5], "item[1].sequence", "required when other items have theirs"),
        ([1, 0, 3, 4, 5], "item[1].sequence", "expected a positive whole number"),
        ([1, "2", 3, 4, 5], "item[1].sequence", "expected a positive whole number"),
        ([1, True, 3, 4, 5], "item[1].sequence", "expected a positive whole number"),
        ([1, 2**31, 3, 4, 5], "item[1].sequence", "expected a positive whole number"),
    ])
    def test_items_the_response_could_not_name_are_refused(self, sequences, path, words):
        """The response names items by their sequence (and by position when none has one): a repeated sequence,
        or an item without one among items with theirs, answered for one item under another's number (items 2
        and 3 both `itemSequence` 2; [2, none] answered item 2's finding as item 1's and line 2's as item 2)."""
        data = resource()
        for item, sequence in zip(data["item"], sequences):
            item.pop("sequence")
            if sequence is not None:
                item["sequence"] = sequence
        error = read_one(data)
        assert isinstance(error, radrules.InputError) and error.path == path and words in error.problem
        for item in data["item"]:
            item.pop("sequence", None)
        claim = read_one(data)  # no item has one: numbered by position
        response = radrules.to_fhir_claim_response(radrules.load().evaluate(claim), data)
        assert [item["itemSequence"] for item in response["item"]] == [1, 2, 3, 4, 5]

    @pytest.mark.parametrize("use, written", [
        ("preauthorization", "preauthorization"), ("predetermination", "predetermination"), ("claim", "claim"),
        (None, "claim"), ("Claim", "claim"), (5, "claim"), ("exam", "claim")])
    def test_use_is_a_code_of_its_value_set(self, use, written):
        """ClaimResponse.use has a required binding: a Claim's `use` outside it (a number, `Claim`) was copied,
        and the response was not valid FHIR."""
        data = resource()
        data.pop("use")
        if use is not None:
            data["use"] = use
        response = radrules.to_fhir_claim_response(radrules.load().evaluate(read_one(data)), data)
        assert response["use"] == written

    @pytest.mark.parametrize("claim_id, request_", [
        ("RAD-F-3001", {"reference": "Claim/RAD-F-3001"}), ("a.b-9", {"reference": "Claim/a.b-9"}),
        ("RAD 3001/2", {"identifier": {"value": "RAD 3001/2"}}), ("x" * 65, {"identifier": {"value": "x" * 65}})])
    def test_the_request_references_the_claim_by_a_fhir_id_only(self, claim_id, request_):
        """`Claim/ID` only for an `id` that is a FHIR id (64 letters, digits, `-`, `.`); `Claim/RAD 3001/2` named
        no resource (a space, and a slash that made `3001/2` look like a version). Else the claim's id as an
        identifier."""
        data = resource()
        data["id"] = claim_id
        response = radrules.to_fhir_claim_response(radrules.load().evaluate(read_one(data)), data)
        assert response["request"] == request_

    def test_resource_is_not_changed(self):
        """Writing a response does not change the Claim resource it copies from."""
        data = resource()
        before = copy.deepcopy(data)
        radrules.to_fhir_claim_response(radrules.load().evaluate(read_one(data)), data)
        assert data == before


# ---------------------------------------------------------------- never a traceback

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from mangling import any_json, apply_changes, json_paths  # noqa: E402

_JSON = any_json(["coding", "code", "system", "value", "reference", "sequence", "start", "end"])


_ALL_PATHS = [p for p in json_paths(resource()) if p and p != ("resourceType",)]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_ALL_PATHS), _JSON), min_size=1, max_size=3))
def test_mangled_claims_give_claims_or_input_errors_only(changes):
    """Replacing any part of the Claim resource with any JSON gives a Claim or an InputError, never a traceback."""
    data = resource()
    apply_changes(data, changes)
    for item in radrules.read_fhir(data):
        assert isinstance(item, (radrules.Claim, radrules.InputError))
        if isinstance(item, radrules.InputError):
            assert "MEMBER0101" not in str(item) and item.path
