"""radrules.load: names and the in-process cache of compiled rulesets."""

from __future__ import annotations

import radrules
from radrules._resources import bundled_rulesets


def test_cached_ruleset_keeps_the_name_it_was_loaded_under():
    """The bundled rulesets loaded by default and as a folder keep their own names, whichever came first."""
    folder = bundled_rulesets()
    assert radrules.load().name == "radrules"
    assert radrules.load(folder).name == folder.name
    assert radrules.load().name == "radrules"


# ---------------------------------------------------------------- odd paths and long chains

import os  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402


@pytest.mark.parametrize("statement, code", [
    ('include "a\x00.rr"', "RR401"), ('include "%s.rr"' % ("x" * 300), "RR401"),
    ('table ptp "t\x00.TXT"', "RR502"), ('table ptp "%s.TXT"' % ("x" * 300), "RR502"),
])
def test_paths_the_system_refuses_are_diagnostics(tmp_path, statement, code):
    """A NUL or a name too long for the file system: an error on the statement, not a ValueError or OSError."""
    (tmp_path / "main.rr").write_text(statement + "\n", encoding="utf-8")
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load(tmp_path, cache_dir=None)
    (error,) = caught.value.errors
    assert error.code == code and error.span.line == 1


def test_a_path_too_long_for_the_file_system_is_rr401():
    """load() of a name too long is RR401, as a missing path is, not a raw OSError from the stat."""
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load("x" * 300, cache_dir=None)
    (error,) = caught.value.errors
    assert error.code == "RR401" and error.message.endswith("`: File name too long")
    assert len(error.message) < 250  # the path is shortened


