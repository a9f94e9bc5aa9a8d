"""Behaviour the docs pin down at its edges.

Each test holds one case where a plausible one-character bug (`max` for
`min`, `if rows:` for `if rows is not None:`, a dropped condition) gives
another answer, and no other test noticed: a review made such bugs one at a
time and kept the ones the suite let through (mutation testing). The
docstrings cite the rule each case follows.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import radrules

DATA = Path(__file__).parent / "data" / "cms"
PTP_HEADER = "Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale\r\n"


def findings(result) -> list[tuple]:
    return [(f.rule, f.lines) for f in result.findings]


def both(rules, claim, **options) -> radrules.Result:
    """The result, the same by the indexed and the scanning paths."""
    result = rules.evaluate(claim, **options)
    assert rules.evaluate(claim, indexed=False, **options) == result
    return result


# ---------------------------------------------------------------- PTP


def test_a_disabled_pair_is_disabled_against_paid_history_too(tmp_path):
    """`disable pair` removes the table row for the payer (language.md, overrides), also for PTP edits
    against paid lines of earlier claims; an empty override is not "no override"."""
    root = tmp_path / "rules"
    (root / "cms").mkdir(parents=True)
    shutil.copy(DATA / "radiology-ptp-v322r0-f1.TXT", root / "cms" / "ccipra-v322r0-f1.TXT")
    (root / "ncci.rr").write_text('table ptp "cms/ccipra-v322r0-f1.TXT"\n')
    (root / "acme.rr").write_text('pairs acme.ptp "exceptions"\n  for payer acme\n  reference "r"\n'
                                  '  disable pair 74176 with 74150\nend\n')
    rules = radrules.load(root, cache_dir=None)
    history = [{"code": "74176", "date": "2026-03-02", "status": "paid"}]
    for payer, denied in (("acme", False), ("medicare", True)):
        claim = {"payer": payer, "patient": {"id": "MBR-1"}, "lines": [{"code": "74150", "date": "2026-03-02"}]}
        assert (findings(both(rules, claim, history=history)) == [("ncci.ptp", (1,))]) is denied, payer


def test_modifier_91_bypasses_an_indicator_1_pair():
    """91 (repeat clinical laboratory test) is among the modifiers that bypass an indicator 1 edit
    (domain.md §1.4, language.md pairs)."""
    rules = radrules.loads('pairs acme.ptp\n  reference "r"\n  pair 74176 with 74150 modifier allowed\nend\n')
    claim = {"lines": [{"code": "74176", "date": "2026-03-02"},
                       {"code": "74150", "modifiers": ["91"], "date": "2026-03-02"}]}
    assert findings(both(rules, claim)) == []


def test_history_is_read_through_the_claims_last_date():
    """Earlier claims are fetched through the claim's last date of service (claim-format.md, history): a
    paid line on the last date counts, though it is after the first."""
    rules = radrules.loads('pairs acme.ptp\n  reference "r"\n  pair 74176 with 74150 modifier not allowed\nend\n')
    claim = {"patient": {"id": "MBR-1"}, "lines": [{"code": "71046", "date": "2026-03-02"},
                                                  {"code": "74150", "date": "2026-03-10"}]}
    history = [{"code": "74176", "date": "2026-03-10", "status": "paid"}]
    assert findings(both(rules, claim, history=history)) == [("acme.ptp", (2,))]


# ---------------------------------------------------------------- unit limits


def test_a_span_line_alone_on_its_date_is_divided_over_its_days():
    """A line with an end date spreads its units over its days (domain.md §2.1), also when its code is
    billed again on another date (so the code's lines are not all alone)."""
    rules = radrules.loads('limits acme.mue\n  reference "r"\n  limit Q9967 max 250 mai 3\nend\n')
    claim = {"lines": [{"code": "Q9967", "units": 600, "date": "2026-03-02", "end_date": "2026-03-04"},
                       {"code": "Q9967", "units": 10, "date": "2026-03-10"}]}
    assert findings(both(rules, claim)) == []
    claim["lines"][0]["units"] = 800  # 267 a day
    assert findings(both(rules, claim)) == [("acme.mue", (1,))]


def test_units_a_day_round_half_up():
    """Units per day round to the nearest whole number, a half up (domain.md §2.1): 5 over 2 days is 3."""
    rules = radrules.loads('limits acme.mue\n  reference "r"\n  limit Q9967 max 2 mai 1\nend\n')
    claim = {"lines": [{"code": "Q9967", "units": 5, "date": "2026-03-02", "end_date": "2026-03-03"}]}
    assert findings(both(rules, claim)) == [("acme.mue", (1,))]


def test_a_line_without_a_rendering_provider_counts_with_each_provider():
    """MAI 2/3 lines are summed by provider; a line with no rendering provider counts with each of them
    (language.md, limits)."""
    rules = radrules.loads('limits acme.mue\n  reference "r"\n  limit 77067 max 1 mai 2\nend\n')
    claim = {"lines": [{"code": "77067", "date": "2026-03-02", "rendering_npi": "1234567893"},
                       {"code": "77067", "date": "2026-03-02", "rendering_npi": "1245319599"},
                       {"code": "77067", "modifiers": ["76"], "date": "2026-03-02"}]}
    assert sorted(findings(both(rules, claim))) == [("acme.mue", (1, 3)), ("acme.mue", (2, 3))]


def test_a_general_disable_leaves_a_payers_own_rows():
    """A `disable` in a general block does not remove rows that a payer's own block gives (language.md,
    which rows win)."""
    rules = radrules.loads('limits national.mue\n  reference "r"\n  disable limit 77067\nend\n'
                           'limits acme.mue\n  for payer acme\n  reference "r"\n  limit 77067 max 1 mai 2\nend\n')
    claim = {"payer": "acme", "lines": [{"code": "77067", "units": 2, "date": "2026-03-02"}]}
    assert findings(both(rules, claim)) == [("acme.mue", (1,))]


def test_a_dated_limit_row_applies_only_in_its_window():
    """A limit row with `effective ... through ...` judges only lines dated in that window."""
    rules = radrules.loads('limits acme.mue\n  reference "r"\n'
                           '  limit 77067 max 1 mai 2 effective 2026-01-01 through 2026-06-30\nend\n')
    for date, denied in (("2025-12-31", False), ("2026-01-01", True), ("2026-06-30", True), ("2026-07-01", False)):
        claim = {"lines": [{"code": "77067", "units": 2, "date": date}]}
        assert bool(findings(both(rules, claim))) is denied, date


# ---------------------------------------------------------------- pair, claim and history rules


def test_a_code_billed_twice_on_one_date_is_seen_though_other_dates_add_codes():
    """Whether a date repeats a code is asked of that date's lines, not of the whole claim's codes."""
    rules = radrules.loads('rule duplicate.line\n  kind duplicate\n  when other.number < line.number\n'
                           '   and other.code = line.code\n  then deny line "repeat"\n  reference "r"\nend\n')
    claim = {"lines": [{"code": "71046", "date": "2026-03-02"}, {"code": "71046", "date": "2026-03-02"},
                       {"code": "70450", "date": "2026-03-03"}, {"code": "70460", "date": "2026-03-03"}]}
    assert findings(both(rules, claim)) == [("duplicate.line", (2,))]


def test_a_both_ways_finding_is_worded_from_the_codes_that_sort_first():
    """A `both` rule true both ways round is reported once, worded from the direction whose codes sort
    first (language.md, pair rules)."""
    rules = radrules.loads('codes chest_xray = 71045-71048\nrule coding.views\n  kind coding\n'
                           '  when line.code in chest_xray and other.code in chest_xray\n'
                           '   and other.code is not line.code\n'
                           '  then warn both "{line.code} and {other.code}"\n  reference "r"\nend\n')
    claim = {"lines": [{"code": "71046", "date": "2026-03-02"}, {"code": "71045", "date": "2026-03-02"}]}
    (finding,) = both(rules, claim).findings
    assert (finding.lines, finding.message) == ((1, 2), "71045 and 71046")


RULES_ON_THE_CLAIM = (
    'rule acme.claim_pa\n  for payer acme\n  effective 2026-01-01\n  when claim.prior_auth is missing\n'
    '  then deny claim "no authorization"\n  reference "r"\nend\n'
    'rule acme.claim_age\n  when patient.age < 18\n  then review claim "age {patient.age}"\n  reference "r"\nend\n')


def test_a_rule_on_the_claim_reads_the_earliest_date():
    """For a rule on the claim, `effective` and `patient.age` are taken on the earliest date of service
    (language.md, patient fields and `effective`)."""
    rules = radrules.loads(RULES_ON_THE_CLAIM)
    claim = {"payer": "acme", "patient": {"birth_date": "2008-03-05"},
             "lines": [{"code": "70551", "date": "2026-03-10"}, {"code": "70551", "date": "2025-12-31"}]}
    result = both(rules, claim)
    assert [(f.rule, f.message) for f in result.findings] == [("acme.claim_age", "age 17")]
    claim["lines"] = claim["lines"][1:]  # one line, before the rule's effective date
    assert [f.rule for f in both(rules, claim).findings] == ["acme.claim_age"]


def test_the_same_modifiers_compare_as_sets():
    """`with the same modifiers` compares modifier sets: 26, RT is the same as RT, 26 (language.md)."""
    rules = radrules.loads('rule example.hist\n  when history has the same code on the same date with the same '
                           'modifiers\n  then deny line "paid before"\n  reference "r"\nend\n')
    claim = {"patient": {"id": "M1"}, "lines": [{"code": "73721", "modifiers": ["26", "RT"], "date": "2026-03-02"}]}
    history = [{"code": "73721", "modifiers": ["RT", "26"], "date": "2026-03-02", "status": "paid"}]
    assert findings(both(rules, claim, history=history)) == [("example.hist", (1,))]


def test_claim_also_has_means_another_line():
    """`claim also has` looks at another line of the claim, not the line being judged (language.md)."""
    rules = radrules.loads('rule example.also\n  when line.code is 77063 and claim also has 77063\n'
                           '  then warn line "twice"\n  reference "r"\nend\n')
    claim = {"lines": [{"code": "77063", "date": "2026-03-02"}, {"code": "77067", "date": "2026-03-02"}]}
    assert findings(both(rules, claim)) == []
    claim["lines"][1]["code"] = "77063"
    assert findings(both(rules, claim)) == [("example.also", (1,)), ("example.also", (2,))]


def test_or_with_unknown_is_unknown_and_not_of_it_never_fires():
    """false or unknown is unknown, and `not` of unknown is unknown: a rule never fires on it (language.md,
    missing values)."""
    rules = radrules.loads('property pctc = 1 for 70450\nrule example.not_pc\n'
                           '  when line.code in [70450, 99213] and not (line.pctc = 1 or line.pctc = 6)\n'
                           '  then warn line "{line.code}"\n  reference "r"\nend\n')
    assert findings(both(rules, {"lines": [{"code": "99213", "date": "2026-03-02"}]})) == []


def test_a_pair_rule_applies_only_in_its_effective_window():
    """A pair rule with `effective` judges only pairs dated from that day."""
    rules = radrules.loads('rule example.pair\n  effective 2026-03-01\n'
                           '  when line.code is 71046 and other.code is 71045\n'
                           '  then warn line "with 71045"\n  reference "r"\nend\n')
    for date, fires in (("2026-02-28", False), ("2026-03-01", True)):
        claim = {"lines": [{"code": "71046", "date": date}, {"code": "71045", "date": date}]}
        assert bool(findings(both(rules, claim))) is fires, date


# ---------------------------------------------------------------- format checks and results


def test_a_date_after_receipt_is_found_on_any_line():
    """`format.date_after_received` judges each line: here the second line, not the earliest."""
    rules = radrules.loads('rule x.y\n  when line.code is 99999\n  then info line "x"\n  reference "r"\nend\n')
    claim = {"received": "2026-03-10", "lines": [{"code": "70450", "date": "2026-03-01"},
                                                 {"code": "70460", "date": "2026-03-12"}]}
    assert findings(both(rules, claim)) == [("format.date_after_received", (2,))]


def test_findings_that_differ_only_in_their_message_are_both_kept():
    """Findings are reported once only when rule, lines, related lines and message are all the same."""
    rules = radrules.loads('rule x.y\n  when line.code is 99999\n  then info line "x"\n  reference "r"\nend\n')
    result = both(rules, {"lines": [{"code": "70450", "modifiers": ["5", "A"], "date": "2026-03-02"}]})
    assert [f.rule for f in result.findings] == ["format.modifier", "format.modifier"]
    assert len({f.message for f in result.findings}) == 2


# ---------------------------------------------------------------- table versions and add-on files


def _ruleset(tmp_path, text: str, files: dict) -> radrules.Ruleset:
    root = tmp_path / "rules"
    (root / "cms").mkdir(parents=True)
    for name, content in files.items():
        (root / "cms" / name).write_text(content, encoding="latin-1")
    (root / "main.rr").write_text(text)
    return radrules.load(root, cache_dir=None)


def test_a_date_before_every_version_is_judged_by_the_earliest(tmp_path):
    """Dates before the first version's effective date are judged by the first version (language.md,
    versions), not the latest."""
    rules = _ruleset(tmp_path,
                     'table ptp "cms/a.TXT" effective 2026-04-01\ntable ptp "cms/b.TXT" effective 2026-07-01\n',
                     {"a.TXT": PTP_HEADER + "71046\t71045\t\t20180101\t*\t0\tx\r\n",
                      "b.TXT": PTP_HEADER + "71046\t71045\t\t20180101\t*\t1\tx\r\n"})
    claim = {"lines": [{"code": "71046", "date": "2026-01-05"},
                       {"code": "71045", "modifiers": ["59"], "date": "2026-01-05"}]}
    assert findings(both(rules, claim)) == [("ncci.ptp", (2,))]  # indicator 0 of the first version


AOC_HEADER = ("Primary Code,Add-on Code,AOC Edit Type,Special Instruction Notes,AOC Del Dt (Julian),"
              "Primary Code Del Dt (Julian),AOC Edit Eff Dt (Julian),AOC Edit Del Dt (Julian)\n")


def test_an_add_on_edit_of_one_day_loads(tmp_path):
    """An add-on edit that ends on the day it starts is one day long, not dates in the wrong order."""
    rules = _ruleset(tmp_path, 'table addon "cms/aoc_v2026q3.csv"\n',
                     {"aoc_v2026q3.csv": AOC_HEADER + "74177,76376,1,,,,2026182,2026182\n"})
    assert rules.tables[0].table.entries


def test_an_add_on_table_takes_effect_from_its_latest_row(tmp_path):
    """Without a date in its name, an add-on table takes effect on the latest effective date of its rows
    (language.md, versions)."""
    rules = _ruleset(tmp_path, 'table addon "cms/aoc.csv"\n',
                     {"aoc.csv": AOC_HEADER + "74177,76376,1,,,,2010001,\nCCCCC,76377,2,,,,2026182,\n"})
    assert rules.tables[0].start == radrules.claim.dt.date(2026, 7, 1).toordinal()


# ---------------------------------------------------------------- the loaders' reading of fields


def _errors(tmp_path, text: str, files: dict) -> list[str]:
    """The diagnostics (code: message) of loading a ruleset that should fail."""
    with pytest.raises(radrules.RuleError) as raised:
        _ruleset(tmp_path, text, files)
    return [f"{d.code}: {d.message}" for d in raised.value.errors]


def test_an_empty_ptp_deletion_date_is_an_error(tmp_path):
    """No deletion is written `*`; an empty field is a missing date, not "none" (domain.md §8)."""
    errors = _errors(tmp_path, 'table ptp "cms/ccipra-v322r0-f1.TXT"\n',
                     {"ccipra-v322r0-f1.TXT": PTP_HEADER + "71046\t71045\t\t20180101\t\t1\tx\r\n"})
    assert errors == ["RR508: an empty field is not a deletion date (YYYYMMDD, or `*` for none)"]


MUE_HEADER = '"HCPCS/\nCPT Code",{column},MUE Adjudication Indicator,MUE Rationale\n'


@pytest.mark.parametrize("row, word", [
    ("74177,1,12 Date of Service Edit: Policy,x", "adjudication indicator"),
    ("74177,1,2 Date of Service Edit: Policy,x,extra", "field"),
], ids=["MAI 12", "a fifth field"])
def test_mue_rows_are_read_exactly(tmp_path, row, word):
    """An MAI is 1, 2 or 3 followed by its words (`12` is none of them), and an MUE row has four fields."""
    name = "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"
    errors = _errors(tmp_path, f'table mue "cms/{name}"\n',
                     {name: MUE_HEADER.format(column="Practitioner Services MUE Values") + row + "\n"})
    assert len(errors) == 1 and word in errors[0], errors


def test_the_older_facility_mue_header_names_a_hospital_table(tmp_path):
    """A hospital MUE file headed "Facility Outpatient Hospital Services MUE Values" (the older name) serves
    institutional claims, and is refused for professional ones (RR514)."""
    name = "MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv"
    text = (MUE_HEADER.format(column="Facility Outpatient Hospital Services MUE Values")
            + "74177,1,2 Date of Service Edit: Policy,x\n")
    rules = _ruleset(tmp_path, f'table mue "cms/{name}" for institutional claims\n', {name: text})
    claim = {"type": "institutional", "lines": [{"code": "74177", "units": 2, "date": "2026-08-03"}]}
    assert findings(both(rules, claim)) == [("ncci.mue", (1,))]
    errors = _errors(tmp_path / "other", f'table mue "cms/{name}"\n', {name: text})
    assert [e[:5] for e in errors] == ["RR514"]


def _addon_rules(tmp_path, rows: str, header: str = AOC_HEADER, name: str = "aoc_v2026q3.csv"):
    return _ruleset(tmp_path, f'table addon "cms/{name}"\n', {name: header + rows})


def test_a_deletion_date_of_nines_is_no_deletion(tmp_path):
    """CMS writes "no deletion" as 99999999 (or 9999999 in Julian) too: the edit stays in force."""
    rules = _addon_rules(tmp_path, "74177,76376,1,,,,2010001,99999999\n")
    assert findings(both(rules, {"lines": [{"code": "76376", "date": "2030-01-02"}]})) == [("ncci.addon", (1,))]


def test_a_julian_date_past_the_years_end_is_an_error(tmp_path):
    """2026366 is no day of 2026 (it is not a leap year), not 2027-01-01."""
    errors = _errors(tmp_path, 'table addon "cms/aoc_v2026q3.csv"\n',
                     {"aoc_v2026q3.csv": AOC_HEADER + "74177,76376,1,,,,2026366,\n"})
    assert len(errors) == 1 and errors[0].startswith("RR508")


def test_an_add_on_edit_ends_with_the_add_on_code(tmp_path):
    """An edit ends on its own deletion date or the add-on code's, whichever comes first."""
    rules = _addon_rules(tmp_path, "74177,76376,1,,2026273,,2010001,2026365\n")
    for date, denied in (("2026-09-30", True), ("2026-10-01", False)):  # 2026273 is September 30
        assert bool(findings(both(rules, {"lines": [{"code": "76376", "date": date}]}))) is denied, date


def test_contractor_primaries_take_any_primary(tmp_path):
    """A type 2 add-on with CCCCC rows lets the contractor name its primaries: any line of the claim may be
    one, even when the file also lists some primaries for the same window."""
    rules = _addon_rules(tmp_path, "CCCCC,76377,2,,,,2010001,\n74177,76377,2,,,,2010001,\n")
    claim = {"lines": [{"code": "70450", "date": "2026-08-03"}, {"code": "76377", "date": "2026-08-03"}]}
    assert findings(both(rules, claim)) == []


def test_a_deletion_date_column_is_the_edits(tmp_path):
    """A CSV export headed "Deletion Date" gives the edit's deletion date."""
    header = "Primary Code,Add-on Code,AOC Edit Type,Effective Date,Deletion Date\n"
    rules = _addon_rules(tmp_path, "74177,76376,1,2010001,2026181\n", header=header)
    for date, denied in (("2026-06-30", True), ("2026-07-01", False)):
        assert bool(findings(both(rules, {"lines": [{"code": "76376", "date": date}]}))) is denied, date


def test_a_fourth_quarter_add_on_file_takes_effect_in_october(tmp_path):
    """aoc_v2026q4.csv is in force from 2026-10-01 (language.md, versions: the quarter in the name)."""
    rules = _addon_rules(tmp_path, "74177,76376,1,,,,2010001,\n", name="aoc_v2026q4.csv")
    assert rules.tables[0].start == radrules.claim.dt.date(2026, 10, 1).toordinal()


# ---------------------------------------------------------------- X12 readers (readers.md)

from test_readers_x12 import HEAD, read, x12  # noqa: E402

LINE = ("LX*1", "SV1*HC:71046*10*UN*1***1", "DTP*472*D8*20260302")


def _one_x12(*segments, head=HEAD):
    items = read(x12("CLM*C1*10***11:B:1", *segments, head=head))
    assert len(items) == 1, items
    return items[0]


def test_x12_sbr09_16_is_no_medicare():
    """SBR09 `16` (Medicare Advantage HMO) is named by its payer, not `medicare`."""
    head = [s if not s.startswith("SBR") else "SBR*P*18*******16" for s in HEAD]
    assert _one_x12("HI*ABK:J189", *LINE, head=head).payer == "example health plan"


@pytest.mark.parametrize("segments, words", [
    (["HI*ABK:J189", "LX*1", "SV1*HC:71046*10*UN*1***1", "DTP*472*D8*2026032"], "not a D8 date"),
    (["HI*ABK:J189", "LX*1", "SV1*HC:71046*10*UN*1***1", "DTP*472*RD8*20260302-"], "RD8 range"),
    (["HI*ABF:R0789*BF:7865", *LINE], "mixes ICD-9-CM"),
    (["HI*ABN:V0001XXA*ABF:R0789", *LINE], "HI01 holds a ABN code and HI02 a diagnosis"),
    (["HI*ABK:R0789*R1110", *LINE], "HI02 has no code after its qualifier"),
    (["HI*ABK:J189", "LX*1", "SV1*HC:71046*1e16*UN*1***1", "DTP*472*D8*20260302"], "under 10^15"),
    (["HI*ABK:J189", "DTP*434*RD8*20260301-20260302", "LX*1", "SV1*HC:71046*10*UN*1***1"], "no service date"),
], ids=["D8 of 7 digits", "RD8 without its end", "ICD-9 and ICD-10 without a principal", "ABN before a diagnosis",
        "a code without its qualifier", "a charge of 10^16", "an 837P statement period"])
def test_x12_values_the_guide_refuses(segments, words):
    (error,) = read(x12("CLM*C1*10***11:B:1", *segments))
    assert isinstance(error, radrules.InputError) and words in error.problem, error


def test_x12_an_sv1_without_lx_starts_a_line():
    """An SV1 before any LX starts a service line; it does not replace the line before. After an LX, a second SV1
    is that line's second: an error, neither a replacement nor a line of its own (docs/readers.md)."""
    claim = _one_x12("HI*ABK:J189", *LINE[1:], "SV1*HC:71045*10*UN*1***1", "DTP*472*D8*20260302")
    assert [line.code for line in claim.lines] == ["71046", "71045"]
    error = _one_x12("HI*ABK:J189", *LINE, "SV1*HC:71045*10*UN*1***1", "DTP*472*D8*20260302")
    assert error.segment_id == "SV1" and error.problem.startswith("a second SV1 in one service line")


def test_x12_rendering_npi_needs_nm108_xx():
    claim = _one_x12("HI*ABK:J189", "NM1*82*1*X*****24*123456789", *LINE)
    assert claim.lines[0].rendering_npi is None


def test_x12_each_different_prior_auth_once():
    claim = _one_x12("HI*ABK:J189", "REF*G1*PA1", *LINE, "REF*G1*PA1")
    assert claim.prior_auth == ("PA1",)


def test_x12_member_id_needs_nm108_mi():
    head = [s if not s.startswith("NM1*IL") else "NM1*IL*1*EXAMPLE*PAT****II*M1" for s in HEAD]
    assert _one_x12("HI*ABK:J189", *LINE, head=head).patient.id is None


def test_x12_gs08_names_the_guide_when_st03_is_empty():
    """The guide comes from ST03, or GS08 when ST03 is empty: an 837I by GS08 reads SV2 lines."""
    head = [s.replace("005010X222A1", "005010X223A2") if s.startswith("GS") else
            ("ST*837*0001" if s.startswith("ST") else s) for s in HEAD]
    claim = _one_x12("HI*ABK:J189", "LX*1", "SV2*0320*HC:71046*10*UN*1", "DTP*472*D8*20260302", head=head)
    assert claim.type == "institutional" and claim.lines[0].revenue_code == "0320"


# ---------------------------------------------------------------- FHIR reader (readers.md)

from test_readers_fhir import read_one, resource  # noqa: E402


def _fhir_claim():
    data = resource()
    data["insurance"] = [{"sequence": 1, "coverage": {"display": "a"}, "preAuthRef": ["PA1"]},
                         {"sequence": 2, "coverage": {"display": "b"}, "preAuthRef": ["PA2"]}]
    return data


def test_fhir_without_a_focal_insurance_the_first_is_focal():
    assert read_one(_fhir_claim()).prior_auth == ("PA1",)


def test_fhir_the_icd_coding_of_a_diagnosis_is_preferred():
    data = resource()
    data["diagnosis"][0]["diagnosisCodeableConcept"]["coding"].insert(
        0, {"system": "http://snomed.info/sct", "code": "29857009"})
    assert read_one(data).diagnoses == read_one(resource()).diagnoses


def test_fhir_item_money_revenue_and_pointers():
    """`net` is the charge (then `unitPrice`); revenue codes and every-diagnosis pointers are for
    institutional items only."""
    data = resource()
    item = data["item"][0]
    item.pop("diagnosisSequence", None)
    item.update(net={"value": 100}, unitPrice={"value": 50}, revenue={"coding": [{"code": "0320"}]})
    line = read_one(data).lines[0]
    assert (line.charge, line.revenue_code, line.diagnosis_pointers) == (100, None, ())


def test_fhir_the_rendering_npi_is_the_first_care_team_members():
    data = resource()
    npi = {"system": "http://hl7.org/fhir/sid/us-npi"}
    data["contained"] += [{"resourceType": "Practitioner", "id": "p1", "identifier": [dict(npi, value="1234567893")]},
                          {"resourceType": "Practitioner", "id": "p2", "identifier": [dict(npi, value="1245319599")]}]
    data["careTeam"] = [{"sequence": 1, "provider": {"reference": "#p1"}},
                        {"sequence": 2, "provider": {"reference": "#p2"}}]
    data["item"][0]["careTeamSequence"] = [1, 2]
    assert read_one(data).lines[0].rendering_npi == "1234567893"


def test_fhir_only_an_mb_identifier_of_the_patient_is_the_member_id():
    data = resource()
    data["insurance"] = [{"sequence": 1, "focal": True, "coverage": {"display": "x"}}]
    patient = next(r for r in data["contained"] if r["resourceType"] == "Patient")
    patient["identifier"] = [{"type": {"coding": [{"code": "MR"}]}, "value": "MRN9"}]
    assert read_one(data).patient.id is None
    patient["identifier"][0]["type"]["coding"][0]["code"] = "MB"
    assert read_one(data).patient.id == "MRN9"


# ---------------------------------------------------------------- sets (language.md)


def _fires(sets: str, diagnosis: str) -> bool:
    rules = radrules.loads(f'{sets}\nrule t.x\n  when claim.diagnoses has any of x\n  then info line "x"\n'
                           '  reference "r"\nend\n')
    return bool(rules.evaluate({"diagnoses": [diagnosis], "lines": [{"code": "71046", "date": "2026-03-02"}]}).findings)


@pytest.mark.parametrize("sets, diagnosis, fires", [
    ("diagnoses x = C3410, C3411, D10* except C34*", "C34.10", False),
    ("diagnoses x = C3410, C3411, D10* except C34*", "D10.1", True),
    ("diagnoses x = C341* except C34*", "C34.10", False),
    ("diagnoses x = R1010-R1010", "R10.10", True),
], ids=["except a prefix removes codes", "the rest stays", "except a prefix removes a narrower one",
        "a one-code range"])
def test_set_expressions(sets, diagnosis, fires):
    assert _fires(sets, diagnosis) is fires


def test_range_ends_differ_only_in_digits():
    with pytest.raises(radrules.RuleError, match="RR208"):
        radrules.loads("diagnoses x = R1010A-R1012B\n")


# ---------------------------------------------------------------- compiling: indexes, levels, checks (language.md)


def _rule(when: str, then: str = 'deny line "no"', extra: str = "") -> str:
    return f'{extra}rule t.x\n  when {when}\n  then {then}\n  reference "r"\nend\n'


def _lines(*codes, **claim) -> dict:
    return dict(claim, lines=[{"code": code, "date": "2026-03-02", "units": 1} for code in codes])


@pytest.mark.parametrize("when, claim, expected", [
    ("line.place_of_service not in [11]", _lines("70450", place_of_service="22"), [("t.x", (1,))]),
    ("line.code != 70450", _lines("70450", "70460"), [("t.x", (2,))]),
    ("line.code is 70450 and other.code not in [70450]", _lines("70450", "70460"), [("t.x", (1,))]),
], ids=["place not in", "code !=", "other code not in"])
def test_negated_tests_are_no_index_keys(when, claim, expected):
    """`not in` and `!=` are true of every other value: a rule is not filed under the values they name."""
    assert findings(both(radrules.loads(_rule(when)), claim)) == expected


def test_payer_rows_win_over_claim_type_rows():
    """Rows of a `for payer` block win over those of a `for ... claims` block (language.md, which rows win)."""
    rules = radrules.loads('limits acme.mue\n  for payer acme\n  reference "r"\n  limit 70450 max 5 mai 1\nend\n'
                           'limits prof.mue\n  for professional claims\n  reference "r"\n'
                           '  limit 70450 max 2 mai 1\nend\n')
    claim = {"type": "professional", "payer": "acme", "lines": [{"code": "70450", "date": "2026-03-02", "units": 3}]}
    assert findings(both(rules, claim)) == []


@pytest.mark.parametrize("text, code", [
    (_rule("line.code is 70450", 'deny line "born {patient.birth_date}"'), "RR212"),
    (_rule("line.code is 70450 and other.code is 70460", 'deny claim "no"'), "RR214"),
    (_rule("claim also has [70460] on the same date", 'deny claim "no"'), "RR214"),
    (_rule("line.code between 70000 and 79999"), "RR209"),
    (_rule("line.code < 70460"), "RR209"),
    (_rule("line.units between line.date and 9"), "RR209"),
    (_rule("history has [70450] since line.units"), "RR209"),
    (_rule("history has [70450] within 0 days"), "RR210"),
], ids=["birth date shown", "pair rule on the claim", "also has on the same date, on the claim", "between codes",
        "< on codes", "between a number and a date", "since a number", "within 0 days"])
def test_rules_the_compiler_refuses(text, code):
    with pytest.raises(radrules.RuleError) as raised:
        radrules.loads(text)
    assert code in [d.code for d in raised.value.errors]


def test_rr304_is_for_the_same_dates_and_indicator():
    """Two rows of one pair with other indicators are no repeat (errors.md RR304): they disagree (RR309)."""
    rules = radrules.loads('pairs acme.ptp\n  reference "r"\n  pair 74176 with 74150 modifier 0\n'
                           '  pair 74176 with 74150 modifier 1\nend\n')
    assert [w.code for w in rules.warnings] == ["RR309"]


def test_999_lines_on_both_read_paths():
    """1 to 999 lines (claim-format.md), on the fast path and on the checked one (an upper-case
    diagnosis_system, accepted in any case, takes the checked path)."""
    lines = [{"code": "70450", "date": "2026-03-02"}] * 999
    assert len(radrules.Claim.from_dict({"lines": lines, "diagnosis_system": "ICD10"}).lines) == 999
    for data in ({"lines": lines + lines[:1]}, {"lines": lines + lines[:1], "diagnosis_system": "ICD10"}):
        with pytest.raises(radrules.ClaimError, match="at most 999"):
            radrules.Claim.from_dict(data)


def test_explain_reads_the_payer_in_lower_case_and_names_the_shared_date():
    """explain says why a rule was not considered as evaluation decides it: payers in lower case; a pair
    rule on a one-line claim has no two lines on a date."""
    rules = radrules.loads('rule t.x\n  for payer acme\n  when line.code is 70460\n  then deny line "no"\n'
                           '  reference "r"\nend\n'
                           + _rule("line.code is 70450 and other.code is 70460").replace("t.x", "t.pair"))
    explanation = rules.evaluate({"payer": "Acme", "lines": [{"code": "70450", "date": "2026-03-02"}]},
                                 explain=True).explanation
    reasons = dict(explanation.not_considered)
    assert "payer" not in reasons["t.x"] and "code" in reasons["t.x"]
    assert "share a date" in reasons["t.pair"]
