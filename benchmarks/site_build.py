"""Benchmark: building the Evidence site from an edition, and what it weighs.

  .venv/bin/python benchmarks/site_build.py [--home data] [--edition courante] [--repeat 1]

Builds the site from ``$HOME/editions/<edition>/site.duckdb`` into a temporary folder (the
real site is left alone) and prints the time of each build, the number of pages and the size
of the output. Run `make run` first so that the data directory has an edition. Not a test.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from orchestration.editions import site_database  # noqa: E402
from orchestration.evidence_site import build_site  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=REPO / "data")
    parser.add_argument("--edition", default="courante")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    source = site_database(args.home / "editions" / args.edition)
    if not source.is_file():
        print(f"no edition at {source}: run `make run` first", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="  %(message)s")
    times = []
    with tempfile.TemporaryDirectory(prefix="sdsf-site-") as tmp:
        out = Path(tmp) / "site"
        for i in range(args.repeat):
            started = time.perf_counter()
            build_site(source, out)
            times.append(time.perf_counter() - started)
            print(f"build {i + 1}/{args.repeat}: {times[-1]:.1f} s")
        html = out.rglob("*.html")
        pages = [p for p in html if p.relative_to(out).parts[0] not in {"_app", "api"}]
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"edition           : {source.parent}")
    print(f"pages             : {len(pages)}")
    print(f"site size         : {size / 1e6:.1f} MB")
    print(f"build time        : best {min(times):.1f} s, median {statistics.median(times):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
