"""The bundled rulesets against the example claims (examples/claims.json), and packaging smoke tests.

Expectations come from reading the rule files and domain.md, one reason per claim.
"""

from __future__ import annotations

import pytest

import radrules

from builders import example_claims

#: claim id -> (passed, {rule id: lines})
EXPECTED = {
    # Medicare, 74177-26 in a hospital, on time: 26 is valid (PC/TC 1) and needed there.
    "C-1001": (True, {}),
    # Acme: 74176 with 74150 on one date, no bypass modifier: Acme's PTP pair denies 74150.
    # The native abdomen/pelvis overlap warning steps aside for the active PTP edit.
    "C-1002": (False, {"acme.ptp": [(2,)]}),
    # Acme: XE on the column 1 line bypasses (Acme's `either` placement); the native rule
    # steps aside for XE and for the PTP edit; a prior authorization is on file.
    "C-1003": (True, {}),
    # Acme: 77067 twice on one date (76 on the second): MAI 2 sums to 2 > 1, both lines denied;
    # 76 makes the second line a repeat, not a duplicate.
    "C-1004": (False, {"acme.mue": [(1, 2)]}),
    # 77063 (type 1 add-on) without 77067.
    "C-1005": (False, {"radiology.addon": [(1,)]}),
    # 77067 with 77063, a 71-year-old woman: nothing to say.
    "C-1006": (True, {}),
    # 26 and TC on one line.
    "C-1007": (False, {"modifier.conflict.professional_technical": [(1,)]}),
    # Two identical 71046-26 lines: the second is an exact duplicate.
    "C-1008": (False, {"duplicate.line": [(2,)]}),
    # The same, but the second line carries 76: a repeat.
    "C-1009": (True, {}),
    # 70450 with 70470 (without, then with contrast, CT head): a coding warning on 70450 only.
    "C-1010": (True, {"radiology.contrast.combined": [(1,)]}),
    # Acme: MRI lumbar spine (advanced imaging) in an office without prior authorization.
    "C-1011": (False, {"acme.prior_auth.missing": [(1,)]}),
    # Acme: MRI brain in urgent care (POS 23, exempt from prior authorization), 26 in a facility.
    "C-1012": (True, {}),
    # Medicare LDCT, 65 years old, Z87.891 pointed to: covered.
    "C-1013": (True, {}),
    # Medicare LDCT with Z12.2 alone: not a smoking-history diagnosis.
    "C-1014": (False, {"medicare.ldct.diagnosis": [(1,)]}),
    # Medicare screening mammography at 33.
    "C-1015": (False, {"medicare.mammography.age": [(1,)]}),
    # Medicare: service 2025-01-08, received 2026-02-10: more than 12 months.
    "C-1016": (False, {"medicare.timely_filing": [(1,)]}),
    # Line 1 points to diagnosis 3 of 1; line 2's code has four digits.
    "C-1017": (False, {"format.diagnosis_pointer": [(1,)], "format.code": [(2,)]}),
    # 73562 with 50 and LT and 2 units: 50 with a side, and 50 with more than one unit.
    "C-1018": (False, {"modifier.conflict.bilateral_side": [(1,)], "modifier.bilateral.units": [(1,)]}),
    # Medicare: screening 77067 with diagnostic 77066 (no GG) and G0279 (its primary 77066 is paid).
    "C-1019": (True, {"radiology.mammography.gg": [(2,)]}),
    # Institutional: 74176 (without contrast) and iodinated contrast Q9967: agent with no contrast study.
    "C-1020": (True, {"radiology.contrast_agent.no_study": [(2,)]}),
    # Acme: 71046 with 71045-XS: indicator 0, XS does not help.
    "C-1021": (False, {"acme.ptp": [(2,)]}),
    # 71260 and 76376 on different dates: no 3D-with-angiography pairing (71260 is no angiography anyway).
    "C-1022": (True, {}),
}
BUNDLED_RULE_IDS = {
    "acme.mue", "acme.prior_auth.missing", "acme.ptp", "duplicate.line",
    "medicare.ldct.age", "medicare.ldct.age_2015", "medicare.ldct.diagnosis", "medicare.mammography.age",
    "medicare.mammography.sex", "medicare.mammography.sex_institutional", "medicare.timely_filing",
    "modifier.bilateral.invalid", "modifier.bilateral.units", "modifier.conflict.bilateral_side",
    "modifier.conflict.distinct", "modifier.conflict.liability", "modifier.conflict.professional_technical",
    "modifier.conflict.discontinued_anesthesia", "modifier.conflict.reduced_discontinued",
    "modifier.conflict.reduced_facility_discontinued", "modifier.discontinued.hospital",
    "modifier.discontinued.professional", "modifier.pctc.facility", "modifier.pctc.professional",
    "modifier.pctc.technical", "modifier.pricing_first", "modifier.reduction.ct", "modifier.reduction.film",
    "modifier.sides_one_line",
    "radiology.abdomen_pelvis.overlap", "radiology.abdomen_pelvis.split", "radiology.addon",
    "radiology.chest_xray.views", "radiology.contrast.combined", "radiology.contrast.split",
    "radiology.contrast_agent.no_study", "radiology.mammography.gg", "radiology.rendering_3d.angiography",
    "radiology.rendering_3d.both", "radiology.rendering_3d.tomosynthesis", "radiology.ultrasound.complete_limited",
}
CLAIMS = {c["id"]: c for c in example_claims()}


