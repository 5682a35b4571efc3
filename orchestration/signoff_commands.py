"""`sdsf review`, `sdsf approve`, `sdsf unlock` and `sdsf approvals`: a scheme's periods signed off.

The steps themselves, their checks and their record are orchestration/approvals.py. What a
command adds is read from the warehouse the last refresh wrote: the schemes' years, and the files
the submission calendar (raw.submission_calendar, orchestration/calendar.py) still counts as
missing for the partners of the scheme's département, which an approval keeps and says.
"""

from __future__ import annotations

import sys

EXIT_DONE, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


def add_parsers(sub) -> None:
    for step, text in (
        ("review", "mark a scheme's period reviewed (« revu ») by the data team"),
        ("approve", "record the committee's approval (« validé ») of a scheme's period"),
        ("unlock", "reopen an approved period, with a reason: it must be approved again"),
    ):
        parser = sub.add_parser(step, help=text)
        parser.add_argument("--scheme", required=True, metavar="CODE", help="the scheme's code")
        parser.add_argument("--period", required=True, metavar="PÉRIODE", help="e.g. 2017")
        parser.add_argument("--as", dest="who", metavar="NOM", help="who signs (default: you)")
        if step == "unlock":
            parser.add_argument("--reason", default="", help="why it is unlocked (required)")
        else:
            parser.add_argument("--comment", default="", help="an optional comment")
        parser.set_defaults(handler=_cmd_step, step=step)
    listing = sub.add_parser("approvals", help="where each scheme's periods stand (sign-off)")
    listing.add_argument("--scheme", metavar="CODE", help="one scheme only")
    listing.set_defaults(handler=_cmd_list)


def _warehouse_facts(scheme: str, period: str):
    """(scheme -> (first, last) year, expected files missing for that scheme's period)."""
    import duckdb

    from orchestration.calendar import parse_period
    from orchestration.settings import warehouse_path

    path = warehouse_path()
    if not path.exists():
        return None, []
    con = duckdb.connect(str(path), read_only=True)
    try:
        years = {
            r[0]: (int(r[1]), int(r[2]))
            for r in con.execute(
                "select scheme_id, start_year, end_year from raw.schemes"
            ).fetchall()
        }
        parsed = parse_period(period)
        if scheme not in years or parsed is None:
            return years, []
        rows = con.execute(
            """
            select c.partner_code, c.submission_kind, c.period
            from raw.submission_calendar as c
            join raw.partner_departements as d using (partner_code)
            join raw.schemes as s on s.departement_code = d.departement_code
            where s.scheme_id = ? and c.missing = 1
                and c.period_start <= ? and c.period_end >= ?
            order by all
            """,
            [scheme, parsed.end, parsed.start],
        ).fetchall()
    except duckdb.CatalogException:  # the warehouse has not been refreshed with schemes yet
        return None, []
    finally:
        con.close()
    return years, [f"{partner} {kind} {p}" for partner, kind, p in rows]


def _cmd_step(args) -> int:
    from orchestration import approvals, audit
    from orchestration.settings import sdsf_home

    years, missing = _warehouse_facts(args.scheme, args.period)
    if years is None:
        print(
            "sdsf : l'entrepôt ne connaît pas encore les schémas : lancez d'abord `sdsf run`.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    actor = audit.local_actor()
    if args.who:
        actor = audit.Actor(args.who.strip(), actor.origin)
    comment = args.reason if args.step == "unlock" else args.comment
    try:
        entry = approvals.record_step(
            sdsf_home(),
            args.step,
            scheme=args.scheme,
            period=args.period,
            schemes=years,
            actor=actor,
            comment=comment,
            missing=missing,
        )
    except approvals.Refused as refusal:
        print(f"sdsf : refusé — {refusal}", file=sys.stderr)
        return EXIT_REFUSED
    print(_describe(entry))
    return EXIT_DONE


def _describe(entry: dict) -> str:
    from orchestration import vocabulary

    state = vocabulary.label("approval_states", entry["state"])
    lines = [
        f"Schéma {entry['scheme']}, période {entry['period']} : {state} "
        f"(par {entry['who']}, le {entry['at'][:10]})."
    ]
    if entry.get("comment"):
        lines.append(f"  Commentaire : {entry['comment']}")
    if entry["step"] == "approve":
        if count := len(entry["missing"]):
            lines.append(f"  Fichiers attendus manquants à la validation ({count}) :")
            lines.extend(f"    {m}" for m in entry["missing"])
        else:
            lines.append("  Aucun fichier attendu ne manquait à la validation.")
    return "\n".join(lines)


def _cmd_list(args) -> int:
    from orchestration import approvals, vocabulary
    from orchestration.settings import sdsf_home

    steps = approvals.states(sdsf_home())
    rows = [
        (
            scheme,
            period,
            vocabulary.label("approval_states", step["state"]),
            step["who"],
            step["at"][:10],
            str(len(step.get("missing") or [])) if step["state"] == approvals.APPROVED else "",
            step.get("comment") or "",
        )
        for (scheme, period), step in sorted(steps.items())
        if args.scheme in (None, scheme)
    ]
    if not rows:
        print("Aucune période revue ni validée : toutes les périodes sont provisoires.")
        return EXIT_DONE
    from orchestration.cli import _print_table

    _print_table(("schéma", "période", "état", "par", "le", "manquants", "commentaire"), rows)
    return EXIT_DONE
