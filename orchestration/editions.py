"""Editions: the published marts frozen as Parquet, with a manifest, revisions and exports.

``$SDSF_HOME/editions/<name>/`` holds ``marts/<mart>.parquet`` (secrecy applied), ``revisions
.parquet`` (figures changed since the previous edition), ``site.duckdb`` (the same tables in
DuckDB storage v1.4.0 and one ``edition`` row saying which edition it is: what the Evidence site
reads), ``exports/`` (CSV and xlsx) and
``manifest.json``. A named edition is never overwritten. The rolling edition ``courante`` is the
exception: every ``sdsf run`` replaces it, so the site always shows the latest figures while the
named editions stay as they were published; its revisions compare with the latest named one.
Every edition is written to a temporary folder and renamed into place in one step.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import yaml

from orchestration.approvals import APPROVED
from orchestration.publication import EVIDENCE_STORAGE_VERSION, PUBLISHED_MARTS
from orchestration.secrecy import SECRET_NOTE, secret_threshold
from orchestration.settings import deployment, publication_dir, sdsf_home

ROLLING_EDITION = "courante"
MANIFEST = "manifest.json"
SITE_DATABASE = "site.duckdb"
REVISIONS = "revisions"
# Macros stored in site.duckdb for the site's source queries (reports/sources/sdsf/*.sql), so
# that numbers are written the French way in one place: Evidence's own formats are English only
# and the pages' DuckDB (0.9) lacks the functions. Rates (unit « % » or « pour 1 000 … ») take
# one decimal, counts (places, nombre, heures) none, with a space between thousands.
SITE_MACROS = r"""
create macro site.main.fr_decimal(x, digits) as
    replace(printf('%.' || digits || 'f', x), '.', ',');
create macro site.main.fr_number(x, unit) as
    case
        when x is null then null
        when unit = '%' or unit like 'pour %' then fr_decimal(x, 1)
        else format('{:t }', cast(round(x) as bigint))
    end;
