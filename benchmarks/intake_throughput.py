"""Benchmark: validate a generated placements file from bytes to receipt; print the figures.

  .venv/bin/python benchmarks/intake_throughput.py [--rows 1000000] [--repeat 3] [--all-wrong]

Prints rows per second, CPU time and peak memory of `validate_bytes` (reading, contract,
receipt; the fastest of --repeat runs), next to DuckDB's bare `read_csv` of the same file for
scale. With --all-wrong, every row breaks three rules and every key is written twice: the
work a receipt does when errors are many (listed up to its cap, the rest counted). Not a
test: figures, not assertions. On a shared machine, repeat: timings vary.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from orchestration.intake.validation import ReferenceData, validate_bytes

TYPES = ["EAJE_COLLECTIF", "MICRO_CRECHE", "ASSISTANT_MATERNEL", "PRESCOLARISATION", "ALSH"]


def make_file(path: Path, rows: int, seed: int = 1, all_wrong: bool = False) -> list[str]:
    rng = random.Random(seed)
    communes = [f"40{n:03d}" for n in range(1, 330)]
    lines = [
        "periode;code_structure;type_structure;code_commune;places;enfants_accueillis;"
        "dont_enfants_handicap;dont_familles_modestes;horaires_atypiques"
    ]
    for i in range(rows):
        places = rng.randint(1, 80)
        enrolled = places + rng.randint(0, 20)
        lines.append(
            f"2017;S{i:08d};{TYPES[i % 5]};{communes[i % len(communes)]};{places};{enrolled};"
            f"{rng.randint(0, min(2, enrolled))};{rng.randint(0, enrolled // 3)};"
            f"{'oui' if i % 9 == 0 else 'non'}"
        )
        if all_wrong:  # negative places, a « dont » above its total, a doubled key
            lines[-1] = f"2017;S{i // 2:08d};EAJE_COLLECTIF;40192;-{places};30;99;6;non"
        if len(lines) >= 100_000:  # written in slices: the generator's memory stays out of the way
            _append(path, lines)
            lines = []
    _append(path, lines)
    return communes


def _append(path: Path, lines: list[str]) -> None:
    with path.open("a", encoding="utf-8", newline="") as out:
        out.write("".join(line + "\r\n" for line in lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs; the fastest is reported")
    parser.add_argument("--all-wrong", action="store_true", help="every row wrong, keys doubled")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "placements.csv"
        communes = make_file(path, args.rows, all_wrong=args.all_wrong)
        size_mb = path.stat().st_size / 1e6

        reference = ReferenceData(
            commune_codes=frozenset(communes), years=(2015, 2020), max_bytes=10**10
        )
        before_mb = _rss_mb()
        runs = []
        for _ in range(args.repeat):
            cpu, start = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
            result = validate_bytes(path.read_bytes(), "placements", reference=reference)
            elapsed, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF)
            receipt = result.receipt
            assert receipt.accepted != args.all_wrong, receipt.to_text()[:2000]
            user, system = after.ru_utime - cpu.ru_utime, after.ru_stime - cpu.ru_stime
            runs.append((elapsed, user, system))
            del result
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        # DuckDB after validation, so that the peak above is validation's own.
        start = time.perf_counter()
        con = duckdb.connect()
        n = con.execute(
            f"select count(*) from read_csv('{path}', delim=';', header=true, all_varchar=true)"
        ).fetchone()[0]
        bare = time.perf_counter() - start
        con.close()
    elapsed, user, system = min(runs)
    median = statistics.median(run[0] for run in runs)
    print(f"file: {args.rows:,} rows, {size_mb:.1f} MB")
    if args.all_wrong:
        print(f"receipt: {receipt.error_count:,} errors, {len(receipt.errors):,} listed")
    print(f"duckdb read_csv (bare)    : {bare:6.2f} s  {n / bare:>12,.0f} rows/s")
    print(f"sdsf validate_bytes       : {elapsed:6.2f} s  {args.rows / elapsed:>12,.0f} rows/s")
    if len(runs) > 1:
        label = f"  median of {len(runs)} runs"
        print(f"{label:<26}: {median:6.2f} s  {args.rows / median:>12,.0f} rows/s")
    print(f"  cpu time (user + system): {user:6.2f} s + {system:.2f} s")
    print(f"peak memory (process RSS) : {peak_mb:,.0f} MB ({before_mb:,.0f} MB before validating)")


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


if __name__ == "__main__":
    main()
