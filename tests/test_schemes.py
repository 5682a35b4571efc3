"""Schemes, measures and partners as YAML: shipped files load, bad ones fail with a location."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.schemes import (
    DEFAULT_MEASURES_PATH,
    DEFAULT_PARTNERS_PATH,
    DEFAULT_SCHEMES_DIR,
    TABLE_COLUMNS,
    TABLE_KEYS,
    Formula,
    SchemeError,
    Term,
    formula_text,
    french_number,
    load_measures,
    load_partners,
    load_scheme,
    load_schemes,
    load_vocabularies,
    scheme_tables,
    source_text,
    term_text,
    write_scheme_tables,
)

FIXTURES = Path(__file__).parent / "fixtures" / "schemes"
FORMAL_CHILDCARE = {
    "EAJE_COLLECTIF",
    "EAJE_FAMILIAL",
    "EAJE_PARENTAL",
    "MICRO_CRECHE",
    "ASSISTANT_MATERNEL",
    "GARDE_DOMICILE",
    "PRESCOLARISATION",
}


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
    assert {path.stem for path in DEFAULT_SCHEMES_DIR.glob("*.yaml")} == set(ids)


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
    assert set(numerator.structure_types) == FORMAL_CHILDCARE
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
    assert caf == {"placements": "year", "attendance": "quarter", "beneficiaries": "year"}
    assert any(p.type == "association" for p in partners.values())
    assert measures["heures_realisees"].aggregation == "flow"
    assert measures["places"].aggregation == "stock"
    assert "MICRO_CRECHE" in measures["places"].accepted_values("structure_types")
    assert load_vocabularies()["publics"]["FAMILLES"] == "Familles"


# --------------------------------------------------------------------------- method texts

EAJE_LABELS = (
    "Établissement d'accueil du jeune enfant collectif (crèche, multi-accueil), "
    "Crèche familiale, Crèche parentale, Micro-crèche"
)
FORMAL_CHILDCARE_LABELS = (
    f"{EAJE_LABELS}, Assistant maternel (accueil individuel), "
    "Salarié à domicile (garde à domicile), "
    "Scolarisation des enfants de 2 ans (maternelle, classe passerelle)"
)
RPE_STRUCTURES = (
    "Nombre de structures — types : Relais petite enfance (ex-relais assistants maternels)"
)
LANDES_PLACEMENTS = (
    "Fichier des places et enfants accueillis (placements) envoyé par CAF40, CD40, DSDEN40"
)
POPULATION = "population des enfants par âge (INSEE, fichier de référence)"


@pytest.fixture(scope="module")
def vocabularies():
    return load_vocabularies()


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
    assert landes("TX_OCCUPATION_EAJE") == "Fichier des heures (attendance) envoyé par CAF40"
    assert landes("FAMILLES_PARENTALITE_1000") == (
        "Fichier des bénéficiaires (beneficiaries) envoyé par ASSO_PARENTS40, CAF40,"
        f" CC_LANDES_ARMAGNAC, MSA_SUD_AQUITAINE, UDAF40 ; {POPULATION}"
    )
    lozere = _indicator(schemes["lozere-2016-2019"], "TX_COUV_GLOBAL").formula
    assert source_text(lozere, measures, partners, "48") == (
        "Fichier des places et enfants accueillis (placements) envoyé par CAF48, CD48, DDCSPP48,"
        f" DSDEN48 ; {POPULATION}"
    )


def test_source_text_says_when_no_partner_of_the_departement_sends_a_file(schemes, registries):
    measures, partners = registries
    formula = _landes_formula(schemes, "TX_OCCUPATION_EAJE")
    assert source_text(formula, measures, partners, "64") == (
        "Fichier des heures (attendance) : aucun partenaire du département ne l'envoie"
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
    assert set(tables) == set(TABLE_COLUMNS)
    for name, frame in tables.items():
        assert list(frame.columns) == list(TABLE_COLUMNS[name]), name
        key = list(TABLE_KEYS[name])
        assert not frame.duplicated(subset=key).any(), name
    assert len(tables["schemes"]) == 4
    assert len(tables["actions"]) == tables["actions"]["action_code"].nunique()


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
        assert set(types) == FORMAL_CHILDCARE
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


def test_bad_partner_registry_is_located(tmp_path):
    text = DEFAULT_PARTNERS_PATH.read_text(encoding="utf-8")
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
    text = DEFAULT_MEASURES_PATH.read_text(encoding="utf-8")
    text = text.replace("column: attended_hours", "column: hours_attended")
    path = tmp_path / "measures.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemeError) as caught:
        load_measures(path)
    [issue] = caught.value.issues
    assert issue.path.endswith(".column")
    assert "attendance has no column 'hours_attended'" in issue.message
