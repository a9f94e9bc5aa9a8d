"""The documentation is tested: every example in docs/ runs here.

- docs/language.md: every ```rr block compiles with radrules.loads (every
  ```rr-files block loads from a temporary folder); each ```claim block after
  it is evaluated against it and must give the ```result block that follows.
- docs/errors.md: every ```rr-error CODE block raises a RuleError with that
  code, every ```rr-warning CODE block compiles with that warning, every
  ```rr-files CODE block fails to load with that code, every
  ```rr-files-warning CODE block loads with that warning, every ```rrt-error
  CODE / ```rrt-files CODE block (a rule test file) gives that code when
  run; a ```rendered block right after one of them is the exact text
  radrules prints.
- docs/claim-format.md: every ```claim block is a valid claim, every
  ```claim-error block raises the ClaimError it names, and ```result /
  ```result-json blocks match an evaluation against the bundled rules.
- docs/rules.md documents every rule id of the bundled rulesets, with the
  severity and remittance codes the rules really carry.
- docs/testing.md: every ```console block, run in a copy of the bundled
  rulesets after writing the ```rrt file=PATH and ```files blocks just
  before it, prints what it shows and exits with its `exit=N`.
- docs/cli.md and docs/impact.md: every ```console block, run from the top
  of the checkout, prints what it shows and exits with its `exit=N`; the
  exit codes table is what the command returns.
- docs/tutorial.md: one story in one folder (a copy of rulesets/), block by
  block: ```rr file=PATH, ```rrt file=PATH and ```files blocks write files,
  ```diff file=PATH blocks patch them, ```rr part=PATH blocks are word for
  word in the next ```rr file=PATH, and each ```console block prints what
  it shows (standard output and error together) with its `exit=N`.
- docs/tables.md: one story in one folder (empty at first), told as the
  tutorial's, with its own table cache; `radrules eval`'s summary (on
  standard error, with times) is left out, and each ```pycon block runs as
  a doctest there. Its links hold.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
import sys
from pathlib import Path

import pytest

import radrules
from radrules.checks import FORMAT_RULES
from radrules.cli import main as cli_main
from radrules.compiler.fields import CLAIM_FIELDS, LINE_FIELDS, PATIENT_FIELDS
from radrules.result import KINDS, SEVERITIES
from radrules.validity import VALIDITY_RULES

from builders import working_directory

DOCS = Path(__file__).parent.parent / "docs"
SRC = Path(radrules.__file__).parent


# ---------------------------------------------------------------- reading the docs


class Block:
    """One fenced block of a Markdown file: its info string, text and line."""

    def __init__(self, info: str, text: str, line: int, doc: str):
        self.info = info
        self.text = text
        self.line = line
        self.doc = doc

    @property
    def kind(self) -> str:
        return self.info.split()[0] if self.info else ""

    @property
    def args(self) -> list[str]:
        return self.info.split()[1:]

    @property
    def where(self) -> str:
        return f"{self.doc}:{self.line}"


def blocks(name: str) -> list[Block]:
    """Every fenced block of docs/NAME, in order."""
    found = []
    lines = (DOCS / name).read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("```"):
            info = line[3:].strip()
            start = index + 1
            index += 1
            while index < len(lines) and lines[index].rstrip() != "```":
                index += 1
            assert index < len(lines), f"{name}:{start}: unclosed fenced block"
            found.append(Block(info, "\n".join(lines[start:index]) + "\n", start, name))
        index += 1
    return found


def write_files(block: Block, folder: Path) -> Path:
    """Write the files of an ```rr-files block under ``folder``; return what to load.

    A line ``== path ==`` starts a file (``== path (latin-1) ==`` writes it
    as Latin-1; ``(cut short)`` after it leaves out the last line break);
    ``load=PATH`` in the info string names what to load (default: the folder
    ``ruleset``).
    """
    files: dict[str, list[str]] = {}
    encodings: dict[str, str] = {}
    endings: dict[str, str] = {}
    current = None
    for line in block.text.splitlines():
        header = re.fullmatch(r"== (\S+)( \(latin-1\))?( \(cut short\))? ==", line)
        if header:
            current = header.group(1)
            files[current] = []
            encodings[current] = "latin-1" if header.group(2) else "utf-8"
            endings[current] = "" if header.group(3) else "\n"
            continue
        assert current is not None, f"{block.where}: text before the first `== path ==` line"
        files[current].append(line)
    for path, text in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(("\n".join(text).strip("\n") + endings[path]).encode(encodings[path]))
    load = next((arg[5:] for arg in block.args if arg.startswith("load=")), "ruleset")
    return folder / load


def finding_view(finding, keys) -> dict:
    """A finding as the docs' result form: only the keys the docs give."""
    full = finding.to_dict()
    return {key: full[key] for key in keys}


def check_result(result, expected: dict, where: str) -> None:
    """Compare a Result with the docs' small result form."""
    assert set(expected) <= {"passed", "findings", "statuses"}, f"{where}: unknown result key"
    assert {"passed", "findings"} <= set(expected), f"{where}: a result gives `passed` and `findings`"
    wanted = expected["findings"]
    for item in wanted:
        assert {"rule", "lines", "severity"} <= set(item), f"{where}: a finding gives rule, lines and severity"
        assert set(item) <= {"rule", "lines", "severity", "related_lines", "message", "carc", "rarc", "kind",
                             "codes", "source"}, where
    got = [finding_view(f, wanted[i].keys() if i < len(wanted) else ("rule", "lines", "severity"))
           for i, f in enumerate(result.findings)]
    assert got == wanted, f"{where}: findings differ"
    assert result.passed is expected["passed"], f"{where}: passed differs"
    if "statuses" in expected:
        assert [s.status for s in result.lines] == expected["statuses"], f"{where}: line statuses differ"


# ---------------------------------------------------------------- language.md


def language_examples() -> list:
    """(rule block, [(claim block, result block)]) in the order of language.md."""
    groups: list = []
    items = blocks("language.md")
    index = 0
    while index < len(items):
        block = items[index]
        if block.kind in ("rr", "rr-files"):
            groups.append((block, []))
        elif block.kind == "claim":
            assert groups, f"{block.where}: a claim before any rules"
            following = items[index + 1] if index + 1 < len(items) else None
            history = None
            if following is not None and following.kind == "history":  # the patient's earlier lines
                history, index = following, index + 1
                following = items[index + 1] if index + 1 < len(items) else None
            assert following is not None and following.kind == "result", f"{block.where}: claim without a result"
            groups[-1][1].append((block, history, following))
            index += 1
        elif block.kind == "result":
            raise AssertionError(f"{block.where}: a result without a claim before it")
        index += 1
    return groups


LANGUAGE = language_examples()


def compile_example(block: Block, tmp_path: Path):
    if block.kind == "rr-files":
        return radrules.load(write_files(block, tmp_path))
    return radrules.loads(block.text, name="example.rr")


@pytest.mark.parametrize("block, claims", LANGUAGE, ids=[b.where for b, _ in LANGUAGE])
def test_language_example(block, claims, tmp_path):
    """Each rule example of language.md compiles cleanly and gives the results shown after it."""
    ruleset = compile_example(block, tmp_path)
    assert [w.code for w in ruleset.warnings] == [], f"{block.where}: the example has warnings"
    for claim_block, history_block, result_block in claims:
        claim = json.loads(claim_block.text)
        history = json.loads(history_block.text) if history_block is not None else None
        expected = json.loads(result_block.text)
        result = ruleset.evaluate(claim, history=history)
        check_result(result, expected, claim_block.where)
        assert ruleset.evaluate(claim, history=history, indexed=False) == result, \
            f"{claim_block.where}: scan and index disagree"


def test_language_examples_cover_the_language():
    """language.md has many examples, most with a claim, and documents every field, kind and severity."""
    assert len(LANGUAGE) >= 30
    assert sum(len(claims) for _, claims in LANGUAGE) >= 40
    text = (DOCS / "language.md").read_text(encoding="utf-8")
    for name in LINE_FIELDS:
        assert f"`line.{name}`" in text, f"line.{name} is not documented"
    for name in CLAIM_FIELDS:
        assert f"`claim.{name}`" in text, f"claim.{name} is not documented"
    for name in PATIENT_FIELDS:
        assert f"`patient.{name}`" in text, f"patient.{name} is not documented"
    for word in KINDS + SEVERITIES:
        assert f"`{word}`" in text, f"`{word}` is not documented"


# ---------------------------------------------------------------- errors.md

ERROR_BLOCKS = blocks("errors.md")


def _followed_by_rendered(index: int) -> str | None:
    following = ERROR_BLOCKS[index + 1] if index + 1 < len(ERROR_BLOCKS) else None
    return following.text.rstrip("\n") if following is not None and following.kind == "rendered" else None


def _error_cases(kind: str) -> list:
    return [(b, _followed_by_rendered(i)) for i, b in enumerate(ERROR_BLOCKS) if b.kind == kind]


def _ids(cases) -> list[str]:
    return [f"{b.args[0] if b.args else '?'}@{b.line}" for b, _ in cases]


ERRORS = _error_cases("rr-error")
WARNINGS = _error_cases("rr-warning")
FILE_ERRORS = _error_cases("rr-files")
FILE_WARNINGS = _error_cases("rr-files-warning")
TEST_ERRORS = _error_cases("rrt-error") + _error_cases("rrt-files")


@pytest.mark.parametrize("block, rendered", ERRORS, ids=_ids(ERRORS))
def test_error_example(block, rendered):
    """Each ```rr-error example of errors.md raises a RuleError with its code, rendered as shown."""
    code = block.args[0]
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(block.text, name="example.rr")
    assert code in [d.code for d in caught.value.errors], f"{block.where}: no {code}"
    assert rendered is not None, f"{block.where}: no ```rendered block after the example"
    assert str(caught.value) == rendered, f"{block.where}: rendered text differs"


@pytest.mark.parametrize("block, rendered", WARNINGS, ids=_ids(WARNINGS))
def test_warning_example(block, rendered):
    """Each ```rr-warning example of errors.md compiles with that warning, rendered as shown."""
    ruleset = radrules.loads(block.text, name="example.rr")
    assert block.args[0] in [w.code for w in ruleset.warnings], f"{block.where}: no {block.args[0]}"
    assert rendered is not None, f"{block.where}: no ```rendered block after the example"
    assert "\n\n".join(w.render() for w in ruleset.warnings) == rendered, f"{block.where}: rendered differs"


