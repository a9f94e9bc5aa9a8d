"""Add-on code edits: domain.md §3 and §10.4 (add-on codes are judged last)."""

from __future__ import annotations

import pytest

import radrules

from builders import NPI, OTHER_NPI, claim, fired, line, only

RULES = radrules.loads('''
addons t.aoc "test add-on codes"
  reference "test AOC table"
  addon 77063 type 1 primaries 77067
  addon G0279 type 1 primaries 77065, 77066
  addon 76377 type 2
  addon 76376 type 3 primaries 70496, 70498
  addon A9585 type 1 primaries 70553 effective 2026-01-01 through 2026-12-31
end
pairs t.ptp
  reference "test"
  pair 77067 with 77066 modifier 0
end
rule t.deny_77065
  when line.code is 77065 and line.modifiers has GA
  then deny line "77065 with GA"
  reference "test"
end
rule t.review_77065
  when line.code is 77065 and line.modifiers has GZ
  then review line "77065 with GZ"
  reference "test"
end
rule t.warn_77065
  when line.code is 77065 and line.modifiers has GY
  then warn line "77065 with GY"
  reference "test"
end
''', name="aoc.rr")
DOS = "2026-03-02"


def addon_findings(result) -> list[tuple[tuple[int, ...], tuple[int, ...], str]]:
    """(lines, related lines, message) of every add-on finding."""
    return [(f.lines, f.related_lines, f.message) for f in result.findings if f.kind == "addon"]


class TestTypeOne:
    def test_with_its_primary(self):
        """A type 1 add-on code with a listed primary on the same date is paid."""
        result = RULES.evaluate(claim(line("77067", DOS), line("77063", DOS)))
        assert result.findings == ()
        assert result.passed is True

    def test_a_primary_of_another_date_is_named(self):
        """77067 keyed on the day before its 77063: the denial names line 1 and its date, the usual cause (one of the
        two dates keyed wrong); it said only "no primary (77067) on 2026-03-02" beside the claim's 77067."""
        result = RULES.evaluate(claim(line("77067", "2026-03-01"), line("77063", DOS)))
        assert addon_findings(result) == [((2,), (), "77063 is an add-on code (type 1): no primary (77067) on "
                                                     "2026-03-02: line 1 (77067) is dated 2026-03-01")]
        result = RULES.evaluate(claim(line("77067", "2026-03-01"), line("77063", DOS), line("77067", "2026-03-05")))
        assert addon_findings(result)[0][2].endswith(
            ": lines 1 (77067, 2026-03-01), 3 (77067, 2026-03-05) are of other dates")

    def test_without_a_primary(self):
        """A type 1 add-on code alone is denied, naming its primaries."""
        result = RULES.evaluate(claim(line("77063", DOS)))
        assert addon_findings(result) == [((1,), (), "77063 is an add-on code (type 1): no primary (77067) on 2026-03-02")]
        finding = only(result, "t.aoc")
        assert (finding.kind, finding.severity, finding.carc, finding.rarc) == ("addon", "deny", "CO-107", ("N122",))
        assert finding.codes == ("77063",)
        assert finding.source == "aoc.rr:4"

    def test_primary_on_another_date(self):
        """A primary on another date of service does not count."""
        result = RULES.evaluate(claim(line("77067", "2026-03-01"), line("77063", DOS)))
        assert [f[0] for f in addon_findings(result)] == [(2,)]

    def test_primary_of_another_provider(self):
        """A primary billed by another rendering provider does not count."""
        result = RULES.evaluate(claim(line("77067", DOS, rendering_npi=OTHER_NPI), line("77063", DOS, rendering_npi=NPI)))
        assert [f[0] for f in addon_findings(result)] == [(2,)]

    def test_code_that_is_not_a_listed_primary(self):
        """Another imaging code on the date is no primary of a type 1 add-on code."""
        result = RULES.evaluate(claim(line("71250", DOS), line("77063", DOS)))
        assert [f[0] for f in addon_findings(result)] == [(2,)]

    def test_primary_denied_by_a_ptp_edit(self):
        """A primary denied by a PTP edit does not carry its add-on code: the add-on line is denied too."""
        result = RULES.evaluate(claim(line("77067", DOS), line("77066", DOS), line("G0279", DOS)))
        assert addon_findings(result) == [((3,), (2,), "G0279 is an add-on code (type 1): its primary on line 2 is denied")]
        assert [s.status for s in result.lines] == ["pay", "deny", "deny"]

    def test_several_primaries_denied(self):
        """Two denied primaries are named in the plural: `its primaries on lines 1 and 2 are denied`; explain too."""
        result = RULES.evaluate(claim(line("77065", DOS, modifiers=["GA"]), line("77065", DOS, modifiers=["GA", "76"]),
                                      line("G0279", DOS)), explain=True)
        assert addon_findings(result) == [
            ((3,), (1, 2), "G0279 is an add-on code (type 1): its primaries on lines 1 and 2 are denied")]
        [step] = [s for s in result.explanation.steps if s.rule == "t.aoc"]
        assert step.detail == "G0279 is an add-on code (type 1): its primaries on lines 1 and 2 are denied"
        paid = RULES.evaluate(claim(line("77065", DOS), line("77066", DOS), line("G0279", DOS)), explain=True)
        [step] = [s for s in paid.explanation.steps if s.rule == "t.aoc"]
        assert step.detail == "G0279: primaries on lines 1 and 2 are paid"

    def test_primary_denied_by_a_rule(self):
        """A primary denied by any deny rule leaves its add-on code without a paid primary."""
        result = RULES.evaluate(claim(line("77065", DOS, modifiers=["GA"]), line("G0279", DOS)))
        assert fired(result) == {"t.deny_77065", "t.aoc"}
        assert addon_findings(result)[0][:2] == ((2,), (1,))

    @pytest.mark.parametrize("modifier, rule", [("GZ", "t.review_77065"), ("GY", "t.warn_77065")])
    def test_primary_under_review_or_warning_still_counts(self, modifier, rule):
        """Only a denial takes a primary away; review and warning findings do not."""
        result = RULES.evaluate(claim(line("77065", DOS, modifiers=[modifier]), line("G0279", DOS)))
        assert fired(result) == {rule}

    def test_one_paid_primary_is_enough(self):
        """If one listed primary is denied and another is paid, the add-on code is paid."""
        result = RULES.evaluate(claim(line("77065", DOS, modifiers=["GA"]), line("77066", DOS), line("G0279", DOS)))
        assert fired(result) == {"t.deny_77065"}

    @pytest.mark.parametrize("date, fires", [("2025-12-31", False), ("2026-01-01", True), ("2026-12-31", True),
                                             ("2027-01-01", False)])
    def test_row_window(self, date, fires):
        """An add-on row applies on the dates of its window only, both ends included."""
        result = RULES.evaluate(claim(line("A9585", date, units=100)))
        assert bool(addon_findings(result)) is fires


