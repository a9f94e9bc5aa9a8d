"""Modifier rules of the bundled rulesets: domain.md §4 (PC/TC) and §5 (modifier combinations)."""

from __future__ import annotations

import pickle

import pytest

import radrules

from builders import RULESETS, claim, fired, line, only

DOS = "2026-03-02"
PCTC_VALUES = range(10)


def _modifier_rules_with(properties: str, name: str):
    """The bundled modifier rules, with code properties of our own instead of pctc.rr."""
    text = (RULESETS / "modifiers" / "modifiers.rr").read_text(encoding="utf-8")
    return radrules.loads(text + "\n" + properties, name=name)


# Code 7000N has PC/TC indicator N; code 7100N has bilateral indicator N (test codes, not real data).
PROPERTIES = "".join(f"property pctc = {n} for 7000{n}\n" for n in PCTC_VALUES) + "".join(
    f"property bilateral = {n} for 7100{n}\n" for n in (0, 1, 2, 3, 9))
RULES = _modifier_rules_with(PROPERTIES, "modifiers_test.rr")


def modifier_findings(result) -> list[tuple[str, str]]:
    return sorted((f.rule, f.severity) for f in result.findings if f.kind == "modifier")


class TestProfessionalTechnical:
    @pytest.mark.parametrize("mods", [["26", "TC"], ["TC", "26"], ["RT", "26", "59", "TC"]])
    def test_26_and_tc_on_one_line(self, bundled, mods):
        """26 and TC together on one line conflict, in any positions."""
        result = bundled.evaluate(claim(line("73721", DOS, modifiers=mods)))
        finding = only(result, "modifier.conflict.professional_technical")
        assert (finding.severity, finding.carc, finding.lines) == ("deny", "CO-4", (1,))
        assert finding.message == "73721: 26 and TC on one line; the global service is billed with neither"

    def test_26_and_tc_on_two_lines(self, bundled):
        """26 on one line and TC on another are no conflict."""
        result = bundled.evaluate(claim(line("73721", DOS, modifiers=["26"]), line("73721", DOS, modifiers=["TC"])))
        assert "modifier.conflict.professional_technical" not in fired(result)

    @pytest.mark.parametrize("indicator", PCTC_VALUES)
    def test_26_against_the_pctc_indicator(self, indicator):
        """26 is valid with PC/TC indicators 1, 6, 7 and 8 and denied with the others."""
        result = RULES.evaluate(claim(line(f"7000{indicator}", DOS, modifiers=["26"])))
        expected = [] if indicator in (1, 6, 7, 8) else [("modifier.pctc.professional", "deny")]
        assert modifier_findings(result) == expected

    @pytest.mark.parametrize("indicator", PCTC_VALUES)
    def test_tc_against_the_pctc_indicator(self, indicator):
        """TC is valid with PC/TC indicators 1 and 7 and denied with the others."""
        result = RULES.evaluate(claim(line(f"7000{indicator}", DOS, modifiers=["TC"])))
        expected = [] if indicator in (1, 7) else [("modifier.pctc.technical", "deny")]
        assert modifier_findings(result) == expected

    def test_invalid_26_message(self):
        """The PC/TC finding names the code and its indicator."""
        finding = only(RULES.evaluate(claim(line("70002", DOS, modifiers=["26"]))), "modifier.pctc.professional")
        assert finding.message == "modifier 26 is not valid on 70002 (PC/TC indicator 2)"
        assert finding.carc == "CO-4"

    @pytest.mark.parametrize("modifier", ["26", "TC"])
    def test_missing_indicator_skips_the_check(self, modifier):
        """A code with no PC/TC indicator is not judged on 26 or TC (§10.10)."""
        result = RULES.evaluate(claim(line("99213", DOS, modifiers=[modifier])))
        assert result.findings == ()

    def test_pctc_rules_are_for_professional_claims(self):
        """PC/TC rules do not judge institutional claims."""
        result = RULES.evaluate(claim(line("70002", DOS, modifiers=["26"]), type="institutional"))
        assert result.findings == ()

    @pytest.mark.parametrize("pos", ["19", "21", "22", "23"])
    def test_global_billing_in_a_hospital_warns(self, bundled, pos):
        """A PC/TC 1 code billed globally in a hospital setting gets a warning, and the claim still passes."""
        result = bundled.evaluate(claim(line("74177", DOS), place_of_service=pos))
        finding = only(result, "modifier.pctc.facility")
        assert finding.severity == "warn"
        assert finding.message.startswith(
            f"74177 billed with its technical component in a hospital setting (POS {pos})")
        assert result.passed is True
        assert result.status_of(1) == "pay"

    def test_global_billing_in_an_office(self, bundled):
        """Global billing in an office (POS 11) is fine."""
        assert bundled.evaluate(claim(line("74177", DOS), place_of_service="11")).findings == ()

    def test_professional_component_in_a_hospital(self, bundled):
        """26 in a hospital setting is how it should be billed: no warning."""
        assert bundled.evaluate(claim(line("74177", DOS, modifiers=["26"]), place_of_service="22")).findings == ()

    def test_line_place_of_service_wins(self, bundled):
        """A line's own place of service replaces the claim's."""
        result = bundled.evaluate(claim(line("74177", DOS, place_of_service="11"), place_of_service="22"))
        assert result.findings == ()
        result = bundled.evaluate(claim(line("74177", DOS, place_of_service="22"), place_of_service="11"))
        assert fired(result) == {"modifier.pctc.facility"}


