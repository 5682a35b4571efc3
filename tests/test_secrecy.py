"""Statistical secrecy: small counts hidden, and no hidden count recoverable by subtraction."""

from __future__ import annotations

import random

import duckdb
import numpy as np
import pandas as pd
import pytest

from orchestration import vocabulary
from orchestration.secrecy import (
    SECRET_NOTE,
    SECRET_STATUS,
    Geography,
    MeasureRules,
    Relation,
    _relations,
    classify_indicators,
    is_small,
    protect,
    recoverable,
    secret_threshold,
)


def solve_by_subtraction(values, relations, hidden) -> set:
    """What a reader recovers by repeated subtraction: any relation with one unknown left."""
    known = {k for k in values if k not in hidden}
    changed = True
    while changed:
        changed = False
        for rel in relations:
            if rel.total not in values:
                continue
            members = [k for k in (rel.total, *rel.parts) if k in values]
            unknown = [k for k in members if k not in known]
            if len(unknown) == 1:
                known.add(unknown[0])
                changed = True
    return {k for k in hidden if k in known}


def test_threshold_defaults_to_11_and_follows_the_environment(monkeypatch):
    monkeypatch.delenv("SDSF_SECRET_THRESHOLD", raising=False)
    assert secret_threshold() == 11
    monkeypatch.setenv("SDSF_SECRET_THRESHOLD", "5")
    assert secret_threshold() == 5
    monkeypatch.setenv("SDSF_SECRET_THRESHOLD", "0")
    with pytest.raises(ValueError):
        secret_threshold()


def test_primary_rule_hides_non_zero_counts_below_the_threshold():
    assert [is_small(v, 11) for v in (0, 1, 10, 11, 12, None)] == [
        False,
        True,
        True,
        False,
        False,
        False,
    ]


def test_one_hidden_commune_of_an_epci_takes_its_smallest_sibling_along():
    values = {"epci": 60, "a": 4, "b": 20, "c": 36}
    rel = [Relation("epci", ("a", "b", "c"))]
    result = protect(values, rel, {"a"})
    assert result.primary == {"a"}
    assert result.secondary == {"b"}  # the smallest published sibling, not the total
    assert not solve_by_subtraction(values, rel, result.hidden)


def test_an_only_child_hides_its_parent():
    values = {"epci": 4, "a": 4}
    rel = [Relation("epci", ("a",))]
    assert protect(values, rel, {"a"}).hidden == {"a", "epci"}


def test_hidden_cells_stay_hidden_across_two_levels():
    # dep = e1 + e2; e1 = a + b; e2 = c + d. Hiding a and b alone would leave e1 published,
    # and a + b = e1 with both hidden is fine; but hiding e1's partner in dep is then needed.
    values = {"dep": 100, "e1": 30, "e2": 70, "a": 5, "b": 25, "c": 30, "d": 40}
    rels = [
        Relation("dep", ("e1", "e2")),
        Relation("e1", ("a", "b")),
        Relation("e2", ("c", "d")),
        Relation("dep", ("a", "b", "c", "d")),
    ]
    result = protect(values, rels, {"a"})
    assert not solve_by_subtraction(values, rels, result.hidden)
    assert not recoverable(values, rels, result.hidden)


def test_priority_group_and_rest_cannot_be_told_apart_from_the_total():
    values = {"area": 200, "prioritaire": 7, "hors_prioritaire": 193}
    rels = [Relation("area", ("prioritaire", "hors_prioritaire"))]
    result = protect(values, rels, {"prioritaire"})
    assert "hors_prioritaire" in result.hidden
    assert not solve_by_subtraction(values, rels, result.hidden)


def test_a_zero_the_relations_alone_determine_is_no_leak():
    # area = e + x and area = e (a commune in no EPCI, x, under sums that leave it out): the
    # relations force x = 0 whatever is hidden, so hiding more cannot and need not protect it.
    values = {"area": 10, "e": 10, "x": 0}
    rels = [Relation("area", ("e", "x")), Relation("area", ("e",))]
    result = protect(values, rels, {"e"})
    assert {"e", "area"} <= result.hidden
    assert recoverable(values, rels, result.hidden) <= {"x"}


