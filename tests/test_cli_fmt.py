"""`radrules fmt`: in-place rewriting, --check, --diff, standard input and exit codes."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from radrules.cli import main

ROOT = Path(__file__).parent.parent
MESSY = 'codes  ct=70450,70460 # head\nrule r when line.code in ct then warn line "m" reference "x" end\n'
TIDY = 'codes ct = 70450, 70460  # head\n\nrule r\n  when line.code in ct\n  then warn line "m"\n  reference "x"\nend\n'
BROKEN = "rule r\n  when line.code is 70450\n"


@pytest.fixture
def tree(tmp_path):
    """A folder with a messy file, a tidy one, a messy one in a subfolder and in a hidden folder, and a non-.rr file."""
    (tmp_path / "sub").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "messy.rr").write_text(MESSY, encoding="utf-8")
    (tmp_path / "tidy.rr").write_text(TIDY, encoding="utf-8")
    (tmp_path / "sub" / "deep.rr").write_text(MESSY, encoding="utf-8")
    (tmp_path / ".hidden" / "skip.rr").write_text(MESSY, encoding="utf-8")
    (tmp_path / "notes.txt").write_text(MESSY, encoding="utf-8")
    return tmp_path


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(["fmt", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_rewrites_files_in_place_and_names_them(tree, capsys):
    """`fmt PATH` rewrites every changed .rr file of a folder, recursively, and prints each it changed."""
    code, out, err = run(capsys, tree)
    assert code == 0 and err == ""
    assert out.splitlines() == [f"formatted {tree / 'messy.rr'}", f"formatted {tree / 'sub' / 'deep.rr'}"]
    assert (tree / "messy.rr").read_text(encoding="utf-8") == TIDY
    assert (tree / "sub" / "deep.rr").read_text(encoding="utf-8") == TIDY


def test_skips_hidden_folders_other_files_and_formatted_files(tree, capsys):
    """Files in dot-folders, files not ending in .rr and files already formatted are left as they are."""
    before = (tree / "tidy.rr").stat().st_mtime_ns
    run(capsys, tree)
    assert (tree / ".hidden" / "skip.rr").read_text(encoding="utf-8") == MESSY
    assert (tree / "notes.txt").read_text(encoding="utf-8") == MESSY
    assert (tree / "tidy.rr").stat().st_mtime_ns == before
    code, out, _ = run(capsys, tree)
    assert (code, out) == (0, "")


def test_check_lists_files_to_format_and_exits_1(tree, capsys):
    """`--check` changes nothing, prints each file that would change, and exits 1."""
    code, out, _ = run(capsys, "--check", tree)
    assert code == 1
    assert out.splitlines() == [str(tree / "messy.rr"), str(tree / "sub" / "deep.rr")]
    assert (tree / "messy.rr").read_text(encoding="utf-8") == MESSY


def test_check_exits_0_when_everything_is_formatted(tree, capsys):
    """`--check` on formatted files prints nothing and exits 0."""
    assert run(capsys, "--check", tree / "tidy.rr") == (0, "", "")


def test_diff_prints_a_unified_diff_and_changes_nothing(tree, capsys):
    """`--diff` prints what would change as a unified diff, leaves the file alone and exits 0."""
    path = tree / "messy.rr"
    code, out, _ = run(capsys, "--diff", path)
    assert code == 0
    assert out.startswith(f"--- {path}\n+++ {path} (formatted)\n@@ ")
    assert "-codes  ct=70450,70460 # head\n" in out and "+codes ct = 70450, 70460  # head\n" in out
    assert path.read_text(encoding="utf-8") == MESSY


def test_check_with_diff_prints_the_diff_and_exits_1(tree, capsys):
    """`--check --diff` shows the diff and still fails, for CI logs."""
    code, out, _ = run(capsys, "--check", "--diff", tree / "messy.rr")
    assert code == 1 and out.startswith("--- ")
    assert (tree / "messy.rr").read_text(encoding="utf-8") == MESSY


def test_a_file_that_does_not_parse_exits_3_with_its_diagnostics(tree, capsys):
    """A broken file is reported on stderr and left alone, the others are still formatted, and the exit is 3."""
    broken = tree / "broken.rr"
    broken.write_text(BROKEN, encoding="utf-8")
    code, out, err = run(capsys, broken, tree / "messy.rr")
    assert code == 3
    assert f"{broken}:1:1: error[RR105]: this `rule` block has no `end`" in err
    assert broken.read_text(encoding="utf-8") == BROKEN
    assert (tree / "messy.rr").read_text(encoding="utf-8") == TIDY
    assert out == f"formatted {tree / 'messy.rr'}\n"


def test_a_broken_file_beats_check(tree, capsys):
    """With --check, a file that does not parse still makes the exit code 3, not 1."""
    (tree / "broken.rr").write_text(BROKEN, encoding="utf-8")
    assert run(capsys, "--check", tree)[0] == 3


def test_missing_and_undecodable_files_exit_3(tmp_path, capsys):
    """A path that does not exist is RR401 and a file that is not UTF-8 is RR404, both exit 3."""
    latin = tmp_path / "latin.rr"
    latin.write_bytes('reference "caf\xe9"\n'.encode("latin-1"))
    code, _, err = run(capsys, tmp_path / "nothere.rr", latin)
    assert code == 3
    assert f"error[RR401]: no rule file or folder at `{tmp_path / 'nothere.rr'}`" in err
    assert f"error[RR404]: `{latin}` is not UTF-8 text" in err


def test_an_empty_path_and_a_name_too_long_exit_3(tmp_path, capsys, monkeypatch):
    """`fmt ""` is RR401 (it formatted the working directory's files) and a name too long RR401 (an OSError
    traceback); neither writes anything."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.rr").write_text(MESSY, encoding="utf-8")
    code, _, err = run(capsys, "", "x" * 300)
    assert code == 3 and (tmp_path / "a.rr").read_text(encoding="utf-8") == MESSY
    assert "error[RR401]: no rule file or folder: the path is empty" in err
    assert "error[RR401]: can't read `xxxxxxxx" in err and ": File name too long" in err


