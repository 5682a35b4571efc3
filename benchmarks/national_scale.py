"""Benchmark: sdsf at national scale, against a plain DuckDB script; prints the figures.

  .venv/bin/python benchmarks/national_scale.py [--scale demo|1|10|all] [--years 10]
      [--no-site | --site-only] [--work DIR]

Generates a deployment (``$SDSF_SOURCES`` layout: one scheme per département of the real COG,
its partners, the measures, a population file) and its partners' files in their dialects
(benchmarks/national_data.py; ``demo``: the shipped deployment and `sdsf demo`'s files), keeps
the files in the store of a fresh ``SDSF_HOME`` as received, then times, each as child processes:
a full refresh from an empty home with the site and without it (``--no-site``: without only,
``--site-only``: with only),
one new file after it (`sdsf submit --no-run`, its receipt, then `sdsf run`: a revision of a
CAF's placements), the site build alone, and the same coverage rates (per commune and per
département and year) computed by a plain DuckDB script from the same CSV files, checked
against sdsf's marts. Prints each phase, the
Dagster steps that dominate, peak memory (the largest child process), pages built and the ratio
to the DuckDB script. Generated data goes to --work (default: a temporary folder), never into
the repository. Not a test: figures, not assertions; on a shared machine, timings vary.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SDSF = REPO / ".venv" / "bin" / "sdsf"
PYTHON = sys.executable
# Runs a command and writes the peak memory (KiB) of its largest descendant to argv[1].
_WRAPPER = (
    "import json, resource, subprocess, sys\n"
    "rc = subprocess.run(sys.argv[2:]).returncode\n"
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    "sys.exit(rc)\n"
)


def progress(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def child(cmd: list[str], env: dict, log: Path) -> tuple[float, float, int]:
    """Run ``cmd``; return (seconds, peak MiB of its largest process, exit code)."""
    peak = log.with_suffix(".peak")
    started = time.perf_counter()
    with log.open("w") as out:
        rc = subprocess.run([PYTHON, "-c", _WRAPPER, str(peak), *cmd], env=env, cwd=REPO,
                            stdout=out, stderr=subprocess.STDOUT).returncode  # fmt: skip
    elapsed = time.perf_counter() - started
    return elapsed, int(peak.read_text() or 0) / 1024 if peak.exists() else 0.0, rc


def sniff(data: bytes) -> tuple[str, str]:
    """(DuckDB encoding, delimiter) of a partner file."""
    try:
        text, encoding = data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = data.decode("cp1252"), "latin-1"
    header = text.split("\r\n", 1)[0]
    delimiter = max(";,\t", key=header.count)
    return encoding, delimiter


def revised(data: bytes) -> bytes:
    """A revision of a placements file: one structure more (the first one's twin)."""
    encoding, delimiter = sniff(data)
    python_encoding = "cp1252" if encoding == "latin-1" else "utf-8"
    bom = data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode(python_encoding + ("-sig" if bom else ""))),
                           delimiter=delimiter))  # fmt: skip
    twin = list(rows[1])
    twin[1] = f"{twin[1]}-NOUV"
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows([*rows, twin])
    return buffer.getvalue().encode(python_encoding + ("-sig" if bom else ""))


def generate(scale: str, years: int, work: Path) -> tuple[Path, list, int]:
    """The deployment folder, its files and the number of départements."""
    from benchmarks.national_data import departements, partner_files, write_deployment
    from orchestration.settings import SOURCES_DIR

    if scale == "demo":
        from orchestration.demo import generate_demo

        return SOURCES_DIR, generate_demo(), 3
    deps = departements(scale)
    sources = work / "sources"
    if sources.exists():
        shutil.rmtree(sources)
    write_deployment(sources, deps, years)
    return sources, partner_files(sources, deps, years), len(deps)


def write_files(files: list, folder: Path) -> list[dict]:
    """The files on disk, for the DuckDB script, with what it needs to read them."""
    manifest = []
    for i, f in enumerate(files):
        path = folder / f.partner / f"{i:05d}_{f.name}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f.data)
        encoding, delimiter = sniff(f.data)
        manifest.append({"path": str(path), "kind": f.kind, "partner": f.partner,
                         "period": f.period, "order": i, "version": f.version,
                         "encoding": encoding, "delimiter": delimiter})  # fmt: skip
    return manifest


