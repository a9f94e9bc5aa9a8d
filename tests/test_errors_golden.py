"""Golden tests: every rule-file error renders exactly as its `.rr.err` file says.

A golden case is a file ``tests/golden/errors/NAME.rr`` (compiled with
``radrules.loads``, named ``NAME.rr``) or a folder ``tests/golden/errors/NAME/``
whose ``main.rr`` is compiled with ``radrules.load`` (for includes and files on
disk), or, if the folder has a ``load.txt``, the paths it lists, loaded together
from the folder (``radrules.load(*paths)``). The expected rendering sits beside it as ``NAME.rr.err`` or
``NAME/main.rr.err``. Regenerate with ``RADRULES_UPDATE_GOLDEN=1``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import radrules
from radrules.errors import RETIRED_CODES, render_all

from builders import working_directory

GOLDEN = Path(__file__).parent / "golden" / "errors"
SOURCE = Path(__file__).parent.parent / "src" / "radrules"
UPDATE = os.environ.get("RADRULES_UPDATE_GOLDEN") == "1"
#: Table (RR5xx) and rule-test (RR6xx) diagnostics are rendered from files of
#: their own; docs/errors.md runs an example of each, and tests/test_tables.py
#: and tests/test_rule_tests.py check them.
NOT_GOLDEN = re.compile(r"^RR[56]\d\d$")


def golden_cases() -> list[Path]:
    flat = sorted(GOLDEN.glob("*.rr"))
    folders = sorted(path / "main.rr" for path in GOLDEN.iterdir() if path.is_dir())
    return flat + folders


def render(case: Path) -> str:
    """The rendered RuleError of a case, or its rendered warnings if it compiles."""
    try:
        if (case.parent / "load.txt").exists():  # paths to load together, relative to the case's folder
            paths = (case.parent / "load.txt").read_text(encoding="utf-8").split()
            with working_directory(case.parent):
                ruleset = radrules.load(*paths)
        elif case.name == "main.rr":
            ruleset = radrules.load(case)
        else:
            ruleset = radrules.loads(case.read_text(encoding="utf-8"), name=case.name)
    except radrules.RuleError as error:
        return str(error) + "\n"
    assert ruleset.warnings, f"{case} compiles without errors or warnings"
    return render_all(ruleset.warnings) + "\n"


def _id(case: Path) -> str:
    return case.parent.name if case.name == "main.rr" else case.stem


@pytest.mark.parametrize("case", golden_cases(), ids=_id)
def test_error_rendering_matches_golden_file(case: Path):
    """The rendered diagnostics of a broken rule file equal its golden `.err` file."""
    expected_file = case.with_name(case.name + ".err")
    rendered = render(case)
    if UPDATE:
        expected_file.write_text(rendered, encoding="utf-8")
    assert expected_file.exists(), f"missing {expected_file.name}; run with RADRULES_UPDATE_GOLDEN=1"
    assert rendered == expected_file.read_text(encoding="utf-8")


def test_every_diagnostic_code_has_a_golden_file():
    """Every RRnnn code the source can emit (except table and rule-test codes) appears in some golden file."""
    emitted = set()
    for path in SOURCE.rglob("*.py"):
        emitted.update(re.findall(r'"(RR\d{3})"', path.read_text(encoding="utf-8")))
    emitted = {code for code in emitted if not NOT_GOLDEN.match(code) and code not in RETIRED_CODES}
    covered = set()
    for path in GOLDEN.rglob("*.err"):
        covered.update(re.findall(r"\[(RR\d{3})\]", path.read_text(encoding="utf-8")))
    assert emitted, "found no diagnostic codes in the source"
    assert emitted - covered == set()


def test_golden_files_name_no_absolute_path():
    """Rendered diagnostics name files relative to the ruleset, never by an absolute path."""
    root = str(Path(__file__).resolve().parent.parent)
    for path in GOLDEN.rglob("*.err"):
        assert root not in path.read_text(encoding="utf-8"), path.name
