"""The Open SDG grading (orchestration.grading) and `sdsf grade`, on sdg-build's public test
series and hand-computed cases (expected values written in the fixture files, with the sum)."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest

from orchestration import grading
from orchestration.cli import main
from orchestration.grading_input import GradingInputError, read_series
from orchestration.vocabulary import labels

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
CASE_FILES = ("sdg_build_series.csv", "hand_cases.csv")


def _number(text: str) -> float | None:
    return float(text.replace(",", ".")) if text else None


def _expected(name: str) -> dict[str, dict]:
    with (FIXTURES / name).open(encoding="utf-8", newline="") as f:
        return {
            row["serie"]: {
                "status": row["attendu_statut"],
                "score": _number(row["attendu_note"]),
                "progress_value": _number(row["attendu_valeur"]),
            }
            for row in csv.DictReader(f, delimiter=";")
        }


def _close(actual: float | None, expected: float | None) -> bool:
    if expected is None:
        return actual is None
    return actual is not None and math.isclose(actual, expected, rel_tol=1e-6, abs_tol=1e-9)


@pytest.mark.parametrize("name", CASE_FILES)
def test_grade_json_gives_the_published_status_score_and_progress_value(name, capsys):
    assert main(["grade", "--format", "json", str(FIXTURES / name)]) == 0
    rows = json.loads(capsys.readouterr().out)
    expected = _expected(name)
    assert [r["serie"] for r in rows] == list(expected)
    for row in rows:
        assert set(row) == {"serie", "progress_value", "score", "status"}
        want = expected[row["serie"]]
        assert row["status"] == want["status"], row
        assert _close(row["score"], want["score"]), row
        assert _close(row["progress_value"], want["progress_value"]), row


def test_every_status_code_has_a_french_label_in_the_vocabulary():
    codes = set(labels("grading_statuses"))
    produced = {s for _, s in grading.SCORE_STATUSES} | {
        "target_achieved",
        "deterioration",
        "not_available",
    }
    # « secret statistique » is set by the publication, never by the method.
    assert codes - produced == {"secret"}
    assert labels("grading_statuses")["moderate_progress"] == "progrès modéré"


def test_score_is_continuous_at_the_status_thresholds():
    # R = 0.95 is where substantial progress starts: its score is the 2.5 that starts it too.
    def graded(value):
        return grading.grade(2015, 100, 2016, value, direction="up", target_year=2017, target=121)

    assert math.isclose(graded(109.5).score, 2.5, rel_tol=1e-9)  # R = 9.5 % / 10 %
    assert graded(109.51).status == "substantial_progress"
    assert graded(109.49).status == "moderate_progress"


def test_limit_against_the_desired_direction_is_ignored():
    # A maximum of 100 says nothing to a rate the scheme wants down.
    assert grading.limit_coefficient(90, 100, sense=-1) == 1.0
    assert grading.limit_coefficient(90, 100, sense=1) < 1.0


def test_growth_at_the_scaled_top_threshold_stays_under_the_limit_for_15_years():
    for base in (50, 90, 99, 99.9):
        c = grading.limit_coefficient(base, 100, sense=1)
        assert base * (1 + 0.015 * c) ** 15 <= 100 + 1e-9


def test_mean_score_rolls_up_and_its_status_follows_the_score_bands():
    assert grading.mean_score([5.0, -1.0, None]) == 2.0
    assert grading.status_of_score(2.0) == "moderate_progress"
    assert grading.status_of_score(None) == "not_available"
    assert grading.status_of_score(5.0, all_achieved=True) == "target_achieved"


def test_text_output_names_the_french_label(tmp_path, capsys):
    assert main(["grade", str(FIXTURES / "hand_cases.csv")]) == 0
    out = capsys.readouterr().out
    assert (
        "rythme exact\tvaleur de progrès 1.0000\tnote 2.86\tsubstantial_progress "
        "(progrès important)" in out
    )


def test_a_windows_1252_comma_separated_file_reads_like_the_semicolon_one(tmp_path):
    text = (
        "serie,annee_reference,valeur_reference,annee_observee,valeur_observee,annee_cible,"
        "cible,sens,limite\r\nréussite éducative,2015,100,2016,110,2017,121,hausse,\r\n"
    )
    path = tmp_path / "series.csv"
    path.write_bytes(text.encode("cp1252"))
    (series,) = read_series(path.read_bytes())
    assert series.name == "réussite éducative"
    assert math.isclose(series.graded().progress_value, 1.0)


def test_bad_cells_are_named_by_line_and_column_in_french(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(
        "serie;annee_reference;valeur_reference;annee_observee;valeur_observee;annee_cible;"
        "cible;sens;limite\n"
        "ok;2015;10;2016;11;;;hausse;\n"
        "a;20x5;10;2016;11;;;hausse;\n"
        "b;2015;dix;2016;11;;;monte;\n",
        encoding="utf-8",
    )
    assert main(["grade", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Ligne 3, colonne « annee_reference » : « 20x5 » n'est pas une année" in err
    assert "Ligne 4, colonne « valeur_reference » : « dix » n'est pas un nombre" in err
    assert "Ligne 4, colonne « sens » : « monte » — attendu « hausse » ou « baisse »" in err


def test_a_missing_column_is_named(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("serie;annee_reference\nx;2015\n", encoding="utf-8")
    with pytest.raises(GradingInputError, match="valeur_reference"):
        read_series(path.read_bytes())


def test_a_missing_file_is_a_usage_error(tmp_path, capsys):
    assert main(["grade", str(tmp_path / "absent.csv")]) == 2
    assert "introuvable" in capsys.readouterr().err
