"""Native radiology coding warnings of the bundled rules (domain.md §6): warnings only, and they step aside."""

from __future__ import annotations

import pytest

from builders import claim, fired, line, only

DOS = "2026-03-02"


class TestContrastFamilies:
    def test_split_contrast_warns_on_both_lines(self, bundled):
        """Without and with contrast of one family, no combined code: one warning on both lines."""
        result = bundled.evaluate(claim(line("70450", DOS), line("70460", DOS)))
        finding = only(result, "radiology.contrast.split")
        assert (finding.severity, finding.lines, finding.carc) == ("warn", (1, 2), None)
        assert finding.message == (
            "70450 and 70460 on 2026-03-02: report the one code for without, then with contrast")
        assert result.passed is True

    def test_split_steps_aside_for_the_combined_code(self, bundled):
        """With the combined code on the date, only the combined-code warnings remain."""
        result = bundled.evaluate(claim(line("70450", DOS), line("70460", DOS), line("70470", DOS)))
        assert fired(result) == {"radiology.contrast.combined"}
        assert sorted(f.lines for f in result.findings) == [(1,), (2,)]

    def test_different_families_do_not_split(self, bundled):
        """Without contrast of one family and with contrast of another are no split."""
        assert bundled.evaluate(claim(line("70450", DOS), line("71260", DOS))).findings == ()

    @pytest.mark.parametrize("modifier", ["XE", "59", "76", "77"])
    def test_separate_encounter_or_repeat_steps_aside(self, bundled, modifier):
        """XE, 59, 76 or 77 on either line silences the native pair rules."""
        result = bundled.evaluate(claim(line("70450", DOS, modifiers=[modifier]), line("70460", DOS)))
        assert result.findings == ()

    def test_different_dates_do_not_pair(self, bundled):
        """The two family members on different dates are no split."""
        assert bundled.evaluate(claim(line("70450", DOS), line("70460", "2026-03-03"))).findings == ()


class TestOtherNativeRules:
    def test_abdomen_and_pelvis_split(self, bundled):
        """CT abdomen and CT pelvis on one date, for a payer without PTP rows: a warning on both lines."""
        result = bundled.evaluate(claim(line("74150", DOS), line("72192", DOS), payer="bcbs"))
        assert only(result, "radiology.abdomen_pelvis.split").lines == (1, 2)

    def test_abdomen_pelvis_overlap_steps_aside_for_acme_edit(self, bundled):
        """For Acme the PTP edit 74176/72192 wins over the native overlap warning."""
        result = bundled.evaluate(claim(line("74176", DOS), line("72192", DOS), payer="acme", prior_auth="PA1"))
        assert fired(result) == {"acme.ptp"}

    def test_abdomen_pelvis_overlap_for_other_payers(self, bundled):
        """Without a PTP edit, the single-region line gets the overlap warning."""
        result = bundled.evaluate(claim(line("74176", DOS), line("72192", DOS), payer="bcbs"))
        assert only(result, "radiology.abdomen_pelvis.overlap").lines == (2,)

    def test_chest_views(self, bundled):
        """Two different chest x-ray view codes on one date warn on both lines; two equal codes do not."""
        result = bundled.evaluate(claim(line("71045", DOS), line("71047", DOS)))
        assert only(result, "radiology.chest_xray.views").lines == (1, 2)
        assert "radiology.chest_xray.views" not in fired(
            bundled.evaluate(claim(line("71046", DOS), line("71046", DOS, modifiers=["76"]))))

    def test_contrast_agent_with_a_contrast_study(self, bundled):
        """A contrast agent with a with-contrast study on its date is expected."""
        assert bundled.evaluate(claim(line("74177", DOS), line("Q9967", DOS, units=80))).findings == ()

    def test_mammography_gg(self, bundled):
        """A diagnostic mammogram beside a screening one wants GG; with GG it is quiet."""
        result = bundled.evaluate(claim(line("77067", DOS), line("77066", DOS)))
        assert only(result, "radiology.mammography.gg").lines == (2,)
        assert bundled.evaluate(claim(line("77067", DOS), line("77066", DOS, modifiers=["GG"]))).findings == ()

    def test_3d_rendering_rules(self, bundled):
        """Both 3D rendering codes, or 3D rendering with an angiography, warn on the rendering line."""
        result = bundled.evaluate(claim(line("76376", DOS), line("76377", DOS), line("71275", DOS)))
        assert {(f.rule, f.lines) for f in result.findings} == {
            ("radiology.rendering_3d.both", (1,)),
            ("radiology.rendering_3d.angiography", (1,)),
            ("radiology.rendering_3d.angiography", (2,)),
        }

    def test_ultrasound_complete_and_limited(self, bundled):
        """A limited and a complete ultrasound of the same region warn on the limited line."""
        result = bundled.evaluate(claim(line("76700", DOS), line("76705", DOS)))
        assert only(result, "radiology.ultrasound.complete_limited").lines == (2,)
        assert bundled.evaluate(claim(line("76700", DOS), line("76775", DOS))).findings == ()