def test_an_empty_path_names_no_rules(tmp_path, monkeypatch):
    """load("") is RR401: Path("") is the working directory, whose rules it compiled."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "main.rr").write_text('codes x = 70450\n', encoding="utf-8")
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load("", cache_dir=None)
    assert [(e.code, e.message) for e in caught.value.errors] == [
        ("RR401", "no rule file or folder: the path is empty")]
    assert radrules.load(".", cache_dir=None).name == tmp_path.name  # the working directory, named as such


def test_an_include_through_a_loop_of_links_is_a_diagnostic(tmp_path):
    os.symlink("loop", tmp_path / "loop")
    (tmp_path / "main.rr").write_text('include "loop/x.rr"\n', encoding="utf-8")
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load(tmp_path, cache_dir=None)
    assert [e.code for e in caught.value.errors] == ["RR401"]


def test_a_long_chain_of_includes_loads(tmp_path):
    """1,200 files each including the next: the cycle search does not recurse (no RecursionError)."""
    for k in range(1200):
        (tmp_path / f"f{k:04d}.rr").write_text(f'include "f{k + 1:04d}.rr"\n', encoding="utf-8")
    (tmp_path / "f1200.rr").write_text("codes x = 70450\n", encoding="utf-8")
    radrules.load(tmp_path, cache_dir=None)
    (tmp_path / "f1200.rr").write_text('include "f0600.rr"\n', encoding="utf-8")  # now a cycle at the end
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load(tmp_path, cache_dir=None)
    assert [e.code for e in caught.value.errors] == ["RR403"]
    assert caught.value.errors[0].message.startswith("include cycle: f0600.rr -> f0601.rr")


def test_a_long_include_cycle_names_its_first_and_last_files(tmp_path):
    """A cycle through 3,000 files names the first and last five and counts those between: the whole cycle was
    one message line of 35 KB (and 20 of them with as many cycles), flooding a log."""
    for k in range(3000):
        (tmp_path / f"f{k:04d}.rr").write_text(f'include "f{(k + 1) % 3000:04d}.rr"\n', encoding="utf-8")
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load(tmp_path, cache_dir=None)
    assert [e.message for e in caught.value.errors] == [
        "include cycle: f0000.rr -> f0001.rr -> f0002.rr -> f0003.rr -> f0004.rr -> (2,991 more files) -> f2996.rr "
        "-> f2997.rr -> f2998.rr -> f2999.rr -> f0000.rr"]


def test_content_keys_are_unambiguous():
    """A text holding a NUL and the next name does not hash like two texts."""
    from radrules.loader import _hash

    assert _hash([("a", "x\0b\0y")]) != _hash([("a", "x"), ("b", "y")])
    assert _hash([("a", "x")]) == _hash([("a", "x")])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_in_a_ruleset_folder_is_refused_not_waited_on(tmp_path):
    """A named pipe called `x.rr` in a ruleset folder is RR401: reading it would wait for a writer forever."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "good.rr").write_text("codes ct = 70450\n")
    os.mkfifo(tmp_path / "rules" / "pipe.rr")
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load(tmp_path / "rules")
    assert [(e.code, e.message) for e in caught.value.errors] == [
        ("RR401", "`rules/pipe.rr` is not a rule file (a folder, a pipe or a device)")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_named_by_include_or_table_is_not_a_file(tmp_path):
    """A named pipe that an `include` or a `table` statement names is said to be no file, as one in a table
    folder is (both said `no rule file` / `no table file`, as if it were missing)."""
    (tmp_path / "rules" / "cms").mkdir(parents=True)
    os.mkfifo(tmp_path / "rules" / "cms" / "fifo.csv")
    (tmp_path / "rules" / "main.rr").write_text('include "cms/fifo.csv"\ntable addon "cms/fifo.csv"\n')
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load(tmp_path / "rules", cache_dir=None)
    assert [(e.code, e.message, e.span.line) for e in caught.value.errors] == [
        ("RR401", "`cms/fifo.csv` is not a rule file (a folder, a pipe or a device)", 1),
        ("RR502", "`cms/fifo.csv` is not a file (a pipe or a device)", 2)]


def test_a_loop_of_links_in_a_ruleset_folder_is_a_diagnostic(tmp_path):
    """Two links in a ruleset folder pointing at each other are RR401 each, not a RuntimeError."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "good.rr").write_text("codes ct = 70450\n")
    (tmp_path / "rules" / "one.rr").symlink_to("two.rr")
    (tmp_path / "rules" / "two.rr").symlink_to("one.rr")
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load(tmp_path / "rules")
    assert [(e.code, e.message) for e in caught.value.errors] == [
        ("RR401", "`rules/one.rr` is a loop of links"), ("RR401", "`rules/two.rr` is a loop of links")]


_CT_RULE = 'rule acme.ct "CT"\n  when line.code is 70450\n  then deny line "no"\n carc CO-4 reference "r"\nend\n'


def test_a_link_to_a_folder_outside_the_ruleset_folder_is_refused(tmp_path):
    """A folder link leading out of the ruleset folder is RR402 naming the link, as a file link is; before, the
    walk passed over it without a word and its rules were not loaded."""
    (tmp_path / "shared" / "acme").mkdir(parents=True)
    (tmp_path / "shared" / "acme" / "ct.rr").write_text(_CT_RULE)
    (tmp_path / "rs").mkdir()
    (tmp_path / "rs" / "base.rr").write_text("codes ct = 70450\n")
    (tmp_path / "rs" / "acme").symlink_to("../shared/acme")
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load(tmp_path / "rs", cache_dir=None)
    assert [(e.code, e.message, e.help) for e in caught.value.errors] == [(
        "RR402", "`rs/acme` links to a folder outside the ruleset folder",
        "a ruleset reads only files inside its folder: copy the folder in instead of linking it")]


def test_one_file_loaded_that_links_outside_its_folder_is_refused(tmp_path):
    """The one file loaded is a link to a file elsewhere: RR402, as it is in a loaded folder (a link named `.rr`
    showed the first line of whatever it pointed at in a syntax error); a link inside its folder is read."""
    (tmp_path / "secret.txt").write_text("not a rule file\n")
    (tmp_path / "rs").mkdir()
    (tmp_path / "rs" / "evil.rr").symlink_to(tmp_path / "secret.txt")
    (tmp_path / "rs" / "real.rr").write_text(_CT_RULE)
    (tmp_path / "rs" / "alias.rr").symlink_to("real.rr")
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load(tmp_path / "rs" / "evil.rr", cache_dir=None)
    assert [(e.code, e.message) for e in caught.value.errors] == [
        ("RR402", "`evil.rr` links to a file outside the ruleset folder")]
    assert "not a rule file" not in str(caught.value)
    assert [rule.info.id for rule in radrules.load(tmp_path / "rs" / "alias.rr", cache_dir=None).rules] == ["acme.ct"]


def test_links_inside_the_ruleset_folder_reach_each_file_once(tmp_path):
    """A folder link and a file link to files inside the ruleset folder, and a link back up (a loop if followed
    blindly): each file is compiled once, by its real path (a file link beside its file was `rule id used
    twice`)."""
    (tmp_path / "rs" / "real" / "deeper").mkdir(parents=True)
    (tmp_path / "rs" / "real" / "main.rr").write_text(_CT_RULE)
    (tmp_path / "rs" / "alias").symlink_to("real")
    (tmp_path / "rs" / "alias.rr").symlink_to("real/main.rr")
    (tmp_path / "rs" / "real" / "deeper" / "up").symlink_to("../..")
    ruleset = radrules.load(tmp_path / "rs", cache_dir=None)
    assert [rule.info.id for rule in ruleset.rules] == ["acme.ct"]
    assert radrules.loader.rule_files(tmp_path / "rs") == [(tmp_path / "rs" / "real" / "main.rr").resolve()]


def test_a_file_with_many_errors_is_split_into_lines_once(tmp_path):
    """Each diagnostic shows its source line; a file of 2,000 bad includes is split into lines once, not once
    per diagnostic (that took 29 s for 20,000); 50 are shown and the rest counted."""
    from radrules import errors

    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "main.rr").write_text("".join(f'include "missing{n}.rr"\n' for n in range(2000)))
    errors._split.cache_clear()
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load(tmp_path / "rules")
    *shown, more = caught.value.errors  # 50 shown, the rest counted (RR407)
    assert len(shown) == 50 and (more.code, more.hidden) == ("RR407", 1950)
    assert shown[-1].source_line == 'include "missing49.rr"' and str(caught.value).endswith("2,000 errors")
    assert errors._split.cache_info().misses == 1


def test_files_that_all_include_each_other_give_a_bounded_report(tmp_path):
    """40 files that each include all the others close a cycle with nearly every include: the first 20 are
    reported, the last saying how many more there are (before, 780 diagnostics naming whole cycles)."""
    from radrules.loader import MAX_CYCLES_SHOWN

    (tmp_path / "rules").mkdir()
    for i in range(40):
        (tmp_path / "rules" / f"f{i}.rr").write_text("".join(f'include "f{j}.rr"\n' for j in range(40) if j != i))
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load(tmp_path / "rules")
    cycles = [e for e in caught.value.errors if e.code == "RR403"]
    assert len(cycles) == MAX_CYCLES_SHOWN == 20
    assert cycles[-1].message.endswith("(and 760 more include statements close cycles)")


@pytest.mark.parametrize("end", ["\r", "\r\n", "\n"], ids=["CR", "CRLF", "LF"])
def test_every_line_end_loads_the_same_rules(tmp_path, end):
    """A rule file with old Mac line ends (a lone CR) loads the rules it holds: a comment ends at its line's
    end, not at the end of the file (which would drop every rule after it without a word)."""
    text = end.join(['codes a = 70450  # the head CT', 'codes b = 70460', 'rule t.x "x"', '  when line.code in b',
                     '  then warn line "m"', '  reference "r"', 'end', ''])
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "main.rr").write_bytes(text.encode())
    rules = radrules.load(tmp_path / "rules")
    assert [rule.info.id for rule in rules.rules] == ["t.x"]
    assert rules.rules[0].info.source == "rules/main.rr:3"


# ---------------------------------------------------------------- several paths as one ruleset

CONTRAST_PAIR = {"id": "L-1", "lines": [{"code": "70450", "date": "2026-03-02"},
                                        {"code": "70470", "date": "2026-03-02"}]}


def _write(path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_payer_folder_beside_the_bundled_rules_disables_a_bundled_rule(tmp_path):
    """`disable rule` of a bundled rule works from the payer's own folder when loaded with bundled=True."""
    _write(tmp_path / "payer" / "x.rr", 'disable rule radiology.contrast.combined reference "payer contract"\n')
    assert "radiology.contrast.combined" in [f.rule for f in radrules.load().evaluate(CONTRAST_PAIR).findings]
    both = radrules.load(tmp_path / "payer", bundled=True, cache_dir=None)
    assert both.name == "radrules+payer"
    assert both.evaluate(CONTRAST_PAIR).findings == ()
    assert set(radrules.load().files) < set(both.files) and "payer/x.rr" in both.files
    with pytest.raises(radrules.RuleError) as caught:  # alone, the rule is not there to leave out
        radrules.load(tmp_path / "payer", cache_dir=None)
    assert [e.code for e in caught.value.errors] == ["RR308"]
    assert "bundled=True" in caught.value.errors[0].help


def test_several_paths_share_names_and_keep_their_own_folders(tmp_path):
    """A set defined in one path is used in another; each path's includes stay inside its own folder."""
    _write(tmp_path / "sets" / "imaging.rr", "codes ct_head = 70450, 70460, 70470\n")
    _write(tmp_path / "payer" / "units.rr", (
        'rule payer.ct_units "one CT a line"\n  when line.code in ct_head and line.units > 1\n'
        '  then deny line "{line.code}: one unit"\n  carc CO-151\n  reference "test"\nend\n'))
    ruleset = radrules.load(tmp_path / "sets", tmp_path / "payer", cache_dir=None)
    claim = {"id": "L-2", "lines": [{"code": "70460", "units": 2, "date": "2026-03-02"}]}
    assert [f.rule for f in ruleset.evaluate(claim).findings] == ["payer.ct_units"]
    _write(tmp_path / "payer" / "more.rr", 'include "../sets/imaging.rr"\n')
    with pytest.raises(radrules.RuleError) as caught:  # the other path's folder is not this one's
        radrules.load(tmp_path / "sets", tmp_path / "payer", cache_dir=None)
    assert [e.code for e in caught.value.errors] == ["RR402"]


def test_a_table_beside_the_bundled_rules_stays_inside_its_own_folder(tmp_path):
    """A `table` path is relative to its file and confined to the folder given for it, not to another's."""
    _write(tmp_path / "tables" / "cms" / "t.csv", "x\n")
    _write(tmp_path / "tables" / "t.rr", 'table ptp "../outside.TXT"\n')
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load(tmp_path / "tables", bundled=True, cache_dir=None)
    assert [e.code for e in caught.value.errors] == ["RR503"]


def test_overlapping_paths_and_twin_names_are_rr406(tmp_path, monkeypatch):
    """A folder inside another given too, or two files of one name: RR406 once, naming the paths as given."""
    monkeypatch.chdir(tmp_path)
    for name in ("a", "b", "c"):
        _write(tmp_path / "rules" / "payers" / f"{name}.rr", f"codes {name} = 70450\n")
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load("rules", "rules/payers", cache_dir=None)
    assert [(e.code, e.message) for e in caught.value.errors] == [  # once for the two paths
        ("RR406", "`rules/payers/a.rr` is loaded from both `rules` and `rules/payers` (and 2 more files)")]
    _write(tmp_path / "other" / "payers" / "d.rr", "codes d = 70460\n")
    assert "payers/d.rr" in radrules.load("rules/payers", "other/payers", cache_dir=None).files  # folders of one
    # name are fine while their files' names differ
    _write(tmp_path / "other" / "payers" / "a.rr", "codes e = 70470\n")
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load("rules/payers", "other/payers", cache_dir=None)
    assert [(e.code, e.message) for e in caught.value.errors] == [
        ("RR406", "two rule files are named `payers/a.rr`, in `rules/payers` and `other/payers`")]


def test_the_same_path_twice_loads_once_and_none_among_paths_is_a_type_error(tmp_path):
    _write(tmp_path / "r" / "a.rr", "codes a = 70450\n")
    twice = radrules.load(tmp_path / "r", tmp_path / "r", str(tmp_path / "r") + "/", cache_dir=None)
    assert (twice.files, twice.name) == (("r/a.rr",), "r")
    with pytest.raises(TypeError):
        radrules.load(None, tmp_path / "r")
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load(bundled=False)
    assert caught.value.errors[0].code == "RR401"


def test_rr406_names_the_path_that_loads_the_file_whatever_the_order(tmp_path, monkeypatch):
    """A file given alone has its folder as sandbox, but loads only itself: the folder that brings the file in
    is named, and the file's name is the one from the outer folder, in either order."""
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "nest" / "y.rr", "codes yy = 70450\n")
    _write(tmp_path / "nest" / "inner" / "z.rr", "codes zz = 70450\n")
    for paths, first, second in ((("nest/y.rr", "nest", "nest/inner"), "nest", "nest/inner"),
                                 (("nest/inner/z.rr", "nest"), "nest/inner/z.rr", "nest")):
        with pytest.raises(radrules.RuleError) as caught:
            radrules.load(*paths, cache_dir=None)
        assert [e.message for e in caught.value.errors] == [
            f"`nest/inner/z.rr` is loaded from both `{first}` and `{second}`"]


