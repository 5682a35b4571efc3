"""The evaluation site in slices: one per département, and a national index.

Each département's schemes are a *slice*: a complete French site (home, schemes, quality,
method) showing the edition's tables filtered to those schemes, served under ``/<département>/``.
Every slice runs the same Evidence app, bundled once and placed under each slice's base path with
the slice's own data (orchestration/site_app.py): a slice costs a few seconds whatever its number
of pages, and the app's bundling (about 90 s, ~3.5 GB) is paid again only when the site's pages,
components or packages change. A slice is written again only when its tables or the app changed,
slices are written side by side (``SDSF_SITE_JOBS``, default 2), and the national index at ``/``
lists every scheme with a link into its slice (orchestration/site_index.py).

What a slice keeps of a table: rows of its schemes where the table has ``scheme_id``, rows of
its schemes' partners where it has ``partner_code`` only, the whole table otherwise (the
vocabulary, the measures). Its ``edition`` row counts its partners' files.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import resource
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration import evidence_site, site_app, site_index
from orchestration.editions import MANIFEST, SITE_MACROS, write_edition_row
from orchestration.publication import EVIDENCE_STORAGE_VERSION
from orchestration.site_paths import slice_home, slice_key

log = logging.getLogger(__name__)

# In the built site: each slice's fingerprint, schemes and build figures.
SLICES_FILE = "slices.json"


def site_jobs() -> int:
    """How many slices build at once (``SDSF_SITE_JOBS``, default 2)."""
    value = os.environ.get("SDSF_SITE_JOBS", "2")
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"SDSF_SITE_JOBS must be a whole number of at least 1, not {value!r}")
    return int(value)


@dataclass(frozen=True)
class SiteSlice:
    departement: str
    scheme_ids: tuple[str, ...]

    @property
    def key(self) -> str:
        """Its folder in the built site."""
        return slice_key(self.departement)

    @property
    def base_path(self) -> str:
        """Evidence's ``deployment.basePath`` for its build."""
        return slice_home(self.departement).rstrip("/")


@dataclass
class SliceOutcome:
    key: str
    rebuilt: bool
    pages: int
    seconds: float = 0.0


@dataclass
class SiteBuild:
    """What a build did: the slices rebuilt or kept, the pages, the largest process's memory."""

    out_dir: Path
    slices: list[SliceOutcome] = field(default_factory=list)
    seconds: float = 0.0
    app_seconds: float = 0.0  # bundling the app, when the site's files changed
    peak_mib: float = 0.0

    @property
    def rebuilt(self) -> list[str]:
        return [s.key for s in self.slices if s.rebuilt]

    @property
    def pages(self) -> int:
        return sum(s.pages for s in self.slices) + 1  # the national index


def plan(site_db: Path) -> list[SiteSlice]:
    """The slices of an edition's site database: one per département with a scheme."""
    with duckdb.connect(str(site_db), read_only=True) as con:
        rows = con.execute(
            "select departement_code, list(scheme_id order by scheme_id) "
            "from dim_schemes group by departement_code order by departement_code"
        ).fetchall()
    return [SiteSlice(dep, tuple(schemes)) for dep, schemes in rows]


def edition_manifest(site_db: Path) -> dict:
    """The manifest of the edition ``site_db`` belongs to (its files, for the edition rows)."""
    return json.loads((Path(site_db).parent / MANIFEST).read_text(encoding="utf-8"))


def write_slice_database(site_db: Path, site_slice: SiteSlice, out: Path, manifest: dict) -> None:
    """Write ``out``: the tables of ``site_db`` a slice's pages read, for its schemes only;
    ``manifest`` is the edition's (``edition_manifest``), read once for every slice."""
    out.unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        con.execute(f"attach '{site_db}' as edition (read_only)")
        con.execute(f"attach '{out}' as site (storage_version '{EVIDENCE_STORAGE_VERSION}')")
        con.execute("create temp table kept as select unnest(?::varchar[]) as scheme_id",
                    [list(site_slice.scheme_ids)])  # fmt: skip
        partners = {
            code
            for (code,) in con.execute(
                "select partner_code from edition.main.dim_partners "
                "where list_has_any(scheme_ids, (select list(scheme_id) from kept))"
            ).fetchall()
        }
        con.execute("create temp table kept_partners as select unnest(?::varchar[]) as code",
                    [sorted(partners)])  # fmt: skip
        for table, columns in _tables(con, "edition"):
            if table == "edition":
                continue
            if "scheme_id" in columns:
                where = "where scheme_id in (from kept)"
            elif "partner_code" in columns:
                where = "where partner_code in (from kept_partners)"
            else:
                where = ""
            con.execute(f'create table site.main."{table}" as from edition.main."{table}" {where}')
        con.execute(SITE_MACROS)
        (revisions,) = con.execute("select count(*) from site.main.revisions").fetchone()
        write_edition_row(con, "site", manifest, revisions=revisions, partners=partners)
        con.execute("detach site")
    finally:
        con.close()


def content_digest(db: Path) -> str:
    """A digest of a slice database's rows, table by table, whatever their storage order. The
    edition's build time is left out: a slice whose figures did not change is not rebuilt."""
    digest = hashlib.sha256()
    with duckdb.connect(str(db), read_only=True) as con:
        (catalog,) = con.execute("select current_database()").fetchone()
        for table, columns in _tables(con, catalog):
            kept = [c for c in columns if not (table == "edition" and c == "built_at")]
            select = ", ".join(f'"{c}"' for c in kept)
            count, total = con.execute(
                f'select count(*), coalesce(sum(hash({select})::hugeint), 0) from "{table}"'
            ).fetchone()
            digest.update(f"{table}:{','.join(kept)}:{count}:{total}\n".encode())
    return digest.hexdigest()


