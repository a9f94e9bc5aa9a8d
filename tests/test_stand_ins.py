"""`unless table KIND`: rule-file data that stands in for a CMS table, left out where a loaded table serves.

The bundled PC/TC indicators (`modifiers/pctc.rr`) and add-on rows (`radiology/addons.rr`) are such stand-ins:
loaded beside a folder of CMS tables, the tables decide.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import radrules

from builders import ROOT, claim, fired, line

CMS = Path(__file__).parent / "data" / "cms"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def pctc_tables(tmp_path) -> Path:
    """A folder of CMS tables: the PPRRVU specimen with 74177's PC/TC indicator set to 2 (professional only)."""
    rows = (CMS / "PPRRVU26_JUL.csv").read_text(encoding="latin-1").splitlines(keepends=True)
    changed = []
    for row in rows:
        if row.startswith("74177,"):
            fields = row.split(",")
            fields[13] = "2"  # PCTC IND
            row = ",".join(fields)
        changed.append(row)
    (tmp_path / "cms" / "files").mkdir(parents=True)
    (tmp_path / "cms" / "files" / "PPRRVU26_JUL.csv").write_text("".join(changed), encoding="latin-1")
    _write(tmp_path / "cms" / "mpfs.rr", 'table pctc "files/PPRRVU26_JUL.csv"\n')
    return tmp_path / "cms"


@pytest.fixture
def addon_tables(tmp_path) -> Path:
    """A folder with the AOC specimen plus a row that accepts 77061 as a primary of 77063."""
    text = (CMS / "aoc_v2026q3.csv").read_text(encoding="latin-1")
    (tmp_path / "aoc" / "files").mkdir(parents=True)
    (tmp_path / "aoc" / "files" / "aoc_v2026q3.csv").write_text(
        text.rstrip("\n") + "\n77061,77063,1,,,,2017001,\n", encoding="latin-1")
    _write(tmp_path / "aoc" / "aoc.rr", 'table addon "files/aoc_v2026q3.csv"\n')
    return tmp_path / "aoc"


TC_CLAIM = claim(line("74177", modifiers=["TC"]), id="S-1")
TOMO_CLAIM = claim(line("77061"), line("77063"), id="S-2")


def test_a_loaded_pctc_table_decides_over_the_bundled_indicators(pctc_tables):
    """Bundled alone, 74177 has indicator 1 (TC is fine); beside a PPRRVU file that says 2, the file decides."""
    assert "modifier.pctc.technical" not in fired(radrules.load().evaluate(TC_CLAIM))
    both = radrules.load(pctc_tables, bundled=True, cache_dir=None)
    assert "modifier.pctc.technical" in fired(both.evaluate(TC_CLAIM))
    assert both.properties["pctc"].get("74177") is None  # the stand-in values are left out, not overridden


def test_a_loaded_addon_table_decides_over_the_bundled_rows(addon_tables):
    """The bundled row lists 77067 as 77063's only primary; the loaded file also accepts 77061."""
    assert "radiology.addon" in fired(radrules.load().evaluate(TOMO_CLAIM))
    both = radrules.load(addon_tables, bundled=True, cache_dir=None)
    result = both.evaluate(TOMO_CLAIM)
    assert result.passed and not fired(result) & {"radiology.addon", "ncci.addon"}
    assert "ncci.addon" in fired(both.evaluate(claim(line("71046"), line("77063"))))  # the file's edit applies
    gone = both.evaluate(TOMO_CLAIM, explain=True).explanation.not_considered
    assert gone["radiology.addon"].startswith(
        "a loaded `addon` table replaces it (it stands in for one: `unless table addon`, rulesets/radiology/addons.rr:")