def test_a_broken_path_does_not_hide_the_others_problems(tmp_path, monkeypatch):
    """Every path's problems at once: a folder without rule files, a syntax error elsewhere, missing paths."""
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "a" / "a.rr", "codes = 70450\n")
    (tmp_path / "empty").mkdir()
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load("a", "empty", cache_dir=None)
    assert [(e.code, e.message) for e in caught.value.errors] == [
        ("RR103", "unexpected `=`"), ("RR401", "no `.rr` files in `empty`")]
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load("missing-1", "missing-2", cache_dir=None)
    assert [e.message for e in caught.value.errors] == [
        "no rule file or folder at `missing-1`", "no rule file or folder at `missing-2`"]


def test_a_copy_of_the_bundled_rules_beside_them_is_one_error(tmp_path):
    """--bundled with a copy of rulesets/: one RR406 that says so, not a flood of rules defined twice."""
    import shutil

    shutil.copytree(bundled_rulesets(), tmp_path / "mycopy", ignore=shutil.ignore_patterns("*.rrt"))
    count = len(list((tmp_path / "mycopy").rglob("*.rr")))
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load(tmp_path / "mycopy", bundled=True, cache_dir=None)
    (error,) = caught.value.errors
    assert error.code == "RR406" and error.message.startswith(f"`{(tmp_path / 'mycopy').as_posix()}` holds copies")
    assert f"and {count - 1} more)" in error.message and "without the bundled rulesets" in error.help


