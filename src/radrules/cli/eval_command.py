"""``radrules eval``: evaluate claims and print the results, then a summary.

Batch runs (several inputs, many claims, ``--jobs``) go through
:mod:`radrules.cli.batch`; the counts come from :mod:`radrules.cli.summary`.
"""

from __future__ import annotations

import json
import os
import sys
import time

from ..errors import InputError
from .batch import Options, WorkerError, cut_units, default_jobs, run_units, tuning
from .common import (add_authorizations_option, add_history_option, add_input_format_option, add_rules_option,
                     load_authorizations, load_history, load_rules, whole_number)
from .files import replace_file
from .progress import ProgressBar, is_terminal
from .stops import Stops
from .summary import Summary, tables_reach

__all__ = ["add_parser", "run"]


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "eval", help="evaluate claims",
        description="Evaluate claims: claim JSON (an object, an array, or JSON Lines), an X12 837P/837I "
                    "file, or FHIR R4 Claim/Bundle JSON, told apart by content; `-` for stdin. Results go "
                    "to standard output in input order; a summary goes to standard error.",
    )
    add_rules_option(parser)
    add_input_format_option(parser)
    add_history_option(parser)
    add_authorizations_option(parser)
    parser.add_argument("--format", choices=("text", "json", "fhir"), default="text",
                        help="text for people (default), JSON Lines with one result per claim, or JSON Lines "
                             "with one FHIR ClaimResponse per claim")
    parser.add_argument("--exit-zero", action="store_true",
                        help="exit 0 even when claims fail (errors still exit 1 or 3)")
    parser.add_argument("--jobs", "-j", type=whole_number(1), default=None, metavar="N",
                        help=f"evaluate in N processes (default: {default_jobs()}, the CPUs this process may use "
                             "within its CPU quota; small inputs are evaluated in one)")
    parser.add_argument("--summary-json", metavar="FILE",
                        help="also write the summary as JSON to FILE (created, or emptied, when the command "
                             "starts; the summary is written when the run ends)")
    parser.add_argument("claims", metavar="INPUT", nargs="+",
                        help="claims files, or - for stdin; read one after the other")


def run(args) -> int:
    from . import EXIT_FAILURE

    started = time.perf_counter()
    target = None
    if args.summary_json:  # before anything else: a path that can't be written costs no run
        try:
            rules = args.rules or []
            payers = getattr(args.payers, "path", None)
            folders = [path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path)) for path in rules]
            if not rules or args.bundled:
                from .._resources import bundled_rulesets

                folders.append(str(bundled_rulesets()))
            target = SummaryFile(args.summary_json, [args.history, args.authorizations, payers, *rules,
                                                     *args.claims], folders=folders)
        except OSError as problem:
            print(f"error: can't write `{args.summary_json}`: {problem.strerror or problem}", file=sys.stderr)
            return EXIT_FAILURE
    try:
        with Stops() as stops:
            return _run(args, started, target, stops)
    finally:
        if target is not None:
            target.close()


def _run(args, started: float, target, stops: Stops) -> int:
    from . import EXIT_FAILURE, EXIT_RULE_ERRORS

    out, err = sys.stdout, sys.stderr
    summary = Summary()
    interrupted = output_lost = False
    used = [1]  # the processes run_units chose: a small input runs in one
    bar = None
    if out is None:  # standard output closed (`>&-`): no result can be written, as after a failed write
        print("error: can't write the output: standard output is closed", file=err)
        stops.finish()
        return _report(args, summary, time.perf_counter() - started, 1, True, True, target)
    try:
        ruleset = load_rules(args.rules, args.bundled, strict=args.strict)
        if ruleset is None:
            return EXIT_RULE_ERRORS
        summary.reach = tables_reach(ruleset)
        try:
            history = load_history(args.history)
            records = load_authorizations(args.authorizations)
        except InputError as error:
            print(f"error: {error}", file=err)
            return EXIT_FAILURE
        jobs = args.jobs or default_jobs()
        used = [jobs]
        unit_claims, pool_min = tuning()
        bar = ProgressBar(err, enabled=is_terminal(err) and not is_terminal(out), noun="claims")
        total = _total_size(args.claims)
        stopped: set[int] = set()

        def take(unit, outcome) -> None:
            if unit.source in stopped:
                return  # the rest of an input that stopped: already cut and evaluated, never shown
            if outcome is not None:
                with stops.writing():  # a signal meanwhile stops the run after the unit's whole records, counted
                    out.write(outcome.text)
                    out.flush()  # results stream out unit by unit, also into a pipe
                    summary.merge(outcome.summary)
            problem = unit.message or unit.stop or (outcome.stop if outcome is not None else None)
            if problem is not None:
                bar.clear()
                print(f"error: {problem}", file=err)
                if unit.message is not None:
                    summary.envelope_errors += 1
                else:
                    summary.input_errors.append(problem)
                    stopped.add(unit.source)
            bar(summary.claims, unit.read, total)

        units = cut_units(args.claims, args.input_format, pieces=jobs > 1, unit_claims=unit_claims,
                          stopped=stopped, payers=args.payers)
        try:
            run_units(units, ruleset, Options(args.format, history, records, summary.reach), jobs, pool_min, take,
                      started=used.append)
        except OSError as problem:  # the results can't be written (a reader that left, a full disk), or read
            if problem.filename is not None:
                raise
            from . import drop_output, io_problem

            bar.clear()
            output, text = io_problem(problem)
            if output:  # the summary still goes to standard error and --summary-json
                interrupted = output_lost = True
                drop_output()
                if not isinstance(problem, BrokenPipeError):  # a reader that left is told nothing
                    print(f"error: {text}", file=err)
            else:  # standard input failed: the input ends here, as an unreadable input does
                print(f"error: {text}", file=err)
                summary.input_errors.append(text)
        except WorkerError as error:  # the claims after those written were never evaluated: the run stopped short
            bar.clear()
            print(f"error: {error}", file=err)
            summary.input_errors.append(str(error))
            interrupted = True
    except KeyboardInterrupt:  # Ctrl-C, SIGTERM or SIGHUP (stops.py), while the rules load or later
        interrupted = True
    finally:
        stops.finish()  # the summary is written, whatever signal comes now
        if bar is not None:
            bar.clear()
    return _report(args, summary, time.perf_counter() - started, used[-1], interrupted, output_lost, target)