def test_a_table_for_one_claim_type_leaves_the_stand_in_for_the_other(tmp_path):
    """An add-on table `for institutional claims` serves those only: professional claims keep the stand-in."""
    (tmp_path / "aoc" / "files").mkdir(parents=True)
    shutil.copy(CMS / "aoc_v2026q3.csv", tmp_path / "aoc" / "files")
    _write(tmp_path / "aoc" / "aoc.rr", 'table addon "files/aoc_v2026q3.csv" for institutional\n')
    both = radrules.load(tmp_path / "aoc", bundled=True, cache_dir=None)
    lone = claim(line("71046"), line("77063"), id="S-3")
    assert "radiology.addon" in fired(both.evaluate(lone))
    institutional = dict(lone, type="institutional")
    assert "radiology.addon" not in fired(both.evaluate(institutional))
    assert "ncci.addon" in fired(both.evaluate(institutional))


def test_without_a_table_the_stand_in_applies_and_a_payer_rule_may_use_the_clause():
    """No table of the kind: the clause changes nothing. Rules take it too (here: a hcpcs table stands in)."""
    rules = radrules.loads(
        'property pctc = 2 for 74177 unless table pctc\n'
        'rule p.placeholder "our code list, until the HCPCS file is loaded"\n'
        '  unless table hcpcs\n  when line.code is 0001U\n  then warn line "check {line.code}"\n'
        '  reference "test"\nend\n')
    assert rules.properties["pctc"]["74177"] == "2"
    assert "p.placeholder" in fired(rules.evaluate(claim(line("0001U"))))


def test_an_unknown_kind_is_rr501_and_a_repeated_clause_rr251():
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads('property pctc = 2 for 74177 unless table pctcc\n'
                       'limits p.mue\n  unless table mue\n  unless table mue\n  reference "t"\n'
                       '  limit 71046 max 1 mai 1\nend\n')
    assert [(e.code, e.message, e.span.line) for e in caught.value.errors] == [
        ("RR501", "unknown table kind `pctcc`", 1), ("RR251", "`unless table` is given twice", 4)]
    assert caught.value.errors[0].help == "did you mean `pctc`?"


@pytest.mark.parametrize("text", [
    "property pctc = 1 for 74177 unless table pctc\n",
    "property pctc = 1 for 70450-70498, 70540-70559,\n"
    "                      71045-71048  # chest\n"
    "    unless table pctc\n",
    'addons p.addon\n  unless table addon\n  reference "t"\n  addon 77063 type 1 primaries 77067\nend\n',
])
def test_the_clause_is_kept_by_fmt_in_its_canonical_place(text):
    assert radrules.format_rules(text) == text


def test_fmt_moves_the_clause_to_its_place_among_a_blocks_clauses():
    text = 'addons p.addon\n  unless table addon\n  reference "t"\n  addon 77063 type 1 primaries 77067\nend\n'
    shuffled = text.replace('  unless table addon\n  reference "t"\n', '  reference "t"\n  unless table addon\n')
    assert shuffled != text and radrules.format_rules(shuffled) == text


STAND_IN_RULES = """
pairs our.ptp "our pairs, until the CMS file"
  unless table ptp
  reference "t"
  pair 71046 with 71045 modifier not allowed
  pair 74176 with 74150 modifier not allowed
end

limits our.mue "our limits, until the CMS file"
  unless table mue
  reference "t"
  limit 71046 max 5 mai 1
  limit 77067 max 1 mai 2
end

limits acme.mue "a payer's own limit"
  for payer acme
  reference "t"
  limit 77067 max 3 mai 2
end

rule our.rule "a rule that stands in for the HCPCS file, for one payer"
  for payer acme
  unless table mue
  when line.code is 71046 and line.units > 2
  then warn line "{line.code}: {line.units} units"
  reference "t"
end
"""


@pytest.fixture
def stand_in_folder(tmp_path) -> Path:
    """Stand-in pairs, limits and a rule beside a PTP table (professional) and an MUE table (institutional)."""
    folder = tmp_path / "r"
    (folder / "cms").mkdir(parents=True)
    shutil.copy(CMS / "radiology-ptp-v322r0-f1.TXT", folder / "cms" / "ccipra-v322r0-f1.TXT")
    shutil.copy(CMS / "MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv", folder / "cms")
    _write(folder / "tables.rr", 'table ptp "cms/ccipra-v322r0-f1.TXT"\n'
           'table mue "cms/MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv" for institutional claims\n')
    _write(folder / "ours.rr", STAND_IN_RULES)
    return folder


