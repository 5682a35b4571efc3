"""The publication file the Evidence site reads: a copy of the marts, never the live warehouse."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import duckdb

from orchestration.workers import worker_count, worker_pool

# The one list of the published marts: the publication copies them, editions freeze them, the
# exports give each a sheet (in this order) described by its French text, and the Dagster asset
# and the tests read it. A mart made public is one line here.
PUBLISHED_MARTS: dict[str, str] = {
    "fct_indicator_values": "Valeurs des indicateurs par territoire et période, avec cible, "
    "trajectoire, progression et statut.",
    "dim_schemes": "Les schémas suivis (SDSF et chartes MSA).",
    "dim_indicators": "Les indicateurs : définition, formule, source, unité, sens, valeur de "
    "référence, cible.",
    "dim_indicator_terms": "Les termes des formules des indicateurs : mesure lue, au numérateur "
    "ou au dénominateur, et ses restrictions (types de structure, publics, actions).",
    "dim_axes": "Les axes (orientations) de chaque schéma.",
    "dim_actions": "Les actions (fiches action) avec leur axe et leur pilote.",
    "dim_measures": "Les mesures que combinent les formules : fichier et colonne lus, cumul sur "
    "l'année, et règles de publication (comptage de personnes soumis au secret statistique, "
    "« dont » d'une autre mesure).",
    "dim_territories": "Les territoires suivis : communes, EPCI, département ou périmètre.",
    "dim_scheme_communes": "Les communes de chaque schéma avec leur EPCI et le territoire du "
    "schéma : les chiffres d'une commune s'ajoutent à ceux de son EPCI et du territoire.",
    "dim_partners": "Les partenaires et les fichiers qu'ils transmettent.",
    "dim_priority_territories": "Les territoires prioritaires selon la règle du schéma.",
    "fct_action_progress": "Avancement de chaque action par année, et ce qui le mesure : ses "
    "indicateurs, ses jalons et l'état déclaré par son pilote, ou rien (action non suivie).",
    "fct_action_reports": "Suivi des actions : état de chaque action par période tel que son "
    "pilote ou un partenaire l'a déclaré en dernier, part réalisée et commentaire.",
    "fct_action_milestones": "Jalons des actions : échéance, date d'atteinte déclarée et "
    "situation (atteint à temps, en retard, échu non atteint, à venir).",
    "fct_indicator_grading": "Lecture Open SDG de chaque indicateur et territoire ayant une "
    "valeur de référence : valeur de progrès (croissance observée rapportée à celle qu'exige "
    "la cible), note de -5 à 5 et statut, à côté du statut de trajectoire de la même année.",
    "fct_grading_rollups": "Lecture Open SDG agrégée : note moyenne et statut de chaque "
    "action, axe et schéma, sur le territoire entier du schéma.",
    "fct_axis_progress": "Avancement de chaque axe par année.",
    "fct_scheme_progress": "Avancement de chaque schéma par année.",
    "fct_territorial_inequality": "Inégalités territoriales : écarts entre territoires.",
    "fct_submission_completeness": "Complétude des fichiers attendus des partenaires.",
    "fct_submission_timeliness": "Ponctualité des partenaires.",
    "fct_quality_warnings": "Avertissements des règles de qualité sur les fichiers acceptés "
    "(variation forte depuis la période précédente, heures au-delà de la capacité, enfants par "
    "place) : fichier, ligne, valeur, valeur précédente, et justification d'un relecteur.",
    "fct_period_approvals": "Validation des chiffres de chaque année de chaque schéma : "
    "provisoire, revu ou validé par le comité (qui, quand), et les fichiers attendus qui "
    "manquaient à la validation.",
    "dim_vocabulary": "Les listes de codes (types de fichier, périodicités, statuts, types de "
    "structure, publics…) et le libellé en français de chaque code.",
}
# The one-row table of the publication saying which secrecy threshold hid its figures.
SECRECY_TABLE = "secrecy_threshold"
# The indicator values a batch of the whole publication's secrecy pass holds, about. Measured
# for every département: a batch of a million rows took the process to 3.3 GB, so a quarter
# of that (two or three départements over ten years) keeps it well under the 4 GiB aimed at.
BATCH_ROWS = 250_000
# Evidence's DuckDB (1.4) cannot read the newer default storage format of Python duckdb 2.0.
EVIDENCE_STORAGE_VERSION = "v1.4.0"


def write_publication(
    warehouse: Path,
    target: Path,
    *,
    threshold: int | None = None,
    schemes: list[str] | None = None,
    batch_rows: int = BATCH_ROWS,
) -> tuple[dict[str, int], str]:
    """Copy the published marts into ``target`` atomically, statistical secrecy applied.

    ``threshold`` defaults to ``secrecy.secret_threshold()``. With ``schemes`` (an incremental
    run's touched schemes, orchestration/incremental.py) and a publication in place, only those
    schemes' rows are rewritten, with secrecy applied to them alone (the list is closed over
    the schemes sharing a figure); the other schemes' rows are kept, and the marts without a
    scheme (partners, completeness, vocabulary...) are copied whole. A whole publication is
    written the same way, by batches of schemes of at most about ``batch_rows`` indicator
    values (``scheme_batches``). Returns rows per table and
    a fingerprint of the content (same data, same fingerprint), so what is built from the
    publication can be skipped when nothing changed.
    """
    from orchestration.secrecy import secret_threshold

    threshold = secret_threshold() if threshold is None else threshold
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.unlink(missing_ok=True)
    Path(f"{tmp}.wal").unlink(missing_ok=True)
    scoped = schemes is not None and _threshold_of(target) == threshold
    if scoped:
        shutil.copyfile(target, tmp)
    counts = {}
    con = duckdb.connect()
    try:
        con.execute(f"attach '{warehouse}' as wh (read_only)")
        if scoped:
            con.execute(f"attach '{tmp}' as pub")
            _write_schemes(con, schemes, threshold)
        else:
            con.execute(f"attach '{tmp}' as pub (storage_version '{EVIDENCE_STORAGE_VERSION}')")
            # A batch of schemes at a time, so that memory follows the largest batch rather
            # than the number of schemes (the secrecy pass holds its rows in pandas).
            batches = scheme_batches(con, "wh.marts", max_rows=batch_rows) or [[]]
            _write_batches(con, batches, threshold, tmp.parent)
            # What the kept rows of a later scoped write were hidden with (see _threshold_of).
            con.execute(f"create table pub.main.{SECRECY_TABLE} as select {threshold} as threshold")
        digest = hashlib.sha256(f"threshold:{threshold};".encode())
        for name in PUBLISHED_MARTS:
            # Rows are unique (primary keys are tested), so an order-free xor of row hashes works.
            rows, content = con.execute(
                f"select count(*), bit_xor(hash(t)) from pub.main.{name} as t"
            ).fetchone()
            counts[name] = rows
            digest.update(f"{name}:{rows}:{content};".encode())
        con.execute("detach pub")
        con.execute("detach wh")
    finally:
        con.close()
    os.replace(tmp, target)
    return counts, digest.hexdigest()


def _threshold_of(publication: Path) -> int | None:
    """The secrecy threshold the publication in place was written with, None without one: rows
    kept from it must have been hidden under the same rule."""
    if not publication.is_file():
        return None
    con = duckdb.connect(str(publication), read_only=True)
    try:
        return con.execute(f"select threshold from main.{SECRECY_TABLE}").fetchone()[0]
    except duckdb.CatalogException:
        return None
    finally:
        con.close()


def sharing_groups(con, marts: str) -> list[list[str]]:
    """The schemes of ``marts`` (a ``db.schema`` prefix) in groups that share no commune and
    no EPCI with one another: statistical secrecy gives a commune's or an EPCI's figure one
    fate in every scheme publishing it, so a group is written, or rewritten, whole."""
    schemes = [
        r[0]
        for r in con.execute(
            f"select scheme_id from {marts}.dim_schemes "
            f"union select scheme_id from {marts}.dim_scheme_communes"
        ).fetchall()
    ]
    # Two equality joins rather than one on "commune or EPCI", which DuckDB would run as a
    # nested loop over every pair of the 35,000 communes of a national deployment.
    shared = con.execute(
        " union ".join(
            f"""select distinct a.scheme_id, b.scheme_id
            from {marts}.dim_scheme_communes as a inner join {marts}.dim_scheme_communes as b
                on a.{column} = b.{column} and a.scheme_id < b.scheme_id"""
            for column in ("commune_code", "epci_siren")
        )
    ).fetchall()
    group_of = {s: {s} for s in schemes}
    for a, b in shared:
        if group_of[a] is not group_of[b]:
            merged = group_of[a] | group_of[b]
            for s in merged:
                group_of[s] = merged
    groups = {id(g): g for g in group_of.values()}
    return sorted(sorted(g) for g in groups.values())


def scheme_batches(con, marts: str, *, max_rows: int) -> list[list[str]]:
    """Groups of schemes sharing figures (``sharing_groups``) packed, in order, into batches of
    at most ``max_rows`` indicator values (a group larger than that is a batch alone)."""
    rows = dict(
        con.execute(
            f"select scheme_id, count(*) from {marts}.fct_indicator_values group by all"
        ).fetchall()
    )
    batches: list[list[str]] = []
    size = 0
    for group in sharing_groups(con, marts):
        weight = sum(rows.get(s, 0) for s in group)
        if not batches or size + weight > max_rows:
            batches.append([])
            size = 0
        batches[-1] += group
        size += weight
    return batches


def _write_schemes(con, schemes: list[str], threshold: int) -> None:
    """In ``pub`` (a copy of the publication), replace the rows of ``schemes`` by the
    warehouse's, secrecy applied to them in a scratch schema first, and the marts without a
    scheme whole."""
    from orchestration.secrecy import apply_secrecy

    con.execute("create schema memory.fresh")
    keyed = _copy_schemes(con, "memory.fresh", schemes)
    apply_secrecy(con, publication="memory.fresh", threshold=threshold)
    _merge(con, "memory.fresh", schemes, keyed)
    con.execute("drop schema memory.fresh cascade")


def _copy_schemes(con, into: str, schemes: list[str]) -> set[str]:
    """Copy into ``into`` (a ``db.schema`` prefix) the warehouse's rows of ``schemes`` and the
    marts without a scheme whole; returns the marts with a scheme."""
    keyed = set()
    for name in PUBLISHED_MARTS:
        columns = {r[0] for r in con.execute(f"describe wh.marts.{name}").fetchall()}
        where = "where list_contains(?::varchar[], scheme_id)" if "scheme_id" in columns else ""
        params = [schemes] if where else []
        con.execute(f"create table {into}.{name} as from wh.marts.{name} {where}", params)
        if where:
            keyed.add(name)
    return keyed


def _merge(con, source: str, schemes: list[str], keyed: set[str]) -> None:
    """Replace ``pub``'s rows of ``schemes`` by those of ``source`` (secrecy applied), and the
    marts without a scheme by ``source``'s."""
    for name in PUBLISHED_MARTS:
        if name in keyed:
            # A new publication's table: the columns secrecy added (secret_value...) included.
            con.execute(
                f"create table if not exists pub.main.{name} as from {source}.{name} limit 0"
            )
            con.execute(
                f"delete from pub.main.{name} where list_contains(?::varchar[], scheme_id)",
                [schemes],
            )
            con.execute(f"insert into pub.main.{name} by name from {source}.{name}")
        else:
            con.execute(f"create or replace table pub.main.{name} as from {source}.{name}")


