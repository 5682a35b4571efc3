"""Reference data for validating a file outside a run (`sdsf validate`, `sdsf submit`).

It is read from the repository's sources (schemes, partner registry, geography), so a dry run
needs no warehouse and never waits on a running pipeline.
"""

from __future__ import annotations

from datetime import date

import duckdb

from orchestration import schemes as scheme_defs
from orchestration import territories
from orchestration.intake.action_reports import action_references
from orchestration.intake.validation import ReferenceData
from orchestration.settings import warehouse_path


def reference_for_validation(
    *, today: date | None = None, partner: str | None = None
) -> ReferenceData:
    """What a file is checked against; attendance structures are the partner's when it is known
    (as the run checks them), else any partner's."""
    cog = territories.load_cog(territories.ensure_territory_package())
    schemes = scheme_defs.load_schemes()
    years = [s.period.start for s in schemes] + [s.period.end for s in schemes]
    years += [i.baseline.year for s in schemes for i in s.indicators]
    return ReferenceData(
        commune_codes=frozenset(cog["communes"]["commune_code"]),
        epci_codes=frozenset(cog["epci"]["epci_siren"]),
        action_codes=frozenset(a.code for s in schemes for axis in s.axes for a in axis.actions),
        known_structures=known_structures(partner),
        actions=action_references(schemes),
        partner=partner,
        years=(min(years), max(years)) if years else None,
        today=today or date.today(),
    )


def partner_kinds() -> dict[str, set[str]]:
    """Partner code -> kinds of file it is registered to send."""
    return {
        code: {s.kind for s in partner.submissions}
        for code, partner in scheme_defs.load_partners().items()
    }


def known_structures(partner: str | None) -> frozenset[str] | None:
    """Structures already declared in placements, when a warehouse can be read."""
    path = warehouse_path()
    if not path.exists():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None  # a run holds the warehouse: the run itself checks structures
    try:
        sql = "select distinct structure_code from raw.placements"
        if partner is None:
            rows = con.execute(sql).fetchall()
        else:
            rows = con.execute(sql + " where partner_code = ?", [partner]).fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return frozenset(r[0] for r in rows)
