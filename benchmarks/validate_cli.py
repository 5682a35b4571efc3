"""Benchmark: how long a partner's script waits on `sdsf validate`; print the figures.

  .venv/bin/python benchmarks/validate_cli.py [--files 100] [--repeat 3]

Times, as a partner runs them, `sdsf validate --kind placements` of one small file (start-up
included: imports, reference codes, receipt) and of --files small files in one call. The first
call of each run warms the validation reference cache of its data directory, as a partner's
first call does; the figures are the fastest of --repeat runs after it. Not a test: figures,
not assertions. On a shared machine, repeat: timings vary. Where Python may not write bytecode
(PYTHONDONTWRITEBYTECODE) and setup did not compile it (`make setup` does), each run recompiles
pandas and pandera: the script says so.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SDSF = Path(sys.executable).with_name("sdsf")
HEADER = (
    "periode;code_structure;type_structure;code_commune;places;enfants_accueillis;"
    "dont_enfants_handicap;dont_familles_modestes;horaires_atypiques"
)


def small_file(path: Path, i: int) -> Path:
    rows = [
        f"2017;EAJE-40192-{i:03d};EAJE_COLLECTIF;40192;{20 + i % 30};{25 + i % 30};1;4;non",
        f"2017;MAM-40088-{i:03d};MAM;40088;{4 + i % 8};{6 + i % 8};0;2;oui",
        f"2017;AM-40001-{i:03d};ASSISTANT_MATERNEL;40001;{3 + i % 2};{3 + i % 2};0;1;non",
    ]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def timed(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([str(SDSF), *args], env=env, capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = dict(os.environ, SDSF_HOME=str(work / "home"))
        files = [str(small_file(work / f"places_{i:03d}.csv", i)) for i in range(options.files)]
        one = ["validate", "--kind", "placements", files[0]]
        many = ["validate", "--kind", "placements", "--format", "json", *files]
        timed(one, env)  # warms the reference cache, as a partner's first call does
        single = min(timed(one, env) for _ in range(options.repeat))
        batch = min(timed(many, env) for _ in range(options.repeat))
    print(f"sdsf validate, one small file:            {single:6.2f} s (target < 1.5 s)")
    print(
        f"sdsf validate, {options.files} small files in one call: {batch:6.2f} s "
        f"({batch / options.files * 1000:.0f} ms a file; target < 15 s for 100)"
    )
    compiled = importlib.util.cache_from_source(importlib.util.find_spec("pandas").origin)
    if os.environ.get("PYTHONDONTWRITEBYTECODE") and not Path(compiled).exists():
        print("note: PYTHONDONTWRITEBYTECODE is set and pandas has no bytecode: run `make setup`")


if __name__ == "__main__":
    main()
