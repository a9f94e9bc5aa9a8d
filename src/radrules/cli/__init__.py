"""The ``radrules`` command. One module per subcommand.

Exit codes (docs/cli.md): 0 every claim passed (or nothing wrong), 2 some
claim failed (``diff``: the rulesets differ), 3 the rules have errors, 1 any
other failure (unreadable input, a claim of the wrong shape, a rule test that
failed, ``fmt --check`` found files to format, a usage error, output that
can't be written).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

from . import check_command, diff_command, eval_command, explain_command, fmt_command, test_command

EXIT_OK, EXIT_FAILURE, EXIT_CLAIMS_FAIL, EXIT_RULE_ERRORS = 0, 1, 2, 3
#: ``diff``: the rulesets (or their outcomes) differ. Same code as a failing claim: "look at this".
EXIT_DIFFERENT = EXIT_CLAIMS_FAIL

COMMANDS = {
    "eval": eval_command,
    "check": check_command,
    "test": test_command,
    "explain": explain_command,
    "fmt": fmt_command,
    "diff": diff_command,
}


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error exits 1 ("any other failure"): argparse's 2 is a failing claim here."""

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(EXIT_FAILURE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = _Parser(
        prog="radrules",
        description="Radiology claim edits: evaluate claims against rule files.",
    )
    parser.add_argument("--version", action="version", version=f"radrules {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    for name, module in COMMANDS.items():
        module.add_parser(commands)
    for name, command in commands.choices.items():
        if name != "fmt":  # fmt reads rule files as text, it loads no tables
            command.add_argument(
                "--cache-dir", metavar="DIR",
                help="where compiled CMS tables and parsed rule files are cached; '' turns the disk cache off "
                     "(default: "
                     "$RADRULES_CACHE_DIR, else the user cache directory: docs/cli.md, Environment)")
    return parser


def _tolerant(stream) -> None:
    """Write what the stream's encoding can't take (a lone surrogate in a claim's code) escaped,
    rather than fail the whole output."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(errors="backslashreplace")
        except (ValueError, OSError):  # pragma: no cover - a stream that can't change
            pass


def main(argv: list[str] | None = None) -> int:
    streams = sys.stdout, sys.stderr  # (put back at the end: main also runs inside other programs and tests)
    opened: list = []  # the null devices opened for closed streams
    try:
        return _main(argv, opened)
    finally:
        sys.stdout, sys.stderr = streams
        for stream in opened:
            stream.close()


def _main(argv: list[str] | None, opened: list) -> int:
    if _closed(sys.stderr):  # `2>&-`: messages go nowhere, the results and files are still written
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # (and no file opened later takes its place)
        opened.append(sys.stderr)
    closed = _closed(sys.stdout)
    if closed:  # `>&-`: a command says it can't write its output (eval: before reading a claim)
        sys.stdout = None
    _tolerant(sys.stdout)
    _tolerant(sys.stderr)
    sys.stderr = _Messages(sys.stderr)
    parser = build_parser()
    args = parser.parse_args(argv)
    if closed and not _needs_output(args):  # `fmt PATH` rewrites files; its list of them goes nowhere
        sys.stdout = open(os.devnull, "w", encoding="utf-8")
        opened.append(sys.stdout)
    elif closed and args.command != "eval":  # (eval reports it in its summary, on its own)
        print("error: can't write the output: standard output is closed", file=sys.stderr)
        return EXIT_FAILURE
    try:
        with _cache_dir(getattr(args, "cache_dir", None)):
            code = COMMANDS[args.command].run(args)
        if sys.stdout is not None:  # (closed: `>&-`)
            sys.stdout.flush()  # a full disk shows here, not at exit
        return code
    except BrokenPipeError:  # e.g. `radrules eval ... | head`: the reader left before the end
        drop_output()
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return EXIT_FAILURE
    except OSError as problem:
        if problem.filename is not None:  # a file a command did not expect to fail: name it
            raise
        output, text = io_problem(problem)
        if output:
            drop_output()
        print(f"error: {text}", file=sys.stderr)
        return EXIT_FAILURE


class _Messages:
    """Standard error for the messages and the summary: a write that fails (a terminal gone with its session, a
    log on a full disk) is dropped, so that it never stops the results, the summary file or the exit code, nor
    is taken for a failure of standard output or input."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, text: str) -> int:
        try:
            return self.stream.write(text)
        except OSError:
            return len(text)

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError:
            pass

    def __getattr__(self, name):  # isatty, fileno, encoding...: the stream's
        return getattr(self.stream, name)


def _needs_output(args) -> bool:
    """Whether the command's work is what it writes on standard output: all but `fmt` rewriting files in place."""
    return args.command != "fmt" or args.check or args.diff or "-" in args.paths


def _closed(stream) -> bool:
    """Whether a standard stream can't be written at all: None (its file descriptor was closed when Python
    started), or on a descriptor that is not open for writing (closed, or taken by a file that a program
    before this one opened for reading, as a shell script that starts Python does): every write fails."""
    import errno

    if stream is None:
        return True
    try:
        os.write(stream.fileno(), b"")  # writes nothing: only tells whether writing is allowed
    except OSError as problem:  # (io.UnsupportedOperation, of a test's stream without a descriptor: not closed)
        return problem.errno == errno.EBADF
    except (ValueError, AttributeError):  # a closed file object, or no file at all: left to the command
        return False
    return False


@contextlib.contextmanager
def _cache_dir(folder: str | None):
    """``--cache-dir``: RADRULES_CACHE_DIR for the command (and the worker processes of ``--jobs``), as it
    was again after it (``main`` also runs inside other programs and tests)."""
    if folder is None:
        yield
        return
    before = os.environ.get("RADRULES_CACHE_DIR")
    os.environ["RADRULES_CACHE_DIR"] = folder
    try:
        yield
    finally:
        if before is None:
            del os.environ["RADRULES_CACHE_DIR"]
        else:
            os.environ["RADRULES_CACHE_DIR"] = before


def io_problem(problem: OSError) -> tuple[bool, str]:
    """(whether it is the output that failed, what to say) for an error of standard input or output: only
    writing gives a full disk, a quota, a file too large or a reader that left; anything else is reading
    standard input (a device error, a connection reset)."""
    import errno

    output = problem.errno in {errno.ENOSPC, getattr(errno, "EDQUOT", -1), errno.EFBIG, errno.EPIPE}
    return output, f"can't {'write the output' if output else 'read the input'}: {problem.strerror or problem}"


def drop_output() -> None:
    """Send what is left of standard output nowhere, so that exiting does not fail on it again."""

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real file behind sys.stdout (a test's capture)
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
