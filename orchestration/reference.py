"""Reference data for validating a file outside a run (`sdsf validate`, `sdsf submit`).

It is read from the deployment's configuration (schemes, partner registry) and the geography,
so a dry run needs no warehouse and never waits on a running pipeline.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

from orchestration.intake.validation import ReferenceData
from orchestration.settings import deployment, sdsf_home, warehouse_path

_CACHE_NAME = "validation_reference.json"
# Part of the cache's fingerprint: a new version of what it holds makes older caches stale.
_CACHE_VERSION = 2


def reference_for_validation(
    *, today: date | None = None, partner: str | None = None, kinds=None
) -> ReferenceData:
    """What a file is checked against; attendance structures are the partner's when it is known
    (as the run checks them), else any partner's. ``kinds`` (the kinds about to be validated,
    None: any) spares the warehouse when no attendance file is among them."""
    codes = _reference_codes()
    structures = None
    if kinds is None or "attendance" in kinds:
        structures = known_structures(partner)
    actions = None  # who may report on each action: read from the schemes only when needed
    if kinds is None or "action_reports" in kinds:
        from orchestration import schemes as scheme_defs
        from orchestration.intake.action_reports import action_references

        actions = action_references(scheme_defs.load_schemes())
    return ReferenceData(
        commune_codes=frozenset(codes["communes"]),
        epci_codes=frozenset(codes["epci"]),
        action_codes=frozenset(codes["actions"]),
        known_structures=structures,
        actions=actions,
        partner=partner,
        years=tuple(codes["years"]) if codes["years"] else None,
        today=today or date.today(),
    )


def _reference_codes() -> dict:
    """Commune, EPCI and action codes and the schemes' years, read from the sources.

    Reading them (the whole COG, every scheme) takes seconds, which a partner validating a
    folder of files would wait each time: they are kept in the data directory, beside a
    fingerprint of the files they come from (paths, sizes, modification times), and read again
    only when one of those files changed.
    """
    from orchestration import territories, vocabulary

    data_dir = territories.ensure_territory_package()
    inputs = [vocabulary.VOCABULARY_PATH, *deployment().files()] + [
        data_dir / "communes.json",
        data_dir / "epci.json",
    ]
    fingerprint = [_CACHE_VERSION] + [
        [str(p), p.stat().st_size, p.stat().st_mtime_ns] for p in inputs
    ]
    cache = sdsf_home() / "cache" / _CACHE_NAME
    try:
        kept = json.loads(cache.read_text(encoding="utf-8"))
        if kept.get("fingerprint") == fingerprint:
            return kept
    except (OSError, ValueError):
        pass
    codes = _read_reference_codes(data_dir)
    codes["fingerprint"] = fingerprint
    _write_quietly(cache, json.dumps(codes))
    return codes


def _read_reference_codes(data_dir: Path) -> dict:
    from orchestration import schemes as scheme_defs
    from orchestration import territories

    cog = territories.load_cog(data_dir)
    schemes = scheme_defs.load_schemes()
    years = [s.period.start for s in schemes] + [s.period.end for s in schemes]
    years += [i.baseline.year for s in schemes for i in s.indicators]
    return {
        "communes": sorted(cog["communes"]["commune_code"]),
        "epci": sorted(cog["epci"]["epci_siren"]),
        "actions": sorted(a.code for s in schemes for axis in s.axes for a in axis.actions),
        "years": [min(years), max(years)] if years else None,
        "partner_schemes": _read_partner_schemes(schemes, scheme_defs.load_partners()),
    }


def _write_quietly(path: Path, text: str) -> None:
    """Write ``path`` whole or not at all; a data directory that cannot be written only costs
    the next call the same seconds."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    except OSError:
        pass


def partner_kinds() -> dict[str, set[str]]:
    """Partner code -> kinds of file it is registered to send."""
    from orchestration import schemes as scheme_defs

    return {
        code: {s.kind for s in partner.submissions}
        for code, partner in scheme_defs.load_partners().items()
    }


def known_structures(partner: str | None) -> frozenset[str] | None:
    """Structures already declared in placements, when a warehouse can be read."""
    path = warehouse_path()
    if not path.exists():
        return None
    import duckdb

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


def partner_schemes() -> dict[str, set[str]]:
    """Partner code -> the schemes it sends files to: those of the départements it covers (as
    the sign-off's missing files and the registry's checks count them). Kept with the
    reference codes, so a receipt does not read every scheme again."""
    return {code: set(ids) for code, ids in _reference_codes()["partner_schemes"].items()}


def _read_partner_schemes(schemes, partners) -> dict[str, list[str]]:
    by_departement: dict[str, set[str]] = {}
    for scheme in schemes:
        by_departement.setdefault(scheme.departement, set()).add(scheme.id)
    return {
        code: sorted(set().union(*(by_departement.get(d, set()) for d in partner.departements)))
        for code, partner in partners.items()
    }