def test_an_island_outside_every_epci_keeps_the_priority_groups_from_summing_to_the_area():
    # Under a priority rule by EPCI, Bréhat (22016, in no EPCI) is in neither group: the
    # groups' sum is not the département's, and no relation may claim it is.
    geography = Geography(
        communes=pd.DataFrame(
            {
                "scheme_id": ["s"] * 3,
                "commune_code": ["22001", "22002", "22016"],
                "epci_siren": ["E1", "E2", None],
                "area_level": ["departement"] * 3,
                "area_code": ["22"] * 3,
            }
        ),
        priority=pd.DataFrame(
            {
                "scheme_id": ["s", "s"],
                "territory_level": ["epci", "epci"],
                "territory_code": ["E1", "E2"],
                "is_priority": [True, False],
            }
        ),
    )
    cells = [
        ("commune", "22001"),
        ("commune", "22002"),
        ("commune", "22016"),
        ("epci", "E1"),
        ("epci", "E2"),
        ("departement", "22"),
        ("prioritaire", "prioritaire"),
        ("hors_prioritaire", "hors_prioritaire"),
    ]
    group = pd.DataFrame(
        {
            "scheme_id": ["s"] * len(cells),
            "territory_level": [c[0] for c in cells],
            "territory_code": [c[1] for c in cells],
            "key": [f"{c[0]}:{c[1]}" for c in cells],
        }
    )
    relations = _relations(group, geography)
    assert (
        Relation("departement:22", ("prioritaire:prioritaire", "hors_prioritaire:hors_prioritaire"))
        not in relations
    )
    assert Relation("departement:22", ("epci:E1", "epci:E2", "commune:22016")) in relations
    # Once Bréhat is in an EPCI, the groups cover the département and the sum holds.
    geography.communes.loc[2, "epci_siren"] = "E2"
    assert Relation(
        "departement:22", ("prioritaire:prioritaire", "hors_prioritaire:hors_prioritaire")
    ) in _relations(group, geography)


def test_independent_groups_of_hidden_cells_are_judged_each_on_its_own_equations():
    # t1..t3 determine a, b, c (see below); d + e = t4 determines neither; f is in no sum.
    values = {"t1": 10, "t2": 12, "t3": 14, "a": 4, "b": 6, "c": 8, "t4": 9, "d": 4, "e": 5}
    values["f"] = 3
    rels = [
        Relation("t1", ("a", "b")),
        Relation("t2", ("a", "c")),
        Relation("t3", ("b", "c")),
        Relation("t4", ("d", "e")),
    ]
    assert recoverable(values, rels, {"a", "b", "c", "d", "e", "f"}) == {"a", "b", "c"}
    assert recoverable(values, rels, {"a", "b", "c", "d", "e", "f", "t4"}) == {"a", "b", "c"}
    assert recoverable(values, rels, {"d", "f"}) == {"d"}


def test_the_audit_sees_what_one_relation_at_a_time_does_not():
    # a + b = 10 and a + c = 12 and b + c = 14 (three hidden, every relation with two hidden)
    # determine a, b and c: the rank audit must say so.
    values = {"t1": 10, "t2": 12, "t3": 14, "a": 4, "b": 6, "c": 8}
    rels = [Relation("t1", ("a", "b")), Relation("t2", ("a", "c")), Relation("t3", ("b", "c"))]
    assert recoverable(values, rels, {"a", "b", "c"}) == {"a", "b", "c"}
    result = protect(values, rels, {"a"})
    assert not recoverable(values, rels, result.hidden)


def _random_hierarchy(seed: int):
    rng = random.Random(seed)
    values, rels = {}, []
    epcis = []
    communes_all = []
    for e in range(rng.randint(2, 6)):
        communes = [f"c{e}_{i}" for i in range(rng.randint(1, 7))]
        for c in communes:
            values[c] = rng.choice([0, 0, 1, 2, 3, 5, 8, 12, 15, 30, 80])
        values[f"e{e}"] = sum(values[c] for c in communes)
        rels.append(Relation(f"e{e}", tuple(communes)))
        epcis.append(f"e{e}")
        communes_all += communes
    values["dep"] = sum(values[e] for e in epcis)
    rels.append(Relation("dep", tuple(epcis)))
    rels.append(Relation("dep", tuple(communes_all)))
    priority = [c for c in communes_all if rng.random() < 0.3]
    rest = [c for c in communes_all if c not in priority]
    values["prio"] = sum(values[c] for c in priority)
    values["rest"] = sum(values[c] for c in rest)
    rels += [
        Relation("prio", tuple(priority)),
        Relation("rest", tuple(rest)),
        Relation("dep", ("prio", "rest")),
    ]
    return values, rels