@pytest.mark.parametrize("block, rendered", FILE_ERRORS, ids=_ids(FILE_ERRORS))
def test_file_error_example(block, rendered, tmp_path):
    """Each ```rr-files example of errors.md fails to load with its code, rendered as shown."""
    write_files(block, tmp_path)
    paths = next((arg[5:] for arg in block.args if arg.startswith("load=")), "ruleset").split(",")
    with pytest.raises(radrules.RuleError) as caught, working_directory(tmp_path):  # paths as given, in messages
        radrules.load(*paths)
    assert block.args[0] in [d.code for d in caught.value.errors], f"{block.where}: no {block.args[0]}"
    assert rendered is not None, f"{block.where}: no ```rendered block after the example"
    text = str(caught.value)
    tail = next((int(arg[5:]) for arg in block.args if arg.startswith("tail=")), None)
    if tail is not None:  # ``tail=N``: the docs show only the last N paragraphs of a long report
        text = "\n\n".join(text.split("\n\n")[-tail:])
    assert text == rendered, f"{block.where}: rendered text differs"


@pytest.mark.parametrize("block, rendered", FILE_WARNINGS, ids=_ids(FILE_WARNINGS))
def test_file_warning_example(block, rendered, tmp_path):
    """Each ```rr-files-warning example of errors.md loads with that warning, rendered as shown (``cache=PATH``:
    with that table cache, relative to the example's folder)."""
    target = write_files(block, tmp_path)
    cache = next((arg[6:] for arg in block.args if arg.startswith("cache=")), None)
    with working_directory(tmp_path):  # the cache's path as given, in messages
        ruleset = radrules.load(target, cache_dir=cache)
    assert block.args[0] in [w.code for w in ruleset.warnings], f"{block.where}: no {block.args[0]}"
    assert rendered is not None, f"{block.where}: no ```rendered block after the example"
    assert "\n\n".join(w.render() for w in ruleset.warnings) == rendered, f"{block.where}: rendered differs"


