"""Many files are validated on several processes, and give what one after another gives."""

from __future__ import annotations

import os

import duckdb

from orchestration.intake import parallel
from orchestration.intake.service import process_submissions
from orchestration.intake.store import SubmissionStore

PLACES = "periode;code_structure;type_structure;code_commune;places;enfants_accueillis\n"
HOURS = "periode;code_structure;heures_theoriques;heures_realisees;heures_facturees\n"


def _home(home):
    """Placements of 30 partners (CAF07's with a malformed commune code, refused), then their
    attendance; CAF03's names a structure no placements declared."""
    store = SubmissionStore(home)
    for n in range(30):
        commune = "40192" if n != 7 else "4O192"
        store.put(
            f"{PLACES}2017;EAJE-{n:02d};EAJE_COLLECTIF;{commune};{10 + n};{12 + n}\n".encode(),
            partner=f"CAF{n:02d}",
            kind="placements",
            file_name="places.csv",
        )
    for n in range(30):
        structure = f"EAJE-{n:02d}" if n != 3 else "EAJE-INCONNUE"
        store.put(
            f"{HOURS}2017-T1;{structure};1000;{800 + n};900\n".encode(),
            partner=f"CAF{n:02d}",
            kind="attendance",
            file_name="heures.csv",
        )
    return [s.submission_id for s in store.all()]


def _run(home):
    ids = _home(home)
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    try:
        outcomes = process_submissions(home, con, ids)
        tables = {
            t: con.execute(f"select * exclude (received_at) from raw.{t} order by all").fetchall()
            for t in ("placements", "attendance")
        }
    finally:
        con.close()
    verdicts = [
        (o.submission.submission_id, o.receipt.accepted, [e.rule for e in o.receipt.errors])
        for o in outcomes
    ]
    return verdicts, tables


def test_files_validated_in_workers_give_the_receipts_and_rows_of_one_process(
    tmp_path, monkeypatch
):
    assert (os.cpu_count() or 1) >= 2 and parallel.PARALLEL_FROM <= 60, "workers are used"
    in_workers = _run(tmp_path / "workers")
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 10_000)
    in_one_process = _run(tmp_path / "one")
    assert in_workers == in_one_process
    verdicts, tables = in_one_process
    refused = {
        i.split("-")[0] + "-" + i.split("-")[1]: rules for i, ok, rules in verdicts if not ok
    }
    assert set(refused) == {"CAF07-placements", "CAF03-attendance", "CAF07-attendance"}
    assert refused["CAF03-attendance"] == ["unknown_structure"]
    assert refused["CAF07-attendance"] == ["unknown_structure"], "its placements were refused"
    assert len(tables["placements"]) == 29 and len(tables["attendance"]) == 28
