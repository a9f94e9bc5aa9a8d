"""Batch runs of ``radrules eval``: claims cut into units of work, evaluated in order, here or in a pool.

The parent process reads the inputs and cuts them into :class:`Unit` s of a
few hundred claims: a piece of an X12 file (whole CLM loops with the state
they need, see readers/x12_split.py), undecoded JSON Lines, or claims
already read (JSON arrays, FHIR). With ``jobs`` > 1 the units go to a pool
of worker processes, each given the compiled ruleset once, when it starts;
a worker reads, evaluates and formats a unit's claims and sends back the
output text and a :class:`~radrules.cli.summary.Summary`. The parent writes
the outcomes in the order of the units, so the output is the same with any
number of jobs. At most a few units per job are in flight, so memory does
not grow with the input.

Runs of fewer than ``pool_min`` claims never start the pool: its start-up
would cost more than it saves.
"""

from __future__ import annotations

import collections
import functools
import json
import os
import re
import signal
import sys
from json.encoder import encode_basestring_ascii as _json_text
from typing import Callable, Iterator

from ..claim import Claim
from ..claim_values import payer_key
from ..errors import ClaimError, InputError, printable
from ..readers import to_fhir_claim_response
from ..readers.x12_split import X12Piece, read_x12_piece, split_x12
from ..result import NOT_JUDGED
from .common import ClaimsInput, PrefixedFile, RawLine, read_input
from .summary import Summary

#: Claims per unit of work.
UNIT_CLAIMS = 500
#: Units in flight per job: enough to keep every worker busy while the parent writes.
IN_FLIGHT_PER_JOB = 4
#: Runs with fewer claims than this stay in this process.
POOL_MIN_CLAIMS = 1000


#: Where Linux shows control groups, and which of them this process is in.
CGROUP_ROOT = "/sys/fs/cgroup"
CGROUP_MEMBERSHIP = "/proc/self/cgroup"


