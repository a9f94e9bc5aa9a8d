"""Batch runs end to end: claims per second of `radrules eval` on an X12 837P file, by --jobs.

    python benchmarks/bench_batch.py [--claims 100000] [--jobs 1 2] [--repeat 3] [--keep PATH]

Writes a synthetic 837P of radiology claims (made-up people, ids and NPIs;
codes, modifiers, payers and diagnoses drawn with a fixed seed from what the
bundled rules look at, so many claims fail), then times, for each --jobs
value, the whole command in a fresh process:

    python -m radrules eval --format json --jobs N FILE > /dev/null

Wall time includes process start, loading the bundled rulesets, X12 parsing,
evaluation and writing the JSON results. The best of --repeat runs is shown,
with the CPU time of all its processes per claim (which other work on a
shared machine disturbs less than the wall time).
Figures for this machine are in docs/performance.md (section "Batch runs").
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CODES = [
    "70450", "70460", "70470", "70551", "70553", "71045", "71046", "71250", "71260", "71271",
    "72148", "72192", "72193", "73562", "73721", "74150", "74160", "74176", "74177", "74178",
    "76376", "76377", "76700", "76705", "77063", "77065", "77066", "77067", "G0279", "Q9967",
]
MODIFIERS = ["26", "TC", "59", "XE", "XS", "RT", "LT", "50", "76", "GG", "KX"]
DIAGNOSES = ["R109", "Z1231", "Z87891", "R079", "M5450", "R519", "N6310", "K5730", "R1084", "R0789"]
#: (SBR09 claim filing indicator, payer name in NM1*PR, payer id)
PAYERS = [("MB", "MEDICARE PART B EXAMPLE", "00000"), ("CI", "ACME", "ACME01"),
          ("CI", "KEY INSURANCE COMPANY", "KEY01"), ("16", "EXAMPLE ADVANTAGE PLAN", "ADV01")]
NPI = "1234567893"  # passes the check digit


def interchange_head(version: str = "005010X222A1") -> list[str]:
    return [
        "ISA*00*          *00*          *ZZ*BENCHSUBMITTER *ZZ*BENCHPAYER     *260320*1200*^*00501*000000001*0*T*:",
        f"GS*HC*BENCHSUBMITTER*BENCHPAYER*20260320*1200*1*X*{version}",
        f"ST*837*0001*{version}",
        "BHT*0019*00*BENCH0001*20260410*1200*CH",
        "NM1*41*2*EXAMPLE IMAGING BILLING*****46*SUB0001",
        "PER*IC*BILLING OFFICE*TE*5555550100",
        "NM1*40*2*EXAMPLE CLEARINGHOUSE*****46*REC0001",
        "HL*1**20*1",
        "NM1*85*2*EXAMPLE IMAGING GROUP*****XX*1234567802",
        "N3*1 EXAMPLE WAY",
        "N4*SPRINGFIELD*IL*627010001",
        "REF*EI*990000001",
    ]


def claim_segments(rng: random.Random, number: int) -> list[str]:
    """One claim: a CLM loop with 1-6 service lines (3 on average), dated before the file's BHT04."""
    day = dt.date(2026, 1, 5) + dt.timedelta(days=rng.randrange(80))
    place = rng.choice(("11", "11", "11", "22", "23", "19"))
    facility = place != "11"
    segments = [f"CLM*B{number:08d}*0***{place}:B:1*Y*A*Y*Y"]
    if rng.random() < 0.7:
        segments.append(f"REF*G1*PA{number:08d}")
    diagnoses = rng.sample(DIAGNOSES, rng.choice((1, 2, 2, 3)))
    segments.append("HI*" + "*".join((f"ABK:{code}" if i == 0 else f"ABF:{code}") for i, code in enumerate(diagnoses)))
    segments.append(f"NM1*82*1*READER*EXAMPLE****XX*{NPI}")
    total = 0
    lines = rng.choice((1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 6))
    for index in range(lines):
        code = rng.choice(CODES)
        modifiers = ["26"] if facility and rng.random() < 0.8 else []
        if rng.random() < 0.1:
            modifiers += [m for m in rng.sample(MODIFIERS, 1) if m not in modifiers]
        charge = rng.choice((64, 120, 250, 380, 450, 900))
        total += charge
        units = 1 if rng.random() < 0.95 else 2
        pointers = ":".join(str(p) for p in range(1, len(diagnoses) + 1))
        date = day + dt.timedelta(days=1 if rng.random() < 0.1 else 0)
        segments.append(f"LX*{index + 1}")
        segments.append(f"SV1*HC:{':'.join([code, *modifiers])}*{charge}*UN*{units}***{pointers}")
        segments.append(f"DTP*472*D8*{date:%Y%m%d}")
    segments[0] = segments[0].replace("*0***", f"*{total}***", 1)
    return segments