@pytest.mark.parametrize("seed", range(60))
def test_no_hidden_value_can_be_recovered_on_random_hierarchies(seed):
    values, rels = _random_hierarchy(seed)
    primary = {k for k, v in values.items() if is_small(v, 11)}
    result = protect(values, rels, primary)
    assert primary <= result.hidden
    # 1) repeated subtraction, 2) any linear combination of the relations, 3) brute force: a
    # hidden cell is safe if a second solution exists with the same published cells.
    assert not solve_by_subtraction(values, rels, result.hidden)
    assert not recoverable(values, rels, result.hidden)
    for rel in rels:
        members = [k for k in (rel.total, *rel.parts) if k in values]
        assert sum(k in result.hidden for k in members) != 1, rel


def test_recoverable_agrees_with_an_explicit_null_space_on_a_fixture():
    values, rels = _random_hierarchy(7)
    hidden = {k for k, v in values.items() if is_small(v, 11)}
    leaks = recoverable(values, rels, hidden)
    order = sorted(hidden)
    matrix = []
    for rel in rels:
        row = [(1.0 if k == rel.total else 0.0) - (1.0 if k in rel.parts else 0.0) for k in order]
        if any(row):
            matrix.append(row)
    if not matrix:
        assert not leaks
        return
    m = np.array(matrix)
    rank = np.linalg.matrix_rank(m)
    for i, k in enumerate(order):
        unit = np.zeros(len(order))
        unit[i] = 1
        determined = np.linalg.matrix_rank(np.vstack([m, unit])) == rank
        assert (k in leaks) == determined, k


# --------------------------------------------------------------------------- measures' rules


def _rules():
    columns = ["measure_code", "source", "source_column", "aggregation", "counts_people", "part_of"]
    rows = [
        ("enfants", "placements", "children_enrolled", "stock", True, None),
        ("enfants_bis", "placements", "children_enrolled", "stock", True, None),
        ("handicap", "placements", "children_disabled", "stock", True, "enfants"),
        ("places", "placements", "places", "stock", False, None),
        ("moins_3_ans", "population", "children", "stock", False, None),
    ]
    return MeasureRules.from_frame(pd.DataFrame(rows, columns=columns))


def _formulas(*terms):
    """Terms (indicator, role, measure, structure types) and the indicators they make."""
    frame = pd.DataFrame(
        [("s", code, role, measure, types, None, None) for code, role, measure, types in terms],
        columns=["scheme_id", "indicator_code", "role", "measure"]
        + ["structure_types", "publics", "actions"],
    )
    codes = sorted(set(frame.indicator_code))
    indicators = pd.DataFrame(
        [
            ("s", c, bool((frame[frame.indicator_code == c].role == "denominator").any()))
            for c in codes
        ],
        columns=["scheme_id", "indicator_code", "has_denominator"],
    ).assign(share_level=None, change_since_baseline=False)
    return frame, indicators


def test_what_is_secret_comes_from_the_measures_rules():
    eaje = ["EAJE_COLLECTIF"]
    terms, indicators = _formulas(
        ("COUNT", "numerator", "enfants", eaje),
        ("ALIAS", "numerator", "enfants_bis", eaje),
        ("PLACES", "numerator", "places", eaje),
        ("RATE", "numerator", "places", eaje),
        ("RATE", "denominator", "moins_3_ans", None),
        ("SHARE", "numerator", "handicap", eaje),
        ("SHARE", "denominator", "enfants", eaje),
        ("OTHER_TYPES", "numerator", "handicap", ["ALSH"]),
        ("OTHER_TYPES", "denominator", "enfants", eaje),
    )
    classes = {code: c for (_, code), c in classify_indicators(terms, indicators, _rules()).items()}
    assert classes["COUNT"].numerator is not None and classes["COUNT"].count
    # Two codes reading the same column the same way are one figure, hidden alike.
    assert classes["ALIAS"].numerator == classes["COUNT"].numerator
    assert classes["PLACES"].numerator is None and classes["RATE"].denominator is None
    assert classes["SHARE"].part_of_denominator
    assert classes["SHARE"].denominator == classes["COUNT"].numerator
    # A « dont » with other filters than its whole is not a part of it.
    assert not classes["OTHER_TYPES"].part_of_denominator