class TestChains:
    """An add-on can be another add-on's primary (CMS lists 11046 among 11047's primaries)."""

    CHAIN = radrules.loads('''
addons t.aoc "chained add-on codes"
  reference "test AOC table"
  addon 11046 type 1 primaries 11043
  addon 11047 type 1 primaries 11043, 11046
end
''', name="chain.rr")

    @pytest.mark.parametrize("order", [("11046", "11047"), ("11047", "11046")])
    @pytest.mark.parametrize("indexed", [True, False])
    def test_an_add_on_whose_primary_is_a_denied_add_on_is_denied(self, order, indexed):
        """11046 has no primary, so it is denied; 11047's only primary is then 11046, denied: 11047 is denied
        too (§3: never paid unless a listed primary is paid; §10.4), whatever the order of the lines."""
        result = self.CHAIN.evaluate(claim(*(line(code, DOS) for code in order)), indexed=indexed)
        assert result.statuses == ("deny", "deny")
        second = 1 + order.index("11047")
        finding = next(f for f in result.findings if f.lines == (second,))
        assert finding.related_lines == (3 - second,) and finding.message.endswith("is denied")
        report = self.CHAIN.evaluate(claim(*(line(code, DOS) for code in order)), explain=True).explanation.render()
        assert "is paid" not in report

    def test_a_chain_with_its_first_primary_is_paid(self):
        result = self.CHAIN.evaluate(claim(line("11043", DOS), line("11046", DOS), line("11047", DOS)))
        assert result.passed and result.findings == ()

    def test_a_chain_of_three(self):
        """The denial travels down the chain, one add-on at a time."""
        rules = radrules.loads('''
addons t.aoc "chained add-on codes"
  reference "test AOC table"
  addon 11046 type 1 primaries 11043
  addon 11047 type 1 primaries 11046
  addon 11045 type 1 primaries 11047
end
''', name="chain3.rr")
        result = rules.evaluate(claim(line("11045", DOS), line("11047", DOS), line("11046", DOS)))
        assert result.statuses == ("deny", "deny", "deny")