def bundled_copy(folder: Path) -> Path:
    """A copy of the bundled rule files (not their tests) in ``folder/rulesets``."""
    import shutil

    return Path(shutil.copytree(DOCS.parent / "rulesets", folder / "rulesets",
                                ignore=shutil.ignore_patterns("*.rrt")))


def write_test_files(block: Block, folder: Path) -> None:
    """An ```rrt-error block is ``example.rrt``; an ```rrt-files block has ``== path ==`` lines."""
    if block.kind == "rrt-error":
        (folder / "example.rrt").write_text(block.text, encoding="utf-8")
        return
    files: dict[str, list[str]] = {}
    for line in block.text.splitlines():
        header = re.fullmatch(r"== (\S+) ==", line)
        if header:
            files[header.group(1)] = []
        else:
            assert files, f"{block.where}: text before the first `== path ==` line"
            files[list(files)[-1]].append(line)
    for path, lines in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("block, rendered", TEST_ERRORS, ids=_ids(TEST_ERRORS))
def test_rule_test_error_example(block, rendered, tmp_path, monkeypatch):
    """Each ```rrt-error / ```rrt-files example of errors.md gives its code when run, reported as shown."""
    from radrules.testing import Runner

    folder = bundled_copy(tmp_path)
    write_test_files(block, folder)
    monkeypatch.chdir(folder)
    run = next((arg[4:] for arg in block.args if arg.startswith("run=")), "example.rrt")
    report = Runner().run([run])
    text = report.render()
    codes = {d.code for d in report.diagnostics} | {d.code for o in report.outcomes for d in o.diagnostics}
    codes |= set(re.findall(r"^error\[(RR\d{3})\]", text, re.MULTILINE))  # RR606: the report counts what it leaves out
    assert block.args[0] in codes, f"{block.where}: no {block.args[0]}"
    assert rendered is not None, f"{block.where}: no ```rendered block after the example"
    tail = next((int(arg[5:]) for arg in block.args if arg.startswith("tail=")), None)
    if tail is not None:  # ``tail=N``: the docs show only the last N paragraphs of a long report
        text = "\n\n".join(text.split("\n\n")[-tail:])
    assert text == rendered, f"{block.where}: rendered text differs"


def _codes_in_source() -> set[str]:
    """The codes the source names, but those no longer given (errors.RETIRED_CODES, named to say so)."""
    from radrules.errors import RETIRED_CODES

    found = set()
    for path in SRC.rglob("*.py"):
        found.update(re.findall(r"RR\d{3}", path.read_text(encoding="utf-8")))
    return found - set(RETIRED_CODES)


def test_every_diagnostic_code_is_documented_with_an_example():
    """Every RR code radrules emits has a section in errors.md and a runnable example there."""
    emitted = _codes_in_source()
    assert len(emitted) >= 40
    text = (DOCS / "errors.md").read_text(encoding="utf-8")
    headed = set(re.findall(r"^### (RR\d{3})\b", text, re.MULTILINE))
    shown = {b.args[0] for b, _ in ERRORS + WARNINGS + FILE_ERRORS + FILE_WARNINGS + TEST_ERRORS}
    assert emitted - headed == set(), "codes without a section in errors.md"
    assert emitted - shown == set(), "codes without a runnable example in errors.md"
    assert headed - emitted == set(), "errors.md documents codes radrules never emits"


def test_the_codes_no_longer_given_are_told_apart():
    """Each code errors.RETIRED_CODES names has a paragraph of errors.md saying it is no longer given (the heading
    of the codes retired together), and no section of its own."""
    from radrules.errors import RETIRED_CODES

    text = (DOCS / "errors.md").read_text(encoding="utf-8")
    retired = re.findall(r"^### No longer given: (RR\d{3}(?: and RR\d{3})*)$", text, re.MULTILINE)
    assert {code for heading in retired for code in heading.split(" and ")} == set(RETIRED_CODES)
    assert not set(re.findall(r"^### (RR\d{3}) \(", text, re.MULTILINE)) & set(RETIRED_CODES)


