"""Which lines are the same provider's (domain.md §1.6): the rendering provider on a professional claim, the
hospital (the claim as a whole) on an institutional one, for PTP pairs, MAI 2/3 sums, add-on primaries, pair rules
and paid earlier lines."""

from __future__ import annotations

import io

import pytest

import radrules

from builders import NPI, OTHER_NPI, POLICY, claim, line

RULES_TEXT = '''
pairs t.ptp
  reference "t"
  pair 74177 with 74176 modifier 1
end
limits t.mue
  reference "t"
  limit 74177 max 1 mai 2
end
addons t.aoc
  reference "t"
  addon 77063 type 1 primaries 77067
end
rule t.same "same code twice"
  kind coding
  when other.number < line.number and other.code = line.code and line.modifiers has none of [76, 77]
  then warn line "line {line.number} repeats line {other.number}"
  reference "t"
end
rule t.paid "paid before by the same provider"
  kind duplicate
  when history has the same code on the same date with the same provider
  then warn line "paid before"
  reference "t"
end
'''
RULES = radrules.loads(RULES_TEXT, name="providers.rr")

DOS = "2026-07-15"
GROUP_NPI = "1234567836"  # a group's billing NPI


def two(first: str, second: str, kind: str, **second_fields) -> dict:
    """A claim of ``kind`` with two lines of two rendering providers."""
    extra = {"revenue_code": "0350"} if kind == "institutional" else {}
    return claim(line(first, DOS, rendering_npi=NPI, **extra),
                 line(second, DOS, rendering_npi=OTHER_NPI, **extra, **second_fields), type=kind)


def lines_of(result, rule: str) -> list:
    return [f.lines for f in result.findings if f.rule == rule]


def both_paths(data, **kwargs):
    """The result of the indexed evaluation, checked equal to the scan's."""
    result = RULES.evaluate(data, **kwargs)
    assert result.to_dict() == RULES.evaluate(data, indexed=False, **kwargs).to_dict()
    return result


class TestInstitutionalClaimIsOneProvider:
    def test_ptp_pairs_lines_of_two_rendering_providers(self):
        """A hospital claim's column 2 line is denied whoever read either study; a professional claim's is not."""
        assert lines_of(both_paths(two("74177", "74176", "institutional")), "t.ptp") == [(2,)]
        assert lines_of(both_paths(two("74177", "74176", "professional")), "t.ptp") == []

    def test_mai2_sums_lines_of_two_rendering_providers(self):
        """The hospital billed 74177 twice on the date: MUE 1 (MAI 2) denies both lines."""
        result = both_paths(two("74177", "74177", "institutional", modifiers=["76"]))
        assert lines_of(result, "t.mue") == [(1, 2)]
        assert result.findings[0].message == ("74177: 2 units on 2026-07-15 exceed the limit of 1 per day "
                                              f"({POLICY})")
        assert lines_of(both_paths(two("74177", "74177", "professional", modifiers=["76"])), "t.mue") == []

    def test_addon_primary_of_another_rendering_provider(self):
        """An add-on's primary on the same hospital claim counts whoever rendered it."""
        assert lines_of(both_paths(two("77067", "77063", "institutional")), "t.aoc") == []
        assert lines_of(both_paths(two("77067", "77063", "professional")), "t.aoc") == [(2,)]

    def test_pair_rules_compare_every_line(self):
        """Pair rules compare the lines of an institutional claim as one provider's too."""
        assert lines_of(both_paths(two("71046", "71046", "institutional")), "t.same") == [(2,)]
        assert lines_of(both_paths(two("71046", "71046", "professional")), "t.same") == []

    def test_date_spans(self):
        """A line with a date span takes the span paths: one provider there too."""
        ptp = two("74177", "74176", "institutional")
        ptp["lines"][0]["end_date"] = "2026-07-16"
        assert lines_of(both_paths(ptp), "t.ptp") == [(2,)]
        mue = two("74177", "74177", "institutional", modifiers=["76"])
        mue["lines"][1]["date"], mue["lines"][1]["end_date"] = "2026-07-14", "2026-07-15"
        assert lines_of(both_paths(mue), "t.mue") == [(1, 2)]

    def test_the_rendering_npi_is_still_read_by_rules(self):
        """`line.rendering_npi` is the line's on either claim type (only the grouping ignores it)."""
        rules = radrules.loads('rule t.npi "npi"\n  when line.rendering_npi is missing\n  then warn line "none"\n'
                               '  reference "t"\nend\n', name="npi.rr")
        data = two("74177", "74176", "institutional")
        data["lines"][1].pop("rendering_npi")
        assert [f.lines for f in rules.evaluate(data).findings] == [(2,)]

    def test_x12_837i_with_a_line_rendering_provider(self):
        """An 837I whose line 2 names its own rendering provider (NM1*82, loop 2420C) is edited as one claim."""
        text = "~".join([
            "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260320*1200*^*00501*000000102*0*T*:",
            "GS*HC*SENDER*RECEIVER*20260320*1200*101*X*005010X223A2", "ST*837*0001*005010X223A2",
            "BHT*0019*00*B1*20260720*1200*CH", "HL*1**20*1", "NM1*85*2*EXAMPLE HOSPITAL*****XX*1234567802",
            "HL*2*1*22*0", "SBR*P*18*******MA", "NM1*IL*1*EXAMPLE*PAT****MI*M3", "DMG*D8*19600704*M",
            "NM1*PR*2*PAYER*****PI*00000", "CLM*RADI-3001*1600***13:A:1**A*Y*Y", "HI*ABK:R1084",
            "NM1*71*1*ATTENDING*DOC****XX*1234567836",
            "LX*1", "SV2*0350*HC:74177*900*UN*1", "DTP*472*D8*20260715",
            "LX*2", "SV2*0350*HC:74176*700*UN*1", "DTP*472*D8*20260715", "NM1*82*1*READER*TWO****XX*1245319599",
            "SE*20*0001", "GE*1*101", "IEA*1*000000102"]) + "~"
        [hospital] = list(radrules.read_x12(io.StringIO(text)))
        assert [(x.rendering_npi, hospital.type) for x in hospital.lines] == [
            ("1234567836", "institutional"), (OTHER_NPI, "institutional")]
        assert lines_of(RULES.evaluate(hospital), "t.ptp") == [(2,)]