class TestLoops:
    """An add-on is paid only if it traces back, through paid lines, to a paid primary that is no add-on line
    (domain.md §3): two add-ons listing each other do not keep each other paid."""

    LOOP = radrules.loads('''
addons t.addon
  reference "test"
  addon 37185 type 1 primaries 37184, 37186
  addon 37186 type 1 primaries 37184, 37185, 37187
end
limits t.mue
  reference "test"
  limit 37184 max 1 mai 2
end
''', name="loop.rr")
    DOS = "2026-07-14"

    @pytest.mark.parametrize("order", [("37185", "37186"), ("37186", "37185")])
    @pytest.mark.parametrize("indexed", [True, False])
    def test_two_add_ons_listing_each_other_are_both_denied(self, order, indexed):
        """Alone on the claim, each add-on counts the other as its primary: neither has a paid primary."""
        result = self.LOOP.evaluate(claim(*(line(code, self.DOS) for code in order), id="CYC"), indexed=indexed)
        assert result.statuses == ("deny", "deny")
        assert addon_findings(result) == [
            ((1,), (2,), f"{order[0]} is an add-on code (type 1): its primary on line 2 is itself an add-on code "
                         "without a paid primary"),
            ((2,), (1,), f"{order[1]} is an add-on code (type 1): its primary on line 1 is itself an add-on code "
                         "without a paid primary")]

    def test_with_their_primary_denied_by_a_unit_limit(self):
        """37184 x2, denied by its MUE, takes both add-ons with it; each message names both reasons."""
        result = self.LOOP.evaluate(claim(line("37184", self.DOS, units=2), line("37185", self.DOS),
                                          line("37186", self.DOS)))
        assert result.statuses == ("deny", "deny", "deny")
        assert addon_findings(result) == [
            ((2,), (1, 3), "37185 is an add-on code (type 1): its primary on line 1 is denied; its primary on line 3 "
                           "is itself an add-on code without a paid primary"),
            ((3,), (1, 2), "37186 is an add-on code (type 1): its primary on line 1 is denied; its primary on line 2 "
                           "is itself an add-on code without a paid primary")]

    def test_explain_words_the_loop_as_the_findings(self):
        """explain judges the add-ons as evaluate does: its fired steps carry the findings' messages."""
        result = self.LOOP.evaluate(claim(line("37185", self.DOS), line("37186", self.DOS)), explain=True)
        steps = [(s.lines, s.outcome, s.detail) for s in result.explanation.steps if s.rule == "t.addon"]
        assert steps == [((f.lines), "fired", f.message) for f in result.findings]

    @pytest.mark.parametrize("lines", [("37184", "37185", "37186"), ("37187", "37185", "37186"),
                                       ("37185", "37186", "37187")])
    def test_a_loop_with_a_paid_primary_is_paid(self, lines):
        """With a paid primary that is no add-on line (37184 for both, or 37187 for 37186 and through it 37185)
        both add-ons are paid, whatever the order of the lines."""
        result = self.LOOP.evaluate(claim(*(line(code, self.DOS) for code in lines)), explain=True)
        assert result.findings == () and result.passed
        assert "fired" not in result.explanation.render()

    def test_a_warning_add_on_is_no_paid_primary_either(self):
        """An add-on edit of `warn` denies nothing; an add-on counting on an add-on that has no primary is
        warned of too (it does not trace back to a paid primary)."""
        rules = radrules.loads('''
addons t.aoc "chained add-on codes"
  severity warn
  reference "test AOC table"
  addon 11046 type 1 primaries 11043
  addon 11047 type 1 primaries 11043, 11046
end
''', name="warn.rr")
        result = rules.evaluate(claim(line("11046", DOS), line("11047", DOS)))
        assert result.statuses == ("pay", "pay")
        assert addon_findings(result) == [
            ((1,), (), "11046 is an add-on code (type 1): no primary (11043) on 2026-03-02"),
            ((2,), (1,), "11047 is an add-on code (type 1): its primary on line 1 is itself an add-on code without a "
                         "paid primary")]


    def test_a_warning_on_a_primary_add_on_denies_nothing_that_counts_on_it(self):
        """11046 is paid (its primary 11043 under the denying edit); a payer's advisory edit warns of it. 11047,
        whose primary 11046 is, stays paid: a warning is never a denial of what counts on the line."""
        rules = radrules.loads('''
addons t.cms
  reference "cms"
  addon 11046 type 1 primaries 11043
  addon 11047 type 1 primaries 11046
end
addons t.payer "payer advisory"
  severity warn
  reference "payer"
  addon 11046 type 1 primaries 11042
end
''', name="warn.rr")
        result = rules.evaluate(claim(line("11043", DOS), line("11046", DOS), line("11047", DOS)))
        assert result.statuses == ("pay", "pay", "pay")
        assert [(f.rule, f.lines) for f in result.findings] == [("t.payer", (2,))]

    @pytest.mark.parametrize("second, statuses, severities", [
        ("", ("deny", "pay"), ("deny", "warn")),
        ("  severity info\n", ("deny", "pay"), ("deny", "info")),
    ])
    def test_a_loop_of_a_denying_and_an_advisory_edit_fails_both_ways(self, second, statuses, severities):
        """37185 (a denying edit) and 37186 (a payer's warning) list each other: neither traces back to a primary
        that is no add-on, so each edit fails in its own severity (a first fix paid both, in silence)."""
        severity = second or "  severity warn\n"
        rules = radrules.loads(f'''
addons t.cms
  reference "cms"
  addon 37185 type 1 primaries 37186
end
addons t.payer "payer"
{severity}  reference "payer"
  addon 37186 type 1 primaries 37185
end
''', name="mixed.rr")
        result = rules.evaluate(claim(line("37185", DOS), line("37186", DOS)))
        assert result.statuses == statuses
        assert [(f.lines, f.severity) for f in result.findings] == [((1,), severities[0]), ((2,), severities[1])]

    def test_explain_names_no_loop_line_as_a_paid_primary(self):
        """36248 counts on 36247 and on 37185, which a loop of add-ons (37185, 37186) leaves denied: explain names
        the primary that pays it, not the denied line."""
        rules = radrules.loads('''
addons t.a
  reference "t"
  addon 37185 type 1 primaries 37184, 37186
  addon 37186 type 1 primaries 37184, 37185, 37187
  addon 36248 type 1 primaries 36247, 37185
end
''', name="loop.rr")
        result = rules.evaluate(claim(*(line(code, DOS) for code in ("37185", "37186", "36247", "36248"))),
                                explain=True)
        assert result.statuses == ("deny", "deny", "pay", "pay")
        assert [s.detail for s in result.explanation.steps if s.detail.startswith("36248")] == [
            "36248: primary on line 3 is paid"]


