"""`sdsf review`, `sdsf approve`, `sdsf unlock` and `sdsf approvals`: a scheme's periods signed off.

The steps themselves, their checks and their record are orchestration/approvals.py. What a
command adds is read from the warehouse the last refresh wrote: the schemes' years, and the files
the submission calendar (raw.submission_calendar, orchestration/calendar.py) still counts as
missing for the partners of the scheme's département, which an approval keeps and says (the
portal's sign-off pages read them through the same functions). With ``--account LOGIN`` a step
is signed by a portal account, whose role (orchestration/portal/roles.py) must allow it.
"""

from __future__ import annotations

import contextlib
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
        signer = parser.add_mutually_exclusive_group()
        signer.add_argument("--as", dest="who", metavar="NOM", help="who signs (default: you)")
        signer.add_argument(
            "--account",
            metavar="LOGIN",
            help="sign as this portal account: its role must allow the step (on that scheme)",
        )
        if step == "unlock":
            parser.add_argument("--reason", default="", help="why it is unlocked (required)")
        else:
            parser.add_argument("--comment", default="", help="an optional comment")
        parser.set_defaults(handler=_cmd_step, step=step)
    listing = sub.add_parser("approvals", help="where each scheme's periods stand (sign-off)")
    listing.add_argument("--scheme", metavar="CODE", help="one scheme only")
    listing.set_defaults(handler=_cmd_list)


@contextlib.contextmanager
def warehouse_connection():
    """A read-only connection to the warehouse, or None when no refresh has written it yet."""
    import duckdb

    from orchestration.settings import warehouse_path

    path = warehouse_path()
    if not path.exists():
        yield None
        return
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield con
    finally:
        con.close()


def scheme_years(con) -> dict[str, tuple[int, int]]:
    """Scheme code -> its first and last year (raises duckdb.CatalogException before a run)."""
    rows = con.execute("select scheme_id, start_year, end_year from raw.schemes").fetchall()
    return {r[0]: (int(r[1]), int(r[2])) for r in rows}


def expected_files(con, scheme: str, period: str) -> list[dict]:
    """The files the submission calendar expects, for ``scheme``'s period, of the partners of
    its département: partner, kind, period, missing (bool), submission_ids."""
    from orchestration.calendar import parse_period

    parsed = parse_period(period)
    if parsed is None:
        return []
    rows = con.execute(
        """
        select c.partner_code, c.submission_kind, c.period, c.missing = 1, c.submission_ids
        from raw.submission_calendar as c
        join raw.partner_departements as d using (partner_code)
        join raw.schemes as s on s.departement_code = d.departement_code
        where s.scheme_id = ? and c.period_start <= ? and c.period_end >= ?
        order by all
        """,
        [scheme, parsed.end, parsed.start],
    ).fetchall()
    keys = ("partner", "kind", "period", "missing", "submission_ids")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def missing_names(files: list[dict]) -> list[str]:
    """The missing ones of :func:`expected_files`, as an approval keeps them."""
    return [f"{f['partner']} {f['kind']} {f['period']}" for f in files if f["missing"]]


def warehouse_facts(scheme: str, period: str):
    """(scheme -> (first, last) year, expected files missing for that scheme's period)."""
    import duckdb

    with warehouse_connection() as con:
        if con is None:
            return None, []
        try:
            years = scheme_years(con)
            if scheme not in years:
                return years, []
            return years, missing_names(expected_files(con, scheme, period))
        except duckdb.CatalogException:  # the warehouse has not been refreshed with schemes yet
            return None, []


def _cmd_step(args) -> int:
    from orchestration import approvals, audit
    from orchestration.settings import sdsf_home

    years, missing = warehouse_facts(args.scheme, args.period)
    if years is None:
        print(
            "sdsf : l'entrepôt ne connaît pas encore les schémas : lancez d'abord `sdsf run`.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    actor = audit.local_actor()
    if args.who:
        actor = audit.Actor(args.who.strip(), actor.origin)
    if args.account:
        from orchestration.portal.accounts import AccountStore
        from orchestration.portal.roles import RoleRefused, check

        account = AccountStore(sdsf_home()).get(args.account)
        actor = audit.Actor(args.account, actor.origin)
        try:
            check(
                sdsf_home(),
                account,
                args.step,
                actor,
                scheme=args.scheme,
                subject=f"{args.scheme} {args.period}",
                login=args.account,
            )
        except RoleRefused as refusal:
            print(f"sdsf : refusé — {refusal} Rien n'a été enregistré.", file=sys.stderr)
            return EXIT_REFUSED
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