class TestConflicts:
    @pytest.mark.parametrize("mods, rule", [
        (["50", "LT"], "modifier.conflict.bilateral_side"),
        (["RT", "50"], "modifier.conflict.bilateral_side"),
        (["52", "53"], "modifier.conflict.reduced_discontinued"),
        (["73", "74"], "modifier.conflict.discontinued_anesthesia"),
        (["52", "73"], "modifier.conflict.reduced_facility_discontinued"),
        (["74", "52"], "modifier.conflict.reduced_facility_discontinued"),
        (["GA", "GY"], "modifier.conflict.liability"),
        (["GA", "GZ"], "modifier.conflict.liability"),
        (["GZ", "GY"], "modifier.conflict.liability"),
        (["GA", "GY", "GZ"], "modifier.conflict.liability"),
        (["59", "XE"], "modifier.conflict.distinct"),
        (["XS", "59"], "modifier.conflict.distinct"),
        (["59", "XP"], "modifier.conflict.distinct"),
        (["59", "XU"], "modifier.conflict.distinct"),
    ])
    def test_conflicting_modifiers_deny_the_line(self, bundled, mods, rule):
        """Contradictory modifiers on one line deny it with CO-4, once per rule."""
        result = bundled.evaluate(claim(line("73562", DOS, modifiers=mods)))
        finding = only(result, rule)
        assert (finding.severity, finding.carc, finding.lines) == ("deny", "CO-4", (1,))
        assert result.passed is False

    @pytest.mark.parametrize("mods", [["50"], ["LT"], ["52"], ["53"], ["GA"], ["GY"], ["GZ"], ["59"], ["XS"],
                                      ["XE", "XS"], ["26"], ["TC"], ["76"], ["LT", "76"]])
    def test_modifiers_that_do_not_conflict(self, bundled, mods):
        """A single modifier, or a harmless combination, raises no modifier finding."""
        result = bundled.evaluate(claim(line("73562", DOS, modifiers=mods)))
        assert [f for f in result.findings if f.kind == "modifier"] == []

    def test_modifiers_on_different_lines_do_not_conflict(self, bundled):
        """GA on one line and GZ on another are no conflict."""
        result = bundled.evaluate(claim(line("73562", DOS, modifiers=["GA"]), line("73562", DOS, modifiers=["GZ", "76"])))
        assert [f for f in result.findings if f.kind == "modifier"] == []

    def test_both_sides_on_one_line_warns(self, bundled):
        """LT and RT on one line without 50 is a warning only."""
        result = bundled.evaluate(claim(line("73562", DOS, modifiers=["LT", "RT"])))
        assert modifier_findings(result) == [("modifier.sides_one_line", "warn")]
        assert result.passed is True

    def test_both_sides_with_50(self, bundled):
        """LT, RT and 50 on one line conflict, and the LT+RT warning steps aside."""
        result = bundled.evaluate(claim(line("73562", DOS, modifiers=["50", "LT", "RT"])))
        assert modifier_findings(result) == [("modifier.conflict.bilateral_side", "deny")]