class TestPrimaryPaidOnAnEarlierClaim:
    """With a history, a listed primary paid on an earlier claim to the add-on's practitioner on its date is its
    primary (a late charge: domain.md §3, the primary paid to the same practitioner, patient and date)."""

    RULES = radrules.loads('''
addons t.addon
  reference "test"
  addon 36248 type 1 primaries 36246, 36247
  addon 37185 type 1 primaries 37184, 37186
  addon 37186 type 1 primaries 37184, 37185
end
''', name="late.rr")
    DOS = "2026-07-14"
    LATE = claim(line("36248", DOS, modifiers=["RT"], rendering_npi=NPI), id="LATE", payer="medicare",
                 patient={"id": "P1"})

    def paid(self, code="36247", **fields):
        out = {"patient_id": "P1", "code": code, "modifiers": ["RT"], "date": self.DOS, "status": "paid",
               "rendering_npi": NPI, "payer": "medicare"}
        out.update(fields)
        return out

    @pytest.mark.parametrize("indexed", [True, False])
    def test_the_primary_paid_earlier_supports_the_add_on(self, indexed):
        """36248 alone, its primary 36247 paid on an earlier claim of the date by its practitioner: paid."""
        result = self.RULES.evaluate(self.LATE, history=[self.paid()], indexed=indexed)
        assert result.findings == () and result.passed

    def test_explain_says_the_primary_was_paid_on_an_earlier_claim(self):
        result = self.RULES.evaluate(self.LATE, history=[self.paid()], explain=True)
        [step] = [s for s in result.explanation.steps if s.rule == "t.addon"]
        assert (step.outcome, step.detail) == ("silent", "36248: primary 36247 paid on an earlier claim")

    def test_without_a_history_nothing_changes(self):
        (finding,) = self.RULES.evaluate(self.LATE).findings
        assert finding.message == "36248 is an add-on code (type 1): no primary (36246, 36247) on 2026-07-14"

    @pytest.mark.parametrize("paid", [{"date": "2026-07-13"}, {"status": "denied"}, {"code": "36245"},
                                      {"type": "institutional"}], ids=["date", "denied", "code", "type"])
    def test_a_paid_line_of_another_date_code_or_type_or_a_denied_one_does_not(self, paid):
        """Only a paid line of a listed primary, on the add-on's date, of a claim of its type (or none given)."""
        result = self.RULES.evaluate(self.LATE, history=[self.paid(**paid)])
        assert addon_findings(result) == [
            ((1,), (), "36248 is an add-on code (type 1): no primary (36246, 36247) on 2026-07-14")]

    def test_another_practitioners_paid_primary_does_not_and_is_named(self):
        """A primary paid to another practitioner is no primary; the message says so."""
        result = self.RULES.evaluate(self.LATE, history=[self.paid(rendering_npi=OTHER_NPI)], explain=True)
        assert addon_findings(result) == [
            ((1,), (), "36248 is an add-on code (type 1): no primary (36246, 36247) of its rendering provider on "
                       "2026-07-14: 36247 paid on an earlier claim is another practitioner's")]
        [step] = [s for s in result.explanation.steps if s.rule == "t.addon"]
        assert step.detail == result.findings[0].message

    def test_a_loop_with_its_primary_paid_earlier_is_paid(self):
        """Two add-ons listing each other are paid when their primary was paid on an earlier claim."""
        data = claim(line("37185", self.DOS, rendering_npi=NPI), line("37186", self.DOS, rendering_npi=NPI),
                     payer="medicare", patient={"id": "P1"})
        assert self.RULES.evaluate(data, history=[self.paid("37184")]).passed
        assert self.RULES.evaluate(data).statuses == ("deny", "deny")

    @pytest.mark.parametrize("bill_type, passes", [("131", True), ("111", False)])
    def test_a_tables_edit_leaves_out_a_part_a_bills_paid_line(self, tmp_path, bill_type, passes):
        """The CMS add-on table does not judge Part A bills: a primary paid on one (inpatient, 111) is no primary
        of its edits, as for the PTP and MUE tables; one of an outpatient bill (131) is."""
        (tmp_path / "cms").mkdir()
        (tmp_path / "cms" / "aoc_v2026q3.csv").write_text(AOC_HEADER + "77067,77063,1,,,,2017001,\n",
                                                           encoding="latin-1")
        (tmp_path / "aoc.rr").write_text('table addon "cms/aoc_v2026q3.csv" for institutional claims\n',
                                         encoding="utf-8")
        rules = radrules.load(tmp_path, cache_dir=None)
        data = claim(line("77063", DOS, revenue_code="0403"), type="institutional", billing_npi=NPI, bill_type="131")
        paid = [{"code": "77067", "date": DOS, "billing_npi": NPI, "bill_type": bill_type}]
        assert rules.evaluate(data, history=paid).passed is passes

    def test_from_a_history_file(self, tmp_path):
        """`read_history` (what `--history FILE` reads) gives the same."""
        import json
        path = tmp_path / "history.jsonl"
        path.write_text(json.dumps(self.paid()) + "\n", encoding="utf-8")
        assert self.RULES.evaluate(self.LATE, history=radrules.read_history(path)).passed