def test_the_cycle_collector_is_paused_while_rules_load(tmp_path, monkeypatch):
    """load() and loads() compile with Python's cycle collector off (its full collections over the growing syntax
    trees took a third of the time of a large load) and turn it on again after, after an error too; a collector
    that was off stays off."""
    import gc

    from radrules import loader

    seen = []
    real = loader.compile_ruleset

    def compile_and_look(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(loader, "compile_ruleset", compile_and_look)
    (tmp_path / "a.rr").write_text("codes paused_ct = 70450\n")
    assert gc.isenabled()
    radrules.load(tmp_path, cache_dir=None)
    radrules.loads("codes paused_mr = 70551\n", "paused.rr")
    with pytest.raises(radrules.RuleError):
        radrules.loads("codes = 70551\n", "paused_bad.rr")
    assert seen == [False, False, False] and gc.isenabled()
    gc.disable()
    try:
        radrules.loads("codes paused_us = 76700\n", "paused.rr")
        assert seen[-1] is False and not gc.isenabled()
    finally:
        gc.enable()


# ---------------------------------------------------------------- parsed rule files in the disk cache

from radrules import _version, loader, parser, tables  # noqa: E402


def _large_rules(rows: int = 400, tail: str = "") -> str:
    """A payer file: a `pairs` block of ``rows`` rows."""
    lines = ['pairs big.ptp "A large block"', "  for payer big", '  reference "a test"']
    lines += [f'  pair 7{row:04d} with 7{row + 1:04d} modifier allowed "row {row}"' for row in range(rows)]
    return "\n".join(lines + ["end"]) + "\n" + tail


@pytest.fixture(autouse=True)
def _no_parse_in_memory():
    """Each test starts as a new process does (another test may have parsed the same text)."""
    loader.clear_memory_cache()


def _rule_folder(tmp_path, text: str):
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    (folder / "big.rr").write_text(text, encoding="utf-8")
    return folder


def _parses_on_disk(cache) -> int:
    return len(list(cache.glob(f"{tables.PARSED_KIND}-*.pickle"))) if cache.exists() else 0


def _parsing_refused(monkeypatch):
    def refuse(*args):
        raise AssertionError("parsed again")
    monkeypatch.setattr(loader, "parse_rules", refuse)


def _rows(ruleset) -> list:
    return [(row.column1, row.column2, row.rationale, row.source) for row in ruleset.rows]


def test_a_rule_file_is_parsed_once_into_the_disk_cache(tmp_path, monkeypatch):
    """The second load of a file (after the in-process caches are emptied, as in a new process) reads its
    parse from the disk cache: the same rows, from the same file:line."""
    folder, cache = _rule_folder(tmp_path, _large_rules()), tmp_path / "cache"
    first = radrules.load(folder, cache_dir=cache)
    assert _parses_on_disk(cache) == 1
    loader.clear_memory_cache()
    with monkeypatch.context() as patched:
        _parsing_refused(patched)
        again = radrules.load(folder, cache_dir=cache)
    assert _rows(again) == _rows(first) and len(_rows(again)) == 400


def test_without_a_cache_folder_no_parse_is_kept_and_the_parser_is_built_only_when_needed(tmp_path, monkeypatch):
    """With no cache folder, nothing is kept anywhere; with one, a load whose files all come from it does not
    build the Lark parser (a tenth of a second or more in a new process)."""
    folder, cache = _rule_folder(tmp_path, _large_rules()), tmp_path / "cache"
    radrules.load(folder, cache_dir=None)
    assert not cache.exists()
    loader.clear_memory_cache()
    radrules.load(folder, cache_dir=cache)
    loader.clear_memory_cache()
    with monkeypatch.context() as patched:
        # (where parse_rules looks the parser up; radrules.grammar builds it)
        patched.setattr(parser, "rule_parser", lambda: pytest.fail("the parser was built"))
        assert len(radrules.load(folder, cache_dir=cache).rows) == 400


def test_a_changed_file_or_parser_is_parsed_again(tmp_path, monkeypatch):
    """The key holds the file's name and text and the parser's fingerprint (radrules' version, the grammar, the
    parser's code): a change to any of them parses the file again, and the old parse is never used."""
    folder, cache = _rule_folder(tmp_path, _large_rules()), tmp_path / "cache"
    radrules.load(folder, cache_dir=cache)
    _rule_folder(tmp_path, _large_rules().replace('"row 7"', '"row seven"'))
    loader.clear_memory_cache()
    changed = radrules.load(folder, cache_dir=cache)
    assert [row.rationale for row in changed.rows][7] == "row seven"
    assert _parses_on_disk(cache) == 2
    loader.clear_memory_cache()
    parser.fingerprint.cache_clear()
    try:
        with monkeypatch.context() as patched:
            patched.setattr(_version, "__version__", "0.0.1")
            radrules.load(folder, cache_dir=cache)
    finally:
        parser.fingerprint.cache_clear()
    assert _parses_on_disk(cache) == 3


def test_a_parse_with_errors_gives_the_same_errors_from_the_disk_cache(tmp_path, monkeypatch):
    """A file with a syntax error: its diagnostics are kept with its parse, so the load read back from the
    disk cache fails with the same errors, at the same file:line:col."""
    folder = _rule_folder(tmp_path, _large_rules(tail="rule broken.one\n  when line.code in\nend\n"))
    cache = tmp_path / "cache"
    with pytest.raises(radrules.RuleError) as first:
        radrules.load(folder, cache_dir=cache)
    assert _parses_on_disk(cache) == 1 and "RR1" in str(first.value)
    loader.clear_memory_cache()
    with monkeypatch.context() as patched:
        _parsing_refused(patched)
        with pytest.raises(radrules.RuleError) as again:
            radrules.load(folder, cache_dir=cache)
    assert str(again.value) == str(first.value)


def test_a_damaged_parse_on_disk_is_parsed_again(tmp_path):
    """A cache file whose bytes changed fails its checksum: the file is parsed again, and loads the same."""
    folder, cache = _rule_folder(tmp_path, _large_rules()), tmp_path / "cache"
    first = radrules.load(folder, cache_dir=cache)
    (stored,) = cache.glob(f"{tables.PARSED_KIND}-*.pickle")
    data = bytearray(stored.read_bytes())
    data[-40] ^= 0xFF
    stored.write_bytes(bytes(data))
    loader.clear_memory_cache()
    calls = []
    original = loader.parse_rules
    loader.parse_rules = lambda *args: calls.append(args) or original(*args)
    try:
        again = radrules.load(folder, cache_dir=cache)
    finally:
        loader.parse_rules = original
    assert len(calls) == 1 and _rows(again) == _rows(first)


def test_rule_and_test_files_are_found_whatever_the_case_of_their_extension(tmp_path):
    """`PAYER.RR` beside `main.rr` is loaded too (Windows takes it for a `.rr` file, and so do we), and `T.RRT`
    is a test file: a rule file left out silently would leave its denials out."""
    from radrules.testing import Runner

    (tmp_path / "main.rr").write_text('ruleset "x" version "1"\n', encoding="utf-8")
    (tmp_path / "PAYER.RR").write_text('rule u.deny\n  when line.code is 74176\n  then deny line "no"\n'
                                       '  carc CO-4\n  reference "test"\nend\n', encoding="utf-8")
    (tmp_path / "T.RRT").write_text('rules "."\n\ntest "denied"\n  claim\n    2026-03-02 74176\n'
                                    '  expect u.deny on line 1 deny\nend\n', encoding="utf-8")
    rules = radrules.load(tmp_path, cache_dir=None)
    assert "u.deny" in rules.rule_ids()
    claim = {"id": "C", "lines": [{"code": "74176", "date": "2026-03-02"}]}
    assert not rules.evaluate(claim).passed
    report = Runner().run([tmp_path])
    assert (report.passed, report.failed) == (1, 0)
    (tmp_path / "T.RRT").write_text((tmp_path / "T.RRT").read_text().replace('rules "."', 'rules "PAYER.RR"'))
    report = Runner().run([tmp_path / "T.RRT"])  # named, and naming its rules, in capitals
    assert (report.passed, report.failed, report.errors) == (1, 0, 0)


def test_a_path_to_a_device_or_a_pipe_says_so(tmp_path):
    """The null device (as a link to /dev/zero would be) and, where the system makes them, a named pipe exist: not
    "no rule file or folder at" them, and nothing read."""
    paths = [Path(os.devnull)]
    if hasattr(os, "mkfifo"):  # (every system has a null device; Windows has no named pipe in its file system)
        os.mkfifo(tmp_path / "pipe.rr")
        paths.append(tmp_path / "pipe.rr")
    for path in paths:
        with pytest.raises(radrules.RuleError) as caught:
            radrules.load(path, cache_dir=None)
        [error] = caught.value.errors
        assert (error.code, error.message) == ("RR401", f"`{path.as_posix()}` is not a rule file or folder (a pipe or "
                                                        "a device)")


# ---------------------------------------------------------------- files too large to read

def _sparse(path: Path, size: int) -> Path:
    """A file of ``size`` bytes that takes no room on disk (a sparse file of NULs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.truncate(size)
    return path


def test_a_huge_rule_file_is_refused_before_it_is_read(tmp_path):
    """A rule file larger than any written by hand (a sparse file of gigabytes) is RR401, not read whole into
    memory (a MemoryError's traceback, or the machine's memory gone)."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "main.rr").write_text('include "big.rr"\n')
    _sparse(tmp_path / "rules" / "big.rr", 8 << 30)
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load(tmp_path / "rules", cache_dir=None)
    assert [(e.code, e.message) for e in caught.value.errors] == [
        ("RR401", "`rules/big.rr` is 8,589,934,592 bytes, more than a rule file may be (radrules reads at most "
                  "4,194,304)")]


def test_a_rule_file_of_the_largest_size_is_read(tmp_path):
    """A rule file of exactly the largest size is read (the limit is not one byte short)."""
    from radrules._resources import MAX_TEXT_BYTES

    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "main.rr").write_text(_CT_RULE + "#" * (MAX_TEXT_BYTES - len(_CT_RULE) - 1) + "\n")
    assert "acme.ct" in radrules.load(tmp_path / "rules", cache_dir=None).rule_ids()