def test_indexed_and_scan_lookups_agree_on_stand_ins(stand_in_folder):
    """The scan lookup (every row and rule checked) gives what the indexed one gives, stand-ins and tables mixed,
    for both claim types and payers."""
    import random

    rules = radrules.load(stand_in_folder, cache_dir=None)
    rng = random.Random(7)
    codes = ["71046", "71045", "74176", "74150", "77067", "70450", "70470"]
    for number in range(300):
        lines = [line(rng.choice(codes), units=rng.choice((1, 2, 3, 6))) for _ in range(rng.randint(1, 5))]
        given = claim(*lines, id=f"R-{number}", payer=rng.choice(("acme", "bcbs")),
                      type=rng.choice(("professional", "institutional")))
        assert rules.evaluate(given).to_dict() == rules.evaluate(given, indexed=False).to_dict(), given


def test_stand_ins_with_payers_claim_types_and_pickling(stand_in_folder):
    """The PTP table replaces our pairs on professional claims only; the MUE table our limits on institutional
    claims only; a payer's own limit is no stand-in; the rule is left out where an MUE table serves."""
    import pickle

    rules = pickle.loads(pickle.dumps(radrules.load(stand_in_folder, cache_dir=None)))
    pair = [line("71046"), line("71045")]
    assert "our.ptp" not in fired(rules.evaluate(claim(*pair)))
    assert "our.ptp" in fired(rules.evaluate(claim(*pair, type="institutional")))
    units = [line("71046", units=6)]
    assert "our.mue" in fired(rules.evaluate(claim(*units)))
    assert "our.mue" not in fired(rules.evaluate(claim(*units, type="institutional")))
    screenings = [line("77067", units=3)]
    assert "acme.mue" not in fired(rules.evaluate(claim(*screenings, payer="acme")))  # 3 allowed, not replaced
    assert "our.rule" in fired(rules.evaluate(claim(line("71046", units=3), payer="acme")))
    gone = rules.evaluate(claim(line("71046", units=3), payer="acme", type="institutional"),
                          explain=True).explanation.not_considered
    assert gone["our.rule"].startswith("a loaded `mue` table replaces it (it stands in for one: `unless table mue`,")


def test_coverage_leaves_out_what_tables_replace_everywhere(stand_in_folder):
    """A stand-in that loaded tables replace for every claim type its scope allows needs no tests."""
    from radrules.testing.coverage import rule_sources

    _write(stand_in_folder / "more.rr", 'pairs our.pro "professional only"\n  for professional claims\n'
           '  unless table ptp\n  reference "t"\n  pair 70470 with 70450 modifier allowed\nend\n')
    ids = set(rule_sources(radrules.load(stand_in_folder, cache_dir=None)))
    assert {"our.ptp", "our.mue", "our.rule"} <= ids and "our.pro" not in ids


def test_a_stand_in_property_is_checked_even_when_a_table_replaces_it(pctc_tables):
    """Its set, its name and its values are checked with or without the table: a typo never hides behind one."""
    _write(pctc_tables / "more.rr", "property bilateral = 1 for nosuchset unless table pctc\n"
                                    "property units = 1 for 74177 unless table pctc\n")
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load(pctc_tables, cache_dir=None)
    assert [e.code for e in caught.value.errors] == ["RR201", "RR307"]


def test_a_payers_own_value_wins_over_a_stand_in_without_a_table(tmp_path):
    """A plain `property` line beside the bundled stand-in gives its code its value, with no RR303."""
    _write(tmp_path / "payer" / "p.rr", "property pctc = 2 for 74177\n")
    both = radrules.load(tmp_path / "payer", bundled=True, cache_dir=None)
    assert both.properties["pctc"]["74177"] == "2"
    assert both.properties["pctc"]["74176"] == "1"  # the stand-in still gives the others
    assert "modifier.pctc.technical" in fired(both.evaluate(TC_CLAIM))
    with pytest.raises(radrules.RuleError) as caught:  # two stand-ins that disagree are still RR303
        radrules.loads("property pctc = 1 for 74177 unless table pctc\nproperty pctc = 2 for 74177 unless table pctc\n")
    assert [e.code for e in caught.value.errors] == ["RR303"]