class TestAddOnOnItsDate:
    def test_a_code_whose_add_on_edit_starts_later_is_a_primary_before(self):
        """Before its edit takes effect, 76376 is a standalone service: a primary for the type 2 add-on
        76377; from then on, an add-on (and no primary)."""
        rules = radrules.loads('''
addons t.addon "dated add-on edits"
  reference "r"
  addon 76377 type 2
  addon 76376 type 2 effective 2026-07-01
end
''', name="dated.rr")
        for date, statuses in (("2026-03-02", ("pay", "pay")), ("2026-07-01", ("deny", "deny"))):
            data = claim(line("76376", date), line("76377", date))
            assert rules.evaluate(data).statuses == statuses, date
            assert rules.evaluate(data, indexed=False).statuses == statuses, date
            assert rules.evaluate(data, explain=True).statuses == statuses, date


class TestTypesTwoAndThree:
    def test_type_two_alone(self):
        """A type 2 add-on code without primaries listed needs some other service on its date."""
        result = RULES.evaluate(claim(line("76377", DOS)))
        assert addon_findings(result) == [((1,), (), "76377 is an add-on code (type 2): no primary service on 2026-03-02")]

    def test_type_two_with_any_service(self):
        """A type 2 add-on code with any non-add-on line on its date is paid."""
        assert RULES.evaluate(claim(line("71250", DOS), line("76377", DOS))).findings == ()

    def test_type_two_with_only_another_add_on(self):
        """Another add-on code is no primary for a type 2 add-on code."""
        result = RULES.evaluate(claim(line("77063", DOS), line("76377", DOS)))
        assert sorted(f[0] for f in addon_findings(result)) == [(1,), (2,)]

    def test_type_two_primary_denied(self):
        """A type 2 add-on code whose only service is denied is denied too."""
        result = RULES.evaluate(claim(line("77065", DOS, modifiers=["GA"]), line("76377", DOS)))
        assert addon_findings(result)[0][:2] == ((2,), (1,))

    def test_type_three_uses_its_listed_primaries(self):
        """A type 3 add-on code with listed primaries needs one of them."""
        assert RULES.evaluate(claim(line("70498", DOS), line("76376", DOS))).findings == ()
        result = RULES.evaluate(claim(line("71250", DOS), line("76376", DOS)))
        assert addon_findings(result) == [((2,), (), "76376 is an add-on code (type 3): no primary (70496, 70498) on 2026-03-02")]