def test_standard_input_is_formatted_to_standard_output(capsys, monkeypatch):
    """`fmt -` reads rules from standard input and prints them formatted."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(MESSY))
    assert run(capsys, "-") == (0, TIDY, "")


def test_standard_input_that_is_not_utf8_is_rr404(capsys, monkeypatch):
    """`fmt -` checks its bytes as a file's are: not UTF-8 is RR404 (exit 3), not an RR101 on a stray character."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\xff\xfe codes a = 70450\n")))
    code, out, err = run(capsys, "-")
    assert (code, out) == (3, "")
    assert "error[RR404]: standard input is not UTF-8 text (byte 0)" in err


def test_a_failed_write_leaves_the_file_as_it_was_and_goes_on(tree, capsys, monkeypatch):
    """A write that fails (a full disk) names the file, leaves it whole, formats the other paths and exits 1."""
    real = os.replace
    def full_disk(source, target):
        if Path(target).name == "messy.rr":
            raise OSError(28, "No space left on device")
        return real(source, target)
    monkeypatch.setattr(os, "replace", full_disk)
    code, out, err = run(capsys, tree / "messy.rr", tree / "sub" / "deep.rr")
    assert code == 1
    assert f"error: can't write `{tree / 'messy.rr'}`: No space left on device; the file is unchanged" in err
    assert (tree / "messy.rr").read_text(encoding="utf-8") == MESSY
    assert (tree / "sub" / "deep.rr").read_text(encoding="utf-8") == TIDY
    assert out == f"formatted {tree / 'sub' / 'deep.rr'}\n"
    assert [p.name for p in tree.iterdir() if p.name.startswith(".fmt-")] == []  # no temporary file left


def test_rewriting_keeps_links_and_permissions(tree, capsys):
    """A linked rule file is formatted where it lives (the link stays a link); the file keeps its mode."""
    target = tree / "messy.rr"
    target.chmod(0o640)
    link = tree / "link.rr"
    link.symlink_to(target)
    code, _, _ = run(capsys, link)
    assert code == 0 and link.is_symlink()
    assert target.read_text(encoding="utf-8") == TIDY
    assert target.stat().st_mode & 0o777 == 0o640