def duckdb_script(manifest_path: str, population: str, out: str) -> None:
    """The plain script: coverage rates of formal childcare for under-3s, per commune and per
    département and year, from the placements CSV files (the latest accepted version of each
    partner's period) and the population file."""
    import duckdb

    manifest = [m for m in json.loads(Path(manifest_path).read_text()) if m["kind"] == "placements"]
    latest: dict = {}
    for m in manifest:
        if m["version"] != "faulty":
            latest[(m["partner"], m["period"])] = m
    con = duckdb.connect()
    parts = []
    for m in latest.values():
        parts.append(
            f"select column0 as periode, column2 as type_structure, column3 as code_commune, "
            f"column4 as places from read_csv('{m['path']}', delim='{m['delimiter']}', "
            f"header=false, skip=1, all_varchar=true, encoding='{m['encoding']}')"
        )
    con.execute("create table placements as " + " union all ".join(parts))
    con.execute(
        f"""create table population as select code_commune, annee, enfants from read_csv(
        '{population}', delim=';', header=true, types={{'code_commune': 'varchar'}})
        where tranche_age = 'enfants_moins_3_ans'"""
    )
    formal = "('EAJE_COLLECTIF','EAJE_FAMILIAL','EAJE_PARENTAL','MICRO_CRECHE'," \
        "'ASSISTANT_MATERNEL','GARDE_DOMICILE','PRESCOLARISATION')"  # fmt: skip
    con.execute(
        f"""create table places as select cast(periode as int) as annee,
        lpad(code_commune, 5, '0') as code_commune,
        sum(cast(replace(replace(places, chr(160), ''), ' ', '') as bigint)) as places
        from placements where upper(type_structure) in {formal} group by all"""
    )
    communes = con.execute(
        """select count(*) from (select p.code_commune, p.annee, 100.0 * coalesce(places, 0)
        / enfants from population p left join places using (code_commune, annee)
        where enfants > 0)"""
    ).fetchone()[0]
    deps = con.execute(
        """select case when code_commune like '97%' then left(code_commune, 3)
        else left(code_commune, 2) end as dep, annee, 100.0 * sum(coalesce(places, 0))
        / sum(enfants) from population p left join places using (code_commune, annee)
        where annee in (select annee from places) group by all order by all"""
    ).fetchall()
    Path(out).write_text(json.dumps({"communes": communes, "departements": deps}))


def compare(home: Path, out: Path) -> str:
    """How the DuckDB script's département rates agree with sdsf's marts."""
    import duckdb

    mine = {(d, y): v for d, y, v in json.loads(out.read_text())["departements"]}
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    theirs = con.execute(
        """select territory_code, year, value from marts.fct_indicator_values
        where indicator_code = 'TX_COUV_GLOBAL' and territory_level = 'departement'"""
    ).fetchall()
    con.close()
    pairs = [(v, mine[(d, y)]) for d, y, v in theirs if (d, y) in mine and v is not None]
    if not pairs:
        return "no département rate in common"
    worst = max(abs(a - b) for a, b in pairs)
    return f"{len(pairs)} département-years compared with sdsf's marts, largest gap {worst:.3g} pt"


def dagster_steps(home: Path) -> dict[str, float]:
    """Seconds per Dagster step over the runs of the home (summed by step name)."""
    from dagster import DagsterInstance

    instance = DagsterInstance.from_config(str(home / "dagster"))
    steps: dict[str, float] = {}
    for run in instance.get_runs():
        for stat in instance.get_run_step_stats(run.run_id):
            if stat.start_time and stat.end_time:
                name = re.sub(r"\[.*\]$", "", stat.step_key)
                steps[name] = steps.get(name, 0.0) + stat.end_time - stat.start_time
    instance.dispose()
    return steps