def build(
    site_db: Path,
    out_dir: Path,
    *,
    jobs: int | None = None,
    strict: bool = True,
    reports_dir: Path = evidence_site.REPORTS_DIR,
    on_slice: Callable[[str], None] | None = None,
) -> SiteBuild:
    """Build the site of ``site_db`` into ``out_dir``: the slices whose data or pages changed
    since the site already there, the others kept, and the national index. ``out_dir`` is
    replaced in one step once everything is built; on failure it is left as it was."""
    started = time.monotonic()
    site_db, out_dir = Path(site_db).resolve(), Path(out_dir).resolve()
    if not site_db.is_file():
        raise evidence_site.SiteBuildError(f"site database not found: {site_db}")
    say = on_slice or log.info
    evidence_site.ensure_site_dependencies(reports_dir)
    pages_digest = evidence_site.site_fingerprint(reports_dir)
    previous = _previous_slices(out_dir)
    slices = plan(site_db)
    manifest = edition_manifest(site_db)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        work = staging / ".work"
        work.mkdir()
        recorded, to_build = {}, []
        for site_slice in slices:
            db = work / f"{site_slice.key}.duckdb"
            write_slice_database(site_db, site_slice, db, manifest)
            fingerprint = hashlib.sha256(
                f"{pages_digest}:{site_app.LAYOUT}:{site_slice.base_path}:{content_digest(db)}".encode()
            ).hexdigest()
            recorded[site_slice.key] = {
                "fingerprint": fingerprint,
                "schemes": site_slice.scheme_ids,
            }
            old = previous.get(site_slice.key, {})
            if old.get("fingerprint") == fingerprint and (out_dir / site_slice.key).is_dir():
                shutil.copytree(out_dir / site_slice.key, staging / site_slice.key,
                                copy_function=os.link)  # fmt: skip
                recorded[site_slice.key].update(pages=old["pages"], seconds=old["seconds"])
            else:
                to_build.append((site_slice, db))
        jobs = jobs or site_jobs()
        app_dir, app_seconds = site_app.app_dir_for(out_dir), 0.0
        if to_build:
            began = time.monotonic()
            if site_app.ensure_app(app_dir, pages_digest, to_build[0][1], strict=strict,
                                   reports_dir=reports_dir):  # fmt: skip
                app_seconds = time.monotonic() - began
                say(f"site: the app bundled in {app_seconds:.0f} s")
        say(f"site: {len(to_build)} slice(s) to write of {len(slices)}, {jobs} at once")
        outcomes = _build_slices(to_build, staging, work, jobs, app_dir, reports_dir, say)
        for outcome in outcomes:
            recorded[outcome.key].update(pages=outcome.pages, seconds=round(outcome.seconds, 1))
        shutil.rmtree(work)
        site_index.write(site_db, staging, reports_dir)
        (staging / SLICES_FILE).write_text(json.dumps(recorded, indent=2), encoding="utf-8")
        _swap(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    result = SiteBuild(out_dir, seconds=time.monotonic() - started, app_seconds=app_seconds,
                       peak_mib=_children_peak_mib())  # fmt: skip
    built = {o.key: o for o in outcomes}
    for site_slice in slices:
        entry = recorded[site_slice.key]
        result.slices.append(
            built.get(site_slice.key)
            or SliceOutcome(site_slice.key, rebuilt=False, pages=entry["pages"])
        )
    return result


def _build_slices(
    to_build: Sequence[tuple[SiteSlice, Path]],
    staging: Path,
    work: Path,
    jobs: int,
    app_dir: Path,
    reports_dir: Path,
    say: Callable[[str], None],
) -> list[SliceOutcome]:
    started = time.monotonic()
    done: list[SliceOutcome] = []

    def one(item: tuple[SiteSlice, Path]) -> SliceOutcome:
        site_slice, db = item
        began = time.monotonic()
        pages = site_app.place(
            app_dir,
            db,
            staging / site_slice.key,
            base_path=site_slice.base_path,
            departement=site_slice.departement,
            project_dir=work / f"project-{site_slice.key}",
            reports_dir=reports_dir,
        )
        outcome = SliceOutcome(site_slice.key, True, pages, time.monotonic() - began)
        done.append(outcome)
        elapsed = time.monotonic() - started
        # Slices finish ``jobs`` at a time, so the time per slice so far already counts them.
        left = elapsed / len(done) * (len(to_build) - len(done))
        say(
            f"site: slice {site_slice.key} written ({outcome.pages} pages, "
            f"{outcome.seconds:.0f} s); {len(done)}/{len(to_build)}, about {left:.0f} s left"
        )
        return outcome

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, to_build))


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[tuple[str, list[str]]]:
    """(table, columns) of the main schema of an attached database."""
    rows = con.execute(
        """select table_name, list(column_name order by ordinal_position)
           from information_schema.columns
           where table_catalog = ? and table_schema = 'main'
           group by table_name order by table_name""",
        [catalog],
    ).fetchall()
    return [(table, list(columns)) for table, columns in rows]


def _previous_slices(out_dir: Path) -> dict:
    try:
        return json.loads((out_dir / SLICES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _swap(staging: Path, out_dir: Path) -> None:
    """Put the staged site in place of ``out_dir`` with two renames."""
    retired = staging.with_name(staging.name + ".old")
    if out_dir.exists():
        out_dir.rename(retired)
    staging.rename(out_dir)
    shutil.rmtree(retired, ignore_errors=True)


def _children_peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