def test_a_file_swapped_for_a_link_while_formatted_is_not_written_through_it(tree, capsys, monkeypatch):
    """fmt writes the file it read: one put in its place since (a link to a file outside the folder, by another
    user of a shared folder) is named and left as it is, and the file the link leads to is not overwritten; the
    other files are still formatted; exit 1."""
    from radrules import formatter

    outside = tree.parent / f"{tree.name}-outside.rr"
    outside.write_text("not a rule file\n", encoding="utf-8")
    real = formatter.format_rules
    def swapping(text, name="<string>"):
        if name.endswith("messy.rr") and "sub" not in name:
            (tree / "messy.rr").unlink()
            (tree / "messy.rr").symlink_to(outside)
        return real(text, name)
    monkeypatch.setattr("radrules.format_rules", swapping)
    code, out, err = run(capsys, tree / "messy.rr", tree / "sub" / "deep.rr")
    assert code == 1
    assert f"can't write `{tree / 'messy.rr'}`: it changed while it was formatted; the file is unchanged" in err
    assert outside.read_text(encoding="utf-8") == "not a rule file\n"
    assert (tree / "sub" / "deep.rr").read_text(encoding="utf-8") == TIDY


def test_a_formatter_bug_leaves_the_file_and_goes_on(tree, capsys, monkeypatch):
    """If the formatter would change a file's rules (its own check), that file is named and left as it is; the
    other files are still formatted; exit 1."""
    from radrules import formatter

    real = formatter.format_rules
    def guarded(text, name="<string>"):
        if name.endswith("messy.rr") and "sub" not in name:
            raise formatter.FormattingError(f"{name}: formatting would change the rules (a bug in radrules fmt)")
        return real(text, name)
    monkeypatch.setattr("radrules.format_rules", guarded)
    code, out, err = run(capsys, tree / "messy.rr", tree / "sub" / "deep.rr")
    assert code == 1
    assert f"error: {tree / 'messy.rr'}: formatting would change the rules" in err and "the file is unchanged" in err
    assert (tree / "messy.rr").read_text(encoding="utf-8") == MESSY
    assert (tree / "sub" / "deep.rr").read_text(encoding="utf-8") == TIDY


def test_diff_of_a_file_without_a_final_newline_is_a_patch(tree, capsys):
    """The last line without its line end is marked as `diff` marks it, so `patch` takes the diff."""
    path = tree / "nf.rr"
    path.write_bytes(b"codes  a=1")
    code, out, _ = run(capsys, "--diff", path)
    assert code == 0
    assert out.splitlines()[3:] == ["-codes  a=1", "\\ No newline at end of file", "+codes a = 1"]


def test_diff_splits_lines_at_line_feeds_only(tree, capsys):
    """A comment holding a form feed or U+2028 is one line for the diff, as for the parser and `patch`."""
    path = tree / "ff.rr"
    path.write_text("codes  a=1 # form\x0cfeed \u2028 sep\ncodes  b=2\n", encoding="utf-8")
    code, out, _ = run(capsys, "--diff", path)
    assert code == 0 and "No newline" not in out
    assert [line for line in out.split("\n") if line.startswith(("-", "+")) and not line.startswith(("---", "+++"))] \
        == ["-codes  a=1 # form\x0cfeed \u2028 sep", "-codes  b=2", "+codes a = 1  # form\x0cfeed \u2028 sep",
            "+codes b = 2"]


@pytest.mark.parametrize("data", [b"codes a = 70450\r\n", b"\xef\xbb\xbfcodes a = 70450\n", b"codes a = 70450\r"],
                         ids=["CRLF", "BOM", "CR"])
def test_crlf_and_a_byte_order_mark_are_not_canonical(tree, capsys, monkeypatch, data):
    """The canonical layout has LF line ends and no byte order mark, from a file as from standard input:
    --check lists such a file and fmt rewrites it."""
    path = tree / "odd.rr"
    path.write_bytes(data)
    assert run(capsys, "--check", path) == (1, f"{path}\n", "")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert run(capsys, "--check", "-") == (1, "-\n", "")
    assert run(capsys, path)[0] == 0
    assert path.read_bytes() == b"codes a = 70450\n"


