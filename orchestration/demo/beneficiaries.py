"""People reached by the schemes' actions, as each partner of a demo département declares them.

A line of ``beneficiaries`` in ``sources/demo/<département>.yaml`` is an action and a public,
counted either per EPCI of the département in proportion to its children
(``per_1000_children: [low, high]``) or on one territory (``territory`` and ``count``), over the
years the partner owes files or the line's own ``years: [first, last]``.
"""

from __future__ import annotations

import random

import pandas as pd

from orchestration import territories

_CHILD_BANDS = ("enfants_moins_3_ans", "enfants_3_5_ans", "enfants_6_11_ans", "jeunes_12_17_ans")


def children_by_epci(communes: pd.DataFrame) -> dict[str, float]:
    """Children aged 0 to 17 of the département's communes, by EPCI."""
    share = sum(territories.AGE_BAND_SHARES[b] for b in _CHILD_BANDS)
    return (communes.groupby("epci_siren")["population"].sum() * share).sort_index().to_dict()


def beneficiary_rows(
    lines: list[dict], year: int, children: dict[str, float], rng: random.Random
) -> list[list[str]]:
    """The rows one partner declares for ``year``."""
    rows = []
    for line in lines:
        first, last = line.get("years", (year, year))
        if not first <= year <= last:
            continue
        if "territory" in line:
            counts = [(line["territory"], rng.randint(*line["count"]))]
        else:
            low, high = line["per_1000_children"]
            counts = [(e, round(k / 1000 * rng.uniform(low, high))) for e, k in children.items()]
        for territory, count in counts:
            modest = round(count * rng.uniform(0.2, 0.45))
            rows.append(
                [str(year), line["action"], territory, line["public"], str(count), str(modest)]
            )
    return rows


def spoil(rows: list[list[str]]) -> list[list[str]]:
    """The partner's mistake: on the third data line, the « dont » exceeds the total."""
    spoilt = [list(r) for r in rows]
    spoilt[2][-1] = str(int(spoilt[2][-2]) + 7)
    return spoilt
