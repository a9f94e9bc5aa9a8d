"""`unless table KIND`: rule-file data that stands in for a CMS table, left out where a loaded table serves.

The bundled PC/TC indicators (`modifiers/pctc.rr`) and add-on rows (`radiology/addons.rr`) are such stand-ins:
loaded beside a folder of CMS tables, the tables decide.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import radrules

from builders import claim, fired, line

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
        "a loaded `addon` table stands in for it (`unless table addon`, rulesets/radiology/addons.rr:")


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
    shuffled = text.replace('  unless table addon\n  reference "t"\n', '  reference "t"\n  unless table addon\n')
    assert radrules.format_rules(shuffled) == text