class TestPaidLinesOnAnInstitutionalClaim:
    """Paid lines of the patient's earlier institutional claims (or of no type given) are the hospital's, whatever
    their rendering provider; those of professional claims are not (Evaluation.provider_history)."""

    @pytest.mark.parametrize("kind, npi, denied", [
        ("institutional", OTHER_NPI, [(1,)]), (None, OTHER_NPI, [(1,)]), ("professional", NPI, []),
    ])
    def test_ptp_with_a_paid_column_1_line(self, kind, npi, denied):
        """A claim line in column 2 of a paid line of another rendering provider is denied on a hospital claim."""
        paid = [{"code": "74177", "date": DOS, "rendering_npi": npi, **({"type": kind} if kind else {})}]
        data = claim(line("74176", DOS, rendering_npi=NPI, revenue_code="0350"), type="institutional")
        assert lines_of(both_paths(data, history=paid), "t.ptp") == denied

    def test_mai2_sum_with_paid_lines_of_two_rendering_providers(self):
        """Paid lines of two rendering providers are summed with the claim's, once each (not one sum per
        provider)."""
        paid = [{"code": "74177", "date": DOS, "rendering_npi": npi, "type": "institutional"}
                for npi in (NPI, OTHER_NPI)]
        data = claim(line("74177", DOS, rendering_npi="1234567836", revenue_code="0350"), type="institutional")
        finding = [f for f in both_paths(data, history=paid).findings if f.rule == "t.mue"]
        assert [f.message for f in finding] == [
            f"74177: 3 units on 2026-07-15 (2 paid on earlier claims) exceed the limit of 1 per day ({POLICY})"]

    def test_history_same_provider(self):
        """`history has the same code ... with the same provider` finds a paid line of another rendering provider
        on a hospital claim, not on a professional one."""
        paid = [{"code": "71046", "date": DOS, "rendering_npi": OTHER_NPI}]
        hospital = claim(line("71046", DOS, rendering_npi=NPI, revenue_code="0324"), type="institutional")
        assert lines_of(both_paths(hospital, history=paid), "t.paid") == [(1,)]
        assert lines_of(both_paths(claim(line("71046", DOS, rendering_npi=NPI)), history=paid), "t.paid") == []


