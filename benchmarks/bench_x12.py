"""X12 837P reading speed and memory: claims per second on a generated file.

    python benchmarks/bench_x12.py [--claims 1000000] [--lines 3] [--evaluate] [--keep PATH]

Writes a synthetic 837P (made-up ids; radiology codes) to a temporary file,
then reads it with ``radrules.read_x12`` and reports claims per second, MB
per second and the peak resident memory growth while reading. With
``--evaluate`` each claim is also evaluated with the bundled rules.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time

import radrules

ISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260320*1200*^*00501*000000001*0*T*:~\n"
CODES = ["71046:26", "73721:26:RT", "74177", "70553:TC", "77067", "71271"]


def write(path: str, claims: int, lines: int) -> int:
    segments = 3
    with open(path, "w", encoding="ascii") as out:
        out.write(ISA + "GS*HC*S*R*20260320*1200*1*X*005010X222A1~\nST*837*0001*005010X222A1~\n"
                  "BHT*0019*00*B1*20260320*1200*CH~\nHL*1**20*1~\n")
        for n in range(claims):
            parts = [f"HL*{n + 2}*1*22*0~\nSBR*P*18*******MB~\nNM1*IL*1*EXAMPLE*PAT****MI*M{n:08d}~\n"
                     f"DMG*D8*19580314*F~\nNM1*PR*2*EXAMPLE PAYER*****PI*P1~\n"
                     f"CLM*C{n:08d}*300***11:B:1*Y*A*Y*Y~\nREF*G1*PA{n:08d}~\nHI*ABK:R0789*ABF:Z87891~\n"]
            segments += 8
            for line in range(lines):
                code = CODES[(n + line) % len(CODES)]
                parts.append(f"LX*{line + 1}~\nSV1*HC:{code}*100*UN*1***1:2~\nDTP*472*D8*20260302~\n")
                segments += 3
            out.write("".join(parts))
        out.write(f"SE*{segments + 1}*0001~\nGE*1*1~\nIEA*1*000000001~\n")
    return os.path.getsize(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--lines", type=int, default=3)
    parser.add_argument("--evaluate", action="store_true")
    parser.add_argument("--keep", metavar="PATH", help="write the file here and keep it")
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory()
    path = args.keep or os.path.join(folder.name, "claims.837")
    started = time.perf_counter()
    size = write(path, args.claims, args.lines)
    print(f"wrote {args.claims:,} claims x {args.lines} lines, {size / 1e6:.1f} MB in "
          f"{time.perf_counter() - started:.1f} s")
    rules = radrules.load() if args.evaluate else None
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu_started = time.perf_counter(), time.process_time()
    count = errors = 0
    for item in radrules.read_x12(path):
        if isinstance(item, radrules.InputError):
            errors += 1
            continue
        count += 1
        if rules is not None:
            rules.evaluate(item)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(f"read{' and evaluated' if rules else ''} {count:,} claims ({errors} errors) in {seconds:.1f} s: "
          f"{count / seconds:,.0f} claims/s, {size / 1e6 / seconds:.1f} MB/s "
          f"({count / cpu:,.0f} claims/s of CPU time); "
          f"peak RSS grew by {growth:.1f} MB")
    folder.cleanup()
    return 0 if errors == 0 and count == args.claims else 1


if __name__ == "__main__":
    sys.exit(main())
