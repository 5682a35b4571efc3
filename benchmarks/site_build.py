"""Benchmark: building the sliced Evidence site from an edition, and what it weighs.

  .venv/bin/python benchmarks/site_build.py [--home data] [--edition courante] [--jobs 2]
      [--then-change DEPARTEMENT]

Builds the site of ``$HOME/editions/<edition>/site.duckdb`` (one slice per département and the
national index: orchestration/site_slices.py) into a temporary folder (the real site is left
alone) and prints each slice's build time and pages, the whole build's time, seconds per page,
the peak memory of the largest process and the size of the output. With ``--then-change``, a
figure of that département's schemes is then changed in a copy of the edition and the site is
built again over the first one: only that slice should be rebuilt. Run `make run` first so that
the data directory has an edition. Not a test.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from orchestration import site_slices  # noqa: E402
from orchestration.editions import site_database  # noqa: E402


def report(title: str, built: site_slices.SiteBuild) -> None:
    print(f"\n{title}")
    for s in built.slices:
        state = f"built in {s.seconds:5.1f} s" if s.rebuilt else "kept"
        print(f"  slice {s.key:>4}: {s.pages:4d} pages, {state}")
    rebuilt_pages = sum(s.pages for s in built.slices if s.rebuilt)
    per_page = built.seconds / rebuilt_pages if rebuilt_pages else 0.0
    bundled = f"{built.app_seconds:.1f} s" if built.app_seconds else "kept"
    print(f"  the app's bundle : {bundled}")
    print(f"  whole build      : {built.seconds:.1f} s, {built.pages} pages in the site")
    print(f"  per page built   : {per_page:.2f} s ({rebuilt_pages} pages built)")
    print(f"  peak memory      : {built.peak_mib:.0f} MiB (largest process)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=REPO / "data")
    parser.add_argument("--edition", default="courante")
    parser.add_argument("--jobs", type=int, default=None, help="slices built at once")
    parser.add_argument("--then-change", metavar="DEPARTEMENT")
    args = parser.parse_args()
    edition = args.home / "editions" / args.edition
    if not site_database(edition).is_file():
        print(f"no edition at {edition}: run `make run` first", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="  %(message)s")
    with tempfile.TemporaryDirectory(prefix="sdsf-site-") as tmp:
        copy = Path(tmp) / "edition"
        shutil.copytree(edition, copy)
        out = Path(tmp) / "site"
        built = site_slices.build(site_database(copy), out, jobs=args.jobs)
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        report(f"edition {edition}: first build", built)
        print(f"  site size        : {size / 1e6:.1f} MB")
        if args.then_change:
            with duckdb.connect(str(site_database(copy))) as con:
                con.execute(
                    "update dim_schemes set title = title || ' (révisé)' "
                    "where departement_code = ?",
                    [args.then_change],
                )
            again = site_slices.build(site_database(copy), out, jobs=args.jobs)
            report(f"after a change in département {args.then_change}", again)
    return 0


if __name__ == "__main__":
    sys.exit(main())