class TestPaidLinesOfAnotherHospital:
    """An institutional claim's provider is its billing provider (the hospital, `billing_npi`): paid institutional
    lines of another hospital are another provider's (domain.md §1.6), those of the same hospital or of an unknown
    one (no `billing_npi` on either side) the same provider's, whatever their rendering providers."""

    @pytest.mark.parametrize("claim_billing, paid_billing, same", [
        (NPI, OTHER_NPI, False), (NPI, NPI, True), (NPI, None, True), (None, OTHER_NPI, True),
    ], ids=["another hospital", "the same hospital", "paid line's unknown", "claim's unknown"])
    def test_ptp_mai2_and_history_same_provider(self, claim_billing, paid_billing, same):
        """The PTP edit against a paid line, the MAI 2 sum with paid lines and `history has the same code ...
        with the same provider` count another hospital's paid lines no more."""
        extra = {"billing_npi": paid_billing} if paid_billing else {}
        paid = [{"code": "74177", "date": DOS, "rendering_npi": NPI, "type": "institutional", **extra}]
        fields = {"billing_npi": claim_billing} if claim_billing else {}
        column_2 = claim(line("74176", DOS, rendering_npi=NPI, revenue_code="0350"), type="institutional", **fields)
        assert lines_of(both_paths(column_2, history=paid), "t.ptp") == ([(1,)] if same else [])
        again = claim(line("74177", DOS, rendering_npi=NPI, revenue_code="0350"), type="institutional", **fields)
        result = both_paths(again, history=paid)
        assert lines_of(result, "t.mue") == ([(1,)] if same else [])
        assert lines_of(result, "t.paid") == ([(1,)] if same else [])

    def test_the_claims_own_lines_are_one_provider_whatever_their_rendering_npi(self):
        """The billing NPI is the provider of every line of the claim: two rendering providers are still one."""
        data = two("74177", "74176", "institutional")
        data["billing_npi"] = NPI
        assert lines_of(both_paths(data), "t.ptp") == [(2,)]

    def test_a_professional_claim_ignores_the_billing_npi(self):
        """On a professional claim lines compare by rendering provider, whatever billing NPI claim and paid line
        give."""
        paid = [{"code": "74177", "date": DOS, "rendering_npi": NPI, "billing_npi": OTHER_NPI}]
        data = claim(line("74176", DOS, rendering_npi=NPI), billing_npi=NPI)
        assert lines_of(both_paths(data, history=paid), "t.ptp") == [(1,)]

    def test_explain_names_the_billing_provider(self):
        """explain says a hospital's sum left out another billing provider's paid line."""
        paid = [{"code": "74177", "date": DOS, "type": "institutional", "billing_npi": OTHER_NPI}]
        data = claim(line("74177", DOS, revenue_code="0350"), type="institutional", billing_npi=NPI)
        steps = [s for s in RULES.evaluate(data, history=paid, explain=True).explanation.steps if s.rule == "t.mue"]
        assert [s.detail for s in steps] == [
            "74177: 1 unit on 2026-07-15 (lines summed per billing provider: 1 paid line is another provider's), "
            "limit 1 per day (MAI 2)"]


