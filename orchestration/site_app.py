"""One Evidence app for every slice of the site: bundled once, then placed under each slice.

Bundling Evidence's app is most of a build (benchmarks/site_build.py --phases: about 90 s, 63 %
of the Landes' build, the rest 0.8 s of prerendering a page), and it is the same for every slice
but for the base path, which Evidence's preprocessor writes into every compiled link. So the app
is built once, in Evidence's single-page-app mode (pages render in the browser from the slice's
Parquet files, no page prerendered), under a placeholder base path; each slice then gets

- a copy of the app, the placeholder replaced by the slice's base in the files that hold it
  (hard links for the others), with only its own département's map contours;
- its own data: ``evidence sources`` run on the slice's database (a few seconds);
- the app's page copied to each of its addresses, so that any static server (``make serve``,
  nginx, a bucket) serves every address without a fallback rule. The addresses are the fixed
  pages of Evidence's page manifest and the links the data holds (every ``page`` or ``*_page``
  column of the source queries: the links the pages themselves follow).

The app is kept next to the site, with the fingerprint of the site's files it was built from
(evidence_site.site_fingerprint), and bundled again only when they change.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import duckdb

from orchestration import evidence_site

# A base path no page or package writes: the app's links start with it until a slice is placed.
PLACEHOLDER = "/__sdsf_slice_base__"
# How the app is bundled and placed, as a version: a change to this module bundles the app and
# writes every slice again.
LAYOUT = "spa-1"
APP_FILE = "app.json"  # in the kept app: its fingerprint and the files holding the placeholder
_DATA = "data"  # the build's data folder: each slice brings its own
_CONTOURS = "carte"  # static/carte/<level>-<département>.geojson (components/Carte.svelte)


def app_dir_for(site_dir: Path) -> Path:
    """Where the app of the site in ``site_dir`` is kept (beside it: not served)."""
    site_dir = Path(site_dir)
    return site_dir.with_name(f".{site_dir.name}-app")


def ensure_app(
    app_dir: Path,
    fingerprint: str,
    sample_db: Path,
    *,
    strict: bool = True,
    reports_dir: Path = evidence_site.REPORTS_DIR,
) -> bool:
    """Bundle the app into ``app_dir`` unless the one there was built from ``fingerprint``;
    ``sample_db`` is a site database Evidence's build reads (its data is not kept). Returns
    whether it was bundled. A failed bundling leaves the app that was there."""
    app_dir, fingerprint = Path(app_dir), f"{fingerprint}:{LAYOUT}"
    if _read_app(app_dir).get("fingerprint") == fingerprint:
        return False
    app_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{app_dir.name}.", dir=app_dir.parent))
    try:
        project = evidence_site.prepare_project(work / "project", PLACEHOLDER, reports_dir)
        built = evidence_site.build_site(sample_db, work / "app", strict=strict,
                                         reports_dir=project)  # fmt: skip
        shutil.rmtree(built / _DATA)
        holding = _files_holding(built, PLACEHOLDER.encode())
        if "index.html" not in holding:
            raise evidence_site.SiteBuildError(
                f"the app's page does not start its links with {PLACEHOLDER}: has Evidence "
                "changed how it writes the base path?"
            )
        (built / APP_FILE).write_text(json.dumps({"fingerprint": fingerprint,
                                                  "rewrite": holding}, indent=1))  # fmt: skip
        retired = work / "retired"
        if app_dir.exists():
            app_dir.rename(retired)
        built.rename(app_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return True


def place(
    app_dir: Path,
    site_db: Path,
    out_dir: Path,
    *,
    base_path: str,
    departement: str,
    project_dir: Path,
    reports_dir: Path = evidence_site.REPORTS_DIR,
) -> int:
    """Write a slice into ``out_dir`` (new): the app under ``base_path``, the data of
    ``site_db``, a page at each address; ``project_dir`` is scratch space for ``evidence
    sources``. Returns the number of pages."""
    app_dir, out_dir = Path(app_dir), Path(out_dir)
    rewrite = set(_read_app(app_dir)["rewrite"])
    old, new = PLACEHOLDER.encode(), base_path.encode()
    for source in sorted(app_dir.rglob("*")):
        relative = source.relative_to(app_dir)
        target = out_dir / relative
        if source.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif relative.as_posix() == APP_FILE or _foreign_contour(relative, departement):
            continue
        elif relative.as_posix() in rewrite:
            target.write_bytes(source.read_bytes().replace(old, new))
        else:
            _link(source, target)
    project = evidence_site.prepare_project(project_dir, base_path, reports_dir, data_only=True)
    evidence_site.write_data(site_db, out_dir / _DATA, reports_dir=project)
    shutil.rmtree(project, ignore_errors=True)
    addresses = page_addresses(app_dir, out_dir / _DATA)
    page = out_dir / "index.html"
    for address in addresses:
        folder = out_dir / address
        if folder != out_dir:
            folder.mkdir(parents=True, exist_ok=True)
            _link(page, folder / "index.html")
    return len(addresses)


def page_addresses(app_dir: Path, data_dir: Path) -> list[str]:
    """A slice's page addresses, relative to its base ("" for its home, "schemas/x/…"): the
    fixed pages of the app's page manifest and every link the slice's data holds."""
    manifest = json.loads((Path(app_dir) / "api" / "pagesManifest.json").read_text("utf-8"))
    addresses = {""}
    stack = [manifest]
    while stack:
        node = stack.pop()
        if node.get("isPage") and not node.get("isTemplated") and node.get("href"):
            addresses.add(node["href"].strip("/"))
        stack.extend(node.get("children", {}).values())
    with duckdb.connect() as con:
        for parquet in sorted(Path(data_dir).rglob("*.parquet")):
            names = [row[0] for row in con.execute(f"describe from '{parquet}'").fetchall()]
            for name in names:
                if name == "page" or name.endswith("_page"):
                    rows = con.execute(
                        f'select distinct "{name}" from \'{parquet}\' where "{name}" is not null'
                    ).fetchall()
                    addresses.update(_path_of(str(value)) for (value,) in rows)
    return sorted(addresses)


def _path_of(link: str) -> str:
    """The page a link opens, relative to the slice's base (its anchor or query left out)."""
    return link.split("#", 1)[0].split("?", 1)[0].strip("/")


def _files_holding(root: Path, text: bytes) -> list[str]:
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and text in path.read_bytes()
    )


def _foreign_contour(relative: Path, departement: str) -> bool:
    """Another département's map contours: a national deployment has every département's."""
    return (
        relative.parts[0] == _CONTOURS
        and relative.suffix == ".geojson"
        and not relative.stem.endswith(f"-{departement}")
    )


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system
        shutil.copy2(source, target)


def _read_app(app_dir: Path) -> dict:
    try:
        return json.loads((Path(app_dir) / APP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
