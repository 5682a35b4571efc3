"""Build the Evidence site (reports/) from a publication DuckDB file, offline and under a timeout.

Evidence reads the file through the `sdsf` source (reports/sources/sdsf/connection.yaml). Its
`filename` option is overridden per build with the environment variable
`EVIDENCE_SOURCE__sdsf__filename`; the DuckDB plugin joins that value to the source folder even
when it is absolute, so we pass a path relative to that folder. Evidence always writes the site to
reports/build (its EVIDENCE_BUILD_DIR only moves the SvelteKit output inside .evidence/template, and
the CLI copies .evidence/template/build to ./build regardless), so the site is copied to `out_dir`.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path

import yaml

log = logging.getLogger(__name__)

REPORTS_DIR: Path = Path(__file__).resolve().parent.parent / "reports"
SOURCE_NAME = "sdsf"
DEPENDENCY_TIMEOUT_S = 900
_STAMP = ".sdsf-dependencies"
_TAIL_LINES = 40


class SiteBuildError(RuntimeError):
    """The site could not be built; the message says which step failed and ends with its output."""


def ensure_site_dependencies(
    reports_dir: Path = REPORTS_DIR, *, timeout_s: int = DEPENDENCY_TIMEOUT_S
) -> None:
    """Install reports/node_modules from the committed lock; a quick no-op when up to date.

    Up to date means node_modules holds a stamp of the package.json and package-lock.json it was
    installed from. `npm install` is used rather than `npm ci`: the registry mirror reachable here
    lacks some other platforms' optional binaries (darwin, win32 builds of DuckDB and rollup), so no
    lock written here lists them and `npm ci` rejects every such lock as out of sync. With the
    lock in place `npm install` installs exactly the locked versions.
    """
    reports_dir = Path(reports_dir)
    stamp = reports_dir / "node_modules" / _STAMP
    if stamp.is_file() and stamp.read_text() == _dependency_fingerprint(reports_dir):
        return
    started = time.monotonic()
    _run(
        [_npm(), "install", "--no-audit", "--no-fund"],
        cwd=reports_dir,
        env=_evidence_env(),
        timeout_s=timeout_s,
        step="npm install",
    )
    stamp.write_text(_dependency_fingerprint(reports_dir))
    log.info("Evidence dependencies installed in %.0f s", time.monotonic() - started)


def build_site(
    publication_db: Path,
    out_dir: Path,
    *,
    strict: bool = True,
    timeout_s: int = 600,
    reports_dir: Path = REPORTS_DIR,
) -> Path:
    """Build the site from `publication_db` into `out_dir` (replaced) and return `out_dir`.

    Runs `evidence sources` then `evidence build` (`build:strict` when `strict`, so a broken page
    query fails the build), each under `timeout_s` seconds; raises SiteBuildError on any failure.
    `out_dir` then holds index.html. Calls are serialised on a lock file in reports/. The site
    is Evidence's single-page app (reports/svelte.config.js): no page is prerendered, and
    index.html is the app's page for every address, which renders in the browser.
    """
    reports_dir, out_dir = Path(reports_dir).resolve(), Path(out_dir).resolve()
    if out_dir == reports_dir or reports_dir in out_dir.parents:
        raise SiteBuildError(f"out_dir must be outside {reports_dir}: {out_dir}")
    steps = ("sources", "build:strict" if strict else "build")
    with _project_run(publication_db, reports_dir) as (env, npm):
        build_dir = reports_dir / "build"
        # The CLI merges into ./build and the adapter output: clear both so no stale page survives.
        shutil.rmtree(build_dir, ignore_errors=True)
        shutil.rmtree(reports_dir / ".evidence" / "template" / "build", ignore_errors=True)
        for step in steps:
            started = time.monotonic()
            _run(
                [npm, "run", step],
                cwd=reports_dir,
                env=env,
                timeout_s=timeout_s,
                step=f"npm run {step}",
            )
            log.info("npm run %s took %.0f s", step, time.monotonic() - started)

        if not (build_dir / "index.html").is_file():
            raise SiteBuildError(f"the build finished but wrote no {build_dir / 'index.html'}")
        set_language(build_dir)
        _replace_dir(build_dir, out_dir)
    return out_dir


def write_data(publication_db: Path, out_dir: Path, *, reports_dir: Path, timeout_s: int = 600):
    """Write the site's data (`evidence sources`: a Parquet file per source query and their
    manifest, what a build puts in its ``data/`` folder) from `publication_db` into `out_dir`."""
    reports_dir, out_dir = Path(reports_dir).resolve(), Path(out_dir)
    with _project_run(publication_db, reports_dir) as (env, npm):
        data = reports_dir / ".evidence" / "template" / "static" / "data"
        shutil.rmtree(data, ignore_errors=True)
        _run([npm, "run", "sources"], cwd=reports_dir, env=env, timeout_s=timeout_s,
             step="npm run sources")  # fmt: skip
        if not (data / "manifest.json").is_file():
            raise SiteBuildError(f"evidence sources finished but wrote no {data / 'manifest.json'}")
        shutil.rmtree(out_dir, ignore_errors=True)
        shutil.copytree(data, out_dir)
    return out_dir


@contextlib.contextmanager
def _project_run(publication_db: Path, reports_dir: Path) -> Iterator[tuple[dict[str, str], str]]:
    """The checks, lock and environment an Evidence command on ``reports_dir`` runs under."""
    publication_db = Path(publication_db).resolve()
    if not publication_db.is_file():
        raise SiteBuildError(f"publication file not found: {publication_db}")
    _check_telemetry_off(reports_dir)
    with _exclusive(reports_dir / ".sdsf-build.lock"):
        ensure_site_dependencies(reports_dir)
        env = _evidence_env()
        env[f"EVIDENCE_SOURCE__{SOURCE_NAME}__filename"] = source_filename(
            publication_db, reports_dir
        )
        env["VITE_EVIDENCE_SPA"] = "true"  # Evidence's switch: no page prerendered
        yield env, _npm()


# What a build project needs besides its node_modules (a link to reports/node_modules).
_PROJECT_SKIP = {"node_modules", "build", ".evidence", ".sdsf-build.lock"}
# What `evidence sources` reads of a project (measured: it runs with these alone).
_SOURCES_PROJECT = {
    "sources",
    "evidence.config.yaml",
    "evidence.settings.json",
    "package.json",
    "package-lock.json",
}  # the lock too: without it the dependencies would read as out of date


def prepare_project(
    project_dir: Path,
    base_path: str,
    reports_dir: Path = REPORTS_DIR,
    *,
    data_only: bool = False,
) -> Path:
    """A copy of the Evidence project in ``project_dir`` whose site is served under
    ``base_path`` (a site slice's ``/<département>``), sharing reports/node_modules; returns it.
    With ``data_only``, only what `evidence sources` reads (no pages, no static files: a
    national deployment's map contours weigh tens of megabytes).

    Evidence builds in its project folder (.evidence/, build/), so builds side by side each
    need their own folder; the pages, components and queries are the same files.
    """
    reports_dir, project_dir = Path(reports_dir).resolve(), Path(project_dir)
    shutil.rmtree(project_dir, ignore_errors=True)
    project_dir.mkdir(parents=True)
    data_files = shutil.ignore_patterns("*.duckdb", "*.wal", "*.parquet")
    for entry in reports_dir.iterdir():
        if entry.name in _PROJECT_SKIP or (data_only and entry.name not in _SOURCES_PROJECT):
            continue
        if entry.is_dir():
            shutil.copytree(entry, project_dir / entry.name, ignore=data_files)
        else:
            shutil.copy2(entry, project_dir / entry.name)
    (project_dir / "node_modules").symlink_to(reports_dir / "node_modules")
    config = yaml.safe_load((reports_dir / "evidence.config.yaml").read_text()) or {}
    config["deployment"] = {"basePath": base_path}
    (project_dir / "evidence.config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return project_dir


_HTML_EN = '<html lang="en">'


def set_language(site_dir: Path, language: str = "fr") -> int:
    """Declare the pages' language (Evidence's page template says English) so that screen
    readers and browsers read them as French; returns the number of pages changed."""
    changed = 0
    for page in Path(site_dir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if _HTML_EN in text:
            page.write_text(text.replace(_HTML_EN, f'<html lang="{language}">', 1), "utf-8")
            changed += 1
    return changed


_SITE_INPUTS = (
    "svelte.config.js",
    "pages",
    "components",
    "sources",
    "static",
    "evidence.config.yaml",
    "package-lock.json",
)


def site_fingerprint(reports_dir: Path = REPORTS_DIR) -> str:
    """A digest of what the site is built from besides the data: pages, components, source
    queries, configuration and locked packages. A change to any of them means a new build."""
    reports_dir = Path(reports_dir)
    digest = hashlib.sha256()
    for name in _SITE_INPUTS:
        root = reports_dir / name
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in files:
            if path.suffix in {".duckdb", ".wal", ".parquet"} or not path.is_file():
                continue  # a developer's local data file is not part of the site
            digest.update(str(path.relative_to(reports_dir)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def source_filename(publication_db: Path, reports_dir: Path = REPORTS_DIR) -> str:
    """The `filename` option for the sdsf source: `publication_db` relative to the source folder."""
    source_dir = Path(reports_dir).resolve() / "sources" / SOURCE_NAME
    return os.path.relpath(Path(publication_db).resolve(), source_dir)


def _run(
    cmd: Sequence[str], *, cwd: Path, env: dict[str, str], timeout_s: float, step: str
) -> None:
    """Run `cmd`, streaming its output to a temporary log; raise SiteBuildError on failure."""
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as output:
        # A new session gives the command its own process group, so a timeout can end npm and
        # every child it started (node, vite, esbuild) without touching anything else.
        process = subprocess.Popen(
            list(cmd),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            returncode = process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise SiteBuildError(
                f"{step} timed out after {timeout_s:g} s (killed); last output:\n{_tail(output)}"
            ) from None
        except BaseException:
            _kill_group(process)
            raise
        if returncode != 0:
            raise SiteBuildError(
                f"{step} failed with exit code {returncode}; last output:\n{_tail(output)}"
            )


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _tail(output) -> str:
    output.flush()
    output.seek(0)
    lines = deque((line.rstrip("\n") for line in output), maxlen=_TAIL_LINES)
    return "\n".join(lines) or "(no output)"


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise SiteBuildError("npm not found on PATH: install Node.js 20 and npm")
    return npm


def _evidence_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(NO_COLOR="1", FORCE_COLOR="0", NO_UPDATE_NOTIFIER="1")
    return env


def _check_telemetry_off(reports_dir: Path) -> None:
    # Evidence only honours the committed settings file, not an environment variable.
    settings = reports_dir / "evidence.settings.json"
    try:
        value = json.loads(settings.read_text()).get("send_anonymous_usage_stats")
    except (OSError, ValueError) as exc:
        raise SiteBuildError(f"cannot read {settings}: {exc}") from exc
    if value != "no":
        raise SiteBuildError(f'{settings} must set "send_anonymous_usage_stats": "no"')


def _dependency_fingerprint(reports_dir: Path) -> str:
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        path = reports_dir / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
    return digest.hexdigest()


def _replace_dir(source: Path, target: Path) -> None:
    """Copy `source` to `target`, swapping the old `target` out only once the copy is complete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        shutil.copytree(source, staging, dirs_exist_ok=True)
        if target.exists():
            retired = staging.with_name(staging.name + ".old")
            target.rename(retired)
            staging.rename(target)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextlib.contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