def test_every_example_has_an_expectation():
    """Each example claim is checked, and each expectation names an example claim."""
    assert set(CLAIMS) == set(EXPECTED)


@pytest.mark.parametrize("claim_id", sorted(EXPECTED))
def test_example_claim(bundled, claim_id):
    """An example claim fires exactly the rules its expectation names, on those lines."""
    passed, expected = EXPECTED[claim_id]
    result = bundled.evaluate(CLAIMS[claim_id])
    found: dict = {}
    for finding in result.findings:
        found.setdefault(finding.rule, []).append(finding.lines)
    assert found == expected
    assert result.passed is passed
    assert result.claim == claim_id


@pytest.mark.parametrize("claim_id", sorted(EXPECTED))
def test_example_claim_on_the_scan_path(bundled, claim_id):
    """The unindexed path gives the same result for every example claim."""
    claim = CLAIMS[claim_id]
    assert bundled.evaluate(claim, indexed=False).to_dict() == bundled.evaluate(claim).to_dict()


class TestBundledRulesets:
    def test_load_without_arguments(self):
        """`radrules.load()` compiles the bundled rulesets without warnings."""
        ruleset = radrules.load()
        assert ruleset.name == "radrules"
        assert ruleset.warnings == ()
        assert ruleset.payers == frozenset({"acme", "medicare"})

    def test_bundled_rule_ids(self):
        """The bundled rule ids are stable: every documented id is present."""
        assert BUNDLED_RULE_IDS <= set(radrules.load().rule_ids())

    def test_every_bundled_rule_cites_a_source(self, bundled):
        """Every bundled rule and edit block has a reference and a source location."""
        for compiled in bundled.rules:
            assert compiled.info.reference, compiled.info.id
            assert compiled.info.source.startswith("rulesets/"), compiled.info.source
        for row in bundled.rows:
            assert row.block.info.reference, row.block.info.id

    def test_bundled_native_coding_rules_are_warnings(self, bundled):
        """Native radiology coding rules are warnings only (domain.md §6)."""
        coding = [r for r in bundled.rules if r.info.kind == "coding"]
        assert coding
        assert {r.info.severity for r in coding} == {"warn"}

    def test_version_is_exported(self):
        """The package exports its version and public names."""
        assert radrules.__version__ == "0.1.0"
        assert {"load", "loads", "Claim", "ClaimError", "RuleError", "Result", "Finding"} <= set(radrules.__all__)

    def test_typed(self):
        """A typed package (py.typed, which the wheel ships with the package folder): load() and loads() are
        annotated, and read_history's return type is exported."""
        import typing
        from pathlib import Path

        assert (Path(radrules.__file__).parent / "py.typed").is_file()
        assert typing.get_type_hints(radrules.load)["return"] is radrules.Ruleset
        assert typing.get_type_hints(radrules.loads)["return"] is radrules.Ruleset
        assert typing.get_type_hints(radrules.read_history)["return"] is radrules.JsonlHistory
        assert "JsonlHistory" in radrules.__all__

    def test_type_checkers_see_the_lazy_names_and_no_others(self):
        """The names imported when first used are imported under TYPE_CHECKING, with their real types, and
        `__getattr__` is hidden from type checkers, so a misspelt `radrules.lod` is an error there as here."""
        import ast
        from pathlib import Path

        tree = ast.parse(Path(radrules.__file__).read_text(encoding="utf-8"))
        checked, hidden = set(), set()
        for node in tree.body:
            if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "not TYPE_CHECKING"):
                for inner in node.body:
                    if isinstance(inner, ast.ImportFrom):
                        checked |= {alias.name for alias in inner.names}
                    if isinstance(inner, ast.FunctionDef) and ast.unparse(node.test) == "not TYPE_CHECKING":
                        hidden.add(inner.name)
        assert checked == set(radrules._LAZY) and hidden == {"__getattr__"}
        with pytest.raises(AttributeError, match="has no attribute 'lod'"):
            radrules.lod  # noqa: B018

    def test_loading_the_bundled_folder_by_path(self):
        """Loading the repository's rulesets/ folder gives the same rules as `load()`."""
        from builders import RULESETS

        assert radrules.load(RULESETS).rule_ids() == radrules.load().rule_ids()