# ---------------------------------------------------------------- claim-format.md

CLAIM_BLOCKS = blocks("claim-format.md")
CLAIM_ERRORS = [b for b in CLAIM_BLOCKS if b.kind == "claim-error"]


def test_claim_format_examples_are_valid_claims():
    """Every ```claim block of claim-format.md is accepted by Claim.from_dict and round-trips."""
    claims = [b for b in CLAIM_BLOCKS if b.kind == "claim"]
    assert claims and CLAIM_ERRORS, "claim-format.md shows valid claims and refused ones"
    for block in claims:
        claim = radrules.Claim.from_dict(json.loads(block.text))
        assert radrules.Claim.from_dict(claim.to_dict()) == claim, block.where



@pytest.mark.parametrize("block", CLAIM_ERRORS, ids=[b.where for b in CLAIM_ERRORS])
def test_claim_error_example(block):
    """Each ```claim-error block of claim-format.md raises the ClaimError named in its info string."""
    expected = block.info[len("claim-error"):].strip()
    with pytest.raises(radrules.ClaimError) as caught:
        radrules.Claim.from_dict(json.loads(block.text))
    assert str(caught.value) == expected, block.where


def test_claim_format_results_match_the_bundled_rules():
    """Each result shown after a claim in claim-format.md is what the bundled rules return."""
    rules = radrules.load()
    checked = 0
    for index, block in enumerate(CLAIM_BLOCKS[:-1]):
        following = CLAIM_BLOCKS[index + 1]
        if block.kind != "claim" or following.kind not in ("result", "result-json"):
            continue
        result = rules.evaluate(json.loads(block.text))
        if following.kind == "result":
            check_result(result, json.loads(following.text), block.where)
        else:
            assert result.to_dict() == json.loads(following.text), f"{block.where}: result JSON differs"
        checked += 1
    assert checked >= 2


# ---------------------------------------------------------------- rules.md