class TestBundledAddons:
    def test_tomosynthesis_with_screening_mammography(self, bundled):
        """77063 with 77067 on the same date passes under the bundled rules."""
        result = bundled.evaluate(claim(line("77067", DOS), line("77063", DOS), payer="medicare",
                                        patient={"sex": "F", "birth_date": "1960-01-01"}))
        assert result.findings == ()

    def test_tomosynthesis_alone(self, bundled):
        """77063 alone is denied by radiology.addon."""
        result = bundled.evaluate(claim(line("77063", DOS)))
        assert [(f.rule, f.lines) for f in result.findings] == [("radiology.addon", (1,))]

    def test_diagnostic_tomosynthesis_with_a_denied_primary(self, bundled):
        """G0279 whose diagnostic mammogram is an exact duplicate of a paid one still has a paid primary."""
        result = bundled.evaluate(claim(line("77066", DOS), line("77066", DOS), line("G0279", DOS)))
        assert fired(result) == {"duplicate.line"}

    def test_diagnostic_tomosynthesis_whose_only_primary_is_denied(self, bundled):
        """G0279 with a diagnostic mammogram denied for 26+TC is denied as well."""
        result = bundled.evaluate(claim(line("77066", DOS, modifiers=["26", "TC"]), line("G0279", DOS)))
        assert fired(result) == {"modifier.conflict.professional_technical", "radiology.addon"}
        assert [s.status for s in result.lines] == ["deny", "deny"]


def test_two_blocks_of_one_level_are_two_edits_each_under_its_own_id():
    """Rows of two general blocks for one add-on code are not merged under the first block: each block is
    judged with its own rows and reports under its own id, CARC and source; explain considers both."""
    rules = radrules.loads(
        'addons a.addon "first"\n  reference "t"\n  addon 77063 type 1 primaries 77067\nend\n'
        'addons b.addon "second"\n  carc CO-4\n  reference "t"\n  addon 77063 type 1 primaries 77067, 77061\nend\n',
        name="two.rr")
    both_fine = rules.evaluate({"lines": [{"code": "77067", "date": "2026-03-02"},
                                          {"code": "77063", "date": "2026-03-02"}]})
    assert both_fine.findings == ()
    result = rules.evaluate({"lines": [{"code": "77061", "date": "2026-03-02"},
                                       {"code": "77063", "date": "2026-03-02"}]}, explain=True)
    (finding,) = result.findings
    assert (finding.rule, finding.lines, finding.source) == ("a.addon", (2,), "two.rr:3")
    assert "no primary (77067) on 2026-03-02" in finding.message
    steps = {(step.rule, step.outcome) for step in result.explanation.steps}
    assert {("a.addon", "fired"), ("b.addon", "silent")} <= steps
    lone = rules.evaluate({"lines": [{"code": "77063", "date": "2026-03-02"}]})
    assert [(f.rule, f.carc) for f in lone.findings] == [("a.addon", "CO-107"), ("b.addon", "CO-4")]


def test_an_addon_whose_listed_primaries_were_all_deleted_says_so(tmp_path):
    """A CMS row's primary with a passed deletion date no longer counts, and the denial names none."""
    (tmp_path / "cms").mkdir()
    (tmp_path / "cms" / "aoc_v2026q3.csv").write_text(
        "Primary Code,Add-on Code,AOC Edit Type,Special Instruction Notes,AOC Del Dt (Julian),"
        "Primary Code Del Dt (Julian),AOC Edit Eff Dt (Julian),AOC Edit Del Dt (Julian)\n"
        "G0202,77063,1,,,2016366,2015001,\n", encoding="latin-1")
    (tmp_path / "aoc.rr").write_text('table addon "cms/aoc_v2026q3.csv"\n', encoding="utf-8")
    rules = radrules.load(tmp_path, cache_dir=None)
    (finding,) = rules.evaluate({"lines": [{"code": "G0202", "date": "2017-01-03"},
                                           {"code": "77063", "date": "2017-01-03"}]}).findings
    assert finding.rule == "ncci.addon"
    assert finding.message == "77063 is an add-on code (type 1): no listed primary counts on 2017-01-03 (their " \
                              "deletion dates have passed)"


def test_an_addon_billed_after_its_aoc_del_dt_is_not_checked(tmp_path):
    """After the add-on code's own deletion date (`AOC Del Dt`) its rows are out of force: no add-on edit, and
    no finding without a HCPCS file (language.md, addons); through that date it still needs its primary."""
    (tmp_path / "cms").mkdir()
    (tmp_path / "cms" / "aoc_v2026q3.csv").write_text(AOC_HEADER + "77067,77063,1,,2026181,,2017001,\n",
                                                       encoding="latin-1")
    (tmp_path / "aoc.rr").write_text('table addon "cms/aoc_v2026q3.csv"\n', encoding="utf-8")
    rules = radrules.load(tmp_path, cache_dir=None)
    assert rules.evaluate(claim(line("77063", "2026-07-01"))).findings == ()
    assert [f.rule for f in rules.evaluate(claim(line("77063", "2026-06-30"))).findings] == ["ncci.addon"]


# ---------------------------------------------------------------- disable addon

AOC_HEADER = ("Primary Code,Add-on Code,AOC Edit Type,Special Instruction Notes,AOC Del Dt (Julian),"
              "Primary Code Del Dt (Julian),AOC Edit Eff Dt (Julian),AOC Edit Del Dt (Julian)\n")