def _write_batches(con, batches: list[list[str]], threshold: int, scratch: Path) -> None:
    """Write every batch of schemes into ``pub``, in order. With several batches and cores,
    worker processes apply secrecy to batches side by side: this process copies each batch's
    rows into a file of ``scratch`` (only it reads the warehouse), a worker hides its cells
    there, and this process merges the files in batch order, so ``pub`` holds what one batch
    after another gives."""
    workers = worker_count(len(batches))
    if workers < 2:
        for batch in batches:
            _write_schemes(con, batch, threshold)
        return
    parts = [scratch / f".batch-{n}.duckdb" for n in range(len(batches))]
    try:
        with worker_pool(workers) as pool:
            pending = []
            for batch, part in zip(batches, parts, strict=True):
                part.unlink(missing_ok=True)
                con.execute(f"attach '{part}' as part")
                keyed = _copy_schemes(con, "part.main", batch)
                con.execute("detach part")
                pending.append((batch, part, keyed, pool.submit(_hide_in_file, part, threshold)))
            for batch, part, keyed, done in pending:
                done.result()
                con.execute(f"attach '{part}' as part (read_only)")
                _merge(con, "part.main", batch, keyed)
                con.execute("detach part")
                part.unlink()
    finally:
        for part in parts:
            part.unlink(missing_ok=True)
            Path(f"{part}.wal").unlink(missing_ok=True)


def _hide_in_file(path: Path, threshold: int) -> None:
    """A worker's part of ``_write_batches``: secrecy applied to the batch in ``path``."""
    from orchestration.secrecy import apply_secrecy

    con = duckdb.connect(str(path))
    try:
        apply_secrecy(con, publication="main", threshold=threshold)
    finally:
        con.close()
