"""A whole publication is written by batches of schemes; batches change nothing it holds."""

from __future__ import annotations

import duckdb

from orchestration.publication import scheme_batches, sharing_groups, write_publication


def test_schemes_sharing_a_commune_are_one_group_and_never_split_across_batches(demo_home):
    con = duckdb.connect(str(demo_home / "warehouse.duckdb"), read_only=True)
    try:
        groups = sharing_groups(con, "marts")
        batches = scheme_batches(con, "marts", max_rows=1)
        schemes = {r[0] for r in con.execute("select scheme_id from marts.dim_schemes").fetchall()}
    finally:
        con.close()
    # The MSA charte covers Landes communes: the two schemes publish the same figures.
    assert ["charte-msa-landes-armagnac-2018-2022", "landes-2016-2018"] in groups
    assert ["lozere-2016-2019"] in groups
    assert sorted(s for g in groups for s in g) == sorted(schemes)
    # A batch smaller than any group holds one group: never half of one.
    assert sorted(map(sorted, batches)) == sorted(map(sorted, groups))
    assert len(batches) > 1


def test_a_publication_written_a_group_at_a_time_equals_one_written_at_once(demo_home, tmp_path):
    warehouse = demo_home / "warehouse.duckdb"
    whole_counts, whole = write_publication(warehouse, tmp_path / "whole.duckdb")
    batched_counts, batched = write_publication(warehouse, tmp_path / "b.duckdb", batch_rows=1)
    assert batched_counts == whole_counts
    assert batched == whole, "the same rows, secret cells included, in every published mart"
    assert whole_counts["fct_indicator_values"] > 10_000
    con = duckdb.connect(str(tmp_path / "b.duckdb"), read_only=True)
    try:
        hidden = con.execute(
            "select count(*) from fct_indicator_values where secret_value"
        ).fetchone()[0]
    finally:
        con.close()
    assert hidden > 0, "the demo has small counts: the batches apply secrecy too"