#: A CMS add-on table of the 2026 Q3 file's shape: 77063 (type 1 with 77067), 76377 (type 2), 76376 (type 3,
#: its edit deleted at the end of 2026-06-30).
AOC_ROWS = "77067,77063,1,,,,2017001,\nCCCCC,76377,2,,,,2010001,\n74177,76376,3,,,,2010001,2026181\n"


def disabled_addon_rules(tmp_path, payer_block: str, tables: str = 'table addon "cms/aoc_v2026q3.csv"\n',
                         other: str = "") -> radrules.Ruleset:
    """The add-on table beside a payer's `addons` block (and ``other`` rule text)."""
    root = tmp_path / "rules"
    (root / "cms").mkdir(parents=True)
    (root / "cms" / "aoc_v2026q3.csv").write_text(AOC_HEADER + AOC_ROWS, encoding="latin-1")
    (root / "ncci.rr").write_text(tables + other, encoding="utf-8")
    (root / "payer.rr").write_text(payer_block, encoding="utf-8")
    return radrules.load(root, cache_dir=None)


def both_paths(rules, claim_dict):
    """The result, the same by the indexed and the scanning paths."""
    result = rules.evaluate(claim_dict)
    assert rules.evaluate(claim_dict, indexed=False) == result
    return result


ACME_DISABLES_77063 = 'addons acme.addon\n  for payer acme\n  reference "Acme policy"\n  disable addon 77063\nend\n'


class TestDisableAddon:
    """`disable addon CODE` leaves a CMS add-on edit (or a rule file's) out for a payer (language.md, addons)."""

    def test_the_payer_pays_the_add_on_alone_others_deny_it(self, tmp_path):
        """The payer's claim passes without a primary; any other payer's is denied by the table's edit."""
        rules = disabled_addon_rules(tmp_path, ACME_DISABLES_77063)
        assert rules.warnings == ()
        assert both_paths(rules, claim(line("77063"), payer="acme")).passed is True
        other = both_paths(rules, claim(line("77063"), payer="beta"))
        assert [(f.rule, f.lines) for f in other.findings] == [("ncci.addon", (1,))]
        assert both_paths(rules, claim(line("77063"))).passed is False  # no payer: the general view

    def test_scoped_by_claim_type(self, tmp_path):
        """A block `for institutional claims` leaves the edit out of the payer's institutional claims only."""
        tables = ('table addon "cms/aoc_v2026q3.csv"\n'
                  'table addon "cms/aoc_v2026q3.csv" for institutional claims\n')
        rules = disabled_addon_rules(tmp_path, ACME_DISABLES_77063.replace(
            "  for payer acme\n", "  for payer acme\n  for institutional claims\n"), tables)
        assert rules.warnings == ()
        institutional = both_paths(rules, claim(line("77063"), payer="acme", type="institutional"))
        assert institutional.passed is True
        professional = both_paths(rules, claim(line("77063"), payer="acme"))
        assert [(f.rule, f.lines) for f in professional.findings] == [("ncci.addon", (1,))]

    def test_a_disable_applies_on_every_date(self, tmp_path):
        """As `disable pair` and `disable limit`, a `disable addon` applies on every date of service, within the
        edit's dates and outside them (language.md, overrides); the table's dates still hold for others."""
        rules = disabled_addon_rules(tmp_path, ACME_DISABLES_77063.replace("77063", "76376"))
        for date, denied_for_others in (("2026-06-30", True), ("2026-07-01", False), ("2011-01-03", True)):
            assert both_paths(rules, claim(line("76376", date), payer="acme")).passed is True, date
            other = both_paths(rules, claim(line("76376", date), payer="beta"))
            assert (other.passed is False) is denied_for_others, date

    def test_a_disabled_add_on_code_is_still_no_primary(self, tmp_path):
        """The payer leaves one code's edit out; the code stays an add-on code, so it is no primary service for
        a type 2 add-on code (76377) on its date."""
        rules = disabled_addon_rules(tmp_path, ACME_DISABLES_77063)
        result = both_paths(rules, claim(line("77063"), line("76377"), payer="acme"))
        assert [(f.rule, f.lines, f.message) for f in result.findings] == [
            ("ncci.addon", (2,), "76377 is an add-on code (type 2): no primary service on 2026-03-02")]

    def test_a_rule_file_row_disabled_for_a_payer(self, tmp_path):
        """A `disable addon` removes a general block's row for the payer; a general `disable addon` does not
        remove a payer's own row (language.md, overrides)."""
        general = ('addons house.addon\n  reference "house"\n  addon G0279 type 1 primaries 77065, 77066\nend\n'
                   'addons house.off\n  reference "house"\n  disable addon 77063\nend\n')
        own = 'addons acme.own\n  for payer beta\n  reference "Beta"\n  addon 77063 type 1 primaries 77067\nend\n'
        rules = disabled_addon_rules(tmp_path, ACME_DISABLES_77063.replace("77063", "G0279") + own, other=general)
        assert rules.warnings == ()
        assert both_paths(rules, claim(line("G0279"), line("77063"), payer="acme")).passed is True
        beta = both_paths(rules, claim(line("G0279"), line("77063"), payer="beta"))
        assert [(f.rule, f.lines) for f in beta.findings] == [("house.addon", (1,)), ("acme.own", (2,))]

    def test_explain_names_the_disable(self, tmp_path):
        """explain shows the table's edit the disable takes off as a silent step, and why the payer's block
        looked at no row."""
        rules = disabled_addon_rules(tmp_path, ACME_DISABLES_77063)
        explanation = rules.evaluate(claim(line("77063"), payer="acme"), explain=True).explanation
        [step] = [s for s in explanation.steps if s.rule == "ncci.addon"]
        assert (step.outcome, step.lines) == ("silent", (1,))
        assert step.detail == "77063: the add-on edit is disabled by `acme.addon` (rules/payer.rr:4)"
        assert explanation.not_considered["acme.addon"] == (
            "it holds `disable` rows only: its `disable addon 77063` (rules/payer.rr:4) leaves every row of that "
            "key out for this claim")

    def test_with_a_primary_is_refused(self):
        """An add-on edit is disabled whole: `with PRIMARY` is RR220, with the way to change the primaries."""
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads('addons a.addon\n  reference "r"\n  disable addon 77063 with 77067\nend\n')
        [error] = caught.value.errors
        assert (error.code, error.span.column) == ("RR220", 28)
        assert "`addon 77063 type TYPE primaries SET`" in error.help

    def test_rr263_when_the_code_is_no_add_on_code_of_any_table_or_row(self, tmp_path):
        """A `disable addon` of a code that neither the table nor a rule-file row has disables nothing."""
        rules = disabled_addon_rules(tmp_path, ACME_DISABLES_77063.replace("77063", "77064"))
        [warning] = rules.warnings
        assert (warning.code, warning.message) == (
            "RR263", "`disable addon 77064` disables nothing: no `addons` row and no add-on code table loaded has "
                     "this code")
        assert radrules.loads('addons a.addon\n  reference "r"\n  addon 77063 type 2\nend\n'
                              'addons b.addon\n  for payer acme\n  reference "r"\n  disable addon 77063\nend\n'
                              ).warnings == ()

    def test_rr263_when_the_table_of_its_claim_type_is_not_loaded(self, tmp_path):
        """The add-on table serves professional claims; a disable for institutional claims disables nothing."""
        rules = disabled_addon_rules(tmp_path, ACME_DISABLES_77063.replace(
            "  for payer acme\n", "  for payer acme\n  for institutional claims\n"))
        [warning] = rules.warnings
        assert (warning.code, warning.message) == (
            "RR263", "`disable addon 77063` disables nothing: no add-on code table for institutional claims is "
                     "loaded, and no `addons` row for them has this code")