create macro site.main.fr_percent(share) as printf('%.0f %%', share * 100);
create macro site.main.fr_signed(x) as replace(printf('%+.1f', x), '.', ',');
"""
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_KEY = ("scheme_id", "indicator_code", "territory_level", "territory_code", "period")


class EditionError(Exception):
    """The edition cannot be made (bad name, no publication)."""


class EditionExists(EditionError):
    """An edition of that name exists: editions are never overwritten."""


def editions_dir(home: Path | None = None) -> Path:
    return (home or sdsf_home()) / "editions"


def check_name(name: str, *, rolling: bool = False) -> str:
    """An edition name: lowercase letters, digits, '.', '_' or '-'; ``courante`` is reserved."""
    if not _NAME.match(name):
        raise EditionError(
            f"invalid edition name {name!r}: lowercase letters, digits, '.', '_', '-' "
            "(64 characters at most, starting with a letter or digit)"
        )
    if name == ROLLING_EDITION and not rolling:
        raise EditionError(f"{ROLLING_EDITION!r} is the rolling edition that `sdsf run` keeps")
    return name


def list_editions(home: Path | None = None, *, named_only: bool = False) -> list[dict]:
    """Manifests of the editions present, oldest first (by build time)."""
    out = []
    for path in editions_dir(home).glob(f"*/{MANIFEST}"):
        if path.parent.name.startswith("."):
            continue
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if named_only and manifest.get("rolling"):
            continue
        out.append(manifest)
    return sorted(out, key=lambda m: (m["built_at"], m["edition"]))


def create_edition(
    name: str,
    *,
    home: Path | None = None,
    publication_db: Path | None = None,
    rolling: bool = False,
    schemes_dir: Path | None = None,
    now: datetime | None = None,
    schemes: list[str] | None = None,
) -> Path:
    """Freeze the publication into ``editions/<name>/`` and return that folder.

    ``schemes`` (an incremental run's touched schemes) lets a rolling edition keep the other
    schemes' exports from the one it replaces (see ``kept_exports``). Raises EditionExists when
    a named edition ``name`` exists (a rolling one is replaced), EditionError when there is no
    publication to freeze.
    """
    from orchestration.exports import write_exports

    home = home or sdsf_home()
    check_name(name, rolling=rolling)
    publication_db = Path(publication_db or publication_dir(home) / "publication.duckdb")
    if not publication_db.is_file():
        raise EditionError(f"no publication to freeze: {publication_db} (run `sdsf run` first)")
    root = editions_dir(home)
    target = root / name
    if target.exists() and not rolling:
        raise EditionExists(f"edition {name!r} exists already: {target}")
    root.mkdir(parents=True, exist_ok=True)
    built_at = (now or datetime.now(UTC)).replace(microsecond=0)
    previous = next(
        (m for m in reversed(list_editions(home, named_only=True)) if m["edition"] != name), None
    )
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=root))
    try:
        (staging / "marts").mkdir()
        counts = _freeze(publication_db, staging / "marts")
        revised = _revisions(staging, root / previous["edition"] if previous else None)
        manifest = {
            "edition": name,
            "rolling": rolling,
            "built_at": built_at.isoformat(),
            "previous_edition": previous["edition"] if previous else None,
            "row_counts": counts,
            "revisions": revised,
            "secrecy": {
                "threshold": secret_threshold(),
                "note": SECRET_NOTE,
            },
            "schemes": scheme_files(staging / "marts" / "dim_schemes.parquet", schemes_dir),
            "submissions": submissions_used(home),
            "approvals": approvals_recorded(staging / "marts" / "fct_period_approvals.parquet"),
        }
        _site_database(staging, manifest)
        (staging / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        keep = kept_exports(target, manifest, schemes) if rolling else set()
        write_exports(staging, manifest, keep=keep, previous=target)
        manifest["files"] = {
            str(p.relative_to(staging)): _sha256(p)
            for p in sorted(staging.rglob("*"))
            if p.is_file() and p.name != MANIFEST
        }
        (staging / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        _swap_in(staging, target, replace=rolling)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def kept_exports(replaced: Path, manifest: dict, touched: list[str] | None) -> set[str]:
    """The schemes whose exports the edition replacing ``replaced`` can keep: every scheme but
    the ``touched`` ones (None: none kept), provided ``replaced`` compares with the same named
    edition, under the same secrecy threshold, from the same scheme files (its exports would
    say the same)."""
    path = replaced / MANIFEST
    if touched is None or not path.is_file():
        return set()
    old = json.loads(path.read_text(encoding="utf-8"))
    same = (
        old.get("previous_edition") == manifest["previous_edition"]
        and old.get("secrecy", {}).get("threshold") == manifest["secrecy"]["threshold"]
    )
    files = {s["scheme_id"]: s["sha256"] for s in old.get("schemes", [])}
    return {
        s["scheme_id"]
        for s in manifest["schemes"]
        if same and s["scheme_id"] not in touched and files.get(s["scheme_id"]) == s["sha256"]
    }


def site_database(edition: Path) -> Path:
    """The DuckDB file (storage v1.4.0) the Evidence site is built from."""
    return Path(edition) / SITE_DATABASE


def _freeze(publication_db: Path, marts_dir: Path) -> dict[str, int]:
    con = duckdb.connect()
    try:
        con.execute(f"attach '{publication_db}' as pub (read_only)")
        counts = {}
        for mart in PUBLISHED_MARTS:
            path = marts_dir / f"{mart}.parquet"
            con.execute(f"copy (select * from pub.main.{mart}) to '{path}' (format parquet)")
            counts[mart] = con.execute(f"select count(*) from '{path}'").fetchone()[0]
    finally:
        con.close()
    return counts


def _revisions(staging: Path, previous: Path | None) -> int:
    """Write revisions.parquet: published values that changed since ``previous``."""
    new = staging / "marts" / "fct_indicator_values.parquet"
    out = staging / f"{REVISIONS}.parquet"
    on = " and ".join(f"o.{k} = n.{k}" for k in _KEY)
    con = duckdb.connect()
    try:
        if previous is None:
            old_sql = f"select * from '{new}' where false"
            prev_name = None
        else:
            old_sql = f"select * from '{previous / 'marts' / 'fct_indicator_values.parquet'}'"
            prev_name = previous.name
        con.execute(
            f"""copy (
            select {", ".join(f"n.{k}" for k in _KEY)}, n.territory_name,
                ? as previous_edition,
                o.value as old_value, n.value as new_value,
                n.value - o.value as difference,
                case when o.value <> 0 then (n.value - o.value) / abs(o.value) end
                    as relative_difference,
                coalesce(n.secrecy_note, o.secrecy_note) as secrecy_note
            from ({old_sql}) as o inner join '{new}' as n on {on}
            where o.value is distinct from n.value
            order by all
            ) to '{out}' (format parquet)""",
            [prev_name],
        )
        return con.execute(f"select count(*) from '{out}'").fetchone()[0]
    finally:
        con.close()


def write_edition_row(
    con: duckdb.DuckDBPyConnection,
    catalog: str,
    manifest: dict,
    *,
    revisions: int,
    partners: set[str] | None = None,
) -> None:
    """Create ``<catalog>.main.edition``, the one row a site shows about its edition; the files
    counted are every partner's, or those of ``partners`` (a site slice's)."""
    submissions = [
        s for s in manifest["submissions"] if partners is None or s["partner"] in partners
    ]
    con.execute(
        f"""create table {catalog}.main.edition (
            edition varchar, rolling boolean, built_at timestamp, previous_edition varchar,
            revisions integer, secret_threshold integer, files_received integer,
            files_accepted integer, last_file_received_at timestamp)"""
    )
    con.execute(
        f"insert into {catalog}.main.edition values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            manifest["edition"],
            manifest["rolling"],
            _utc(manifest["built_at"]),
            manifest["previous_edition"],
            revisions,
            manifest["secrecy"]["threshold"],
            len(submissions),
            sum(s["status"] == "acceptee" for s in submissions),
            max((_utc(s["received_at"]) for s in submissions), default=None),
        ],
    )


def _site_database(staging: Path, manifest: dict) -> None:
    """Write site.duckdb: every frozen table, plus ``edition``, one row saying what the site shows
    (edition name, build time, previous edition, secrecy threshold, files received and used)."""
    path = staging / SITE_DATABASE
    con = duckdb.connect()
    try:
        con.execute(f"attach '{path}' as site (storage_version '{EVIDENCE_STORAGE_VERSION}')")
        for parquet in [
            *sorted((staging / "marts").glob("*.parquet")),
            staging / "revisions.parquet",
        ]:
            con.execute(f"create table site.main.{parquet.stem} as from '{parquet}'")
        con.execute(SITE_MACROS)
        write_edition_row(con, "site", manifest, revisions=manifest["revisions"])
        con.execute("detach site")
    finally:
        con.close()


def _utc(iso: str) -> datetime:
    """A naive UTC datetime from an ISO 8601 string (the site's tables hold UTC times)."""
    return datetime.fromisoformat(iso).astimezone(UTC).replace(tzinfo=None)


def scheme_files(dim_schemes: Path, schemes_dir: Path | None = None) -> list[dict]:
    """The published schemes with the file each comes from (in ``schemes_dir``, by default the
    deployment's) and its sha256."""
    files = {}
    for path in sorted(Path(schemes_dir or deployment().schemes).glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        files[data.get("id")] = path
    con = duckdb.connect()
    try:
        ids = [
            r[0]
            for r in con.execute(f"select scheme_id from '{dim_schemes}' order by 1").fetchall()
        ]
    finally:
        con.close()
    return [
        {
            "scheme_id": i,
            "file": files[i].name if i in files else None,
            "sha256": _sha256(files[i]) if i in files else None,
        }
        for i in ids
    ]


def approvals_recorded(fct_period_approvals: Path) -> dict[str, list[dict]]:
    """The sign-off of the frozen figures: the years approved (by whom, when, with the expected
    files missing then) and the years still provisional (not reviewed or only reviewed)."""
    con = duckdb.connect()
    try:
        rows = con.execute(
            f"""select scheme_id, period, approval_state, approved_by, approved_at,
                missing_files from '{fct_period_approvals}' order by scheme_id, year"""
        ).fetchall()
    finally:
        con.close()
    approved, provisional = [], []
    for scheme, period, state, who, at, missing in rows:
        if state == APPROVED:
            approved.append(
                {
                    "scheme_id": scheme,
                    "period": period,
                    "approved_by": who,
                    "approved_at": at.replace(tzinfo=UTC).isoformat(),
                    "missing_files": missing.split(", ") if missing else [],
                }
            )
        else:
            provisional.append({"scheme_id": scheme, "period": period, "state": state})
    return {"approved": approved, "provisional": provisional}


def describe_approvals(manifest: dict) -> list[str]:
    """What an edition's manifest says of its figures' sign-off, in French (`sdsf publish`,
    `sdsf editions`); an older manifest without it says so."""
    recorded = manifest.get("approvals")
    if recorded is None:
        return ["  validation : non enregistrée (édition antérieure à la validation des données)"]
    approved, provisional = recorded["approved"], recorded["provisional"]
    lines = [f"  années validées : {len(approved)} ; années provisoires : {len(provisional)}"]
    for item in approved:
        when = datetime.fromisoformat(item["approved_at"]).strftime("%d/%m/%Y")
        missing = len(item["missing_files"])
        gap = f", {missing} fichier(s) attendu(s) manquant(s)" if missing else ""
        lines.append(
            f"    {item['scheme_id']} {item['period']} : validée par {item['approved_by']} "
            f"le {when}{gap}"
        )
    return lines


def submissions_used(home: Path) -> list[dict]:
    """Every stored submission with its hash and, per period, its revision number among the
    partner's accepted files for that kind and period, and whether the figures use it (the
    latest accepted one)."""
    items = []
    for path in sorted((home / "store" / "manifests").glob("*.json")):
        m = json.loads(path.read_text(encoding="utf-8"))
        items.append(m)
    items.sort(key=lambda m: (m["received_at"], m["submission_id"]))
    accepted: dict[tuple, list[str]] = {}
    for m in items:
        if m.get("status") == "acceptee":
            for period in m.get("periods") or []:
                accepted.setdefault((m["partner"], m["kind"], period), []).append(
                    m["submission_id"]
                )
    out = []
    for m in items:
        periods = []
        for period in m.get("periods") or []:
            chain = accepted.get((m["partner"], m["kind"], period), [])
            sid = m["submission_id"]
            periods.append(
                {
                    "period": period,
                    "revision": chain.index(sid) + 1 if sid in chain else None,
                    "used": bool(chain) and chain[-1] == sid,
                }
            )
        out.append(
            {
                "submission_id": m["submission_id"],
                "partner": m["partner"],
                "kind": m["kind"],
                "file_name": m.get("file_name"),
                "sha256": m["sha256"],
                "received_at": m["received_at"],
                "status": m.get("status"),
                "periods": periods,
            }
        )
    return out


def _swap_in(staging: Path, target: Path, *, replace: bool) -> None:
    if not target.exists():
        try:
            os.rename(staging, target)  # atomic; fails if a concurrent writer got there first
        except OSError as exc:
            raise EditionExists(f"edition {target.name!r} exists already: {target}") from exc
        return
    if not replace:
        raise EditionExists(f"edition {target.name!r} exists already: {target}")
    retired = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.rename(target, retired)
    os.rename(staging, target)
    shutil.rmtree(retired, ignore_errors=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