class TestDiscontinued:
    """53 is the physician's discontinued-procedure modifier; 73 and 74 the hospital's and the ASC's."""

    @pytest.mark.parametrize("mods, pos", [(["73"], "22"), (["74"], "11"), (["RT", "74"], "19")])
    def test_73_or_74_on_a_practitioners_claim(self, bundled, mods, pos):
        """73 or 74 on a practitioner's line with a known place of service other than 24 is denied CO-4."""
        result = bundled.evaluate(claim(line("43235", DOS, modifiers=mods), place_of_service=pos))
        finding = only(result, "modifier.discontinued.professional")
        assert (finding.severity, finding.carc, finding.lines) == ("deny", "CO-4", (1,))
        assert result.passed is False

    @pytest.mark.parametrize("pos", ["24", None])
    def test_73_on_an_asc_claim_or_without_a_place(self, bundled, pos):
        """An ASC bills 73 and 74 on the professional claim (place of service 24); no place: not judged."""
        extra = {"place_of_service": pos} if pos else {}
        result = bundled.evaluate(claim(line("43235", DOS, modifiers=["73"]), **extra))
        assert "modifier.discontinued.professional" not in fired(result)

    @pytest.mark.parametrize("bill_type, denied", [
        ("131", True), ("0137", True), ("121", True), ("851", False), ("831", False), (None, False)])
    def test_53_on_an_institutional_claim(self, bundled, bill_type, denied):
        """53 is denied on a hospital's 12x or 13x bill; not on a critical access hospital's (85x), another
        facility's, or a claim without a type of bill."""
        extra = {"bill_type": bill_type} if bill_type else {}
        result = bundled.evaluate(claim(line("74177", DOS, modifiers=["53"]), type="institutional", **extra))
        assert ("modifier.discontinued.hospital" in fired(result)) is denied
        if denied:
            assert only(result, "modifier.discontinued.hospital").carc == "CO-4"

    def test_rules_are_filed_by_modifier(self, bundled):
        """The rules are filed under 53, 73 and 74, so a line without them never visits them; those
        that read only the line's modifiers and place are decided once per key."""
        ids = {"modifier.discontinued.professional", "modifier.discontinued.hospital",
               "modifier.conflict.discontinued_anesthesia", "modifier.conflict.reduced_facility_discontinued"}
        for claim_type in ("professional", "institutional"):
            view = bundled.view_for(None, claim_type)
            filed = {rule.info.id for rules in view.line_rules_by_modifier.values() for rule in rules}
            generic = {rule.info.id for rule in view.line_rules_generic}
            assert not ids & generic
            assert {"modifier.conflict.discontinued_anesthesia",
                    "modifier.conflict.reduced_facility_discontinued"} <= filed
            assert ("modifier.discontinued.professional" in filed) is (claim_type == "professional")
            assert ("modifier.discontinued.hospital" in filed) is (claim_type == "institutional")
            assert not ids & {rule.info.id for rule in view.line_rules_by_code.get("43235", ())}
        key_only = {rule.info.id: rule.key_only for rule in bundled.rules if rule.info.id in ids}
        assert key_only == {"modifier.discontinued.professional": True, "modifier.discontinued.hospital": False,
                            "modifier.conflict.discontinued_anesthesia": True,
                            "modifier.conflict.reduced_facility_discontinued": True}

    def test_indexed_and_unindexed_agree(self, bundled):
        """The discontinued-procedure rules give the same results on the indexed and the scan path."""
        items = [claim(line("43235", DOS, modifiers=["73"]),
                       line("43235", DOS, modifiers=["74"], place_of_service="24"),
                       line("74150", DOS, modifiers=["52", "73"]), place_of_service="22"),
                 claim(line("74177", DOS, modifiers=["53"]), line("43235", DOS, modifiers=["73", "74"]),
                       type="institutional", bill_type="131")]
        for item in items:
            assert bundled.evaluate(item).to_dict() == bundled.evaluate(item, indexed=False).to_dict()