def test_diff_shows_a_block_becoming_a_stand_in(tmp_path):
    """Adding `unless table` to a block that a loaded table then replaces is a change, in text and JSON."""
    for name, clause in (("old", ""), ("new", "  unless table addon\n")):
        (tmp_path / name / "cms").mkdir(parents=True)
        shutil.copy(CMS / "aoc_v2026q3.csv", tmp_path / name / "cms")
        _write(tmp_path / name / "r.rr", 'table addon "cms/aoc_v2026q3.csv"\n'
               f'addons our.addon\n{clause}  reference "t"\n  addon 77063 type 1 primaries 77067\nend\n')
    changes = radrules.diff_rulesets(radrules.load(tmp_path / "old", cache_dir=None),
                                     radrules.load(tmp_path / "new", cache_dir=None))
    assert "replaced by: no table -> a loaded addon table, for professional claims" in changes.to_text()
    (change,) = [c for family in changes.to_dict()["families"] for rule in family["rules"]
                 for c in rule["changes"] if c["rule"] == "our.addon"]
    assert change["new"]["replaced_by_table"] == [{"kind": "addon", "claim_types": ["professional"]}]


def test_check_counts_the_stand_ins_tables_replace(tmp_path):
    """`radrules check` says how many stand-in rules and rows the loaded tables replace on every claim."""
    from radrules.cli import main as cli_main

    (tmp_path / "aoc" / "cms").mkdir(parents=True)
    shutil.copy(CMS / "aoc_v2026q3.csv", tmp_path / "aoc" / "cms")
    one = 'table addon "cms/aoc_v2026q3.csv"\n'
    _write(tmp_path / "aoc" / "aoc.rr", one)
    assert radrules.load(tmp_path / "aoc", bundled=True, cache_dir=None).describe()["replaced"] == \
        {"rules": 0, "rows": 0}  # institutional claims keep the bundled add-on rows
    _write(tmp_path / "aoc" / "aoc.rr", one + one.replace("\n", " for institutional\n"))
    bundled = radrules.load(ROOT / "rulesets", cache_dir=None)
    rows = sum(1 for row in bundled.rows if row.block.info.id == "radiology.addon")  # (the bundled add-on rows)
    assert rows > 0
    assert radrules.load(tmp_path / "aoc", bundled=True, cache_dir=None).describe()["replaced"] == \
        {"rules": 0, "rows": rows}
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert cli_main(["check", "--bundled", str(tmp_path / "aoc")]) == 0
    assert f"left out, as the loaded tables replace them (`unless table`): 0 rules, {rows} edit rows" in out.getvalue()


def test_diff_of_a_block_of_disable_rows_becoming_a_stand_in(tmp_path):
    """Its disable rows are the same rows: the change is the block's `replaced by`, not a row added and removed."""
    for name, clause in (("old", ""), ("new", "  unless table ptp\n")):
        (tmp_path / name / "cms").mkdir(parents=True)
        shutil.copy(CMS / "radiology-ptp-v322r0-f1.TXT", tmp_path / name / "cms" / "ccipra-v322r0-f1.TXT")
        _write(tmp_path / name / "r.rr", 'table ptp "cms/ccipra-v322r0-f1.TXT"\n'
               f'pairs p.ptp\n  for payer harbor\n{clause}  reference "t"\n  disable pair 74176 with 74150\nend\n')
    text = radrules.diff_rulesets(radrules.load(tmp_path / "old", cache_dir=None),
                                  radrules.load(tmp_path / "new", cache_dir=None)).to_text()
    assert "replaced by: no table -> a loaded ptp table, for professional claims" in text
    assert "disable pair" not in text