def test_a_measure_without_rules_is_refused():
    terms, indicators = _formulas(("NEW", "numerator", "inconnue", None))
    with pytest.raises(ValueError, match="inconnue"):
        classify_indicators(terms, indicators, _rules())


# --------------------------------------------------------------------------- on the demo


@pytest.fixture(scope="module")
def published(demo_home):
    con = duckdb.connect(str(demo_home / "publication" / "publication.duckdb"), read_only=True)
    try:
        yield con
    finally:
        con.close()


def test_published_counts_of_people_are_never_small(published):
    small = published.execute(
        """select count(*) from fct_indicator_values as v
        join (values ('PART_EAJE_HANDICAP'), ('PART_ALSH_HANDICAP'),
                     ('PART_EAJE_FAMILLES_MODESTES')) as s(code) on v.indicator_code = s.code
        where (numerator > 0 and numerator < 11) or (denominator > 0 and denominator < 11)"""
    ).fetchone()[0]
    assert small == 0
    flagged = published.execute(
        "select count(*), count(value), count(numerator), min(status), max(status), "
        "max(status_label), max(secrecy_note) from fct_indicator_values where secret_numerator"
    ).fetchone()
    assert flagged[0] > 0 and flagged[1] == flagged[2] == 0
    assert flagged[3] == flagged[4] == SECRET_STATUS
    assert flagged[5] == vocabulary.label("progress_statuses", SECRET_STATUS)
    assert flagged[6] == SECRET_NOTE


def test_no_hidden_numerator_of_the_demo_is_the_difference_of_published_ones(published):
    rows = published.execute(
        """select v.scheme_id, v.indicator_code, v.period, v.territory_level, v.territory_code,
            v.numerator, v.secret_numerator
        from fct_indicator_values as v
        where v.indicator_code in ('PART_EAJE_HANDICAP', 'PART_ALSH_HANDICAP',
                                   'PART_EAJE_FAMILLES_MODESTES')"""
    ).df()
    assert rows.secret_numerator.any()
    for (scheme, code, period), g in rows.groupby(["scheme_id", "indicator_code", "period"]):
        # The area total minus the published communes is the hidden communes' sum: never
        # attributable to a single one.
        area = g[g.territory_level.isin(["departement", "perimetre"])]
        communes = g[g.territory_level == "commune"]
        hidden = communes[communes.secret_numerator]
        if len(area) and not area.secret_numerator.iloc[0]:
            assert len(hidden) != 1, (scheme, code, period)
        groups = g[g.territory_level.isin(["prioritaire", "hors_prioritaire"])]
        if len(area) and not area.secret_numerator.iloc[0] and len(groups) == 2:
            assert groups.secret_numerator.sum() != 1, (scheme, code, period)


def test_a_grade_never_gives_back_a_hidden_value(published):
    # With the base value and R (or the CAGR) the latest value is one line of algebra away.
    leaks = published.execute(
        """select count(*) from fct_indicator_grading as g
        join fct_indicator_values as v using (scheme_id, indicator_code, territory_level,
            territory_code)
        where v.period_type = 'year'
          and ((v.secret_value and v.year = g.latest_year) or v.secret_baseline)
          and (g.score is not null or g.progress_value is not null
               or g.latest_value is not null or g.grading_status != ?)""",
        [SECRET_STATUS],
    ).fetchone()[0]
    assert leaks == 0
    hidden = published.execute(
        "select count(*), max(grading_status_label) from fct_indicator_grading "
        "where grading_status = ?",
        [SECRET_STATUS],
    ).fetchone()
    assert hidden[0] > 0
    assert hidden[1] == vocabulary.label("grading_statuses", SECRET_STATUS)