# ---------------------------------------------------------------- a link put in a file's place after it was checked

def _swap_for_link(folder: Path, outside: Path) -> None:
    """Put a link to ``outside`` in the place of ``folder``, as another user of a shared folder could do between
    the check of a path and its read."""
    folder.rename(folder.with_name(folder.name + ".moved"))
    folder.symlink_to(outside, target_is_directory=True)


def test_a_rule_file_swapped_for_a_link_outside_after_it_was_found_is_not_read(tmp_path, monkeypatch):
    """A folder of a ruleset replaced by a link to a folder outside it after the walk found its files (here, while
    the first file is parsed) is RR401 for its file, not a read of the file outside, whose lines a syntax error
    would show."""
    import radrules.loader as loader

    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "x.rr").write_text("private words of another folder\n")
    (tmp_path / "rules" / "shared").mkdir(parents=True)
    (tmp_path / "rules" / "a.rr").write_text("codes ct = 70450\n")
    (tmp_path / "rules" / "shared" / "x.rr").write_text("codes mr = 70551\n")
    parse = loader._parse

    def parse_then_swap(text, display, cache_dir=None):
        if display == "rules/a.rr":
            _swap_for_link(tmp_path / "rules" / "shared", tmp_path / "outside")
        return parse(text, display, cache_dir)

    monkeypatch.setattr(loader, "_parse", parse_then_swap)
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load(tmp_path / "rules", cache_dir=None)
    assert [e.code for e in caught.value.errors] == ["RR401"]
    assert "private" not in str(caught.value)
    assert caught.value.errors[0].message.startswith("can't read `rules/shared/x.rr`: it now leads outside the "
                                                     "ruleset folder (a link was put in its place)")


