"""A deployment whose configuration lives outside the repository (``SDSF_SOURCES``).

`sdsf init` writes a starter folder; the whole pipeline (real Dagster, dbt and DuckDB, through
the command line) then runs on it for one partner's files, and its marts hold that scheme's
indicators and nothing of the shipped schemes. A broken file of the folder stops every command
with its file, line and problem, before anything is computed.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import duckdb
import pytest

from orchestration import reference
from orchestration.portal.receiving import ReferenceCache
from orchestration.schemes import load_deployment
from orchestration.settings import SOURCES_DIR, Deployment, deployment
from tests.conftest import run_sdsf

DEPARTEMENT, START = "48", 2022
SCHEME = f"sdsf-{DEPARTEMENT}-{START}-{START + 5}"
MENDE = "48095"
# One partner's files for the starter scheme: a crèche and a relais in Mende, and the families
# its parenting action reached (figures chosen here, so the indicators are known by hand).
PLACEMENTS = (
    "periode;code_structure;type_structure;code_commune;places;enfants_accueillis\n"
    f"{START};EAJE-MENDE-1;EAJE_COLLECTIF;{MENDE};24;30\n"
    f"{START};RPE-MENDE-1;RPE;{MENDE};0;0\n"
)
BENEFICIARIES = (
    f"periode;code_action;code_territoire;public;nombre\n{START};AXE-2.1;{MENDE};FAMILLES;42\n"
)
UNDER_3 = 300  # Mende's children under 3 in the deployment's population file


def sdsf(home: Path, sources: Path, *args: str) -> subprocess.CompletedProcess:
    return run_sdsf(home, *args, check=False, sources=sources)


def _ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return result


def _init(tmp_path: Path, name: str = "config") -> Path:
    folder = tmp_path / name
    _ok(sdsf(tmp_path / "home", folder, "init", str(folder), "--departement", DEPARTEMENT,
             "--start-year", str(START)))  # fmt: skip
    return folder


def write_population(sources: Path) -> None:
    """Mende's children under 3 for the starter scheme's years, in the deployment's file."""
    (sources / "population_enfants.csv").write_text(
        "code_commune;annee;tranche_age;enfants\n"
        + "".join(
            f"{MENDE};{y};enfants_moins_3_ans;{UNDER_3}\n" for y in range(START - 1, START + 6)
        ),
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    """A starter folder with a population file, one partner's files submitted, then `sdsf run`."""
    tmp = tmp_path_factory.mktemp("deployment")
    sources, home = _init(tmp), tmp / "home"
    write_population(sources)
    for kind, text in (("placements", PLACEMENTS), ("beneficiaries", BENEFICIARIES)):
        path = tmp / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        _ok(sdsf(home, sources, "submit", "--partner", f"CAF{DEPARTEMENT}", "--kind", kind,
                 str(path), "--no-run"))  # fmt: skip
    run = _ok(sdsf(home, sources, "run", "--no-site"))
    return {"home": home, "sources": sources, "run": run}


def _query(home: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_init_writes_a_folder_that_loads_as_it_is(tmp_path):
    folder = _init(tmp_path)
    measures, partners, schemes = load_deployment(Deployment(folder))
    assert [s.id for s in schemes] == [SCHEME]
    assert set(partners) == {f"ETAT{DEPARTEMENT}", f"CD{DEPARTEMENT}", f"CAF{DEPARTEMENT}"}
    assert set(measures) == set(load_deployment(Deployment(SOURCES_DIR))[0])
    scheme = (folder / "schemes" / f"{SCHEME}.yaml").read_text(encoding="utf-8")
    assert "Lozère" in scheme and "remplacez" in scheme  # named from the COG, says what to edit


def test_init_refuses_a_folder_that_is_not_empty(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("à garder", encoding="utf-8")
    result = sdsf(tmp_path / "home", folder, "init", str(folder))
    assert result.returncode == 2
    assert "n'est pas un dossier vide" in result.stderr and "n'écrase rien" in result.stderr
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_the_marts_hold_the_deployments_scheme_and_its_indicators(deployed):
    home = deployed["home"]
    assert _query(home, "select scheme_id from marts.dim_schemes") == [(SCHEME,)]
    values = dict(
        (code, (value, numerator, denominator))
        for code, value, numerator, denominator in _query(
            home,
            f"""
            select indicator_code, value, numerator, denominator from marts.fct_indicator_values
            where scheme_id = '{SCHEME}' and territory_level = 'departement'
              and territory_code = '{DEPARTEMENT}' and year = {START}
            """,
        )
    )
    assert values["TX_COUV_GLOBAL"] == (pytest.approx(100 * 24 / UNDER_3), 24, UNDER_3)
    assert values["NB_RPE"][0] == 1
    assert values["FAMILLES_PARENTALITE"][0] == 42
    [(source,)] = _query(home, "select distinct source from raw.child_population")
    assert source.endswith("population_enfants.csv")  # the deployment's file, not the estimate


def test_the_run_says_where_it_is_and_what_is_left(deployed):
    log = deployed["run"].stderr
    assert re.search(r"\[1/2\] file \S+: accepted .*\(about \d+ s left\)", log), log[-3000:]
    assert re.search(r"\[2/2\] file \S+: accepted .*\(done in \d+ s\)", log)
    built = re.findall(r"\[(\d+)/(\d+)\] dbt model \S+ \((?:about|done in) ", log)
    assert built and built[-1][0] == built[-1][1] and len(built) == int(built[-1][1])


def test_status_reads_the_deployments_partners(deployed):
    status = sdsf(deployed["home"], deployed["sources"], "status")
    assert status.returncode in (0, 1), status.stderr  # 1: files past their deadline
    assert f"CAF{DEPARTEMENT}" in status.stdout and "CAF40" not in status.stdout


def test_a_broken_file_stops_the_run_with_its_file_and_line(deployed, tmp_path):
    broken = tmp_path / "broken"
    sources = deployed["sources"]
    for path in sources.rglob("*.yaml"):
        target = broken / path.relative_to(sources)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    scheme = broken / "schemes" / f"{SCHEME}.yaml"
    lines = scheme.read_text(encoding="utf-8").splitlines(keepends=True)
    line = next(i for i, text in enumerate(lines, 1) if f"pilot: CD{DEPARTEMENT}" in text)
    lines[line - 1] = lines[line - 1].replace(f"CD{DEPARTEMENT}", "CD99")
    scheme.write_text("".join(lines), encoding="utf-8")
    result = sdsf(deployed["home"], broken, "run", "--no-site")
    assert result.returncode == 2
    assert f"{scheme}:{line}: axes[1].actions[0].pilot: unknown partner 'CD99'" in result.stderr
    assert "n'est pas valable" in result.stderr and "Traceback" not in result.stderr


def test_a_missing_folder_is_told_in_french(tmp_path):
    result = sdsf(tmp_path / "home", tmp_path / "absent", "status")
    assert result.returncode == 2
    assert "dossier de configuration du déploiement est introuvable" in result.stderr
    assert "sdsf init" in result.stderr


def test_the_demo_refuses_another_deployment(tmp_path):
    result = sdsf(tmp_path / "home", _init(tmp_path), "demo", "--no-run")
    assert result.returncode == 2 and "SDSF_SOURCES" in result.stderr
    assert not (tmp_path / "home" / "store").exists()


def test_validation_and_portal_read_the_deployments_files(tmp_path, monkeypatch):
    folder = _init(tmp_path)
    monkeypatch.setenv("SDSF_SOURCES", str(folder))
    monkeypatch.setenv("SDSF_HOME", str(tmp_path / "home"))
    assert deployment().root == folder.resolve()
    assert ReferenceCache()._source_files() == deployment().files()
    assert folder / "schemes" / f"{SCHEME}.yaml" in deployment().files()
    checked = reference.reference_for_validation(kinds={"beneficiaries"})
    assert checked.action_codes == {"AXE-1.1", "AXE-1.2", "AXE-2.1"}
    assert checked.years == (START - 1, START + 5)
