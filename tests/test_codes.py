"""radrules.codes: the ranges of diagnoses, in ICD-10-CM Tabular order."""

from __future__ import annotations

import pytest

from radrules import codes


class TestDiagnosisRanges:
    def test_categories_with_a_letter_sit_where_the_tabular_puts_them(self):
        """C4A follows C43, C7A and C7B follow C75, D3A follows D36 (each before the next category of digits)."""
        malignant = codes.expand_diagnosis_range("C00", "C96")
        assert malignant[malignant.index("C43"):malignant.index("C43") + 3] == ["C43", "C4A", "C44"]
        assert malignant[malignant.index("C75"):malignant.index("C75") + 4] == ["C75", "C7A", "C7B", "C76"]
        assert codes.expand_diagnosis_range("D35", "D37") == ["D35", "D36", "D3A", "D37"]

    def test_every_alphanumeric_category_has_a_place(self):
        """Each category of the table is in the order once, right after the category it follows."""
        every = codes.expand_diagnosis_range("A00", "Z99")
        assert len(every) == len(set(every)) == 26 * 100 + len(codes.ALPHANUMERIC_CATEGORIES)
        for category, before in codes.ALPHANUMERIC_CATEGORIES.items():
            assert every.index(category) == every.index(before) + 1

    def test_a_range_crosses_letters(self):
        """`C00-D49` is every C category, then D00-D49."""
        expanded = codes.expand_diagnosis_range("C00", "D49")
        assert expanded[0] == "C00" and expanded[-1] == "D49"
        assert {"C99", "C7B", "D00", "D3A"} <= set(expanded) and "E00" not in expanded
        assert len(expanded) == 100 + 3 + 50 + 1

    @pytest.mark.parametrize(("low", "high", "last_two"), [
        ("O00", "O9A", ["O99", "O9A"]), ("C00", "C43", ["C42", "C43"]), ("C00", "C4A", ["C43", "C4A"]),
        ("M05", "M1A", ["M10", "M1A"]), ("Z30", "Z3A", ["Z39", "Z3A"])])
    def test_a_range_ends_where_it_says(self, low, high, last_two):
        """A range ending at an alphanumeric category holds it; one ending just before it does not."""
        assert codes.expand_diagnosis_range(low, high)[-2:] == last_two

    def test_longer_ends_count_through_their_digits(self):
        """Ends longer than a category are counted as before: `O09.00-O09.93` is O0900 to O0993."""
        assert codes.expand_diagnosis_range("O0900", "O0993") == codes.expand_range("O0900", "O0993")
        assert codes.expand_diagnosis_range("C7A00", "C7A02") == ["C7A00", "C7A01", "C7A02"]

    def test_an_unknown_alphanumeric_end_is_refused(self):
        """An end whose third character is a letter the table does not list has no place: CategoryError."""
        with pytest.raises(codes.CategoryError, match="`C9Z`"):
            codes.expand_diagnosis_range("C00", "C9Z")

    def test_reversed_ends_are_refused(self):
        """The ends in Tabular order: `C4A-C43` and `D00-C96` are backwards."""
        for low, high in (("C4A", "C43"), ("D00", "C96")):
            with pytest.raises(ValueError, match="comes after"):
                codes.expand_diagnosis_range(low, high)