def test_an_edit_ended_in_another_block_is_named_and_one_in_force_is_not():
    """A rule file that ends an add-on's row in one block and writes its successor in another: the denial names
    the ended edit's primary with its last date, as for a row ended in the denying edit's own block. A block
    whose edit is still in force is another edit: its primaries are not named as ones that ended."""
    rules = radrules.loads('''
addons t.aoc_2025 "until 2025"
  reference "test"
  addon 76937 type 1 primaries 36000 effective 2010-01-01 through 2025-12-31
end
addons t.aoc_2026 "from 2026"
  reference "test"
  addon 76937 type 1 primaries 36410 effective 2026-01-01
end
''', name="aoc.rr")
    [finding] = rules.evaluate(claim(line("36000", "2026-01-02"), line("76937", "2026-01-02"))).findings
    assert finding.rule == "t.aoc_2026"
    assert finding.message.endswith("no primary (36410) on 2026-01-02 (36000 counted through 2025-12-31)")
    both = radrules.loads('''
addons t.first
  reference "test"
  addon 76937 type 1 primaries 36000 effective 2010-01-01 through 2025-12-31
  addon 76937 type 1 primaries 36010 effective 2026-01-01
end
addons t.second
  reference "test"
  addon 76937 type 1 primaries 36410 effective 2026-01-01
end
''', name="aoc.rr")
    found = {f.rule: f.message for f in both.evaluate(claim(line("36000", "2026-01-02"), line("76937", "2026-01-02"))).findings}
    assert found["t.first"].endswith("no primary (36010) on 2026-01-02 (36000 counted through 2025-12-31)")
    assert found["t.second"].endswith("no primary (36410) on 2026-01-02")