class TestBilateral:
    def test_50_with_two_units(self, bundled):
        """50 with more than one unit is denied with CO-16 and M53."""
        result = bundled.evaluate(claim(line("73562", DOS, modifiers=["50"], units=2)))
        finding = only(result, "modifier.bilateral.units")
        assert (finding.carc, finding.rarc) == ("CO-16", ("M53",))
        assert finding.message == "73562-50 is reported with 1 unit, not 2"

    def test_50_with_one_unit(self, bundled):
        """50 with one unit is fine."""
        assert bundled.evaluate(claim(line("73562", DOS, modifiers=["50"]))).findings == ()

    def test_two_units_without_50(self, bundled):
        """Two units without 50 are not the bilateral rule's business."""
        assert bundled.evaluate(claim(line("73562", DOS, units=2))).findings == ()

    @pytest.mark.parametrize("indicator, denied", [(0, True), (1, False), (2, True), (3, False), (9, True)])
    def test_50_against_the_bilateral_indicator(self, indicator, denied):
        """50 is invalid on codes with bilateral indicator 0, 2 or 9."""
        result = RULES.evaluate(claim(line(f"7100{indicator}", DOS, modifiers=["50"])))
        assert ("modifier.bilateral.invalid" in fired(result)) is denied

    def test_missing_bilateral_indicator(self, bundled):
        """Without a bilateral indicator (none is bundled), 50 is not judged on it."""
        result = bundled.evaluate(claim(line("73562", DOS, modifiers=["50"])))
        assert "modifier.bilateral.invalid" not in fired(result)


class TestMedicarePaymentModifiers:
    MEDICARE = {"payer": "medicare", "patient": {"sex": "F", "birth_date": "1950-01-01"}}

    def test_pricing_modifier_not_first(self, bundled):
        """Medicare: 26 after another modifier gets a warning."""
        result = bundled.evaluate(claim(line("74177", DOS, modifiers=["59", "26"]), **self.MEDICARE))
        assert modifier_findings(result) == [("modifier.pricing_first", "warn")]

    def test_pricing_modifier_first(self, bundled):
        """Medicare: 26 in the first position is fine."""
        result = bundled.evaluate(claim(line("74177", DOS, modifiers=["26", "59"]), **self.MEDICARE))
        assert modifier_findings(result) == []

    def test_pricing_position_only_for_medicare(self, bundled):
        """Other payers are not told where 26 goes."""
        result = bundled.evaluate(claim(line("74177", DOS, modifiers=["59", "26"]), payer="acme", prior_auth="A1"))
        assert modifier_findings(result) == []

    def test_ct_reduction_is_information(self, bundled):
        """Medicare: a CT code with modifier CT is an informational reduction, and the claim passes."""
        result = bundled.evaluate(claim(line("74177", DOS, modifiers=["CT"]), **self.MEDICARE))
        finding = only(result, "modifier.reduction.ct")
        assert (finding.severity, finding.carc, finding.rarc) == ("info", "CO-237", ("N759",))
        assert result.passed is True

    def test_ct_modifier_on_a_code_outside_the_list(self, bundled):
        """Modifier CT on a code outside the CT reduction list is not reduced."""
        result = bundled.evaluate(claim(line("73562", DOS, modifiers=["CT"]), **self.MEDICARE))
        assert result.findings == ()

    @pytest.mark.parametrize("modifier", ["FX", "FY"])
    def test_film_reduction(self, bundled, modifier):
        """Medicare: FX and FY are informational reductions with N794."""
        result = bundled.evaluate(claim(line("73562", DOS, modifiers=[modifier]), **self.MEDICARE))
        finding = only(result, "modifier.reduction.film")
        assert (finding.severity, finding.rarc) == ("info", ("N794",))
        assert result.passed is True


