"""Exports of an edition for spreadsheet users: CSV for French Excel and xlsx workbooks.

One folder per scheme, ``exports/<scheme>/`` (its rows of every table with a scheme: indicator
values, progress, grading, revisions...), and ``exports/commun/`` (the tables without one:
partners, measures, files' completeness and timeliness, quality warnings, vocabulary); in each,
``csv/<table>.csv`` and one workbook, so a new file rewrites the exports of the schemes it
touches only. CSV: ``;`` separator, UTF-8 with a byte-order mark (Excel otherwise reads Latin-1),
decimal comma, dates as JJ/MM/AAAA and timestamps as JJ/MM/AAAA HH:MM:SS (what French Excel
recognises as dates), booleans oui/non, lists joined by « , », empty cells for nulls (hidden
figures: see the ``secrecy_note`` column). A workbook has a README sheet in French, then one
sheet per table. A text cell starting with =, +, -, @ (or a tab or carriage return) is
prefixed with an apostrophe, so no spreadsheet evaluates it as a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
import shutil
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.publication import PUBLISHED_MARTS
from orchestration.workers import worker_count, worker_pool

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A sheet per published mart, described in orchestration/publication.py, then the revisions.
SHEET_DESCRIPTIONS = {
    **PUBLISHED_MARTS,
    "revisions": "Valeurs publiées révisées depuis l'édition précédente.",
}


def neutralise(text: str) -> str:
    """Text a spreadsheet could read as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_cell(value) -> str:
    """One value as French Excel reads it (see the module docstring)."""
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return (str(int(value)) if value.is_integer() else repr(value)).replace(".", ",")
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, list | tuple):
        return neutralise(", ".join(str(v) for v in value))
    return neutralise(str(value))


COMMON = "commun"  # the export folder of the tables without a scheme (partners, files...)
# From this many schemes to write, their folders are written by worker processes (starting
# one, importing DuckDB and xlsxwriter, costs about a second).
PARALLEL_FROM = 4


def _tables(edition: Path, scheme: str | None) -> dict[str, tuple[list, list[tuple]]]:
    """The edition's tables as (columns, rows): those with a ``scheme_id`` restricted to
    ``scheme``, or with ``scheme`` None the tables without one."""
    con = duckdb.connect()
    try:
        out = {}
        paths = [edition / "marts" / f"{m}.parquet" for m in PUBLISHED_MARTS]
        paths.append(edition / "revisions.parquet")
        for path in paths:
            columns = [r[0] for r in con.execute(f"describe select * from '{path}'").fetchall()]
            if ("scheme_id" in columns) != (scheme is not None):
                continue
            where = "where scheme_id = ?" if scheme is not None else ""
            # Sorted: the same rows give the same file, whatever order the publication holds
            # them in (a scoped publication appends a scheme's rows after the others').
            rows = con.execute(
                f"select * from '{path}' {where} order by all", [scheme] if where else []
            )
            out[path.stem] = (columns, rows.fetchall())
        return out
    finally:
        con.close()


def write_exports(
    edition: Path,
    manifest: dict,
    *,
    keep: set[str] = frozenset(),
    previous: Path | None = None,
) -> list[Path]:
    """Write the exports of each scheme, ``exports/<scheme>/csv/<table>.csv`` and
    ``exports/<scheme>/<scheme>.xlsx`` (its rows of every table with a scheme, the revisions
    included), and ``exports/commun/`` (the tables without one); return the paths written.

    A scheme in ``keep`` whose exports the edition folder ``previous`` has keeps them: they
    are linked, not rewritten (an incremental run's untouched schemes, orchestration/
    incremental.py). Each export folder is rewritten or kept whole.
    """
    edition = Path(edition)
    schemes = [s["scheme_id"] for s in manifest.get("schemes", [])] or _scheme_ids(edition)
    common = _tables(edition, None)
    # Every workbook's README names the measures counting people (dim_measures is common).
    people = _people_measures(common)
    written = _write_folder(
        edition / "exports" / COMMON, common, {**manifest, "people_measures": people}
    )
    todo = []
    for scheme in schemes:
        folder = edition / "exports" / scheme
        old = previous / "exports" / scheme if previous else None
        if scheme in keep and old is not None and old.is_dir():
            _link_tree(old, folder)
            continue
        # its file and revisions; the partners' files are in commun/
        scoped = {
            **manifest,
            "people_measures": people,
            "schemes": [s for s in manifest.get("schemes", []) if s["scheme_id"] == scheme],
            "submissions": [],
        }
        todo.append((edition, scheme, scoped))
    # Each scheme's folder on its own core once there are several (cells are written one by
    # one in Python: the workbooks of a national deployment are minutes of one core).
    workers = worker_count(len(todo))
    if len(todo) < PARALLEL_FROM or workers < 2:
        for task in todo:
            written += _write_scheme(*task)
        return written
    with worker_pool(workers) as pool:
        for paths in pool.map(_write_scheme, *zip(*todo, strict=True)):
            written += paths
    return written


def _write_scheme(edition: Path, scheme: str, manifest: dict) -> list[Path]:
    tables = _tables(edition, scheme)
    return _write_folder(
        edition / "exports" / scheme, tables, {**manifest, "revisions": len(tables["revisions"][1])}
    )


def _scheme_ids(edition: Path) -> list[str]:
    con = duckdb.connect()
    try:
        path = edition / "marts" / "dim_schemes.parquet"
        return [r[0] for r in con.execute(f"select scheme_id from '{path}' order by 1").fetchall()]
    finally:
        con.close()