def fresh_home(work: Path, name: str, files: list) -> Path:
    from orchestration.intake.store import SubmissionStore

    home = work / name
    if home.exists():
        shutil.rmtree(home)
    store = SubmissionStore(home)
    for f in files:
        store.put(f.data, partner=f.partner, kind=f.kind, file_name=f.name,
                  received_at=f.received_at)  # fmt: skip
    return home


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="demo", choices=["demo", "1", "10", "all"])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--no-site", action="store_true", help="skip every site build")
    parser.add_argument("--site-only", action="store_true", help="refreshes with the site only")
    parser.add_argument("--work", type=Path, help="where generated data goes (default: temp)")
    parser.add_argument("--duckdb", nargs=3, help=argparse.SUPPRESS)  # the child's own call
    args = parser.parse_args()
    if args.duckdb:
        duckdb_script(*args.duckdb)
        return 0
    work = args.work or Path(tempfile.mkdtemp(prefix="sdsf-national-"))
    work.mkdir(parents=True, exist_ok=True)
    progress(f"generating scale {args.scale} × {args.years} years in {work}")
    started = time.perf_counter()
    sources, files, n_deps = generate(args.scale, args.years, work)
    generated = time.perf_counter() - started
    manifest = write_files(files, work / "files")
    (work / "manifest.json").write_text(json.dumps(manifest))
    rows = sum(f.data.count(b"\r\n") - 1 for f in files)
    progress(f"{len(files)} files, {rows:,} partner rows, {n_deps} départements "
             f"({generated:.0f} s)")  # fmt: skip
    env = {**os.environ, "SDSF_SOURCES": str(sources), "PYTHONPATH": str(REPO)}
    population = sources / "population_enfants.csv"
    if not population.is_file():  # the shipped deployment: the demo estimate, written out
        from orchestration import territories

        communes = territories.load_cog(territories.ensure_territory_package())["communes"]
        deps = {f.partner[-2:] for f in files if f.partner[-2:].isdigit()}
        communes = communes[communes["departement_code"].isin(deps)]
        estimate = territories.estimate_child_population(communes, list(range(2015, 2024)))
        population = work / "population_enfants.csv"
        estimate.rename(columns={"commune_code": "code_commune", "year": "annee",
                                 "age_band": "tranche_age", "children": "enfants"})[
            ["code_commune", "annee", "tranche_age", "enfants"]
        ].to_csv(population, sep=";", index=False)  # fmt: skip
    caf = [f for f in files if f.kind == "placements" and f.partner.startswith("CAF")]
    new_file = work / "new_file.csv"
    new_file.write_bytes(revised(caf[-1].data))

    table: list[tuple[str, float, float, str]] = []
    homes = []
    for with_site in [False] if args.no_site else [True] if args.site_only else [True, False]:
        label = "with site" if with_site else "site apart"
        env_home = {**env}
        home = fresh_home(work, f"home-{'site' if with_site else 'nosite'}", files)
        env_home["SDSF_HOME"] = str(home)
        progress(f"full refresh ({label}) from an empty home: {home}")
        cmd = [str(SDSF), "run"] + ([] if with_site else ["--no-site"])
        seconds, peak, rc = child(cmd, env_home, work / f"full-{label[:4]}.log")
        if rc:
            progress(f"full refresh failed ({rc}): see {work}/full-{label[:4]}.log")
            return 1
        table.append((f"full refresh, {label}", seconds, peak, ""))
        steps = dagster_steps(home)
        progress(f"  done in {seconds:.0f} s; Dagster steps: "
                 + ", ".join(f"{k} {v:.0f} s" for k, v in
                             sorted(steps.items(), key=lambda kv: -kv[1])[:6]))  # fmt: skip
        progress(f"one new file ({label}): {caf[-1].partner} placements {caf[-1].period}")
        cmd = [str(SDSF), "submit", "--partner", caf[-1].partner, "--kind", "placements",
               "--no-run", str(new_file)]  # fmt: skip
        receipt, peak, rc = child(cmd, env_home, work / f"receipt-{label[:4]}.log")
        table.append((f"  its receipt ({label})", receipt, peak, "" if rc == 0 else f"exit {rc}"))
        cmd = [str(SDSF), "run"] + ([] if with_site else ["--no-site"])
        seconds, peak, rc = child(cmd, env_home, work / f"new-{label[:4]}.log")
        seconds += receipt
        table.append((f"one new file, {label}", seconds, peak, "" if rc == 0 else f"exit {rc}"))
        progress(f"  done in {seconds:.0f} s")
        homes.append(home)
    if not args.no_site:
        progress("site build alone (from the edition of the home built with its site), "
                 f"then again after a change in département {caf[-1].partner[-2:]}")  # fmt: skip
        log = work / "site.log"
        cmd = [PYTHON, str(REPO / "benchmarks" / "site_build.py"), "--home", str(homes[0]),
               "--then-change", caf[-1].partner[-2:]]  # fmt: skip
        seconds, peak, rc = child(cmd, env, log)
        text = log.read_text()
        pages = re.search(r"(\d+) pages in the site", text)
        builds = [float(b) for b in re.findall(r"whole build\s+:\s+([\d.]+) s", text)]
        note = f"{pages[1]} pages" if pages else f"exit {rc}"
        if pages and builds:
            note += f", {builds[0] / int(pages[1]):.2f} s a page"
        table.append(("site build alone", builds[0] if builds else seconds, peak, note))
        if len(builds) > 1:
            slices = re.findall(
                r"slice\s+(\S+):\s+(\d+) pages, built", text.split("after a change")[1]
            )
            table.append(("  again, one département changed", builds[1], peak,
                          ", ".join(f"{k}: {n} pages rebuilt" for k, n in slices)))  # fmt: skip
    progress("the same coverage rates by a plain DuckDB script")
    out = work / "duckdb.json"
    cmd = [PYTHON, str(Path(__file__).resolve()), "--duckdb", str(work / "manifest.json"),
           str(population), str(out)]  # fmt: skip
    seconds, peak, rc = child(cmd, env, work / "duckdb.log")
    script = seconds
    table.append(("DuckDB script (coverage rates)", seconds, peak, compare(homes[-1], out)))

    print()
    years = "the demo's years" if args.scale == "demo" else f"{args.years} years"
    print(f"scale {args.scale}, {years}: {n_deps} départements, {len(files)} files, "
          f"{rows:,} partner rows; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    print(f"{'phase':<34} {'time':>8} {'× DuckDB':>9} {'peak MiB':>9}  note")
    for name, secs, peak, note in table:
        print(f"{name:<34} {secs:>7.1f}s {secs / script:>8.0f}× {peak:>9,.0f}  {note}")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