def test_line_rule_cache_is_bounded_and_changes_nothing(bundled, monkeypatch):
    """The indexed lookup remembers which line rules a (code, modifiers, place) selects; a full
    cache starts again, and results are the same as on the unindexed path."""
    from radrules import lookups

    monkeypatch.setattr(lookups, "RULE_CACHE_KEYS", 2)
    for view in bundled.views.values():
        view.lookup.line_rule_cache.clear()  # the fixture is shared with other tests
    claims = [
        claim(line("73721", DOS, modifiers=["26", "TC"]), line("73721", DOS, modifiers=["LT"]),
              line("74176", DOS), line("71046", DOS, modifiers=["59"]), line("73721", DOS, modifiers=["50"]))
        for _ in range(3)
    ]
    for item in claims:
        assert bundled.evaluate(item).to_dict() == bundled.evaluate(item, indexed=False).to_dict()
    for view in bundled.views.values():
        assert len(view.lookup.line_rule_cache) <= 2
    assert any(view.lookup.line_rule_cache for view in bundled.views.values())
    copy = pickle.loads(pickle.dumps(bundled))
    assert all(view.lookup.line_rule_cache == {} for view in copy.views.values())
    assert copy.evaluate(claims[0]).to_dict() == bundled.evaluate(claims[0]).to_dict()


def test_line_rule_cache_budget_is_shared_by_the_views(bundled, monkeypatch):
    """The views of a ruleset share one line-rule cache budget ((payers + 1) x 2 views must not each hold
    RULE_CACHE_KEYS keys), a pickled copy shares its own, and keys keep interned strings, not the claim's."""
    import sys

    from radrules import lookups

    monkeypatch.setattr(lookups, "RULE_CACHE_KEYS", 3)
    views = list(bundled.views.values())
    for view in views:
        view.lookup.line_rule_cache.clear()  # the fixture is shared with other tests
    assert len(views) >= 4 and all(view.lookup.key_budget is views[0].lookup.key_budget for view in views)
    views[0].lookup.key_budget.keys = 0
    payers = sorted({view.payer for view in views if view.payer}) + ["nobody"]
    for number, modifier in enumerate(["LT", "RT", "26", "TC", "59", "50", "XS", "XU"]):
        item = claim(line("73721", DOS, modifiers=[modifier]),
                     payer=payers[number % len(payers)], type=("professional", "institutional")[number % 2])
        assert bundled.evaluate(item).to_dict() == bundled.evaluate(item, indexed=False).to_dict()
        assert sum(len(view.lookup.line_rule_cache) for view in views) <= 3
    assert sum(bool(view.lookup.line_rule_cache) for view in views) >= 2  # more than one view had keys
    keys = [key for view in views for key in view.lookup.line_rule_cache]
    assert keys and all(text is sys.intern(text) for key in keys for text in key[1])
    copy = pickle.loads(pickle.dumps(bundled))
    budget = next(iter(copy.views.values())).lookup.key_budget
    assert budget.keys == 0 and {id(ref()) for ref in budget.lookups} == {id(v.lookup) for v in copy.views.values()}
    assert all(view.lookup.key_budget is budget for view in copy.views.values())


PRUNING_RULES = """
rule test.sides "LT and RT"
  kind modifier
  when line.modifiers has all of [LT, RT]
  then warn line "LT and RT on {line.code}"
end

rule test.late "late"
  kind policy
  when line.modifiers has LT and claim.received > line.date + 12 months
  then deny line "late"
end
"""


