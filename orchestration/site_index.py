"""The national index of the sliced site: every scheme, by département, linking into its slice.

It is plain HTML written with Jinja (the portal's engine), not an Evidence build: one page that
costs milliseconds, whatever the number of schemes. Its figures come from the site's own source
queries (reports/sources/sdsf/*.sql), run here on the edition's site database, so a label, a
period or a percentage reads as on the slices' pages.
"""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

import duckdb
import jinja2

from orchestration.evidence_site import REPORTS_DIR, SOURCE_NAME
from orchestration.site_paths import scheme_path, slice_home

TEMPLATE = Path(__file__).resolve().parent / "templates" / "site_index.html"
_SOURCES = ("dim_schemes", "fct_scheme_progress", "dim_territories", "dim_vocabulary", "edition")

_SCHEMES = """
select
    s.scheme_id, s.title, s.kind_label, s.departement_code, s.period_label,
    coalesce(d.territory_name, s.departement_code) as departement_name,
    coalesce(cast(p.year as varchar), '–') as year,
    coalesce(p.progress_fr, '–') as progress_fr,
    coalesce(p.status_label, (
        select label from src_dim_vocabulary
        where vocabulary = 'progress_statuses' and code = 'missing_data'
    )) as status_label,
    coalesce(p.figures_label, '–') as figures_label
from src_dim_schemes as s
left join src_fct_scheme_progress as p
    on p.scheme_id = s.scheme_id and p.is_latest_with_figures
left join src_dim_territories as d
    on d.scheme_id = s.scheme_id and d.territory_level = 'departement'
    and d.territory_code = s.departement_code
order by s.departement_code, s.kind desc, s.start_year, s.scheme_id
"""


def write(site_db: Path, site_dir: Path, reports_dir: Path = REPORTS_DIR) -> Path:
    """Write ``site_dir/index.html`` from ``site_db``."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{site_db}' as edition (read_only)")
        con.execute("use edition")
        for name in _SOURCES:
            query = (Path(reports_dir) / "sources" / SOURCE_NAME / f"{name}.sql").read_text()
            con.execute(f"create temp table src_{name} as ({query})")
        schemes = _records(con, _SCHEMES)
        (edition,) = _records(con, "from src_edition")
    finally:
        con.close()
    departements = [
        {
            "code": code,
            "name": group[0]["departement_name"],
            "home": slice_home(code),
            "schemes": [dict(s, page=scheme_path(code, s["scheme_id"])) for s in group],
        }
        for code, rows in groupby(schemes, key=lambda s: s["departement_code"])
        for group in [list(rows)]
    ]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE.parent),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    page = env.get_template(TEMPLATE.name).render(departements=departements, edition=edition)
    out = Path(site_dir) / "index.html"
    out.write_text(page, encoding="utf-8")
    return out


def _records(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