def _rules_rows() -> dict[str, list[str]]:
    """Table rows of rules.md whose first cell is a rule id, by id."""
    rows = {}
    for line in (DOCS / "rules.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        match = re.fullmatch(r"`([a-z_][a-z0-9_.]*)`", cells[0]) if line.startswith("|") else None
        if match:
            rows[match.group(1)] = cells
    return rows


def _infos(ruleset) -> dict:
    infos = {rule.info.id: rule.info for rule in ruleset.rules}
    infos.update((row.block.info.id, row.block.info) for row in ruleset.rows)
    infos.update(FORMAT_RULES)
    infos.update(VALIDITY_RULES)  # built-in, with a code-set table loaded
    return infos


def test_every_bundled_rule_is_documented():
    """Every rule id of the bundled rulesets (format checks included) has a row in rules.md."""
    ids = set(radrules.load().rule_ids())
    assert len(ids) >= 40
    assert ids - set(_rules_rows()) == set()


def test_code_set_rules_are_documented():
    """Every codes.* rule (built in, for rulesets that load a code set) has a row in rules.md."""
    assert set(VALIDITY_RULES) - set(_rules_rows()) == set()


def test_rules_md_matches_the_rules():
    """Each rules.md row gives the rule's real severity, CARC and RARC (columns 2-4), and no unknown ids; a rule
    with `group ... when` says which group and modifiers after its CARC (`CO-50 (PR with GA, GY)`)."""
    ruleset = radrules.load()
    infos = _infos(ruleset)
    groups = {rule.info.id: rule.group_when for rule in ruleset.rules if rule.group_when}
    rows = _rules_rows()
    assert set(rows) - set(infos) == set(), "rules.md lists rule ids that do not exist"
    for rule_id, cells in rows.items():
        info = infos[rule_id]
        assert cells[1] == info.severity, rule_id
        carc = info.carc or "none"
        if rule_id in groups:
            group, condition = groups[rule_id]
            carc += f" ({group} with {', '.join(sorted(condition.values))})"  # `line.modifiers has any of [...]`
        assert cells[2] == carc, rule_id
        assert cells[3] == (", ".join(info.rarc) or "none"), rule_id


# ---------------------------------------------------------------- cli.md

CONSOLE = [b for name in ("cli.md", "impact.md") for b in blocks(name) if b.kind == "console"]


def run_console(block: Block, folder: Path, capsys, monkeypatch) -> None:
    """Run the `$ radrules ...` line of a ```console block in ``folder``; check its output and exit code."""
    command, *expected = block.text.rstrip("\n").split("\n")
    assert command.startswith("$ "), block.where
    command = command[2:]
    stdin = ""
    piped = re.fullmatch(r"echo '([^']*)' \| (.*)", command)
    if piped:
        stdin, command = piped.group(1) + "\n", piped.group(2)
    words = shlex.split(command)
    assert words[0] == "radrules", block.where
    monkeypatch.chdir(folder)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = cli_main(words[1:])
    out = capsys.readouterr().out
    assert out.rstrip("\n").split("\n") == expected, f"{block.where}: output differs"
    assert f"exit={code}" in block.args, f"{block.where}: exit code {code}"


@pytest.mark.parametrize("block", CONSOLE, ids=[b.where for b in CONSOLE])
def test_console_example(block, capsys, monkeypatch):
    """Each ```console example of cli.md prints what it shows and exits with its exit=N."""
    run_console(block, DOCS.parent, capsys, monkeypatch)


def test_check_lists_the_table_versions_of_the_language_example(tmp_path, capsys, monkeypatch):
    """cli.md's `check` listing is what checking language.md's versions example a second time prints."""
    from radrules.tables import reading

    lines = (DOCS / "language.md").read_text(encoding="utf-8").splitlines()
    heading = lines.index("### Versions side by side") + 1
    example = next(b for b in blocks("language.md") if b.kind == "rr-files" and b.line > heading)
    root = write_files(example, tmp_path)
    (shown,) = [b for b in blocks("cli.md") if b.kind == "text" and b.text.startswith("ok: ruleset:")]
    monkeypatch.setenv("RADRULES_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    reading._MEMORY.clear()
    assert cli_main(["check", root.name]) == 0
    capsys.readouterr()
    reading._MEMORY.clear()  # the second time, from the disk cache
    assert cli_main(["check", root.name]) == 0
    assert capsys.readouterr().out == shown.text



def test_cli_exit_codes_are_documented(tmp_path, capsys):
    """The exit codes table of cli.md is what `radrules eval` returns in each case."""
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| (\d) \| (.+?) \|$", text, re.MULTILINE))
    assert set(table) == {"0", "1", "2", "3"}
    assert len(CONSOLE) >= 4, "cli.md shows the command at work"
    good = {"payer": "acme", "lines": [{"code": "71046", "date": "2026-03-02"}]}
    bad = {"payer": "acme", "lines": [{"code": "71046", "date": "2026-03-02"}, {"code": "71045", "date": "2026-03-02"}]}
    broken = tmp_path / "broken.rr"
    broken.write_text("rule x\nend\n", encoding="utf-8")
    for name, data in (("good", good), ("bad", bad), ("shape", {"lines": []})):
        (tmp_path / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")
    assert cli_main(["eval", str(tmp_path / "good.json")]) == 0
    assert cli_main(["eval", str(tmp_path / "bad.json")]) == 2
    assert cli_main(["eval", "--exit-zero", str(tmp_path / "bad.json")]) == 0
    assert cli_main(["eval", "--rules", str(broken), str(tmp_path / "good.json")]) == 3
    assert cli_main(["check", str(broken)]) == 3
    assert cli_main(["eval", str(tmp_path / "shape.json")]) == 1
    assert cli_main(["eval", str(tmp_path / "missing.json")]) == 1
    capsys.readouterr()


# ---------------------------------------------------------------- testing.md


def examples_of_testing_md() -> list:
    """(file blocks, console block): a console runs after the file blocks written since the last console."""
    cases, files, after_console = [], [], False
    for block in blocks("testing.md"):
        if block.kind in ("rrt", "files"):
            if after_console:
                files, after_console = [], False
            files.append(block)
        elif block.kind == "console":
            cases.append((list(files), block))
            after_console = True
    return cases


TESTING = examples_of_testing_md()


@pytest.mark.parametrize("files, block", TESTING, ids=[b.where for _, b in TESTING])
def test_testing_example(files, block, tmp_path, capsys, monkeypatch):
    """Each ```console example of testing.md, after its test files are written, prints what it shows."""
    import shutil

    shutil.copytree(DOCS.parent / "rulesets", tmp_path / "rulesets")
    for file_block in files:
        if file_block.kind == "rrt":
            path = next(arg[5:] for arg in file_block.args if arg.startswith("file="))
            (tmp_path / path).write_text(file_block.text, encoding="utf-8")
        else:
            write_test_files(file_block, tmp_path)
    run_console(block, tmp_path, capsys, monkeypatch)


def test_testing_md_shows_the_command_at_work():
    """testing.md runs passing and failing tests, coverage, and every form of expectation."""
    assert {b.args[0] for _, b in TESTING} >= {"exit=0", "exit=1"}
    text = (DOCS / "testing.md").read_text(encoding="utf-8")
    for form in ("`expect pass`", "`expect fail`", "`expect RULE`", "`expect no RULE`", "`expect only RULE, RULE`",
                 "`claim json", "`claim file", "`with \"\"\"", "--coverage", "--junit"):
        assert form in text, form


# ---------------------------------------------------------------- tutorial.md
#
# The tutorial is one story told in one folder: a copy of rulesets/ (with its
# tests) to which each block adds or changes files, in the order of the page.
# ```rr file=PATH, ```rrt file=PATH and ```files blocks write files; a ```diff
# file=PATH block applies its unified diff to PATH (with from=OLD, to a copy of
# OLD); a ```rr part=PATH block is a piece of the next ```rr file=PATH block,
# word for word; a ```console exit=N block runs its `$ radrules ...` line there
# and shows what the terminal shows (standard output and standard error).

TUTORIAL_BLOCKS = blocks("tutorial.md")
TUTORIAL_KINDS = ("rr", "rrt", "files", "diff", "console")
TUTORIAL = [b for b in TUTORIAL_BLOCKS if b.kind in TUTORIAL_KINDS]


def _arg(block: Block, name: str) -> str | None:
    return next((arg[len(name) + 1:] for arg in block.args if arg.startswith(name + "=")), None)


def apply_patch(text: str, patch: str, where: str) -> str:
    """``text`` with the unified diff ``patch`` applied; every context and removed line must match."""
    old, new, at, hunk = text.splitlines(), [], 0, None
    for line in patch.splitlines():
        header = re.fullmatch(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@.*", line)
        if header:
            assert hunk is None or hunk == [0, 0], f"{where}: the hunk before line {line!r} has wrong counts"
            start = int(header.group(1)) - (0 if header.group(2) == "0" else 1)
            assert start >= at, f"{where}: hunks out of order"
            new.extend(old[at:start])
            at = start
            assert int(header.group(3)) - (0 if header.group(4) == "0" else 1) == len(new), \
                f"{where}: {line!r}: the new file's line number is {len(new) + 1}"
            hunk = [int(header.group(2) or 1), int(header.group(4) or 1)]
            continue
        if hunk is None:
            assert line.startswith(("--- ", "+++ ")), f"{where}: text before the first @@ line"
            continue
        tag, body = (line[0], line[1:]) if line else (" ", "")
        assert tag in " -+", f"{where}: {line!r} is not a line of a diff"
        if tag in " -":
            assert at < len(old) and old[at] == body, \
                f"{where}: line {at + 1} of the file is {old[at] if at < len(old) else 'past its end'!r}, not {body!r}"
            at += 1
            hunk[0] -= 1
        if tag in " +":
            new.append(body)
            hunk[1] -= 1
    assert hunk == [0, 0], f"{where}: the last hunk has wrong counts"
    return "\n".join(new + old[at:]) + "\n"


def run_command(line: str, folder: Path, where: str) -> tuple[int, str]:
    """Run one `$ radrules ...` line in ``folder``; its exit code and what the terminal shows."""
    import contextlib
    import os

    assert line.startswith("$ "), f"{where}: a console block starts with `$ radrules ...`"
    command, stdin = line[2:], ""
    piped = re.fullmatch(r"echo '([^']*)' \| (.*)", command)
    if piped:
        stdin, command = piped.group(1) + "\n", piped.group(2)
    words = shlex.split(command)
    if words[0] == "cp":  # the one other command the pages use: keep a copy of a file (or, -r, a folder)
        import shutil

        assert not stdin, where
        if words[1:2] == ["-r"]:
            assert len(words) == 4, f"{where}: `cp -r FOLDER COPY`"
            shutil.copytree(folder / words[2], folder / words[3])
        else:
            assert len(words) == 3, f"{where}: `cp FILE COPY`"
            shutil.copyfile(folder / words[1], folder / words[2])
        return 0, ""
    assert words[0] == "radrules", where
    shown, here, saved_stdin = io.StringIO(), os.getcwd(), sys.stdin
    try:
        os.chdir(folder)
        sys.stdin = io.StringIO(stdin)
        with contextlib.redirect_stdout(shown), contextlib.redirect_stderr(shown):
            code = cli_main(words[1:])
    finally:
        os.chdir(here)
        sys.stdin = saved_stdin
    return code, shown.getvalue()


def do_tutorial_step(block: Block, folder: Path) -> None:
    """Write, patch or run what one block of tutorial.md says (a console's output is checked by its test)."""
    path = _arg(block, "file")
    if block.kind == "console":
        run_command(block.text.split("\n")[0], folder, block.where)
    elif block.kind == "files":
        write_test_files(block, folder)
    elif block.kind == "diff":
        assert path, f"{block.where}: a diff block names its file=PATH"
        source = folder / (_arg(block, "from") or path)
        patched = apply_patch(source.read_text(encoding="utf-8"), block.text, block.where)
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(patched, encoding="utf-8")
    elif path:  # ```rr file=PATH, ```rrt file=PATH
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(block.text, encoding="utf-8")


class TutorialFolder:
    """The folder of a page told as one story (the tutorial's, by default), brought up to a given block by
    doing every block before it once.

    Steps run in the order of the page; a block asked for out of order (a
    test run alone, or reordered) gets a new folder, with the blocks before
    it done again.
    """

    def __init__(self, make_folder, steps=None, seed=True):
        self.make_folder = make_folder
        self.steps = TUTORIAL if steps is None else steps
        self.seed = seed  # start from a copy of rulesets/
        self.folder, self.done = None, 0

    def before(self, block: Block) -> Path:
        import shutil

        index = self.steps.index(block)
        if self.folder is None or self.done > index:
            self.folder, self.done = self.make_folder(), 0
            if self.seed:
                shutil.copytree(DOCS.parent / "rulesets", self.folder / "rulesets")
        for earlier in self.steps[self.done:index]:
            self.step(earlier)
        self.done = index + 1
        return self.folder

    def step(self, block: Block) -> None:
        do_tutorial_step(block, self.folder)


@pytest.fixture(scope="module")
def tutorial_folder(tmp_path_factory):
    return TutorialFolder(lambda: tmp_path_factory.mktemp("tutorial"))


@pytest.mark.parametrize("block", TUTORIAL, ids=[f"{b.kind}@{b.line}" for b in TUTORIAL])
def test_tutorial_step(block, tutorial_folder):
    """Each block of tutorial.md, in order: files are written and patched, commands print what is shown.

    A console block prints exactly what it shows and exits with its exit=N; a
    ```rr part=PATH block is word for word in the next ```rr file=PATH block.
    """
    folder = tutorial_folder.before(block)
    if block.kind == "console":
        command, *expected = block.text.rstrip("\n").split("\n")
        code, shown = run_command(command, folder, block.where)
        assert shown.rstrip("\n") == "\n".join(expected), f"{block.where}: output differs"
        assert f"exit={code}" in block.args, f"{block.where}: exit code {code}"
    elif block.kind == "rr" and _arg(block, "part"):
        path = _arg(block, "part")
        whole = next((b for b in TUTORIAL[TUTORIAL.index(block) + 1:]
                      if b.kind == "rr" and _arg(b, "file") == path), None)
        assert whole is not None, f"{block.where}: no ```rr file={path} block after this part"
        assert block.text in whole.text, f"{block.where}: this part is not word for word in {whole.where}"
    else:
        assert block.kind != "rr" or _arg(block, "file"), f"{block.where}: an rr block names file= or part="
        do_tutorial_step(block, folder)


def _anchor(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_tutorial_walks_the_whole_way():
    """tutorial.md runs every command an analyst needs, with a broken and a fixed result each, and its links hold."""
    consoles = [b for b in TUTORIAL if b.kind == "console"]
    for command, code in (("check", 3), ("check", 0), ("test", 1), ("test", 0), ("test --coverage", 1),
                          ("test --coverage", 0), ("explain", 2), ("fmt --check", 1), ("fmt --diff", 0),
                          ("fmt --check", 0), ("diff", 2)):
        assert any(b.text.startswith(f"$ radrules {command} ") and f"exit={code}" in b.args for b in consoles), \
            f"tutorial.md runs no `radrules {command}` with exit={code}"
    assert {b.kind for b in TUTORIAL} == set(TUTORIAL_KINDS)
    assert len(TUTORIAL) >= 25
    for block in TUTORIAL_BLOCKS:
        assert block.kind != "rr" or _arg(block, "file") or _arg(block, "part"), f"{block.where}: an untested rule"
    text = (DOCS / "tutorial.md").read_text(encoding="utf-8")
    for construct in ("for payer", "for professional claims", "effective", "codes ", "except", "places ",
                      "diagnoses ", "J32*", "is missing or", "has none of", "then deny line", "carc", "reference",
                      "expect no", "expect only", "--rules"):
        assert construct in text, construct
    for target, anchor in re.findall(r"\]\(([a-z-]*\.md)?#([^)]+)\)", text):
        page = (DOCS / target).read_text(encoding="utf-8") if target else text
        headings = {_anchor(h) for h in re.findall(r"^#+ (.+)$", page, re.MULTILINE)}
        assert anchor in headings, f"tutorial.md links to {target}#{anchor}, which has no such heading"


# ---------------------------------------------------------------- tables.md
#
# The guide to the CMS tables is one story in one folder, as the tutorial is,
# started empty: ```files and ```rr file=PATH blocks write files, ```diff
# file=PATH blocks patch them, a ```console exit=N block runs its `$ radrules
# ...` (or `cp`) line there, and a ```pycon block runs as a doctest there. The
# story has a table cache of its own (in the folder above the story's, so no
# other test's tables are in it), and each command and doctest starts with an
# empty memory cache, as a new process does. `radrules eval` ends with a
# summary on standard error whose times change from run to run: the page
# leaves it out, and so does the check.

TABLES_BLOCKS = blocks("tables.md")
TABLES_KINDS = ("rr", "files", "diff", "console", "pycon")
TABLES = [b for b in TABLES_BLOCKS if b.kind in TABLES_KINDS]


@contextlib.contextmanager
def _story_cache(folder: Path):
    """The story's table cache (``folder/../cache``) for one command, and an empty memory cache."""
    import os

    from radrules.tables import reading

    before = os.environ.get("RADRULES_CACHE_DIR")
    os.environ["RADRULES_CACHE_DIR"] = str(folder.parent / "cache")
    reading._MEMORY.clear()
    try:
        yield
    finally:
        reading._MEMORY.clear()
        if before is None:
            os.environ.pop("RADRULES_CACHE_DIR", None)
        else:
            os.environ["RADRULES_CACHE_DIR"] = before


def run_pycon(block: Block, folder: Path) -> None:
    """Run a ```pycon block as a doctest in ``folder``; fail with doctest's report."""
    import doctest
    import os

    test = doctest.DocTestParser().get_doctest(block.text, {}, block.where, "tables.md", block.line)
    shown = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    here = os.getcwd()
    try:
        os.chdir(folder)
        with _story_cache(folder):
            runner.run(test, out=shown.write)
    finally:
        os.chdir(here)
    assert test.examples, f"{block.where}: a pycon block without `>>>` lines"
    assert runner.failures == 0, f"{block.where}:\n{shown.getvalue()}"


class TablesFolder(TutorialFolder):
    """The folder of tables.md's story: empty at first, with pycon blocks run as it goes."""

    def step(self, block: Block) -> None:
        if block.kind == "pycon":
            run_pycon(block, self.folder)
        elif block.kind == "console":
            with _story_cache(self.folder):
                do_tutorial_step(block, self.folder)
        else:
            do_tutorial_step(block, self.folder)


@pytest.fixture(scope="module")
def tables_folder(tmp_path_factory):
    def make_folder() -> Path:
        folder = tmp_path_factory.mktemp("tables") / "story"
        folder.mkdir()
        return folder

    return TablesFolder(make_folder, TABLES, seed=False)


def _without_summary(command: str, shown: str) -> str:
    """What `radrules eval` prints, less the summary it ends with on standard error."""
    if not re.search(r"(?:^|\| )radrules eval ", command):
        return shown
    lines = shown.split("\n")
    cut = next((i for i, line in enumerate(lines) if re.match(r"summary: \d+ claims? in ", line)), len(lines))
    return "\n".join(lines[:cut])


@pytest.mark.parametrize("block", TABLES, ids=[f"{b.kind}@{b.line}" for b in TABLES])
def test_tables_step(block, tables_folder):
    """Each block of tables.md, in order: files are written and patched, commands print what is shown."""
    folder = tables_folder.before(block)
    if block.kind == "console":
        command, *expected = block.text.rstrip("\n").split("\n")
        with _story_cache(folder):
            code, shown = run_command(command, folder, block.where)
        shown = _without_summary(command[2:], shown)
        assert shown.rstrip("\n") == "\n".join(expected), f"{block.where}: output differs"
        assert f"exit={code}" in block.args, f"{block.where}: exit code {code}"
    elif block.kind == "pycon":
        run_pycon(block, folder)
    else:
        assert block.kind != "rr" or _arg(block, "file"), f"{block.where}: an rr block names file="
        do_tutorial_step(block, folder)


def test_tables_guide_links_hold():
    """Every link of tables.md to a heading of a docs page names a heading there; every rr block is written."""
    text = (DOCS / "tables.md").read_text(encoding="utf-8")
    for block in TABLES_BLOCKS:
        assert block.kind != "rr" or _arg(block, "file"), f"{block.where}: an untested rule"
    links = re.findall(r"\]\(([a-z-]*\.md)?#([^)]+)\)", text)
    assert len(links) >= 10
    for target, anchor in links:
        page = (DOCS / target).read_text(encoding="utf-8") if target else text
        headings = {_anchor(h) for h in re.findall(r"^#+ (.+)$", page, re.MULTILINE)}
        assert anchor in headings, f"tables.md links to {target}#{anchor}, which has no such heading"
    for target in re.findall(r"\]\(([^)#:]+)\)", text):
        assert (DOCS / target).exists(), f"tables.md links to {target}, which does not exist"


# ---------------------------------------------------------------- api.md


def test_api_reference_holds():
    """api.md names every public name, its signatures have the parameters the code has, in order, the members
    its tables list exist, and its links hold (an API reviewer's finding: there was no API reference)."""
    import inspect

    text = (DOCS / "api.md").read_text(encoding="utf-8")
    headings = re.findall(r"^#+ (.+)$", text, re.MULTILINE)
    named = {name for heading in headings for name in re.findall(r"`(\w+)`", heading)}
    assert set(radrules.__all__) - {"__version__"} <= named, "api.md has no heading for a public name"
    signatures = re.findall(r"^(radrules\.(\w+)|\w+\.(\w+))?\((.*)\) -> .+$", "\n".join(
        line for block in re.findall(r"```text\n(.*?)```", text, re.S) for line in block.splitlines()), re.M)
    assert len(signatures) >= 10
    for _, function, _, params in signatures:
        real = [name for name, p in inspect.signature(getattr(radrules, function)).parameters.items()]
        written = [part.split("=")[0].strip().lstrip("*") for part in params.split(",") if part.strip() not in ("*", "")]
        assert written == real, f"api.md: radrules.{function}({params})"
    tables = re.findall(r"^\| member \| what it is \|\n\|---\|---\|\n((?:\|.*\n)+)", text, re.M)
    assert len(tables) == 2  # the Ruleset's, then the Result's and Finding's
    for default, rows in zip(("Ruleset", "Result"), tables):
        for row in rows.splitlines():
            members = re.findall(r"`(?:(\w+)\.)?(\w+)", row.split("|")[1])
            owner = getattr(radrules, members[0][0] or default)
            for _, name in members:
                assert hasattr(owner, name) or name in attrs_fields(owner), f"api.md: {owner.__name__}.{name}"
    for target, anchor in re.findall(r"\]\(([a-z-]*\.md)?#([^)]+)\)", text):
        page = (DOCS / target).read_text(encoding="utf-8") if target else text
        assert anchor in {_anchor(h) for h in re.findall(r"^#+ (.+)$", page, re.MULTILINE)}, f"{target}#{anchor}"


def test_api_error_fields_exist():
    """The fields api.md's table of errors lists are those each error has (a RuleError's warnings are on
    `diagnostics`: `errors` holds the errors alone)."""
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    rows = re.search(r"^\| class \| raised for \| fields \|\n\|---\|---\|---\|\n((?:\|.*\n)+)", text, re.M).group(1)
    made = {"RadrulesError": radrules.RadrulesError("x"), "ClaimError": radrules.ClaimError("lines[0].units", "x"),
            "RuleError": radrules.RuleError([radrules.Diagnostic("RR260", "x", severity="warning")]),
            "InputError": radrules.InputError("f", "x")}
    for row in rows.splitlines():
        cells = row.split("|")
        error = made[re.match(r" `(\w+)`", cells[1]).group(1)]
        listed = set(re.findall(r"`(\w+)`", cells[3])) - {"Diagnostic"}
        assert all(hasattr(error, name) for name in listed), f"api.md: {type(error).__name__}: {sorted(listed)}"
        assert {name for name in vars(error) if not name.startswith("_")} <= listed, type(error).__name__
    assert made["RuleError"].errors == () and len(made["RuleError"].diagnostics) == 1


def attrs_fields(cls) -> set:
    import attrs

    return {field.name for field in attrs.fields(cls)} if attrs.has(cls) else set()


def test_api_example_prints_what_api_md_shows(capsys):
    """api.md's first example runs as written (it used a `claim` it never defined) and prints the ```text block
    after it."""
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    example, printed = re.search(r"```python\n(.*?)```\n\nprints\n\n```text\n(.*?)```", text, re.S).groups()
    exec(compile(example, "api.md", "exec"), {})
    assert capsys.readouterr().out == printed