class TestExplainSaysHowUnitsWereSummed:
    def test_institutional_claim_sums_every_line(self):
        """explain fires with the claim's 2 units; no provider is named."""
        result = RULES.evaluate(two("74177", "74177", "institutional", modifiers=["76"]), explain=True)
        steps = [s for s in result.explanation.steps if s.rule == "t.mue"]
        assert [(s.outcome, s.lines, s.detail) for s in steps] == [
            ("fired", (1, 2), f"74177: 2 units on 2026-07-15 exceed the limit of 1 per day ({POLICY})")]

    def test_professional_claim_says_the_units_are_per_provider(self):
        """Each rendering provider's sum says which lines were another provider's."""
        data = two("74177", "74177", "professional", modifiers=["76"])
        data["lines"].append(line("74177", DOS, rendering_npi=OTHER_NPI, modifiers=["77"]))
        steps = [s for s in RULES.evaluate(data, explain=True).explanation.steps if s.rule == "t.mue"]
        assert [(s.outcome, s.lines, s.detail) for s in steps] == [
            ("within limit", (1,), "74177: 1 unit on 2026-07-15 (lines summed per rendering provider: lines 2, 3 "
                                   "are another provider's), limit 1 per day (MAI 2)"),
            ("fired", (2, 3), f"74177: 2 units on 2026-07-15 exceed the limit of 1 per day ({POLICY}); lines "
                              "summed per rendering provider: line 1 is another provider's")]

    def test_paid_lines_of_another_provider(self):
        """A paid line of another rendering provider left out of a professional claim's sum is named too."""
        paid = [{"code": "74177", "date": DOS, "rendering_npi": OTHER_NPI}]
        data = claim(line("74177", DOS, rendering_npi=NPI))
        steps = [s for s in RULES.evaluate(data, history=paid, explain=True).explanation.steps if s.rule == "t.mue"]
        assert [s.detail for s in steps] == [
            "74177: 1 unit on 2026-07-15 (lines summed per rendering provider: 1 paid line is another provider's), "
            "limit 1 per day (MAI 2)"]

    def test_one_provider_keeps_the_plain_wording(self):
        """Lines of one provider: `(lines summed)` as before."""
        data = claim(line("74177", DOS, rendering_npi=NPI))
        steps = [s for s in RULES.evaluate(data, explain=True).explanation.steps if s.rule == "t.mue"]
        assert [s.detail for s in steps] == ["74177: 1 unit on 2026-07-15 (lines summed), limit 1 per day (MAI 2)"]

    def test_paid_units_of_the_same_provider_are_named(self):
        """Units paid on earlier claims counted in a sum within the limit are named, as a denial names them (an
        auditor read `1 unit (lines summed)` of a claim line of 0.5 units, and could not tell where the rest
        came from)."""
        paid = [{"code": "74177", "date": DOS, "units": 0.5, "rendering_npi": NPI}]
        data = claim(line("74177", DOS, rendering_npi=NPI, units=0.5))
        steps = [s for s in RULES.evaluate(data, history=paid, explain=True).explanation.steps if s.rule == "t.mue"]
        assert [s.detail for s in steps] == [
            "74177: 1 unit on 2026-07-15 (lines summed, 0.5 paid on earlier claims), limit 1 per day (MAI 2)"]

    @pytest.mark.parametrize("units", [1, 2], ids=["equal totals", "unequal totals"])
    def test_lines_without_a_provider_over_two_providers_limits_are_denied_once(self, units):
        """Claim lines without a rendering provider are in every provider's sum: with paid lines of two providers
        both sums are over the limit, and the lines are denied once, by the first provider's sum, whether the
        totals are equal or not (two findings came of unequal totals, one of equal ones, by message); explain
        says why the second is silent (as a span's sums of two days name a line once)."""
        paid = [{"code": "74177", "date": DOS, "rendering_npi": NPI},
                {"code": "74177", "date": DOS, "rendering_npi": OTHER_NPI, "units": units}]
        data = claim(line("74177", DOS), line("74177", DOS, modifiers=["76"]))
        result = both_paths(data, history=paid)
        assert [(f.lines, f.message) for f in result.findings if f.rule == "t.mue"] == [
            ((1, 2), "74177: 3 units on 2026-07-15 (1 paid on earlier claims) exceed the limit of 1 per day (MAI 2, "
                     "policy: no modifier lifts it and no appeal pays above it)")]
        steps = [s for s in RULES.evaluate(data, history=paid, explain=True).explanation.steps if s.rule == "t.mue"]
        assert [(s.outcome, s.lines) for s in steps] == [("fired", (1, 2)), ("silent", (1, 2))]
        assert steps[1].detail.endswith(f"{2 + units} units on 2026-07-15 (lines summed per rendering provider: 1 "
                                        f"paid line is another provider's; {units} paid on earlier claims), limit 1 "
                                        "per day (MAI 2): over, but the finding of another provider's sum already "
                                        "names every line")

    def test_a_line_without_a_provider_beside_claim_lines_of_two_providers_is_in_both_findings(self):
        """Each provider's sum over the limit names a claim line of its own, so both are reported and both name
        the line without a provider (as language.md says: only a sum naming no new line is left out)."""
        data = claim(line("74177", DOS), line("74177", DOS, rendering_npi=NPI, modifiers=["76"]),
                     line("74177", DOS, rendering_npi=OTHER_NPI, modifiers=["76"]))
        result = both_paths(data)
        assert [f.lines for f in result.findings if f.rule == "t.mue"] == [(1, 2), (1, 3)]
        steps = [s for s in RULES.evaluate(data, explain=True).explanation.steps if s.rule == "t.mue"]
        assert [(s.outcome, s.lines) for s in steps] == [("fired", (1, 2)), ("fired", (1, 3))]

    def test_lines_of_two_other_providers(self):
        """Lines left out of a sum that are two other providers' say so."""
        data = claim(*[line("74177", DOS, rendering_npi=npi) for npi in (NPI, OTHER_NPI, "1234567836")])
        steps = [s for s in RULES.evaluate(data, explain=True).explanation.steps if s.rule == "t.mue"]
        assert [s.detail for s in steps if s.lines == (1,)] == [
            "74177: 1 unit on 2026-07-15 (lines summed per rendering provider: lines 2, 3 are other providers'), "
            "limit 1 per day (MAI 2)"]


