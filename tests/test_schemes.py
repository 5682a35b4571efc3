"""Schemes, measures and partners as YAML: shipped files load, bad ones fail with a location."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration import vocabulary
from orchestration.schemes import (
    TABLE_COLUMNS,
    TABLE_KEYS,
    TABLES,
    Formula,
    SchemeError,
    Term,
    filter_labels,
    formula_text,
    french_number,
    load_measures,
    load_partners,
    load_scheme,
    load_schemes,
    scheme_tables,
    source_text,
    term_text,
    write_scheme_tables,
)
from orchestration.settings import SOURCES_DIR, Deployment
from orchestration.warehouse import replace_tables
from tests.conftest import dbt_build

FIXTURES = Path(__file__).parent / "fixtures" / "schemes"
SHIPPED = Deployment(SOURCES_DIR)  # the shipped deployment, whatever SDSF_SOURCES says
# The structure types of formal childcare, in the order the Landes scheme lists them.
FORMAL_CHILDCARE = (
    "EAJE_COLLECTIF",
    "EAJE_FAMILIAL",
    "EAJE_PARENTAL",
    "MICRO_CRECHE",
    "ASSISTANT_MATERNEL",
    "GARDE_DOMICILE",
    "PRESCOLARISATION",
)


@pytest.fixture(scope="module")
def registries():
    return load_measures(), load_partners()


@pytest.fixture(scope="module")
def schemes(registries):
    measures, partners = registries
    return {s.id: s for s in load_schemes(measures=measures, partners=partners)}


@pytest.fixture(scope="module")
def tables(schemes, registries):
    return scheme_tables(list(schemes.values()), *registries)


def _indicator(scheme, code):
    return next(indicator for indicator in scheme.indicators if indicator.code == code)


# --------------------------------------------------------------------------- shipped files


def test_every_shipped_scheme_loads_and_comes_back_sorted_by_id():
    ids = [scheme.id for scheme in load_schemes()]
    assert ids == sorted(ids)
    assert set(ids) == {
        "landes-2016-2018",
        "lozere-2016-2019",
        "essonne-2016-2019",
        "charte-msa-landes-armagnac-2018-2022",
    }
    assert {path.stem for path in SHIPPED.schemes.glob("*.yaml")} == set(ids)


def test_landes_has_the_five_axes_and_every_action_of_the_signature(schemes):
    landes = schemes["landes-2016-2018"]
    assert [len(axis.actions) for axis in landes.axes] == [4, 2, 6, 3, 5]
    assert set(landes.signatories) == {"ETAT40", "CD40", "CAF40", "MSA_SUD_AQUITAINE", "UDAF40"}
    titles = {action.title for action in landes.actions}
    assert "Augmenter l'offre de service dans les territoires prioritaires" in titles
    assert "Répondre aux besoins d'accueil en horaires atypiques" in titles


def test_landes_global_coverage_rate_follows_the_onape_method(schemes):
    landes = schemes["landes-2016-2018"]
    rate = _indicator(landes, "TX_COUV_GLOBAL")
    action = next(a for a in landes.actions if a.code == rate.action)
    assert action.title == "Augmenter l'offre de service dans les territoires prioritaires"
    [numerator] = rate.formula.numerator
    [denominator] = rate.formula.denominator
    assert numerator.measure == "places"
    assert set(numerator.structure_types) == set(FORMAL_CHILDCARE)
    assert denominator.measure == "enfants_moins_3_ans"
    assert (rate.formula.factor, rate.unit, rate.direction) == (100, "%", "up")
    assert rate.baseline.year == 2015
    assert landes.period.end in rate.targets


def test_landes_ships_every_required_indicator(schemes):
    landes = schemes["landes-2016-2018"]
    codes = {indicator.code for indicator in landes.indicators}
    assert {
        "TX_COUV_GLOBAL",
        "TX_COUV_EAJE",
        "TX_COUV_AM",
        "TX_OCCUPATION_EAJE",
        "PART_EAJE_FAMILLES_MODESTES",
        "PART_EAJE_HANDICAP",
        "FAMILLES_PARENTALITE_1000",
        "TX_SCOLARISATION_2ANS",
    } <= codes
    occupation = _indicator(landes, "TX_OCCUPATION_EAJE").formula
    assert [t.measure for t in occupation.numerator] == ["heures_realisees"]
    assert [t.measure for t in occupation.denominator] == ["heures_theoriques"]
    school = _indicator(landes, "TX_SCOLARISATION_2ANS").formula
    assert school.numerator[0].structure_types == ["PRESCOLARISATION"]
    assert [t.measure for t in school.denominator] == ["enfants_2_ans"]
    parenting = _indicator(landes, "FAMILLES_PARENTALITE_1000")
    assert parenting.formula.factor == 1000
    assert parenting.formula.numerator[0].publics == ["FAMILLES"]
    assert len(parenting.formula.denominator) == 4


def test_landes_declares_shares_changes_billing_and_a_computed_priority_rule(schemes):
    landes = schemes["landes-2016-2018"]
    epci_share = _indicator(landes, "TX_EPCI_COUVERTS_RPE").formula
    assert epci_share.share_of_territories == "epci" and epci_share.denominator is None
    assert _indicator(landes, "TX_COMMUNES_COUVERTES_RPE").formula.share_of_territories == "commune"
    created = _indicator(landes, "PLACES_CREEES")
    assert created.formula.change_since_baseline and created.baseline.value == 0
    billing = _indicator(landes, "TX_FACTURATION_EAJE")
    assert [t.measure for t in billing.formula.numerator] == ["heures_facturees"]
    assert [t.measure for t in billing.formula.denominator] == ["heures_realisees"]
    assert {"TX_COUV_GARDE_DOMICILE", "TX_COUV_PRESCOLARISATION"} <= {
        i.code for i in landes.indicators
    }
    rule = landes.priority_territories
    assert (rule.indicator, rule.level, rule.below) == ("TX_COUV_GLOBAL", "epci", "departement")


def test_other_schemes_have_their_shape_and_at_least_three_indicators(schemes):
    for scheme in schemes.values():
        assert len(scheme.indicators) >= 3, scheme.id
    lozere = schemes["lozere-2016-2019"]
    assert [axis.transversal for axis in lozere.axes] == [False, False, False, True]
    assert "laïcité" in lozere.axes[-1].title
    assert len(schemes["essonne-2016-2019"].axes) == 5


def test_msa_charte_runs_three_years_and_a_half_on_one_rural_epci(schemes):
    charte = schemes["charte-msa-landes-armagnac-2018-2022"]
    assert charte.kind == "charte_msa"
    assert len(charte.axes) == 4
    assert charte.period.months == 42
    assert charte.perimeter == ["200035541"]


def test_axis_and_action_codes_are_unique_across_shipped_schemes(schemes):
    actions = [a.code for s in schemes.values() for a in s.actions]
    axes = [axis.code for s in schemes.values() for axis in s.axes]
    assert len(actions) == len(set(actions))
    assert len(axes) == len(set(axes))


def test_registries_cover_the_landes_data_flows(registries):
    measures, partners = registries
    caf = {s.kind: s.cadence for s in partners["CAF40"].submissions}
    # CAF40 pilots Landes actions, so it also owes the committee's yearly action report.
    assert caf == {
        "placements": "year",
        "attendance": "quarter",
        "beneficiaries": "year",
        "action_reports": "year",
    }
    assert any(p.type == "association" for p in partners.values())
    assert measures["heures_realisees"].aggregation == "flow"
    assert measures["places"].aggregation == "stock"
    assert "MICRO_CRECHE" in measures["places"].accepted_values("structure_types")
    assert filter_labels()["publics"] == vocabulary.labels("publics")


# --------------------------------------------------------------------------- method texts


def _structure_labels(*codes: str) -> str:
    return ", ".join(vocabulary.label("structure_types", code) for code in codes)


FORMAL_CHILDCARE_LABELS = _structure_labels(*FORMAL_CHILDCARE)
RPE_STRUCTURES = f"Nombre de structures — types : {_structure_labels('RPE')}"
PLACEMENTS_FILE = f"Fichier des {vocabulary.label('submission_kinds', 'placements')} (placements)"
ATTENDANCE_FILE = f"Fichier des {vocabulary.label('submission_kinds', 'attendance')} (attendance)"
BENEFICIARIES_FILE = (
    f"Fichier des {vocabulary.label('submission_kinds', 'beneficiaries')} (beneficiaries)"
)
LANDES_PLACEMENTS = f"{PLACEMENTS_FILE} envoyé par CAF40, CD40, DSDEN40"
POPULATION = vocabulary.label("reference_sources", "population")


@pytest.fixture(scope="module")
def vocabularies():
    return filter_labels()


def _landes_formula(schemes, code):
    return _indicator(schemes["landes-2016-2018"], code).formula


def test_french_number_groups_thousands_with_a_space_and_uses_a_decimal_comma():
    assert french_number(1000) == "1 000"
    assert french_number(100.0) == "100"
    assert french_number(0.5) == "0,5"
    assert french_number(1234567.25) == "1 234 567,25"


def test_formula_text_of_a_rate_names_the_structure_types_and_multiplies_by_the_factor(
    schemes, registries, vocabularies
):
    measures, _ = registries
    formula = _landes_formula(schemes, "TX_COUV_GLOBAL")
    assert formula_text(formula, measures, vocabularies) == (
        f"Places d'accueil (capacité théorique) — types : {FORMAL_CHILDCARE_LABELS}"
        " ÷ Enfants de moins de 3 ans (0-2 ans) × 100"
    )


def test_formula_text_of_a_count_is_its_numerator_alone(schemes, registries, vocabularies):
    measures, _ = registries
    formula = _landes_formula(schemes, "NB_RPE")
    assert formula_text(formula, measures, vocabularies) == RPE_STRUCTURES


def test_formula_text_adds_up_denominator_terms_in_parentheses_and_names_publics_and_actions(
    schemes, registries, vocabularies
):
    measures, _ = registries
    formula = _landes_formula(schemes, "FAMILLES_PARENTALITE_1000")
    assert formula_text(formula, measures, vocabularies) == (
        "Bénéficiaires des actions — publics : Familles ; actions : LAN-3.1, LAN-3.2, LAN-3.3"
        " ÷ (Enfants de moins de 3 ans (0-2 ans) + Enfants de 3 à 5 ans + Enfants de 6 à 11 ans"
        " + Jeunes de 12 à 17 ans) × 1 000"
    )


def test_formula_text_of_a_share_counts_the_territories_where_the_numerator_is_above_zero(
    schemes, registries, vocabularies
):
    measures, _ = registries
    epci = formula_text(_landes_formula(schemes, "TX_EPCI_COUVERTS_RPE"), measures, vocabularies)
    assert epci == (
        f"Part des EPCI du territoire où « {RPE_STRUCTURES} » est supérieur à 0 :"
        " EPCI concernés ÷ EPCI du territoire × 100"
    )
    communes = _landes_formula(schemes, "TX_COMMUNES_COUVERTES_RPE")
    assert formula_text(communes, measures, vocabularies) == (
        f"Part des communes du territoire où « {RPE_STRUCTURES} » est supérieur à 0 :"
        " communes concernées ÷ communes du territoire × 100"
    )


def test_formula_text_of_a_change_subtracts_the_baseline_year_value(
    schemes, registries, vocabularies
):
    measures, _ = registries
    formula = _landes_formula(schemes, "PLACES_CREEES")
    assert formula_text(formula, measures, vocabularies, baseline_year=2016) == (
        "Évolution depuis l'année de référence (2016) de « Places d'accueil (capacité théorique)"
        f" — types : {FORMAL_CHILDCARE_LABELS} » : valeur de l'année − valeur en 2016"
    )
    assert formula_text(formula, measures, vocabularies).endswith(
        "» : valeur de l'année − valeur de l'année de référence"
    )


def test_formula_text_of_a_count_with_a_factor_groups_its_terms(registries, vocabularies):
    measures, _ = registries
    formula = Formula(
        numerator=[Term(measure="enfants_3_5_ans"), Term(measure="enfants_6_11_ans")], factor=2
    )
    assert formula_text(formula, measures, vocabularies) == (
        "(Enfants de 3 à 5 ans + Enfants de 6 à 11 ans) × 2"
    )


def test_term_text_shows_a_code_the_vocabularies_do_not_know_as_it_is(registries):
    measures, _ = registries
    term = Term(measure="places", structure_types=["EAJE_COLLECTIF"])
    assert (
        term_text(term, measures, {})
        == "Places d'accueil (capacité théorique) — types : EAJE_COLLECTIF"
    )


def test_source_text_names_each_partner_file_and_the_partners_of_the_departement_sending_it(
    schemes, registries
):
    measures, partners = registries

    def landes(code):
        return source_text(_landes_formula(schemes, code), measures, partners, "40")

    assert landes("TX_COUV_GLOBAL") == f"{LANDES_PLACEMENTS} ; {POPULATION}"
    assert landes("NB_RPE") == LANDES_PLACEMENTS
    assert landes("TX_OCCUPATION_EAJE") == f"{ATTENDANCE_FILE} envoyé par CAF40"
    assert landes("FAMILLES_PARENTALITE_1000") == (
        f"{BENEFICIARIES_FILE} envoyé par ASSO_PARENTS40, CAF40,"
        f" CC_LANDES_ARMAGNAC, MSA_SUD_AQUITAINE, UDAF40 ; {POPULATION}"
    )
    lozere = _indicator(schemes["lozere-2016-2019"], "TX_COUV_GLOBAL").formula
    assert source_text(lozere, measures, partners, "48") == (
        f"{PLACEMENTS_FILE} envoyé par CAF48, CD48, DDCSPP48, DSDEN48 ; {POPULATION}"
    )


def test_source_text_says_when_no_partner_of_the_departement_sends_a_file(schemes, registries):
    measures, partners = registries
    formula = _landes_formula(schemes, "TX_OCCUPATION_EAJE")
    assert source_text(formula, measures, partners, "64") == (
        f"{ATTENDANCE_FILE} : aucun partenaire du département ne l'envoie"
    )


def test_scheme_tables_give_every_indicator_its_formula_and_source_texts(
    tables, schemes, registries, vocabularies
):
    indicators = tables["indicators"]
    assert indicators.formula_text.str.len().gt(0).all()
    assert indicators.source_text.str.len().gt(0).all()
    [row] = indicators[
        (indicators.scheme_id == "landes-2016-2018") & (indicators.indicator_code == "NB_RPE")
    ].itertuples()
    assert (row.formula_text, row.source_text) == (RPE_STRUCTURES, LANDES_PLACEMENTS)
    custom = scheme_tables(
        [schemes["landes-2016-2018"]], *registries, vocabularies={"structure_types": {}}
    )["indicators"]
    assert "types : RPE" in custom.set_index("indicator_code").at["NB_RPE", "formula_text"]


# --------------------------------------------------------------------------- warehouse tables


def test_scheme_tables_have_exactly_the_declared_columns_and_unique_keys(tables):
    assert [table.name for table in TABLES] == list(tables)
    for table in TABLES:
        frame = tables[table.name]
        assert list(frame.columns) == [column.name for column in table.columns], table.name
        assert TABLE_COLUMNS[table.name] == {c.name: c.sql_type for c in table.columns}
        assert not frame.duplicated(subset=list(TABLE_KEYS[table.name])).any(), table.name
    assert len(tables["schemes"]) == 4
    assert len(tables["actions"]) == tables["actions"]["action_code"].nunique()


def _row(frame, **key):
    [row] = frame[(frame[list(key)] == pd.Series(key)).all(axis=1)].to_dict("records")
    return row


def test_scheme_tables_put_each_value_in_the_column_of_its_name(tables):
    indicator = _row(
        tables["indicators"], scheme_id="landes-2016-2018", indicator_code="TX_COUV_GLOBAL"
    )
    assert {k: indicator[k] for k in ("unit", "direction", "factor", "has_denominator")} == {
        "unit": "%",
        "direction": "up",
        "factor": 100.0,
        "has_denominator": True,
    }
    assert (indicator["baseline_year"], indicator["method"]) == (2015, "linear")
    assert pd.isna(indicator["share_level"]) and indicator["change_since_baseline"] is False
    share = _row(tables["indicators"], scheme_id="landes-2016-2018", indicator_code="NB_RPE")
    assert share["has_denominator"] is False
    submission = _row(tables["partner_submissions"], partner_code="CAF40", kind="attendance")
    assert (submission["cadence"], submission["deadline_days"]) == ("quarter", 45)
    rule = _row(tables["priority_rules"], scheme_id="landes-2016-2018")
    assert (rule["indicator_code"], rule["territory_level"]) == ("TX_COUV_GLOBAL", "epci")
    assert pd.isna(rule["threshold"]) and rule["threshold_reference"] == "departement"
    axis = _row(tables["axes"], scheme_id="lozere-2016-2019", position=4)
    assert axis["transversal"] is True
    measure = _row(tables["measures"], measure_code="heures_realisees")
    assert (measure["source"], measure["source_column"], measure["aggregation"]) == (
        "attendance",
        "attended_hours",
        "flow",
    )


def test_scheme_tables_keep_scheme_wide_and_territory_targets_apart(tables):
    targets = tables["indicator_targets"]
    coverage = targets[
        (targets.scheme_id == "landes-2016-2018") & (targets.indicator_code == "TX_COUV_GLOBAL")
    ]
    assert coverage.territory_code.isna().sum() == 3
    assert coverage.territory_code.dropna().tolist() == ["200035541"]
    perimeter = tables["scheme_perimeter"]
    assert perimeter.values.tolist() == [
        ["charte-msa-landes-armagnac-2018-2022", "200035541", "epci"]
    ]


def test_scheme_tables_load_into_duckdb_with_declared_types_and_resolving_references(
    tables, tmp_path
):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        write_scheme_tables(con, tables)
        for name, columns in TABLE_COLUMNS.items():
            described = con.execute(f"describe {name}").fetchall()
            assert [(row[0], row[1]) for row in described] == list(columns.items()), name
        orphans = con.execute(
            """
            select 'indicator action', i.action_code from indicators i
            anti join actions a using (scheme_id, action_code)
            union all
            select 'term measure', t.measure_code from indicator_terms t
            anti join measures m using (measure_code)
            union all
            select 'pilot', a.pilot_partner from actions a
            anti join partners p on p.partner_code = a.pilot_partner
            union all
            select 'signatory', s.partner_code from scheme_signatories s
            anti join partners using (partner_code)
            """
        ).fetchall()
        assert orphans == []
        [(types,)] = con.execute(
            """
            select structure_types from indicator_terms
            where scheme_id = 'landes-2016-2018' and indicator_code = 'TX_COUV_GLOBAL'
              and role = 'numerator'
            """
        ).fetchall()
        assert set(types) == set(FORMAL_CHILDCARE)
        [(months,)] = con.execute(
            "select end_month from schemes where scheme_id = 'landes-2016-2018'"
        ).fetchall()
        assert months is None


# --------------------------------------------------------------------------- bad files

BAD_FIXTURES = [
    # (fixture, line, path in the document, words of the message)
    ("bad-missing-field", 2, "title", "required field is missing"),
    ("bad-unknown-action", 25, "indicators[0].action", "unknown action 'TST-9.9'"),
    (
        "bad-unknown-measure",
        29,
        "indicators[0].formula.numerator.measure",
        "unknown measure 'placez'",
    ),
    (
        "bad-filter",
        30,
        "indicators[0].formula.denominator.publics",
        "does not accept a publics filter",
    ),
    (
        "bad-filter-value",
        29,
        "indicators[0].formula.numerator.structure_types[0]",
        "unknown structure type 'CRECHE'",
    ),
    ("bad-duplicate-code", 19, "axes[0].actions[1].code", "duplicate action code 'TST-1.1'"),
    ("bad-target-year", 33, "indicators[0].targets.2020", "year 2020 outside [2015, 2018]"),
    ("bad-no-end-target", 33, "indicators[0].targets", "no end-of-period target (year 2018)"),
    ("bad-unknown-partner", 17, "axes[0].actions[0].pilot", "unknown partner 'CAF99'"),
    ("bad-partner-departement", 21, "axes[0].actions[1].pilot", "does not cover département"),
    ("bad-departement-number", 5, "departement", "put codes in quotes"),
    ("bad-unknown-field", 14, "axes[0].transversale", "unknown field"),
    ("bad-weight", 34, "indicators[0].weight", "greater than 0"),
    ("bad-id-mismatch", 2, "id", "must match the file name"),
    ("bad-duplicate-key", 4, "", "duplicate key 'kind' (first at line 3)"),
    ("bad-yaml-syntax", 14, "", "YAML syntax error at line 14"),
]


def test_the_base_of_the_bad_fixtures_is_valid():
    assert load_scheme(FIXTURES / "good-minimal.yaml").id == "good-minimal"


@pytest.mark.parametrize(("fixture", "line", "path", "words"), BAD_FIXTURES)
def test_bad_scheme_fails_with_file_line_path_and_reason(fixture, line, path, words):
    file = FIXTURES / f"{fixture}.yaml"
    with pytest.raises(SchemeError) as caught:
        load_scheme(file)
    [issue] = caught.value.issues
    assert (issue.file, issue.line, issue.path) == (file, line, path)
    where = f"{file}:{line}: {path}: " if path else f"{file}:{line}: "
    assert str(caught.value).startswith(where)
    assert words in str(caught.value)


def test_every_bad_fixture_is_covered_by_a_test_case():
    covered = {case[0] for case in BAD_FIXTURES}
    assert {p.stem for p in FIXTURES.glob("bad-*.yaml")} == covered


def _variant(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = (FIXTURES / "good-minimal.yaml").read_text(encoding="utf-8")
    assert old in text
    text = text.replace("id: good-minimal", f"id: {name}").replace(old, new)
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "path", "words"),
    [
        (
            "denominator: {measure: enfants_moins_3_ans}",
            "denominator: [{measure: enfants_moins_3_ans}, {measure: enfants_de_4_ans}]",
            "indicators[0].formula.denominator[1].measure",
            "unknown measure 'enfants_de_4_ans'",
        ),
        (
            "targets: {2018: 12}",
            "targets: {2018: 8}",
            "indicators[0].targets.2018",
            "goes the wrong way for direction 'up'",
        ),
        ("factor: 100", "factor: 1", "indicators[0].unit", "needs a denominator and factor 100"),
        ('departement: "40"', 'departement: "20"', "departement", "not a département code"),
        ("signatories: [CAF40, CD40]", "signatories: [CAF40, CAF40]", "signatories[1]", "dup"),
        (
            "weight: 1",
            'weight: 1\n    territory_targets: [{territory: "48095", year: 2018, value: 5}]',
            "indicators[0].territory_targets[0].territory",
            "commune '48095' is not in département '40'",
        ),
        (
            "    illustrative: true\n",
            "",
            "indicators[0].illustrative",
            "required field is missing",
        ),
        (
            "      factor: 100\n",
            "      factor: 100\n      share_of_territories: epci\n",
            "indicators[0].formula.share_of_territories",
            "applies to a count: remove the denominator",
        ),
        (
            '    unit: "%"\n    direction: up\n    formula:\n'
            "      numerator: {measure: places, structure_types: [EAJE_COLLECTIF]}\n"
            "      denominator: {measure: enfants_moins_3_ans}\n      factor: 100\n",
            '    unit: "places"\n    direction: up\n    formula:\n'
            "      numerator: {measure: places, structure_types: [EAJE_COLLECTIF]}\n"
            "      change_since_baseline: true\n",
            "indicators[0].baseline.value",
            "a change since the baseline starts at 0",
        ),
        (
            '    note: "Valeurs de test."',
            '    note: "Valeurs de test."\npriority_territories:'
            " {indicator: TX_AUTRE, level: epci, below: departement, year: 2016}",
            "priority_territories.indicator",
            "unknown indicator 'TX_AUTRE'",
        ),
        (
            '    note: "Valeurs de test."',
            '    note: "Valeurs de test."\npriority_territories:'
            " {indicator: TX_TEST, level: epci, below: 50, year: 2014}",
            "priority_territories.year",
            "year 2014 outside [2015, 2018]",
        ),
        (
            "kind: sdsf",
            "kind: schema",
            "kind",
            "unknown scheme kind 'schema' (accepted: "
            + ", ".join(vocabulary.codes("scheme_kinds"))
            + ")",
        ),
        (
            "direction: up",
            "direction: hausse",
            "indicators[0].direction",
            "unknown direction 'hausse' (accepted: "
            + ", ".join(vocabulary.codes("directions"))
            + ")",
        ),
        (
            "weight: 1",
            "weight: 1\n    limit: 10",
            "indicators[0].limit",
            "a limit going up is a maximum",
        ),
        (
            "weight: 1",
            "weight: 1\n    method: exponential",
            "indicators[0].method",
            "unknown trajectory method 'exponential' (accepted: "
            + ", ".join(vocabulary.codes("trajectory_methods"))
            + ")",
        ),
    ],
)
def test_more_rules_are_reported_at_the_right_place(tmp_path, old, new, path, words):
    file = _variant(tmp_path, "variant", old, new)
    with pytest.raises(SchemeError) as caught:
        load_scheme(file)
    [issue] = caught.value.issues
    assert issue.path == path
    assert words in issue.message


def test_load_schemes_reports_every_bad_file_at_once(tmp_path):
    for name in ("bad-unknown-partner", "bad-weight", "good-minimal"):
        shutil.copy(FIXTURES / f"{name}.yaml", tmp_path)
    with pytest.raises(SchemeError) as caught:
        load_schemes(tmp_path)
    files = sorted(issue.file.name for issue in caught.value.issues)
    assert files == ["bad-unknown-partner.yaml", "bad-weight.yaml"]
    assert str(caught.value).startswith("2 problems found:")


def test_an_action_code_reused_by_another_scheme_is_rejected(tmp_path):
    shutil.copy(FIXTURES / "good-minimal.yaml", tmp_path)
    _variant(tmp_path, "other-scheme", "code: TST-1\n", "code: OTH-1\n")
    with pytest.raises(SchemeError) as caught:
        load_schemes(tmp_path)
    messages = [str(issue) for issue in caught.value.issues]
    assert len(messages) == 2
    assert all(
        "other-scheme.yaml" in m and "already used in good-minimal.yaml" in m for m in messages
    )
    assert "axes[0].actions[0].code: action code 'TST-1.1'" in messages[0]


def _bad_partners(tmp_path: Path, old: str, new: str) -> SchemeError:
    text = SHIPPED.partners.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "partners.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(SchemeError) as caught:
        load_partners(path)
    return caught.value


def _accepted(name: str) -> str:
    return f"(accepted: {', '.join(vocabulary.codes(name))})"


@pytest.mark.parametrize(
    ("old", "new", "partner", "field", "message"),
    [
        (
            "type: caf",
            "type: cnaf",
            "CAF40",
            "type",
            f"unknown partner type 'cnaf' {_accepted('partner_types')}",
        ),
        (
            "{kind: placements, cadence: year",
            "{kind: places, cadence: year",
            "CD40",
            "submissions[0].kind",
            f"unknown submission kind 'places' {_accepted('submission_kinds')}",
        ),
        (
            "cadence: quarter",
            "cadence: weekly",
            "CAF40",
            "submissions[1].cadence",
            f"unknown cadence 'weekly' {_accepted('granularities')}",
        ),
        (
            "cadence: quarter",
            "cadence: quarterly",
            "CAF40",
            "submissions[1].cadence",
            f"cadence 'quarterly' is now written 'quarter' {_accepted('granularities')}",
        ),
    ],
)
def test_a_partner_code_outside_the_vocabulary_is_located_with_the_accepted_codes(
    tmp_path, old, new, partner, field, message
):
    [issue] = _bad_partners(tmp_path, old, new).issues
    assert issue.path == f"partners[{list(load_partners()).index(partner)}].{field}"
    assert issue.message == message
    line = (tmp_path / "partners.yaml").read_text(encoding="utf-8").splitlines()[issue.line - 1]
    assert new in line


def test_every_old_cadence_name_points_to_its_granularity(tmp_path):
    text = SHIPPED.partners.read_text(encoding="utf-8")
    for new, old in (("year", "annual"), ("quarter", "quarterly"), ("month", "monthly")):
        text = text.replace(f"cadence: {new}", f"cadence: {old}")
    path = tmp_path / "partners.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemeError) as caught:
        load_partners(path)
    said = {issue.message.split(" (accepted")[0] for issue in caught.value.issues}
    assert said == {
        "cadence 'annual' is now written 'year'",
        "cadence 'quarterly' is now written 'quarter'",
        "cadence 'monthly' is now written 'month'",
    }
    assert len(caught.value.issues) == text.count("cadence: ")


def test_every_pilot_of_a_shipped_scheme_sends_yearly_action_reports(schemes, registries):
    _, partners = registries
    pilots = {action.pilot for scheme in schemes.values() for action in scheme.actions}
    senders = {
        code: (s.cadence, s.deadline_days)
        for code, partner in partners.items()
        for s in partner.submissions
        if s.kind == "action_reports"
    }
    assert senders == {pilot: ("year", 60) for pilot in pilots}


def test_the_shipped_cadences_are_granularity_codes(registries):
    _, partners = registries
    cadences = {s.cadence for p in partners.values() for s in p.submissions}
    assert cadences == set(vocabulary.codes("granularities"))


def test_bad_partner_registry_is_located(tmp_path):
    text = SHIPPED.partners.read_text(encoding="utf-8")
    text = text.replace('departements: ["48"]', 'departements: ["4B"]', 1)
    text = text.replace("code: CAF91", "code: CD91", 1)
    path = tmp_path / "partners.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemeError) as caught:
        load_partners(path)
    problems = {(issue.path, issue.message.split(" (")[0]) for issue in caught.value.issues}
    assert any(
        p.endswith(".departements[0]") and "'4B' is not a département code" in m
        for p, m in problems
    )
    assert any(p.endswith(".code") and m == "duplicate partner 'CD91'" for p, m in problems)
    assert len(problems) == 2


def test_a_measure_on_a_missing_column_is_rejected(tmp_path):
    text = SHIPPED.measures.read_text(encoding="utf-8")
    text = text.replace("column: attended_hours", "column: hours_attended")
    path = tmp_path / "measures.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemeError) as caught:
        load_measures(path)
    [issue] = caught.value.issues
    assert issue.path.endswith(".column")
    assert "attendance has no column 'hours_attended'" in issue.message


# --------------------------------------------------------------------------- publication rules


def test_measures_declare_which_count_people_and_which_are_a_part_of_another(registries):
    measures, _ = registries
    people = {code for code, m in measures.items() if m.counts_people}
    assert people == {
        "enfants_accueillis",
        "dont_enfants_handicap",
        "dont_familles_modestes",
        "beneficiaires",
        "beneficiaires_familles_modestes",
    }
    parts = {code: m.part_of for code, m in measures.items() if m.part_of}
    assert parts == {
        "dont_enfants_handicap": "enfants_accueillis",
        "dont_familles_modestes": "enfants_accueillis",
        "beneficiaires_familles_modestes": "beneficiaires",
    }


def test_the_measures_table_carries_the_publication_rules(tables, registries):
    measures, _ = registries
    rows = tables["measures"].set_index("measure_code")
    assert rows.at["dont_enfants_handicap", "part_of"] == "enfants_accueillis"
    assert rows["part_of"].isna().sum() == len(measures) - 3
    assert rows["counts_people"].to_dict() == {c: m.counts_people for c, m in measures.items()}


def _bad_measures(tmp_path: Path, *replacements: tuple[str, str]) -> SchemeError:
    text = SHIPPED.measures.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "measures.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemeError) as caught:
        load_measures(path)
    return caught.value


def _measure_index(code: str) -> int:
    return list(load_measures()).index(code)


def test_a_measure_without_counts_people_is_rejected_at_its_line(tmp_path):
    error = _bad_measures(
        tmp_path, ("    aggregation: stock\n    counts_people: false\n", "    aggregation: stock\n")
    )
    [issue] = error.issues
    assert issue.path == f"measures[{_measure_index('places')}].counts_people"
    assert issue.message == "required field is missing"
    lines = SHIPPED.measures.read_text(encoding="utf-8").splitlines()
    assert lines[issue.line - 1] == "  - code: places"


def test_counts_people_must_be_true_or_false(tmp_path):
    [issue] = _bad_measures(tmp_path, ("counts_people: true\n", "counts_people: oui\n")).issues
    assert issue.path == f"measures[{_measure_index('enfants_accueillis')}].counts_people"
    assert "valid boolean" in issue.message and "'oui'" in issue.message


PART_OF = "    part_of: enfants_accueillis\n"


@pytest.mark.parametrize(
    ("replacements", "measure", "words"),
    [
        (
            [(PART_OF, "    part_of: enfants_acceuillis\n")],
            "dont_enfants_handicap",
            "unknown measure 'enfants_acceuillis' (measures: places, enfants_accueillis,",
        ),
        (
            [(PART_OF, "    part_of: dont_enfants_handicap\n")],
            "dont_enfants_handicap",
            "a measure cannot be part of itself",
        ),
        (
            [(PART_OF, "    part_of: places\n")],
            "dont_enfants_handicap",
            "'places' does not count people (counts_people: false)",
        ),
        (
            [(PART_OF, "    part_of: beneficiaires\n")],
            "dont_enfants_handicap",
            "'beneficiaires' reads source 'beneficiaries', this measure 'placements'",
        ),
        (
            [
                (
                    "filters: [actions, publics]\n  - code: beneficiaires_familles",
                    "filters: [actions]\n  - code: beneficiaires_familles",
                )
            ],
            "beneficiaires_familles_modestes",
            "'beneficiaires' accepts the filters [actions], this measure [actions, publics]",
        ),
        (
            [
                (
                    "counts_people: true\n    part_of: enfants_accueillis\n",
                    "counts_people: false\n    part_of: enfants_accueillis\n",
                )
            ],
            "dont_enfants_handicap",
            "must count people: set counts_people: true",
        ),
    ],
)
def test_a_bad_part_of_is_rejected_with_its_reason(tmp_path, replacements, measure, words):
    [issue] = _bad_measures(tmp_path, *replacements).issues
    assert issue.path == f"measures[{_measure_index(measure)}].part_of"
    assert words in issue.message
    assert str(issue).startswith(f"{tmp_path / 'measures.yaml'}:{issue.line}: {issue.path}: ")


def test_part_of_cannot_go_round_in_a_circle(tmp_path):
    error = _bad_measures(
        tmp_path,
        (
            "column: children_enrolled\n    aggregation: stock\n    counts_people: true\n",
            "column: children_enrolled\n    aggregation: stock\n    counts_people: true\n"
            "    part_of: dont_enfants_handicap\n",
        ),
    )
    messages = sorted(issue.message for issue in error.issues)
    assert messages == [
        "part_of goes round in a circle: dont_enfants_handicap -> enfants_accueillis"
        " -> dont_enfants_handicap",
        "part_of goes round in a circle: enfants_accueillis -> dont_enfants_handicap"
        " -> enfants_accueillis",
    ]


def test_dim_measures_publishes_every_measure_with_its_rules_through_dbt(tables, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        replace_tables(con, tables, column_types=TABLE_COLUMNS)
    result = dbt_build(warehouse, tmp_path, "stg_schemes__measures dim_measures")
    assert result.returncode == 0, result.stdout[-4000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        published = con.execute(
            "select measure_code, label, source, source_column, aggregation, counts_people,"
            " part_of from marts.dim_measures order by measure_code"
        ).fetchall()
    expected = (
        tables["measures"]
        .sort_values("measure_code")
        .astype(object)
        .where(tables["measures"].notna(), None)
    )
    assert published == [tuple(row) for row in expected.itertuples(index=False)]


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            "source: attendance",
            "source: heures",
            "source",
            "unknown source 'heures' (accepted: "
            + ", ".join(
                vocabulary.codes("submission_kinds") + vocabulary.codes("reference_sources")
            )
            + ")",
        ),
        (
            "aggregation: flow",
            "aggregation: sum",
            "aggregation",
            f"unknown aggregation 'sum' {_accepted('aggregations')}",
        ),
    ],
)
def test_a_measure_code_outside_the_vocabulary_is_located(tmp_path, old, new, field, message):
    [issue] = _bad_measures(tmp_path, (old, new)).issues
    assert issue.path == f"measures[{_measure_index('heures_theoriques')}].{field}"
    assert issue.message == message


def test_a_source_outside_the_vocabulary_cannot_be_described(tmp_path):
    error = _bad_measures(tmp_path, ("  population:\n    filters: []", "  insee:\n    filters: []"))
    messages = {(issue.path, issue.message.split(" (")[0]) for issue in error.issues}
    assert ("sources.insee", "unknown source 'insee'") in messages


def test_the_old_vocabularies_section_of_measures_yaml_is_refused(tmp_path):
    [issue] = _bad_measures(
        tmp_path, ("sources:\n", "vocabularies:\n  publics: []\n\nsources:\n")
    ).issues
    assert (issue.path, issue.message) == ("vocabularies", "unknown field (check its spelling)")


# --------------------------------------------------------------------------- milestones


def _unmeasured(scheme):
    measured = {indicator.action for indicator in scheme.indicators}
    return [action for action in scheme.actions if action.code not in measured]


def test_the_msa_charte_dates_its_four_steps_over_its_42_months(schemes):
    charte = schemes["charte-msa-landes-armagnac-2018-2022"]
    first, last = charte.period.first_day, charte.period.last_day
    assert (first.isoformat(), last.isoformat()) == ("2018-09-01", "2022-02-28")
    steps = []
    for axis in charte.axes:
        milestones = [m for action in axis.actions for m in action.milestones]
        assert all(action.milestones for action in axis.actions), axis.code
        assert all(m.illustrative for m in milestones)
        assert all(first <= m.due_date <= last for m in milestones)
        steps.append((min(m.due_date for m in milestones), max(m.due_date for m in milestones)))
    # Diagnostic, then prioritisation, then the plan of actions, then its evaluation.
    diagnostic, prioritisation, plan, evaluation = steps
    assert diagnostic[1] < prioritisation[0] and prioritisation[1] < plan[0]
    assert evaluation[1] == last


def test_every_action_no_indicator_measures_has_milestones_but_one_on_purpose(schemes):
    unfollowed = []
    for scheme in schemes.values():
        for action in _unmeasured(scheme):
            if not action.milestones:
                unfollowed.append((scheme.id, action.code))
                continue
            assert 2 <= len(action.milestones) <= 3, action.code
            assert all(m.illustrative for m in action.milestones), action.code
    assert unfollowed == [("landes-2016-2018", "LAN-3.4")]


def test_milestones_table_gives_each_due_date_its_day_precision_and_order(tables):
    milestones = tables["action_milestones"]
    assert milestones.milestone_code.is_unique
    month = _row(milestones, milestone_code="MSA-1.1-J1")
    assert month["due_date"].isoformat() == "2018-11-30"
    assert (month["due_precision"], month["position"], month["axis_code"]) == ("month", 1, "MSA-1")
    day = _row(milestones, milestone_code="MSA-1.1-J3")
    assert (day["due_date"].isoformat(), day["due_precision"], day["position"]) == (
        "2019-04-30",
        "day",
        3,
    )
    assert _row(milestones, milestone_code="MSA-4.1-J3")["due_date"].isoformat() == "2022-02-28"
    assert milestones.illustrative.all()
    assert "LAN-3.4" not in set(milestones.action_code)


def test_milestones_load_into_duckdb_as_dates(tables, tmp_path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        write_scheme_tables(con, {"action_milestones": tables["action_milestones"]})
        [(kind,)] = con.execute(
            "select data_type from information_schema.columns"
            " where table_name = 'action_milestones' and column_name = 'due_date'"
        ).fetchall()
        [(due,)] = con.execute(
            "select due_date from action_milestones where milestone_code = 'LAN-4.1-J2'"
        ).fetchall()
    assert kind == "DATE" and due.isoformat() == "2017-06-30"


_TST_PARTNERS = "        partners: [CD40]\n"


def _with_milestones(tmp_path, *lines: str, period: str | None = None) -> Path:
    path = _variant(
        tmp_path, "milestones", _TST_PARTNERS, _TST_PARTNERS + "        jalons:\n" + "".join(lines)
    )
    if period:
        text = path.read_text(encoding="utf-8").replace("period: {start: 2016, end: 2018}", period)
        path.write_text(text, encoding="utf-8")
    return path


def test_milestones_are_read_as_a_month_or_a_day_quoted_or_not(tmp_path):
    path = _with_milestones(
        tmp_path,
        '          - {code: TST-1.1-J1, label: "Premier", due: "2017-02"}\n',
        '          - {code: TST-1.1-J2, label: "Second", due: 2018-06-30, illustrative: true}\n',
    )
    [first, second] = load_scheme(path).actions[0].milestones
    assert (first.due_date.isoformat(), first.due_precision, first.illustrative) == (
        "2017-02-28",
        "month",
        False,
    )
    assert (second.due_date.isoformat(), second.due_precision, second.illustrative) == (
        "2018-06-30",
        "day",
        True,
    )


@pytest.mark.parametrize(
    ("lines", "period", "path", "words"),
    [
        (
            [
                '          - {code: TST-1.1-J1, label: "Un", due: "2017-02"}\n',
                '          - {code: TST-1.1-J1, label: "Deux", due: "2017-03"}\n',
            ],
            None,
            "axes[0].actions[0].jalons[1].code",
            "duplicate milestone code 'TST-1.1-J1'",
        ),
        (
            ['          - {code: TST-1.1-J1, label: "Un", due: "03/2017"}\n'],
            None,
            "axes[0].actions[0].jalons[0].due",
            "'03/2017' is not a month (YYYY-MM) or a day (YYYY-MM-DD)",
        ),
        (
            ['          - {code: TST-1.1-J1, label: "Un", due: "2017-13"}\n'],
            None,
            "axes[0].actions[0].jalons[0].due",
            "is not a month (YYYY-MM) or a day",
        ),
        (
            ['          - {code: TST-1.1-J1, label: "Un", due: "2019-01-15"}\n'],
            None,
            "axes[0].actions[0].jalons[0].due",
            "due 2019-01-15 outside the scheme's period [2016-01-01, 2018-12-31]",
        ),
        (
            ['          - {code: TST-1.1-J1, label: "Un", due: "2016-08"}\n'],
            "period: {start: 2016, start_month: 9, end: 2018, end_month: 2}",
            "axes[0].actions[0].jalons[0].due",
            "due 2016-08-31 outside the scheme's period [2016-09-01, 2018-02-28]",
        ),
        (
            ['          - {code: TST-1.1-J1, label: "Un", due: "2018-03"}\n'],
            "period: {start: 2016, start_month: 9, end: 2018, end_month: 2}",
            "axes[0].actions[0].jalons[0].due",
            "due 2018-03-31 outside the scheme's period",
        ),
        (
            ['          - {code: tst-j1, label: "Un", due: "2017-03"}\n'],
            None,
            "axes[0].actions[0].jalons[0].code",
            "use upper-case letters",
        ),
        (
            ['          - {code: TST-1.1-J1, due: "2017-03"}\n'],
            None,
            "axes[0].actions[0].jalons[0].label",
            "required field is missing",
        ),
        (
            ['          - {code: TST-1.1-J1, label: "Un", due: "2017-03", date: "2017-04"}\n'],
            None,
            "axes[0].actions[0].jalons[0].date",
            "unknown field",
        ),
    ],
)
def test_a_bad_milestone_is_reported_at_its_line(tmp_path, lines, period, path, words):
    file = _with_milestones(tmp_path, *lines, period=period)
    with pytest.raises(SchemeError) as caught:
        load_scheme(file)
    [issue] = caught.value.issues
    assert issue.path == path
    assert words in issue.message
    text = file.read_text(encoding="utf-8").splitlines()[issue.line - 1]
    assert "TST-1.1-J1" in text or "tst-j1" in text