def test_line_rules_ruled_out_by_code_and_modifiers_are_not_checked():
    """A line rule whose condition reads only the line's code, modifiers and place, and is not
    true for them, is left out of that key's cached rules; one that also reads the claim stays.
    Explain still lists every candidate, and results equal the unindexed path's."""
    rules = radrules.loads(PRUNING_RULES, name="pruning.rr")
    assert {rule.info.id: rule.key_only for rule in rules.rules} == {"test.sides": True, "test.late": False}
    lookup = rules.view_for(None, "professional").lookup
    late = claim(line("73721", DOS, modifiers=["LT"]), received="2027-12-01")
    result = rules.evaluate(late, explain=True)
    assert fired(result) == {"test.late"}
    cached = lookup.line_rule_cache[(None, ("LT",), None)]  # no rule is filed under a code
    assert [rule.info.id for rule in cached] == ["test.late"]
    considered = {(step.rule, step.outcome) for step in result.explanation.steps}
    assert {("test.sides", "silent"), ("test.late", "fired")} <= considered
    both = claim(line("73721", DOS, modifiers=["LT", "RT"]), received="2026-03-10")
    assert fired(rules.evaluate(both)) == {"test.sides"}
    assert [rule.info.id for rule in lookup.line_rule_cache[(None, ("LT", "RT"), None)]] == \
        ["test.sides", "test.late"]
    for item in (late, both, claim(line("73721", DOS, modifiers=["RT"]))):
        assert rules.evaluate(item).to_dict() == rules.evaluate(item, indexed=False).to_dict()


def test_bundled_modifier_rules_are_decided_by_the_line_key(bundled):
    """The bundled rules that look only at a line's modifiers are decided once per key; a rule
    that reads the claim's dates or the fee schedule is checked on every line."""
    key_only = {rule.info.id: rule.key_only for rule in bundled.rules if rule.shape == "line"}
    assert key_only["modifier.sides_one_line"] and key_only["modifier.conflict.professional_technical"]
    assert not key_only["medicare.timely_filing"] and not key_only["modifier.pctc.professional"]


def test_codes_without_rules_of_their_own_share_a_rule_cache_entry(bundled):
    """Codes that no line rule is filed under select the same rules, so they share one cache
    entry per (modifiers, place); a code with rules of its own keeps its own entry."""
    lookup = bundled.view_for(None, "professional").lookup
    assert lookup.code_in_key is False
    lookup.line_rule_cache.clear()
    for code in ("71046", "73562", "76700"):
        bundled.evaluate(claim(line(code, DOS, modifiers=["RT"])))
    assert (None, ("RT",), None) in lookup.line_rule_cache
    assert not any(key[0] in ("71046", "73562", "76700") for key in lookup.line_rule_cache)
    bundled.evaluate(claim(line("Q9967", DOS, units=50)))  # the contrast agent rule is filed under it
    assert ("Q9967", (), None) in lookup.line_rule_cache


def test_a_rule_decided_by_the_key_that_reads_an_unfiled_code_keeps_codes_in_the_key():
    """`not line.code in [...]` cannot be filed under codes, and its answer differs from code to
    code: then every code has its own cache entry, and results equal the unindexed path's."""
    rules = radrules.loads("""
rule test.left_not_knee "LT off the knee"
  kind modifier
  when line.modifiers has LT and not line.code in [73721]
  then warn line "LT on {line.code}"
end
""", name="unfiled.rr")
    lookup = rules.view_for(None, "professional").lookup
    assert lookup.code_in_key is True
    knee, head = claim(line("73721", DOS, modifiers=["LT"])), claim(line("70450", DOS, modifiers=["LT"]))
    assert fired(rules.evaluate(knee)) == set()
    assert fired(rules.evaluate(head)) == {"test.left_not_knee"}
    assert fired(rules.evaluate(knee)) == set()  # not the head's cached answer
    for item in (knee, head):
        assert rules.evaluate(item).to_dict() == rules.evaluate(item, indexed=False).to_dict()