@pytest.mark.skipif(os.open not in os.supports_dir_fd, reason="opening relative to a folder is POSIX")
def test_a_folder_swapped_for_a_link_while_a_file_is_opened_is_not_followed(tmp_path, monkeypatch):
    """open_inside opens a file inside its folder even when a link takes a folder's place after its real path
    was found again: the folders on the way are opened without following a link."""
    from radrules import _resources

    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "x.rr").write_text("private\n")
    (tmp_path / "rules" / "shared").mkdir(parents=True)
    (tmp_path / "rules" / "shared" / "x.rr").write_text("codes mr = 70551\n")
    root = tmp_path.resolve() / "rules"
    realpath = os.path.realpath

    def realpath_then_swap(path, *args, **kwargs):
        found = realpath(path, *args, **kwargs)
        monkeypatch.setattr(os.path, "realpath", realpath)  # once
        _swap_for_link(tmp_path / "rules" / "shared", tmp_path / "outside")
        return found

    monkeypatch.setattr(os.path, "realpath", realpath_then_swap)
    with pytest.raises(OSError, match="it changed while it was opened"):
        _resources.open_inside(root, root / "shared" / "x.rr")


@pytest.mark.parametrize("cache_dir", [None, "cache"])
def test_a_table_folder_swapped_for_a_link_outside_after_it_was_checked_is_not_read(tmp_path, monkeypatch, cache_dir):
    """A table's folder replaced by a link to a folder outside the ruleset after the `table` statement's path was
    checked is RR502 for its file, not a read of the file outside, whose rows the table's errors would show (with
    a disk cache, the file is hashed first; without, only read)."""
    import radrules.compiler.loading as loading

    name = "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / name).write_text("HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication "
                                             "Indicator,MUE Rationale\n71046,private words,1 Line Edit,x\n")
    (tmp_path / "rules" / "cms").mkdir(parents=True)
    (tmp_path / "rules" / "cms" / name).write_text("HCPCS/CPT Code,Practitioner Services MUE Values,MUE "
                                                   "Adjudication Indicator,MUE Rationale\n71046,2,1 Line Edit,x\n")
    (tmp_path / "rules" / "ncci.rr").write_text(f'table mue "cms/{name}"\n')
    checked = loading.loaded_twice

    def checked_then_swap(*args):
        _swap_for_link(tmp_path / "rules" / "cms", tmp_path / "outside")
        return checked(*args)

    monkeypatch.setattr(loading, "loaded_twice", checked_then_swap)
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load(tmp_path / "rules", cache_dir=cache_dir and tmp_path / cache_dir)
    assert [e.code for e in caught.value.errors] == ["RR502"]
    assert "private" not in str(caught.value)
    assert caught.value.errors[0].message == (f"can't read `rules/cms/{name}`: it now leads outside the ruleset "
                                              "folder (a link was put in its place)")
