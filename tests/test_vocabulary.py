"""The vocabulary file: its own rules, and what the other layers read from it."""

from __future__ import annotations

import pytest

from orchestration import vocabulary


def _write(tmp_path, text: str):
    path = tmp_path / "vocabulary.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_vocabulary_loads_with_unique_codes_and_labels():
    lists = vocabulary.load()
    assert {"submission_kinds", "granularities", "progress_statuses"} <= set(lists)
    for name, items in lists.items():
        assert len({e.code for e in items}) == len(items), name
        assert all(e.label.strip() for e in items), name


def test_table_has_one_row_per_code_with_its_position():
    table = vocabulary.vocabulary_table()
    assert list(table.columns) == list(vocabulary.TABLE_COLUMNS)
    assert len(table) == sum(len(items) for items in vocabulary.load().values())
    kinds = table[table.vocabulary == "submission_kinds"].sort_values("position")
    assert list(kinds.code) == list(vocabulary.codes("submission_kinds"))
    assert not table.duplicated(["vocabulary", "code"]).any()


def test_label_of_an_unknown_code_falls_back_to_the_code_or_the_default():
    assert vocabulary.label("granularities", "quarter") == "trimestre"
    assert vocabulary.label("granularities", "semester") == "semester"
    assert vocabulary.label("granularities", None, default="inconnu") == "inconnu"


def test_granularity_months_are_attributes():
    months = {
        code: vocabulary.attribute("granularities", code, "months")
        for code in vocabulary.codes("granularities")
    }
    assert months == {"year": 12, "quarter": 3, "month": 1}


def test_every_status_a_reader_sees_has_a_definition():
    for name in ("progress_statuses", "completeness_statuses"):
        assert all(e.definition for e in vocabulary.entries(name)), name


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("kinds:\n  - {code: a, label: A}\n  - {code: a, label: B}\n", "duplicate code 'a'"),
        ("kinds:\n  - {code: a}\n", "label must be non-empty text"),
        ("kinds:\n  - {code: '', label: A}\n", "code must be non-empty text"),
        ("kinds: []\n", "expected a non-empty list"),
        ("- a\n", "expected a mapping of code lists"),
    ],
)
def test_a_broken_vocabulary_file_is_refused_with_where_and_why(tmp_path, text, problem):
    with pytest.raises(vocabulary.VocabularyError, match=problem):
        vocabulary.load(_write(tmp_path, text))


def test_an_unknown_list_names_the_file():
    with pytest.raises(KeyError, match="vocabulary.yaml"):
        vocabulary.codes("no_such_list")


def test_every_kind_of_file_has_a_contract_and_every_contract_a_kind():
    from models import CONTRACTS

    assert list(CONTRACTS) == list(vocabulary.codes("submission_kinds"))
