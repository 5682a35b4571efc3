"""The national benchmark's generator writes a deployment sdsf accepts: 2 départements × 2
years load with the deployment's checks (``load_deployment`` of ``settings.deployment()``), and
every generated partner file passes ``sdsf validate`` against that deployment."""

from __future__ import annotations

import json

from benchmarks.national_data import partner_files, write_deployment
from orchestration.schemes import load_deployment
from orchestration.settings import deployment
from tests.conftest import run_sdsf

DEPS, YEARS = ["40", "2A"], 2


def test_two_departements_over_two_years_make_a_valid_deployment(tmp_path, monkeypatch):
    folder = tmp_path / "sources"
    write_deployment(folder, DEPS, YEARS)
    monkeypatch.setenv("SDSF_SOURCES", str(folder))
    _measures, partners, schemes = load_deployment(deployment())
    assert sorted(s.id for s in schemes) == ["sdsf-2a-2016-2017", "sdsf-40-2016-2017"]
    assert {s.departement for s in schemes} == set(DEPS)
    assert all(s.indicators and s.actions for s in schemes)
    assert {"CAF2A", "CAF40", "CD2A"} <= set(partners)

    files = partner_files(folder, DEPS, YEARS)
    assert files == partner_files(folder, DEPS, YEARS)  # seeded: the same bytes
    assert {f.kind for f in files} == {"placements", "attendance", "beneficiaries",
                                       "action_reports"}  # fmt: skip
    assert {f.period for f in files if f.kind == "attendance"} == {
        f"{y}-T{q}" for y in (2016, 2017) for q in range(1, 5)
    }
    by_kind: dict[str, list] = {}
    for i, f in enumerate(files):
        path = tmp_path / "files" / f"{i:03d}_{f.partner}_{f.name}"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(f.data)
        by_kind.setdefault(f.kind, []).append(str(path))
    for kind, paths in by_kind.items():
        result = run_sdsf(tmp_path / "home", "validate", "--kind", kind, *paths, "--format",
                          "json", check=False, sources=folder)  # fmt: skip
        receipts = json.loads(result.stdout)
        refused = [r for r in receipts if not r["accepted"]]
        assert result.returncode == 0 and not refused, refused[:1] or result.stderr[-2000:]