def _write_folder(folder: Path, tables: dict, manifest: dict) -> list[Path]:
    """``folder/csv/<table>.csv`` for each table and ``folder/<folder name>.xlsx``."""
    csv_dir = folder / "csv"
    csv_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (columns, rows) in tables.items():
        path = csv_dir / f"{name}.csv"
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
            writer.writerow(columns)
            writer.writerows([csv_cell(v) for v in row] for row in rows)
        written.append(path)
    xlsx = folder / f"{folder.name}.xlsx"
    write_workbook(xlsx, tables, manifest)
    written.append(xlsx)
    return written


def _link_tree(source: Path, target: Path) -> None:
    """``target`` as a copy of ``source`` made of hard links (a plain copy across devices)."""
    shutil.copytree(source, target, copy_function=_link_or_copy)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def write_workbook(path: Path, tables: dict, manifest: dict) -> None:
    import xlsxwriter

    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with xlsxwriter.Workbook(str(path), options) as book:
        bold = book.add_format({"bold": True})
        date = book.add_format({"num_format": "dd/mm/yyyy"})
        stamp = book.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
        _readme(book.add_worksheet("LISEZMOI"), bold, tables, manifest)
        for name, (columns, rows) in tables.items():
            sheet = book.add_worksheet(name[:31])
            sheet.write_row(0, 0, columns, bold)
            sheet.freeze_panes(1, 0)
            for r, row in enumerate(rows, start=1):
                for c, value in enumerate(row):
                    _write(sheet, r, c, value, date, stamp)
            if rows:
                sheet.autofilter(0, 0, len(rows), len(columns) - 1)


def _write(sheet, r, c, value, date, stamp) -> None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return
    if isinstance(value, bool):
        sheet.write_boolean(r, c, value)
    elif isinstance(value, int | float):
        sheet.write_number(r, c, value)
    elif isinstance(value, dt.datetime):
        sheet.write_datetime(r, c, value.replace(tzinfo=None), stamp)
    elif isinstance(value, dt.date):
        sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date)
    elif isinstance(value, list | tuple):
        sheet.write_string(r, c, neutralise(", ".join(str(v) for v in value)))
    else:
        sheet.write_string(r, c, neutralise(str(value)))


def _people_measures(tables: dict) -> str:
    """The measures counting people, as the edition's dim_measures says (its publication rules)."""
    columns, rows = tables.get("dim_measures", ([], []))
    if "counts_people" not in columns:
        return ""
    label, people = columns.index("label"), columns.index("counts_people")
    names = [row[label] for row in rows if row[people]]
    return "; ".join(names) + " (feuille dim_measures, colonne counts_people)."


def _approved_years(manifest: dict) -> str:
    """The years the edition records approved (feuille fct_period_approvals for the others)."""
    approved = (manifest.get("approvals") or {}).get("approved", [])
    years = "; ".join(
        f"{a['scheme_id']} {a['period']} (par {a['approved_by']}, le "
        f"{dt.datetime.fromisoformat(a['approved_at']):%d/%m/%Y})"
        for a in approved
    )
    return (years or "aucune") + " ; les autres chiffres sont provisoires (feuille "
    "fct_period_approvals)."


def _readme(sheet, bold, tables: dict, manifest: dict) -> None:
    secrecy = manifest.get("secrecy", {})
    lines = [
        ("Édition", manifest["edition"]),
        ("Construite le (UTC)", manifest["built_at"]),
        ("Édition précédente", manifest.get("previous_edition") or "aucune"),
        ("Valeurs révisées depuis l'édition précédente", manifest.get("revisions", 0)),
        ("Années validées par le comité", _approved_years(manifest)),
        (),
        ("Secret statistique", ""),
        (
            "Règle",
            "Les effectifs de familles ou d'enfants inférieurs à "
            f"{secrecy.get('threshold')} (et non nuls) ne sont pas publiés, ni une part dont "
            "le reste est inférieur à ce seuil. D'autres cases sont masquées (secret "
            "secondaire) pour qu'aucune case masquée ne puisse être recalculée par "
            "différence entre communes, EPCI, département ou périmètre, ou entre territoires "
            "prioritaires et autres. Les taux dont le numérateur ou le dénominateur est "
            "masqué sont masqués.",
        ),
        ("Mesures concernées", manifest.get("people_measures") or _people_measures(tables)),
        (
            "Repérage",
            "Case vide et colonne secrecy_note = « secret statistique » ; colonnes "
            "secret_value, secret_numerator, secret_denominator, secret_baseline.",
        ),
        (),
        ("Feuilles", ""),
        *((name, SHEET_DESCRIPTIONS.get(name, "")) for name in tables),
        (),
        ("Schémas", "fichier et empreinte SHA-256"),
        *((s["scheme_id"], f"{s['file']} {s['sha256']}") for s in manifest.get("schemes", [])),
        (),
        ("Fichiers des partenaires", "reçu le, statut, empreinte SHA-256, révision utilisée"),
        *(
            (
                s["submission_id"],
                f"{s['received_at']} ; {s['status']} ; {s['sha256']} ; "
                + ", ".join(
                    f"{p['period']} : révision {p['revision']}"
                    + (" (utilisée)" if p["used"] else "")
                    for p in s["periods"]
                ),
            )
            for s in manifest.get("submissions", [])
        ),
    ]
    sheet.set_column(0, 0, 45)
    sheet.set_column(1, 1, 120)
    for r, line in enumerate(lines):
        for c, value in enumerate(line):
            fmt = bold if c == 0 else None
            if isinstance(value, int):
                sheet.write_number(r, c, value, fmt)
            else:
                sheet.write_string(r, c, neutralise(str(value)), fmt)