def default_jobs(root: str = CGROUP_ROOT, membership: str = CGROUP_MEMBERSHIP) -> int:
    """The CPUs this process may run on (its affinity), no more than its control group's CPU quota allows: a
    container started with `--cpus=2` on a host of 64 CPUs may run on all 64, two at a time."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    quota = cpu_quota(root, membership)
    return cpus if quota is None else max(1, min(cpus, quota))


def cpu_quota(root: str = CGROUP_ROOT, membership: str = CGROUP_MEMBERSHIP) -> int | None:
    """The CPUs that this process's CPU quota gives, ceil(quota / period) and at least 1; the smallest quota of
    the control groups it is in (see :func:`_quota_folders`); None without one that can be read.

    cgroup v2 writes a quota in ``cpu.max`` (``QUOTA PERIOD``, or ``max PERIOD``: none), v1 in
    ``cpu.cfs_quota_us`` (-1: none) and ``cpu.cfs_period_us``. A file that can't be read or does not hold
    such numbers is no quota.
    """
    import math

    limits = []
    for folder, v2 in _quota_folders(root, membership):
        if v2:
            words = (_read_small(os.path.join(folder, "cpu.max")) or "").split()
            if len(words) != 2:
                continue
            quota, period = _whole(words[0]), _whole(words[1])  # `max`: None
        else:
            quota = _whole(_read_small(os.path.join(folder, "cpu.cfs_quota_us")))
            period = _whole(_read_small(os.path.join(folder, "cpu.cfs_period_us")))
        if quota is not None and period is not None and quota > 0 and period > 0:
            limits.append(max(1, math.ceil(quota / period)))
    return min(limits, default=None)


def _quota_folders(root: str, membership: str) -> list[tuple[str, bool]]:
    """(folder, whether cgroup v2) where a CPU quota of this process may be written: the top of the v2
    hierarchy and of v1's ``cpu`` one (in a container, its own group), and there the groups that
    ``membership`` (``/proc/self/cgroup``) names, with the groups above them (on a host, a service's quota)."""
    paths: dict[bool, list[str]] = {True: [], False: []}
    for row in (_read_small(membership, 1 << 16) or "").splitlines():
        number, _, rest = row.partition(":")
        controllers, _, path = rest.partition(":")
        if number == "0" and not controllers:
            paths[True].append(path)
        elif "cpu" in controllers.split(","):
            paths[False].append(path)
    folders = []
    for top, v2 in [(root, True), (os.path.join(root, "cpu"), False), (os.path.join(root, "cpu,cpuacct"), False)]:
        folders.append((top, v2))
        for path in paths[v2]:
            parts = [part for part in path.split("/") if part not in ("", ".", "..")]
            folders.extend((os.path.join(top, *parts[:end]), v2) for end in range(len(parts), 0, -1))
    return list(dict.fromkeys(folders))


def _read_small(path: str, size: int = 256) -> str | None:
    """The start of a small text file, or None if it can't be read."""
    try:
        with open(path, "rb") as handle:
            return handle.read(size).decode("ascii")
    except (OSError, UnicodeDecodeError):
        return None


def _whole(text: str | None) -> int | None:
    """The whole number (perhaps negative) that ``text`` holds, or None."""
    text = (text or "").strip()
    digits = text[1:] if text.startswith("-") else text
    return int(text) if digits.isascii() and digits.isdigit() else None


def tuning() -> tuple[int, int]:
    """(claims per unit, fewest claims for a pool): the defaults, or RADRULES_UNIT_CLAIMS and
    RADRULES_POOL_MIN_CLAIMS (tests use small units and always a pool)."""
    def number(name: str, default: int, least: int) -> int:
        try:
            return max(least, int(os.environ.get(name, default)))
        except ValueError:
            return default
    return number("RADRULES_UNIT_CLAIMS", UNIT_CLAIMS, 1), number("RADRULES_POOL_MIN_CLAIMS", POOL_MIN_CLAIMS, 0)


class Options:
    """What a worker needs besides the ruleset: the output format, and the patients' history and the
    authorization records if given."""

    __slots__ = ("format", "history", "authorizations", "reach")

    def __init__(self, output_format: str, history=None, authorizations=None, reach=None):
        self.format = output_format
        self.history = history
        self.authorizations = authorizations
        self.reach = reach  # summary.tables_reach() of the ruleset

    def __getstate__(self):
        return self.format, self.history, self.authorizations, self.reach

    def __setstate__(self, state) -> None:
        self.format, self.history, self.authorizations, self.reach = state


class Unit:
    """A unit of work: claims of one input, in order, or a message from reading that input.

    ``piece`` (X12) or ``items`` (``(position, item, resource)``) hold the
    claims; ``position`` is the position of the piece's first claim less one.
    ``message`` is an envelope error, ``stop`` a problem that ends the input.
    ``read`` is how far the inputs had been read when the unit was cut; ``idle``
    that it was cut because a pipe had nothing more waiting (its claims are
    answered before the input is read on).
    """

    __slots__ = ("source", "label", "piece", "position", "items", "claims", "message", "stop", "read", "idle")

    def __init__(self, source: int, label: str | None, *, piece=None, position=0, items=None, claims=0,
                 message=None, stop=None, read=None, idle=False):
        self.source = source  # index of the input
        self.label = label  # the input's name when there are several, else None
        self.piece = piece
        self.position = position
        self.items = items
        self.claims = claims
        self.message = message
        self.stop = stop
        self.read = read
        self.idle = idle

    def __getstate__(self):
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setstate__(self, state) -> None:
        for name, value in zip(self.__slots__, state):
            setattr(self, name, value)

    @property
    def is_work(self) -> bool:
        return self.piece is not None or self.items is not None


class Outcome:
    """What a unit gave: output text, counts, and the problem that stopped its input (if any)."""

    __slots__ = ("text", "summary", "stop")

    def __init__(self, text: str, summary: Summary, stop: str | None = None):
        self.text = text
        self.summary = summary
        self.stop = stop

    def __getstate__(self):
        return self.text, self.summary, self.stop

    def __setstate__(self, state) -> None:
        self.text, self.summary, self.stop = state


# ---------------------------------------------------------------- cutting the inputs


def cut_units(sources: list[str], input_format: str, *, pieces: bool, unit_claims: int,
              stopped: set[int] | frozenset = frozenset(), payers: dict | None = None) -> Iterator[Unit]:
    """The units of every input, in order. ``pieces``: cut X12 files into pieces (for a pool), else read
    every X12 claim here. An input whose index gets into ``stopped`` (its outcome said it can't be read
    further) is left at once. ``payers`` maps payer ids to payer names for X12 and FHIR claims."""
    done = 0  # bytes of the inputs before this one
    several = len(sources) > 1
    for index, source in enumerate(sources):
        label = source if several else None
        try:
            claims = ClaimsInput(source)
        except InputError as error:
            yield Unit(index, label, stop=str(error))
            continue

        def read(claims=claims) -> int | None:
            position = claims.position()
            return None if position is None else done + position
        try:
            kind = claims.kind(input_format)
            if pieces and kind == "x12":
                units = _x12_units(claims, index, label, unit_claims, read, payers)
            else:
                units = _item_units(claims, kind, index, label, unit_claims, read, payers)
            for unit in units:
                if index in stopped:
                    units.close()
                    break
                yield unit
        except InputError as error:
            yield Unit(index, label, stop=str(error), read=read())
        finally:
            claims.close()
        done += claims.size or 0


def _x12_units(claims: ClaimsInput, index: int, label, unit_claims: int, read, payers) -> Iterator[Unit]:
    position = 0
    source = PrefixedFile(claims.head, claims.handle, claims.name)
    for part in split_x12(source, claims=unit_claims, payers=payers):
        if isinstance(part, X12Piece):
            yield Unit(index, label, piece=part, position=position, claims=part.claims, read=read())
            position += part.claims
        else:
            yield Unit(index, label, message=str(part), read=read())


def _item_units(claims: ClaimsInput, kind: str, index: int, label, unit_claims: int, read,
                payers) -> Iterator[Unit]:
    items: list = []
    idle = _idle_check(claims)
    try:
        for position, item, resource in read_input(claims, kind, payers):
            if position is None:  # an X12 envelope error
                if items:
                    yield Unit(index, label, items=items, claims=len(items), read=read())
                    items = []
                yield Unit(index, label, message=str(item), read=read())
                continue
            items.append((position, item, resource))
            # A unit cut because the pipe has nothing more (full or not) is answered before reading on.
            waiting = idle is not None and idle()
            if waiting or len(items) >= unit_claims:
                yield Unit(index, label, items=items, claims=len(items), read=read(), idle=waiting)
                items = []
    except (InputError, OSError):  # a problem that ends the input: first the claims read before it
        if items:
            yield Unit(index, label, items=items, claims=len(items), read=read())
        raise
    if items:
        yield Unit(index, label, items=items, claims=len(items), read=read())


#: How long a pipe must have nothing waiting before the claims read from it are answered.
IDLE_SECONDS = 0.005


def _idle_check(claims: ClaimsInput):
    """For a pipe (or a terminal): a test that is true when nothing more is waiting to be read, so that the
    claims read so far are evaluated now rather than when the unit is full (a program that writes a claim
    and waits for its answer gets it). None for a regular file, or where pipes can't be polled."""
    if claims.size is not None:
        return None
    try:
        import select

        number = claims.handle.fileno()
        select.select([number], [], [], 0)
    except (ImportError, AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
        return None

    def idle() -> bool:
        if claims.lines_waiting():  # whole lines already read: the next claim needs no wait
            return False
        try:  # a writer that is only slower than the reader refills the pipe within a few milliseconds
            return not select.select([number], [], [], IDLE_SECONDS)[0]
        except (OSError, ValueError):
            return False
    return idle


# ---------------------------------------------------------------- evaluating a unit


def claim_of(item, records=None) -> Claim:
    """The claim a reader gave: as it is, from its dict, or the InputError it is raised; with the records of
    its authorization numbers when ``records`` (an ``AuthorizationFile``, ``--authorizations``) is given."""
    if type(item) is InputError:
        raise item
    claim = item if type(item) is Claim else Claim.from_dict(item)
    return claim if records is None else records.attach(claim)


def run_unit(unit: Unit, ruleset, options: Options) -> Outcome:
    """Read, evaluate and format the claims of a unit (in a worker, or here)."""
    summary = Summary()
    summary.reach = options.reach
    output_format, label = options.format, unit.label
    parts: list[str] = []
    if unit.piece is not None:
        items = ((unit.position + n, item, None) for n, item in enumerate(read_x12_piece(unit.piece), 1))
    else:
        items = unit.items
    evaluate = ruleset.evaluate
    # The payers the rules name: a claim of another payer gets none of the rules `for payer`; a run counts them
    # (unless the rules name no payer at all: then every claim is judged alike, as the rules mean)
    named = ruleset.payers | ruleset.compared_payers
    if options.history is not None:
        evaluate = functools.partial(evaluate, history=options.history)
    records = options.authorizations
    try:
        for position, item, resource in items:
            try:
                if type(item) is RawLine:
                    item = item.decode()  # a line that is not JSON (or not UTF-8): one unreadable claim
                claim = claim_of(item, records)
                result = evaluate(claim)
            except (ClaimError, InputError) as error:
                summary.add_unreadable()
                parts.append(format_error(output_format, position, error, label))
                continue
            summary.add(claim, result)
            if named and claim.payer is not None and (payer := payer_key(claim.payer)) not in named:
                summary.add_other_payer(payer)
            if output_format == "json":
                parts.append(result_json(result) + "\n")
            elif output_format == "fhir":
                parts.append(json.dumps(to_fhir_claim_response(result, resource if resource is not None else claim))
                             + "\n")
            else:
                parts.append(render_text(result, position, label) + "\n")
    except InputError as error:  # an X12 piece that can't be read on: the input ends
        return Outcome("".join(parts), summary, stop=str(error))
    return Outcome("".join(parts), summary)


_STATUS_JSON = {"pay": '"pay"', "deny": '"deny"', "review": '"review"'}


def result_json(result) -> str:
    """``json.dumps(result.to_dict())``, written directly: the same text, in half the time.

    tests/test_cli_batch.py checks both agree; change both together.
    """
    text = _json_text
    findings = ", ".join([
        f'{{"rule": {text(f.rule)}, "kind": {text(f.kind)}, "severity": {text(f.severity)}, '
        f'"lines": [{", ".join(map(str, f.lines))}], "related_lines": [{", ".join(map(str, f.related_lines))}], '
        f'"codes": [{", ".join(map(text, f.codes))}], "carc": {_json_optional(f.carc)}, '
        f'"rarc": [{", ".join(map(text, f.rarc))}], "message": {text(f.message)}, '
        f'"reference": {_json_optional(f.reference)}, "source": {_json_optional(f.source)}}}'
        for f in result.findings
    ])
    status = _STATUS_JSON
    if not result.uncoded:
        lines = ", ".join([f'{{"line": {number}, "status": {status[s]}}}'
                           for number, s in enumerate(result.statuses, 1)])
    else:  # lines of a revenue code alone: their status is no judgement of a code
        uncoded = set(result.uncoded)
        lines = ", ".join([f'{{"line": {number}, "status": {status[s]}'
                           + (f', "note": {_json_text(NOT_JUDGED)}}}' if number in uncoded else "}")
                           for number, s in enumerate(result.statuses, 1)])
    return (f'{{"claim": {_json_optional(result.claim)}, "passed": {"true" if result.passed else "false"}, '
            f'"findings": [{findings}], "lines": [{lines}]}}')


def _json_optional(value) -> str:
    return "null" if value is None else _json_text(value)


def format_error(output_format: str, position: int, error: Exception, label: str | None = None) -> str:
    """A claim that can't be read or has the wrong shape, in the output format."""
    if output_format == "json":
        record = {"claim": None, "position": position, "error": str(error)}
        if label is not None:
            record["input"] = label
        return json.dumps(record) + "\n"
    where = f"#{position}" if label is None else f"#{position} of {label}"
    if output_format == "fhir":
        issue = {"severity": "error", "code": "structure", "diagnostics": f"claim {where}: {error}"}
        expression = _fhir_expression(error)
        if expression is not None:  # where the problem is, for a program: FHIRPath from the file's resource
            issue["expression"] = [expression]
        return json.dumps({"resourceType": "OperationOutcome", "issue": [issue]}) + "\n"
    return f"claim {where}: ERROR {printable(str(error))}\n\n"


#: A FHIR reader's path (``entry[4].resource.item[0].servicedDate``), after an NDJSON line's ``line N: ``.
_FHIR_PATH = re.compile(r"(?:line [0-9]+: )?"
                        r"([A-Za-z][A-Za-z0-9_]*(?:\[[0-9]+\])?(?:\.[A-Za-z][A-Za-z0-9_]*(?:\[[0-9]+\])?)*)")


def _fhir_expression(error: Exception) -> str | None:
    """The FHIRPath of a FHIR claim's problem (``Bundle.entry[4].resource.item[0].servicedDate``,
    ``Claim.item[0].modifierExtension``) for OperationOutcome.issue.expression; None for another error, or a
    path shown by its ends (``…``)."""
    path = error.path if isinstance(error, InputError) and error.segment is None else None
    match = _FHIR_PATH.fullmatch(path) if path else None
    if match is None:
        return None
    inner = match[1]
    return f"{'Bundle' if inner.startswith('entry[') else 'Claim'}.{inner}"


def render_text(result, position: int, label: str | None = None) -> str:
    """A result for people: the verdict, line statuses, then each finding (words from the claim, as its id
    and codes, with control characters escaped)."""
    if result.claim is not None:
        name = printable(result.claim)
    else:
        name = f"#{position}" if label is None else f"#{position} of {label}"
    verdict = "PASS" if result.passed else "FAIL"
    statuses = ", ".join(f"{s.line} {s.status}" for s in result.lines)
    out = [f"claim {name}: {verdict}  (lines: {statuses})"]
    if result.uncoded:  # lines of a revenue code alone: `pay` is not a judgement of their code
        out.append(f"  {'note':<6} line {','.join(map(str, result.uncoded)):<5} {NOT_JUDGED}")
    for finding in result.findings:
        lines = ",".join(str(n) for n in finding.lines)
        remittance = " ".join(filter(None, [finding.carc, *finding.rarc]))
        head = f"  {finding.severity:<6} line {lines:<5} {finding.rule} ({finding.kind})"
        if remittance:
            head += f"  {remittance}"
        out.append(head)
        out.append(f"         {printable(finding.message)}")
        if finding.source:
            out.append(f"         at {finding.source}")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- running units in order


class WorkerError(RuntimeError):
    """A worker process ended before its work was done (killed, or out of memory)."""


#: In a worker process: (ruleset, options), set once by the pool's initializer.
_WORKER: tuple = ()


def _start_worker(ruleset, options: Options, parent: int) -> None:
    """Pool initializer: keep the ruleset for every unit; leave Ctrl-C and SIGHUP to the parent (they reach every
    process of a terminal's job), which stops the pool; end with the parent (process ``parent``)."""
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    # SIGTERM kills, as by default (a forked worker has the parent's handler): the pool ends its workers with it
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _follow_parent(parent)
    _WORKER = (ruleset, options)


#: How often a worker without PR_SET_PDEATHSIG looks whether its parent still runs (seconds).
PARENT_CHECK_SECONDS = 0.5


def _follow_parent(parent: int) -> None:
    """Make this worker end when its parent does (killed, say): an orphan waited for ever on a pipe that its
    siblings hold open. On Linux the kernel kills it (PR_SET_PDEATHSIG); elsewhere on POSIX a thread looks
    for a new parent process id. (On Windows the parent's id does not change: the pool's pipes break there.)"""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            if ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0) == 0:  # PR_SET_PDEATHSIG
                if os.getppid() != parent:  # it ended before the call
                    os._exit(1)
                return
        except (OSError, AttributeError, ImportError):  # no prctl to call: look, as elsewhere
            pass
    if sys.platform != "win32":
        import threading

        threading.Thread(target=_watch_parent, args=(parent,), name="radrules-parent", daemon=True).start()


def _watch_parent(parent: int, interval: float = PARENT_CHECK_SECONDS, end=os._exit) -> None:
    """Wait while ``parent`` is this process's parent, then ``end(1)`` (an orphan has another parent)."""
    import time

    while os.getppid() == parent:
        time.sleep(interval)
    end(1)


def _work(unit: Unit) -> Outcome:
    return run_unit(unit, *_WORKER)


def run_units(units: Iterator[Unit], ruleset, options: Options, jobs: int, pool_min: int,
              take: Callable[[Unit, Outcome], None], started: Callable[[int], None]) -> None:
    """Run every unit and hand each ``(unit, outcome)`` to ``take``, in the order of the units.

    Uses a pool of ``jobs`` processes when ``jobs`` > 1 and the units hold at
    least ``pool_min`` claims. Tells ``started`` the number of processes used
    once it is chosen, before the first unit runs (so it is known even if a
    unit's output then fails).
    """
    if sys.platform == "win32":  # Windows waits on at most 63 handles: its process pools take at most 61 workers
        jobs = min(jobs, 61)
    if jobs > 1:
        first: list[Unit] = []
        claims = 0
        for unit in units:
            first.append(unit)
            claims += unit.claims
            if claims >= pool_min or unit.idle:  # enough claims, or a pipe that may stay open: a pool
                break
        else:
            jobs = 1  # a small run: not worth a pool
        units = _chain(first, units)
    started(jobs)
    if jobs == 1:
        for unit in units:
            take(unit, run_unit(unit, ruleset, options) if unit.is_work else None)
    else:
        _run_pool(units, ruleset, options, jobs, take)


def _chain(first: list, rest: Iterator) -> Iterator:
    yield from first
    yield from rest


def _run_pool(units: Iterator[Unit], ruleset, options: Options, jobs: int, take) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork (where there is one) starts workers fastest and shares the ruleset without pickling it
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods and sys.platform != "darwin" else None)
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start_worker,
                               initargs=(ruleset, options, os.getpid()))
    from concurrent.futures.process import BrokenProcessPool

    window = collections.deque()
    limit = jobs * IN_FLIGHT_PER_JOB
    try:
        for unit in units:
            window.append((unit, pool.submit(_work, unit) if unit.is_work else None))
            # Before a pipe with nothing waiting is read again, every claim read so far is answered.
            while window and (unit.idle or len(window) >= limit or window[0][1] is None or window[0][1].done()):
                done, future = window.popleft()
                take(done, future.result() if future is not None else None)
        while window:
            unit, future = window.popleft()
            take(unit, future.result() if future is not None else None)
    except BrokenProcessPool:
        raise WorkerError("a worker process ended before its work was done (killed, or out of memory?)") from None
    finally:
        # The units not yet sent to a worker are cancelled by shutdown, which takes them out of the pool's own
        # books first. A future cancelled here instead, while workers killed by the same SIGTERM broke the pool,
        # made the pool's manager thread fail on it (CPython 3.11 sets BrokenProcessPool on every future it
        # still holds, and a cancelled one raises InvalidStateError): a traceback on standard error, seen once
        # in a full test run under load.
        pool.shutdown(wait=True, cancel_futures=True)