def test_links_in_a_folder_are_refused_as_check_refuses_them(tree, capsys):
    """In a folder, a link to a file outside it is RR402 and a link to nothing RR401 (exit 3); neither target
    is written, and the folder's other files are formatted."""
    outside = tree.parent / (tree.name + "-outside")
    outside.mkdir()
    (outside / "t.rr").write_text(MESSY, encoding="utf-8")
    (tree / "sub" / "link.rr").symlink_to(outside / "t.rr")
    (tree / "sub" / "dangling.rr").symlink_to(tree / "nothing.rr")
    code, out, err = run(capsys, tree / "sub")
    assert code == 3
    assert "error[RR402]: `sub/link.rr` links to a file outside the ruleset folder" in err
    assert "error[RR401]: `sub/dangling.rr` is a link to nothing" in err
    assert (outside / "t.rr").read_text(encoding="utf-8") == MESSY
    assert out == f"formatted {tree / 'sub' / 'deep.rr'}\n"


def test_a_folder_link_inside_is_formatted_as_check_reads_it(tree, capsys):
    """fmt walked a folder with rglob, which passes over a link to a folder without a word (`radrules check`
    follows one inside the folder and refuses one outside it, RR402): now it finds the files check reads."""
    inner = tree / "sub" / "inner"
    inner.mkdir()
    (inner / "in.rr").write_text(MESSY, encoding="utf-8")
    (tree / "sub" / "alias").symlink_to(inner)  # inside: the file once, by its real path
    outside = tree.parent / (tree.name + "-elsewhere")
    outside.mkdir()
    (outside / "far.rr").write_text(MESSY, encoding="utf-8")
    (tree / "sub" / "far").symlink_to(outside)
    code, out, err = run(capsys, tree / "sub")
    assert code == 3
    assert "error[RR402]: `sub/far` links to a folder outside the ruleset folder" in err
    assert (outside / "far.rr").read_text(encoding="utf-8") == MESSY
    assert (inner / "in.rr").read_text(encoding="utf-8") == TIDY
    assert out.count("in.rr") == 1


def test_a_hard_linked_file_is_written_in_place(tree, capsys):
    """A rule file with another hard link is rewritten in place, so the link sees the formatted text too
    (a new file moved into place would split them)."""
    import os

    link = tree / "also.rr"
    os.link(tree / "messy.rr", link)
    assert run(capsys, tree / "messy.rr")[0] == 0
    assert link.read_text(encoding="utf-8") == TIDY and os.stat(link).st_nlink == 2


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_named_as_a_rule_file_is_refused_not_waited_on(tmp_path, capsys):
    """`fmt PIPE.rr` is RR401, as a pipe in a ruleset is for `check`: reading it would wait for a writer."""
    os.mkfifo(tmp_path / "pipe.rr")
    code, _, err = run(capsys, tmp_path / "pipe.rr")
    assert code == 3 and f"error[RR401]: `{tmp_path / 'pipe.rr'}` is not a rule file" in err


def test_a_huge_rule_file_is_refused_before_it_is_read(tmp_path, capsys):
    """`fmt BIG.rr` of a file larger than any written by hand (a sparse file of gigabytes) is RR401, not read
    whole into memory."""
    with open(tmp_path / "big.rr", "wb") as handle:
        handle.truncate(8 << 30)
    code, _, err = run(capsys, tmp_path / "big.rr")
    assert code == 3 and (f"error[RR401]: `{tmp_path / 'big.rr'}` is 8,589,934,592 bytes, more than a rule file "
                          "may be (radrules reads at most 4,194,304)") in err


def test_bundled_rulesets_pass_check():
    """`radrules fmt --check rulesets` passes on the bundled files, run as a real command."""
    done = subprocess.run([sys.executable, "-m", "radrules", "fmt", "--check", "rulesets"], cwd=ROOT,
                          capture_output=True, text=True, env=os.environ.copy())
    assert (done.returncode, done.stdout) == (0, "")


def test_command_exit_codes_end_to_end(tree):
    """Run as a process, `fmt --check` exits 1 on a messy file, `fmt` then fixes it and `--check` exits 0."""
    def radrules(*args):
        return subprocess.run([sys.executable, "-m", "radrules", "fmt", *args], capture_output=True, text=True,
                              env=os.environ.copy())

    path = str(tree / "messy.rr")
    assert radrules("--check", path).returncode == 1
    assert radrules(path).returncode == 0
    assert radrules("--check", path).returncode == 0
    assert Path(path).read_text(encoding="utf-8") == TIDY


def test_fmt_is_registered_as_a_subcommand():
    """`fmt` is one of the CLI's COMMANDS, in its own module."""
    from radrules.cli import COMMANDS

    assert COMMANDS["fmt"].__name__ == "radrules.cli.fmt_command"