def write_837p(path: str | os.PathLike, claims: int, seed: int = 1) -> int:
    """Write an 837P of ``claims`` claims to ``path``; returns its size in bytes."""
    rng = random.Random(seed)
    head = interchange_head()
    with open(path, "w", encoding="ascii", newline="") as out:
        out.write("~\n".join(head) + "~\n")
        count = len(head) - 2  # segments from ST to SE
        written = 0
        hl = 1
        while written < claims:
            hl += 1
            subscriber = hl
            filing, payer, payer_id = rng.choice(PAYERS)
            body = [f"HL*{hl}*1*22*{0 if rng.random() < 0.8 else 1}",
                    f"SBR*P*18*******{filing}",
                    f"NM1*IL*1*EXAMPLE*PATIENT****MI*M{hl:09d}",
                    "N3*2 EXAMPLE STREET", "N4*SPRINGFIELD*IL*627010002",
                    f"DMG*D8*{rng.randint(1930, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}*{rng.choice('FM')}",
                    f"NM1*PR*2*{payer}*****PI*{payer_id}"]
            if body[0].endswith("*1"):
                hl += 1
                body += [f"HL*{hl}*{subscriber}*23*0", "PAT*19", "NM1*QC*1*EXAMPLE*DEPENDENT",
                         f"DMG*D8*{rng.randint(2000, 2020)}0501*{rng.choice('FM')}"]
            for _ in range(rng.choice((1, 1, 1, 2, 3))):
                if written == claims:
                    break
                written += 1
                body += claim_segments(rng, written)
            count += len(body)
            out.write("~\n".join(body) + "~\n")
        out.write(f"SE*{count + 1}*0001~\nGE*1*1~\nIEA*1*000000001~\n")
    return os.path.getsize(path)


def run(path: str, jobs: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of all its processes) of one `radrules eval --format json --jobs N` run."""
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), environment.get("PYTHONPATH")]))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with open(os.devnull, "w") as devnull:
        done = subprocess.run([sys.executable, "-m", "radrules", "eval", "--format", "json", "--jobs", str(jobs), path],
                              stdout=devnull, stderr=subprocess.PIPE, text=True, env=environment)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 2):
        sys.exit(f"radrules eval exited {done.returncode}:\n{done.stderr}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return seconds, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=3, help="runs per --jobs value; the best is shown")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", metavar="PATH", help="write the X12 file here and keep it")
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory()
    path = args.keep or os.path.join(folder.name, "claims.837")
    started = time.perf_counter()
    size = write_837p(path, args.claims, args.seed)
    print(f"wrote {args.claims:,} claims, {size / 1e6:.1f} MB of X12 in {time.perf_counter() - started:.1f} s "
          f"({os.cpu_count()} CPUs)")
    for jobs in args.jobs:
        runs = [run(path, jobs) for _ in range(args.repeat)]
        best, cpu = min(runs)
        print(f"--jobs {jobs}: {args.claims / best:>9,.0f} claims/s  (best of {len(runs)}: {best:.2f} s, "
              f"{cpu / args.claims * 1e6:.0f} µs of CPU a claim; all: {', '.join(f'{t:.2f}' for t, _ in runs)} s)")
    folder.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