def _report(args, summary: Summary, seconds: float, jobs: int, interrupted: bool, output_lost: bool,
            target: "SummaryFile | None" = None) -> int:
    """The count line (text output), the summary and --summary-json (``target``); the exit code."""
    from . import EXIT_CLAIMS_FAIL, EXIT_FAILURE, EXIT_OK

    out, err = sys.stdout, sys.stderr
    try:
        if args.format == "text" and not interrupted:
            out.write(
                f"{summary.claims} claim{'s' * (summary.claims != 1)}: {summary.passed} passed, {summary.failed} failed"
                + (f", {summary.unreadable} not readable" if summary.unreadable else "")
                + (f", {summary.envelope_errors} envelope errors" if summary.envelope_errors else "") + "\n"
            )
        if not output_lost:
            out.flush()
    except OSError as problem:  # the count line can't be written either: the output was cut short
        from . import drop_output, io_problem

        interrupted = True
        drop_output()
        if not isinstance(problem, BrokenPipeError):  # a reader that left is told nothing
            print(f"error: {io_problem(problem)[1]}", file=err)
    failed = False
    if target is not None:  # first: standard error may be a terminal gone (SIGHUP) or a full disk
        data = summary.to_dict(seconds=seconds, jobs=jobs, inputs=args.claims, interrupted=interrupted)
        try:
            target.write(json.dumps(data, indent=2) + "\n")
        except OSError as problem:
            failed = True
            print(f"error: can't write `{target.path}`: {problem.strerror or problem}", file=err)
    err.write(summary.to_text(seconds=seconds, jobs=jobs, interrupted=interrupted))
    if failed:
        return EXIT_FAILURE
    if interrupted or summary.unreadable or summary.envelope_errors or summary.input_errors:
        return EXIT_FAILURE
    if summary.failed and not args.exit_zero:
        return EXIT_CLAIMS_FAIL
    return EXIT_OK


def _total_size(sources: list[str]) -> int | None:
    """The bytes of all inputs, when they are all regular files (else None: no time left is shown)."""
    total = 0
    for source in sources:
        if source == "-":
            return None
        try:
            total += os.path.getsize(source)
        except OSError:
            return None
    return total


class SummaryFile:
    """The file of ``--summary-json``, opened when the command starts: created, or emptied, so that a path that
    can't be written fails before any claim is read, and a summary of an earlier run is never taken for this
    one's (a run killed before its end leaves the file empty). :meth:`write` puts the summary in at the end.

    Raises OSError if the file can't be opened, or is a file the run reads (emptying it would lose it): one of
    ``inputs``, or a file that already exists under one of ``folders`` (the rules' folders: their rule files
    and tables) and is no JSON file (a summary of its own, which no rule reads). The command's own standard
    output or error (`/dev/stderr`, also when it is a file: `2>log`) is written into, not emptied.
    """

    def __init__(self, path: str, inputs, folders=()):
        self.path = path
        for source in inputs:
            if source is not None and source != "-" and _same_file(source, path):
                raise OSError(f"it is an input of the run too ({source})")
        where = os.path.realpath(path)
        if os.path.isfile(where) and not where.lower().endswith(".json"):
            for folder in folders:
                top = os.path.realpath(folder)
                if os.path.commonpath([top, where]) == top:
                    raise OSError(f"it is a file of the rules' folder `{folder}`, which the run may read")
        self.target = where  # (resolved now: a link changed during the run does not move the summary)
        self.stream = _standard_stream(path)
        self.handle = None if self.stream is not None else open(path, "w", encoding="utf-8")

    def write(self, text: str) -> None:
        """Write ``text`` as the file's content: a plain file is replaced whole (:func:`files.replace_file`), so
        it is empty or whole, never cut short; a pipe or a device, or the command's own standard output or
        error, is written into."""
        import stat

        if self.stream is not None:
            self.stream.write(text)
            self.stream.flush()
            return
        if not stat.S_ISREG(os.fstat(self.handle.fileno()).st_mode):
            self.handle.write(text)
            self.handle.flush()
            return
        self.handle.close()  # (Windows replaces no open file)
        replace_file(self.target, text)

    def close(self) -> None:
        try:
            if self.handle is not None:
                self.handle.close()
        except OSError:  # a pipe whose reader left: what was written is all it gets
            pass


def _standard_stream(path: str):
    """sys.stdout or sys.stderr when ``path`` is the file or device behind it (`/dev/stderr`, `2>log`), else
    None."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    for stream, number in ((sys.stdout, 1), (sys.stderr, 2)):
        try:
            if stream is not None and os.path.samestat(info, os.fstat(number)):
                return stream
        except OSError:  # (that descriptor is closed)
            continue
    return None


def _same_file(first: str, second: str) -> bool:
    try:
        return os.path.samefile(first, second)
    except (OSError, ValueError):  # one of them does not exist (yet): not the same file
        return False