GROUP = radrules.loads("setting same_provider = billing for payer medicare\n" + RULES_TEXT, name="group.rr")


class TestAGroupAsOneProvider:
    """`setting same_provider = billing`: a professional claim's lines are one provider's by the claim's billing
    provider (a group's radiologists of one specialty), as MACs read XP, "different practitioners with same
    specialty in same group practice" (a teleradiology billing manager's finding: a group's bundled, over-limit
    and duplicate reads were paid); an add-on's primary is still its practitioner's."""

    @staticmethod
    def group_claim(first: str, second: str, payer: str = "medicare", **fields) -> dict:
        data = two(first, second, "professional", **fields)
        return dict(data, payer=payer, billing_npi=GROUP_NPI)

    def test_ptp_mai2_and_pair_rules_meet_two_radiologists_of_one_group(self):
        assert lines_of(GROUP.evaluate(self.group_claim("74177", "74176")), "t.ptp") == [(2,)]
        assert lines_of(GROUP.evaluate(self.group_claim("74177", "74177", modifiers=["77"])), "t.mue") == [(1, 2)]
        # an add-on goes with a primary of the same practitioner (domain.md §3), whatever the setting
        assert lines_of(GROUP.evaluate(self.group_claim("77067", "77063")), "t.aoc") == [(2,)]
        assert lines_of(GROUP.evaluate(self.group_claim("71046", "71046")), "t.same") == [(2,)]

    def test_a_denial_of_two_practitioners_lines_names_xp(self):
        """The radiologist's column 2 line is denied with the other's column 1: the message says XP is how two
        practitioners of one group are told apart (a multispecialty group billing lead's finding), and XP lifts it."""
        result = GROUP.evaluate(self.group_claim("74177", "74176"))
        assert [f.message for f in result.findings if f.rule == "t.ptp"] == [
            "74176 is bundled into 74177 on 2026-07-15 (no bypass modifier on 74176; the lines are two practitioners' "
            "of one group, which XP on 74176 says)"]
        assert lines_of(GROUP.evaluate(self.group_claim("74177", "74176", modifiers=["XP"])), "t.ptp") == []

    def test_only_for_the_payers_named_and_with_a_billing_provider(self):
        """Another payer's claim, or one without `billing_npi`, compares by rendering provider as before."""
        assert lines_of(GROUP.evaluate(self.group_claim("74177", "74176", payer="acme")), "t.ptp") == []
        data = self.group_claim("74177", "74176")
        del data["billing_npi"]
        assert lines_of(GROUP.evaluate(data), "t.ptp") == []

    @pytest.mark.parametrize("paid_billing, denied", [(GROUP_NPI, [(1,)]), (OTHER_NPI, []), (None, [(1,)])],
                             ids=["the group's", "another group's", "unknown"])
    def test_paid_lines_compare_by_their_billing_provider(self, paid_billing, denied):
        """A paid line of another radiologist of the group meets the claim's line; another group's does not."""
        paid = [{"code": "74177", "date": DOS, "rendering_npi": OTHER_NPI,
                 **({"billing_npi": paid_billing} if paid_billing else {})}]
        data = claim(line("74176", DOS, rendering_npi=NPI), payer="medicare", billing_npi=GROUP_NPI)
        result = GROUP.evaluate(data, history=paid)
        assert result.to_dict() == GROUP.evaluate(data, history=paid, indexed=False).to_dict()
        assert lines_of(result, "t.ptp") == denied

    def test_the_same_radiologist_under_another_group_is_one_provider(self):
        """The setting makes a group one provider; it does not make one radiologist two: a paid line of the claim
        line's own radiologist under another group's billing NPI still meets it (a maintainer's read: it was
        paid under `billing`, denied under the default)."""
        paid = [{"code": "74177", "date": DOS, "rendering_npi": NPI, "billing_npi": OTHER_NPI}]
        data = claim(line("74176", DOS, rendering_npi=NPI), payer="medicare", billing_npi=GROUP_NPI)
        again = claim(line("74177", DOS, rendering_npi=NPI), payer="medicare", billing_npi=GROUP_NPI)
        for rules in (GROUP, RULES):
            result = rules.evaluate(data, history=paid, explain=True)
            assert lines_of(result, "t.ptp") == [(1,)]
            assert [s.lines for s in result.explanation.steps if s.rule == "t.ptp" and s.outcome == "fired"] == [(1,)]
            # the MAI 2 sum counts that paid line too (a second read: it was summed apart, with no claim line)
            for indexed in (True, False):
                result = rules.evaluate(again, history=paid, explain=True, indexed=indexed)
                assert [f.message for f in result.findings if f.rule == "t.mue"] == [
                    "74177: 2 units on 2026-07-15 (1 paid on earlier claims) exceed the limit of 1 per day (MAI 2, "
                    "policy: no modifier lifts it and no appeal pays above it)"]
                assert [s.outcome for s in result.explanation.steps if s.rule == "t.mue"] == ["fired"]

    @pytest.mark.parametrize("indexed", [True, False])
    def test_a_line_without_an_npi_does_not_bring_another_radiologists_paid_line_into_a_sum(self, indexed):
        """A line of radiologist A and a line naming no NPI (any provider's), and a paid line of radiologist B: A's
        sum is A's lines, B's sum the line without an NPI and B's paid line (a maintainer's third read: B's paid
        line was summed into A's group through the line without an NPI)."""
        rules = radrules.loads('limits t.mue\n  reference "t"\n  limit 74177 max 2 mai 2\nend\n', name="m.rr")
        data = claim(line("74177", DOS, rendering_npi=NPI), line("74177", DOS, modifiers=["76"]))
        paid = [{"code": "74177", "date": DOS, "rendering_npi": OTHER_NPI}]
        assert rules.evaluate(data, history=paid, indexed=indexed).findings == ()

    def test_explain_says_why_lines_of_two_providers_were_not_compared(self):
        """Without the setting, explain says the lines are two providers' rather than that no pair was billed."""
        data = self.group_claim("71046", "71046", payer="acme")
        explanation = GROUP.evaluate(data, explain=True).explanation
        assert explanation.not_considered["t.same"] == (
            "no two lines of one date are one provider's: lines compare by rendering provider (a payer's "
            "`setting same_provider = billing` compares a group's lines)")
        del data["billing_npi"]  # the payer's setting is there, the claim's billing provider not
        explanation = GROUP.evaluate(dict(data, payer="medicare"), explain=True).explanation
        assert explanation.not_considered["t.same"] == (
            "no two lines of one date are one provider's: lines compare by rendering provider (the claim names no "
            "`billing_npi`, which `same_provider = billing` compares by)")

    def test_an_addons_denial_names_the_primary_of_another_provider(self):
        result = RULES.evaluate(two("77067", "77063", "professional"))
        assert [f.message for f in result.findings if f.rule == "t.aoc"] == [
            "77063 is an add-on code (type 1): no primary (77067) of its rendering provider on 2026-07-15: "
            "line 1 (77067) is another practitioner's"]

    def test_a_radiology_group_sets_it_beside_the_bundled_rules(self, tmp_path):
        """Two radiologists of one group read one screening (77067-26 twice, no 77). The bundled rules compare
        rendering providers (a claim names no specialty, and a multispecialty group's cardiologist and radiologist
        are two providers for Medicare: a multispecialty group billing lead's finding), so both lines pay; a
        radiology group that sets `same_provider = billing` for Medicare in its own rules gets the duplicate."""
        data = self.group_claim("77067", "77067", modifiers=["26"])
        data["lines"][0]["modifiers"] = ["26"]
        data.update(patient={"id": "M1", "sex": "F", "birth_date": "1960-05-10"}, diagnoses=["Z12.31"])
        assert "duplicate.line" not in {f.rule for f in radrules.load().evaluate(data).findings}
        (tmp_path / "group.rr").write_text("setting same_provider = billing for payer medicare\n", encoding="utf-8")
        group = radrules.load(tmp_path / "group.rr", bundled=True)
        assert "duplicate.line" in {f.rule for f in group.evaluate(data).findings}
        assert "duplicate.line" not in {f.rule for f in group.evaluate(dict(data, payer="acme")).findings}
