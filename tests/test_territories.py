"""Territory reference and children's population, on the real @etalab package data (needs npm)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from orchestration.territories import (
    AGE_BAND_SHARES,
    AGE_BANDS,
    CHILD_POPULATION_TEMPLATE,
    ESTIMATE_SOURCE,
    TERRITORIES_DIR,
    ChildPopulationFileError,
    ensure_territory_package,
    estimate_child_population,
    load_child_population,
    load_cog,
)

EXAMPLE_CSV = TERRITORIES_DIR / "population_enfants.exemple.csv"
OUTPUT_COLUMNS = ["commune_code", "year", "age_band", "children", "source"]


@pytest.fixture(scope="module")
def cog() -> dict[str, pd.DataFrame]:
    return load_cog(ensure_territory_package())


@pytest.fixture(scope="module")
def communes(cog) -> pd.DataFrame:
    return cog["communes"]


def write_csv(tmp_path, text: str, name: str = "population.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_cog_frames_have_exactly_the_promised_columns(cog):
    assert list(cog) == ["communes", "epci", "epci_members", "departements"]
    assert list(cog["communes"].columns) == [
        "commune_code",
        "name",
        "departement_code",
        "region_code",
        "epci_siren",
        "population",
        "commune_type",
        "parent_commune_code",
    ]
    assert list(cog["epci"].columns) == ["epci_siren", "name", "epci_type", "population"]
    assert list(cog["epci_members"].columns) == ["epci_siren", "commune_code"]
    assert list(cog["departements"].columns) == ["departement_code", "name", "region_code"]
    assert str(cog["communes"]["population"].dtype) == "Int64"
    assert str(cog["epci"]["population"].dtype) == "Int64"


def test_landes_has_327_current_communes_each_in_an_epci(communes):
    landes = communes[(communes["departement_code"] == "40")]
    assert (landes["commune_type"] == "commune").all()
    assert len(landes) == 327
    assert landes["epci_siren"].notna().all()


def test_mont_de_marsan_is_40192_in_its_agglomeration(cog, communes):
    row = communes.set_index("commune_code").loc["40192"]
    assert row["name"] == "Mont-de-Marsan"
    assert row["departement_code"] == "40"
    assert row["region_code"] == "75"
    epci = cog["epci"].set_index("epci_siren").loc[row["epci_siren"]]
    assert epci["name"] == "CA Mont de Marsan Agglomération"
    assert epci["epci_type"] == "CA"


def test_codes_are_strings_with_leading_zeros(cog, communes):
    assert communes["commune_code"].map(type).eq(str).all()
    assert communes["commune_code"].str.len().eq(5).all()
    ain = communes[communes["departement_code"] == "01"]
    assert len(ain) > 300
    assert ain["commune_code"].str.startswith("01").all()
    assert "01" in set(cog["departements"]["departement_code"])


def test_corsica_uses_2a_and_2b(cog, communes):
    departements = cog["departements"].set_index("departement_code")["name"]
    assert departements["2A"] == "Corse-du-Sud"
    assert departements["2B"] == "Haute-Corse"
    ajaccio = communes.set_index("commune_code").loc["2A004"]
    assert ajaccio["name"] == "Ajaccio"
    assert (
        communes.loc[communes["departement_code"] == "2B", "commune_code"]
        .str.match(r"^2B\d{3}$")
        .all()
    )


def test_epci_siren_are_nine_digits_and_members_are_current_communes(cog, communes):
    assert cog["epci"]["epci_siren"].str.fullmatch(r"\d{9}").all()
    assert cog["epci"]["epci_siren"].is_unique
    current = set(communes.loc[communes["commune_type"] == "commune", "commune_code"])
    assert set(cog["epci_members"]["commune_code"]) <= current
    assert cog["epci_members"]["commune_code"].is_unique
    assert communes["epci_siren"].dropna().str.fullmatch(r"\d{9}").all()


def test_arrondissements_are_rows_that_point_to_their_parent(communes):
    by_code = communes.set_index("commune_code")
    arrondissements = communes[communes["commune_type"] == "arrondissement"]
    assert len(arrondissements) == 45
    assert arrondissements["parent_commune_code"].value_counts().to_dict() == {
        "75056": 20,
        "13055": 16,
        "69123": 9,
    }
    assert by_code.loc["75101", "parent_commune_code"] == "75056"
    assert by_code.loc["69381", "epci_siren"] == by_code.loc["69123", "epci_siren"]
    assert by_code.loc["13201", "departement_code"] == "13"
    assert communes.loc[communes["commune_type"] == "commune", "parent_commune_code"].isna().all()
    for parent in ("75056", "69123", "13055"):
        children = arrondissements[arrondissements["parent_commune_code"] == parent]
        assert children["population"].sum() == by_code.loc[parent, "population"]


def test_estimate_is_deterministic_and_rounded_half_up(communes):
    landes = communes[communes["departement_code"] == "40"]
    first = estimate_child_population(landes, [2024, 2025])
    second = estimate_child_population(landes.sample(frac=1, random_state=3), [2025, 2024])
    pd.testing.assert_frame_equal(first, second)
    assert list(first.columns) == OUTPUT_COLUMNS
    assert len(first) == 327 * 2 * len(AGE_BANDS)
    assert set(first["source"]) == {ESTIMATE_SOURCE}
    assert first["children"].dtype == "int64"

    tiny = pd.DataFrame(
        {
            "commune_code": ["99001", "99002", "99003"],
            "population": pd.array([1500, 3500, None], dtype="Int64"),
        }
    )
    estimate = estimate_child_population(tiny, [2024]).set_index(["commune_code", "age_band"])
    children = estimate["children"]
    # 1500 × 0.031 = 46.5: half up gives 47 where banker's rounding would give 46.
    assert children["99001", "enfants_moins_3_ans"] == 47
    # 3500 × 0.073 is 255.5 but 255.49999999999997 in floats: still rounds up.
    assert children["99002", "jeunes_12_17_ans"] == 256
    assert children["99001", "population"] == 1500
    assert len(children) == 2 * len(AGE_BANDS)  # the commune without population is left out


def test_estimate_sums_to_national_shares_of_landes_population(communes):
    landes = communes[communes["departement_code"] == "40"]
    total = int(landes["population"].sum())
    estimate = estimate_child_population(landes, [2024])
    sums = estimate.groupby("age_band")["children"].sum()
    assert sums["population"] == total
    for band, share in AGE_BAND_SHARES.items():
        # Rounding each of 327 communes moves the sum by at most half a child per commune.
        assert abs(sums[band] - total * share) <= 327 / 2
    assert sums["enfants_2_ans"] < sums["enfants_moins_3_ans"] < sums["population"]
    assert 10_000 < sums["enfants_moins_3_ans"] < 16_000


def test_example_csv_loads_with_user_source():
    assert EXAMPLE_CSV.read_text(encoding="utf-8").startswith(CHILD_POPULATION_TEMPLATE)
    loaded = load_child_population(EXAMPLE_CSV)
    assert list(loaded.columns) == OUTPUT_COLUMNS
    assert set(loaded["commune_code"]) == {"40001", "40088", "40192"}
    assert set(loaded["age_band"]) == set(AGE_BANDS)
    assert set(loaded["source"]) == {"fourni par l'utilisateur: population_enfants.exemple.csv"}
    row = loaded[
        (loaded["commune_code"] == "40192")
        & (loaded["year"] == 2024)
        & (loaded["age_band"] == "enfants_moins_3_ans")
    ]
    assert row["children"].tolist() == [950]
    assert loaded["year"].dtype == "int64"


def test_user_csv_keeps_leading_zeros_and_corsican_codes(tmp_path):
    path = write_csv(
        tmp_path,
        CHILD_POPULATION_TEMPLATE + "01004;2024;enfants_2_ans;180\n2A004;2024;population;75000\n",
    )
    loaded = load_child_population(path)
    assert loaded["commune_code"].tolist() == ["01004", "2A004"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("1004;2024;enfants_2_ans;12\n", "ligne 2, colonne code_commune : « 1004 »"),
        ("01004;24;enfants_2_ans;12\n", "ligne 2, colonne annee : « 24 »"),
        ("01004;2024;bebes;12\n", "ligne 2, colonne tranche_age : « bebes » est inconnue"),
        ("01004;2024;enfants_2_ans;-3\n", "ligne 2, colonne enfants : « -3 »"),
        ("01004;2024;enfants_2_ans;12,5\n", "ligne 2, colonne enfants : « 12,5 »"),
        (
            "01004;2024;enfants_2_ans;12\n01004;2024;enfants_2_ans;13\n",
            "ligne 3 : doublon de la ligne 2",
        ),
        ("", "aucune ligne de données"),
    ],
)
def test_user_csv_rejects_bad_rows_naming_line_and_column(tmp_path, body, expected):
    path = write_csv(tmp_path, CHILD_POPULATION_TEMPLATE + body)
    with pytest.raises(ChildPopulationFileError, match=re.escape(expected)):
        load_child_population(path)


def test_user_csv_suggests_the_padded_code_when_excel_dropped_the_zero(tmp_path):
    path = write_csv(tmp_path, CHILD_POPULATION_TEMPLATE + "1004;2024;enfants_2_ans;12\n")
    with pytest.raises(ChildPopulationFileError, match="« 01004 »"):
        load_child_population(path)


def test_user_csv_rejects_a_comma_separated_header(tmp_path):
    path = write_csv(tmp_path, "code_commune,annee,tranche_age,enfants\n01004,2024,population,1\n")
    with pytest.raises(ChildPopulationFileError, match="ligne 1 : en-tête") as error:
        load_child_population(path)
    assert "point-virgule" in str(error.value)


def test_user_csv_reports_every_error_at_once(tmp_path):
    path = write_csv(
        tmp_path,
        CHILD_POPULATION_TEMPLATE + "40192;2024;enfants_2_ans;x\n4019;20x4;population;1\n",
    )
    with pytest.raises(ChildPopulationFileError) as error:
        load_child_population(path)
    assert len(error.value.errors) == 3
    assert str(error.value).startswith(
        "Fichier de population des enfants invalide : population.csv"
    )
