"""`sdsf`: what users do outside the Dagster UI.

sdsf run        refresh everything over what is in the data directory
sdsf demo       keep the demo partner files in the store (on the days sent), then run
sdsf validate   check files without keeping them (exit 0 all accepted, 1 one rejected, 2 bad usage)
sdsf submit     keep a partner's file, validate it, print its receipt, then run
sdsf publish    freeze the publication as a named edition (Parquet, CSV, xlsx, manifest)
sdsf editions   the editions made, and which years each records approved (by whom, when)
sdsf grade      the Open SDG progress grading of series in a CSV file (text or JSON)
sdsf status     who has sent what: timeliness per partner and kind, files past their deadline
sdsf portal     serve the partner upload portal (http://127.0.0.1:8080 by default)
sdsf portal-account create|rotate|list   manage the portal's accounts
sdsf review|approve|unlock   sign a scheme's period off (« revu », « validé »), or reopen it
sdsf approvals  where each scheme's periods stand
sdsf justify    mark a data-quality warning of a received file as justified, with a comment
sdsf audit      the audit trail: sign-ins, files, receipts, accounts (exit 1 when tampered with)
sdsf init       write a starter configuration folder for a deployment (then set SDSF_SOURCES)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

# Imports live in the commands: `sdsf validate` must start fast, so nothing here loads pandas,
# pandera, DuckDB or Dagster before a command asks for them.

EXIT_ACCEPTED, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    if args.command not in ("init", "templates") and (problem := _sources_problem()):
        print(problem, file=sys.stderr)
        return EXIT_USAGE
    try:
        return args.handler(args)
    except Exception as exc:
        from orchestration.schemes.yaml_reading import SchemeError  # loaded by now if raised

        if not isinstance(exc, SchemeError):
            raise
        print(_sources_error(str(exc)), file=sys.stderr)
        return EXIT_USAGE


def _sources_error(problems: str) -> str:
    from orchestration.settings import deployment

    return (
        f"sdsf : la configuration du déploiement ({deployment().root}) n'est pas valable :\n"
        f"{problems}\nCorrigez ces fichiers puis relancez : rien n'a été calculé."
    )


def _sources_problem() -> str | None:
    """Why the deployment's folder cannot be read at all (missing, no scheme), in French."""
    from orchestration.settings import deployment

    folder = deployment()
    if not folder.root.is_dir():
        return (
            f"sdsf : le dossier de configuration du déploiement est introuvable : {folder.root} "
            "(variable SDSF_SOURCES). `sdsf init DOSSIER` en écrit un."
        )
    if not any(folder.schemes.glob("*.yaml")):
        return _sources_error(f"  {folder.schemes}: aucun fichier de schéma (*.yaml)")
    return None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sdsf",
        description="Family-services schemes pipeline: partner files -> indicators -> site.",
        epilog="Data directory: $SDSF_HOME (default: data/ at the repository root). "
        "Deployment configuration (schemes, partners, measures, population): $SDSF_SOURCES "
        "(default: the shipped sources/; `sdsf init DIR` writes a starter).",
    )
    sub = parser.add_subparsers(dest="command")

    run = sub.add_parser(
        "run", help="process new files and rebuild what they change (everything with --full)"
    )
    run.add_argument("--no-site", action="store_true", help="skip building the Evidence site")
    run.add_argument(
        "--full",
        action="store_true",
        help="rebuild everything (references, every model) even if only files are new; "
        "the default when the warehouse is new or the configuration, code or day changed",
    )
    run.add_argument(
        "--from",
        dest="period_from",
        metavar="PERIOD",
        help="backfill: judge again and reload the files reporting periods from PERIOD "
        "(2017, 2017-T1, 2017-03) ...",
    )
    run.add_argument("--to", dest="period_to", metavar="PERIOD", help="... to PERIOD")
    run.set_defaults(handler=_cmd_run)

    demo = sub.add_parser(
        "demo", help="keep the demo partner files (every scheme) in the store as sent, then run"
    )
    demo.add_argument("--no-site", action="store_true", help="skip building the Evidence site")
    demo.add_argument("--no-run", action="store_true", help="only write the demo files")
    demo.set_defaults(handler=_cmd_demo)

    validate = sub.add_parser(
        "validate",
        help="check partner files without keeping them",
        description="Validate one or more files of one kind. With --format json, prints a JSON "
        "list of receipts, each with a `file` key.",
    )
    validate.add_argument("--kind", required=True, help="placements, attendance, beneficiaries…")
    validate.add_argument("--format", choices=("text", "json"), default="text")
    validate.add_argument("file", type=Path, nargs="+")
    validate.set_defaults(handler=_cmd_validate)

    submit = sub.add_parser("submit", help="keep a partner file, validate it and process it")
    submit.add_argument("--partner", required=True, help="partner code (sources/partners.yaml)")
    submit.add_argument("--kind", required=True, help="placements, attendance, beneficiaries…")
    submit.add_argument("--format", choices=("text", "json"), default="text")
    submit.add_argument("--no-run", action="store_true", help="keep and receipt only")
    submit.add_argument("file", type=Path)
    submit.set_defaults(handler=_cmd_submit)

    templates = sub.add_parser(
        "templates", help="regenerate the CSV templates and column guide in sources/templates/"
    )
    templates.set_defaults(handler=_cmd_templates)

    publish = sub.add_parser(
        "publish", help="freeze the last publication as a named edition (never overwritten)"
    )
    publish.add_argument("--edition", required=True, metavar="NAME", help="e.g. 2018-cdsf")
    publish.add_argument(
        "--site", action="store_true", help="also build the Evidence site from this edition"
    )
    publish.set_defaults(handler=_cmd_publish)

    listing = sub.add_parser(
        "editions", help="the editions made, with the years each records approved or provisional"
    )
    listing.set_defaults(handler=_cmd_editions)

    grade = sub.add_parser(
        "grade",
        help="grade series from a CSV file with the Open SDG progress method",
        description="Columns serie;annee_reference;valeur_reference;annee_observee;"
        "valeur_observee;annee_cible;cible;sens;limite (sens: hausse or baisse; empty cible or "
        "limite for none). Exit 0 graded, 1 bad file, 2 bad usage.",
    )
    grade.add_argument("--format", choices=("text", "json"), default="text")
    grade.add_argument("file", type=Path)
    grade.set_defaults(handler=_cmd_grade)

    status = sub.add_parser(
        "status", help="partners' files: on time, late, missing (from the last publication)"
    )
    status.add_argument(
        "--grace-days", type=int, default=None, help="days after a deadline (default 7)"
    )
    status.set_defaults(handler=_cmd_status)

    reminders = sub.add_parser(
        "reminders", help="mail partners the reminders of their due and overdue files, once each"
    )
    reminders.add_argument(
        "--dry-run", action="store_true", help="list the reminders owed, send nothing"
    )
    reminders.add_argument(
        "--date",
        metavar="AAAA-MM-JJ",
        help="the day to judge on (default: SDSF_AS_OF_DATE or today)",
    )
    reminders.set_defaults(handler=_cmd_reminders)

    portal = sub.add_parser("portal", help="serve the partner upload portal (French web pages)")
    portal.add_argument("--host", default="127.0.0.1", help="address to listen on")
    portal.add_argument("--port", type=int, default=8080)
    portal.set_defaults(handler=_cmd_portal)

    from orchestration.portal import account_commands

    account_commands.add_parser(sub)

    from orchestration import signoff_commands

    signoff_commands.add_parsers(sub)

    justify = sub.add_parser(
        "justify",
        help="mark a data-quality warning « justifié » with a comment (receipt, audit trail)",
    )
    justify.add_argument(
        "--warning", metavar="ID", help="the warning's id: SUBMISSION:LINE:RULE (its receipt)"
    )
    justify.add_argument("--submission", metavar="ID", help="or: the submission id ...")
    justify.add_argument("--line", type=int, help="... the line ...")
    justify.add_argument("--rule", metavar="CODE", help="... and the rule's code")
    justify.add_argument("--comment", default="", help="why the value is right (required)")
    justify.set_defaults(handler=_cmd_justify)

    audit = sub.add_parser(
        "audit",
        help="read the audit trail: who did what, when, from where (exit 1 when tampered with)",
    )
    audit.add_argument("--since", metavar="DATE", help="from this day on (YYYY-MM-DD, UTC)")
    audit.add_argument("--partner", metavar="CODE", help="only the events of this partner")
    audit.add_argument("--format", choices=("text", "json"), default="text")
    audit.set_defaults(handler=_cmd_audit)

    init = sub.add_parser(
        "init",
        help="write a starter configuration folder (one scheme, its partners, the measures)",
        description="Write into DIR (new or empty; nothing is overwritten) a deployment's own "
        "configuration to edit: one scheme of the département, its partners, the measures, "
        "with French comments. Then run sdsf with SDSF_SOURCES=DIR.",
    )
    init.add_argument("folder", type=Path, metavar="DIR")
    init.add_argument(
        "--departement", default="40", metavar="CODE", help='the scheme\'s département ("40")'
    )
    init.add_argument(
        "--start-year", type=int, default=None, metavar="YEAR", help="first year (this year)"
    )
    init.set_defaults(handler=_cmd_init)
    return parser


def _cmd_run(args) -> int:
    from orchestration.calendar import parse_period
    from orchestration.runner import print_summary, run_refresh

    reprocess = None
    period_from, period_to = getattr(args, "period_from", None), getattr(args, "period_to", None)
    if period_from or period_to:
        first_text = period_from or period_to
        last_text = period_to or period_from
        first, last = parse_period(first_text), parse_period(last_text)
        if first is None or last is None or first.start > last.end:
            print(
                f"sdsf: --from {first_text} --to {last_text}: periods look like 2017, 2017-T1 "
                "or 2017-03, and the first must not come after the last",
                file=sys.stderr,
            )
            return EXIT_USAGE
        reprocess = (first.code, last.code)
    full = getattr(args, "full", False)
    result = run_refresh(build_site=not args.no_site, reprocess=reprocess, full=full)
    print_summary(result)
    return 0 if result.success else 1


def _cmd_demo(args) -> int:
    from orchestration.demo import deliver_demo
    from orchestration.settings import deployment, prepare_environment

    if not deployment().shipped:
        print(
            "sdsf : la démonstration porte sur les schémas livrés avec sdsf (sources/), or "
            f"SDSF_SOURCES désigne un autre dossier ({deployment().root}) : lancez `sdsf demo` "
            "sans SDSF_SOURCES, et `sdsf run` pour votre déploiement.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    home = prepare_environment()
    # Kept in the store on the days partners sent them (not the inbox: a file there is "now").
    files = deliver_demo(home)
    first, last = files[0].received_at, files[-1].received_at
    print(
        f"{len(files)} fichiers de démonstration reçus entre le {first:%d/%m/%Y} et le "
        f"{last:%d/%m/%Y}, conservés dans {home / 'store'}"
    )
    if args.no_run:
        return 0
    # The site is built once, after the demo's sign-off: the run leaves it out.
    build_site, args.no_site = not args.no_site, True
    if code := _cmd_run(args):
        return code
    return _sign_off_demo(home, build_site)


def _sign_off_demo(home, build_site: bool) -> int:
    """Approve the demo's years (sources/demo/signoff.yaml), then rebuild what reads approvals."""
    from orchestration.demo.signoff import sign_off_demo
    from orchestration.incremental import full_refresh_reason
    from orchestration.runner import print_summary, rebuild_after_signoff

    was_current = full_refresh_reason(home) is None
    for entry in sign_off_demo(home):
        print(
            f"Démonstration : {entry['scheme']} {entry['period']} revue puis validée par "
            f"{entry['who']} ({len(entry['missing'])} fichier(s) attendu(s) manquant(s))."
        )
    result = rebuild_after_signoff(build_site=build_site, was_current=was_current)
    print_summary(result)
    return 0 if result.success else 1


def _cmd_validate(args) -> int:
    """Every file judged in one process: imports and reference data are paid once."""
    missing = [path for path in args.file if not path.is_file()]
    for path in missing:
        print(f"sdsf: fichier introuvable : {path}", file=sys.stderr)
    if missing or not _known_kind(args.kind):
        return EXIT_USAGE
    from orchestration.intake.validation import validate_bytes
    from orchestration.reference import reference_for_validation

    reference = reference_for_validation(kinds={args.kind})
    receipts = []
    for path in args.file:
        receipt = validate_bytes(
            path.read_bytes(), args.kind, reference=reference, file_name=path.name
        ).receipt
        receipts.append(receipt)
        if args.format == "text":
            print(receipt.to_text(), end="\n" if len(args.file) > 1 else "")
    if args.format == "json":
        payload = [
            {"file": str(path), **r.to_dict()} for path, r in zip(args.file, receipts, strict=True)
        ]
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    return EXIT_ACCEPTED if all(r.accepted for r in receipts) else EXIT_REJECTED


def _known_kind(kind: str) -> bool:
    from models import KINDS

    if kind in KINDS:
        return True
    print(f"sdsf: --kind {kind} : type inconnu (attendu : {', '.join(KINDS)})", file=sys.stderr)
    return False


def _cmd_submit(args) -> int:
    from orchestration.intake.service import receive_file
    from orchestration.settings import prepare_environment

    if not args.file.is_file():
        print(f"sdsf: fichier introuvable : {args.file}", file=sys.stderr)
        return EXIT_USAGE
    if not _known_kind(args.kind):
        return EXIT_USAGE
    home = prepare_environment()
    receipt = receive_file(
        home,
        args.file.read_bytes(),
        partner=args.partner,
        kind=args.kind,
        file_name=args.file.name,
    ).receipt
    _print_receipt(receipt, args.format)
    if receipt.accepted and not args.no_run:
        from orchestration.runner import print_summary, run_refresh

        result = run_refresh(build_site=True, quiet=args.format == "json")
        if args.format != "json":
            print_summary(result)
        if not result.success:
            return EXIT_REJECTED
    return EXIT_ACCEPTED if receipt.accepted else EXIT_REJECTED


def _cmd_publish(args) -> int:
    from orchestration.editions import (
        EditionError,
        create_edition,
        describe_approvals,
        site_database,
    )
    from orchestration.settings import prepare_environment, site_dir

    home = prepare_environment()
    try:
        path = create_edition(args.edition, home=home)
    except EditionError as exc:
        print(f"sdsf: {exc}", file=sys.stderr)
        return EXIT_USAGE
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    print(f"Édition {args.edition} : {path}")
    print(
        f"  révisions depuis {manifest['previous_edition'] or '(aucune)'} : {manifest['revisions']}"
    )
    print(f"  exports : {path / 'exports'}")
    print("\n".join(describe_approvals(manifest)))
    if args.site:
        from orchestration import site_slices

        built = site_slices.build(site_database(path), site_dir(home))
        print(f"  site : {built.out_dir / 'index.html'}")
    return 0


def _cmd_editions(args) -> int:
    from orchestration.editions import describe_approvals, list_editions
    from orchestration.settings import prepare_environment

    manifests = list_editions(prepare_environment())
    if not manifests:
        print("Aucune édition : `sdsf run` fait l'édition courante, `sdsf publish` les autres.")
    for manifest in manifests:
        kind = "remplacée à chaque `sdsf run`" if manifest["rolling"] else "figée"
        print(f"Édition {manifest['edition']} ({kind}), construite le {manifest['built_at']}")
        print("\n".join(describe_approvals(manifest)))
    return 0


def _cmd_grade(args) -> int:
    """The same grading as the marts, by the same code (orchestration.grading)."""
    if not args.file.is_file():
        print(f"sdsf: fichier introuvable : {args.file}", file=sys.stderr)
        return EXIT_USAGE
    from orchestration.grading_input import GradingInputError, read_series
    from orchestration.vocabulary import label

    try:
        series = read_series(args.file.read_bytes())
    except GradingInputError as exc:
        for problem in exc.problems:
            print(f"sdsf: {problem}", file=sys.stderr)
        return EXIT_REJECTED
    rows = []
    for s in series:
        g = s.graded()
        rows.append(
            {
                "serie": s.name,
                "progress_value": g.progress_value,
                "score": g.score,
                "status": g.status,
            }
        )
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_ACCEPTED
    for row in rows:
        value = "-" if row["progress_value"] is None else f"{row['progress_value']:.4f}"
        score = "-" if row["score"] is None else f"{row['score']:.2f}"
        status = label("grading_statuses", row["status"])
        print(
            f"{row['serie']}\tvaleur de progrès {value}\tnote {score}\t{row['status']} ({status})"
        )
    return EXIT_ACCEPTED


def _cmd_status(args) -> int:
    import duckdb

    from orchestration.calendar import grace_days
    from orchestration.deadlines import overdue, timeliness
    from orchestration.settings import prepare_environment, publication_dir

    home = prepare_environment()
    path = publication_dir(home) / "publication.duckdb"
    if not path.exists():
        print(f"sdsf: no publication yet in {home}: run `sdsf run` first.", file=sys.stderr)
        return EXIT_USAGE
    grace = grace_days() if args.grace_days is None else args.grace_days
    con = duckdb.connect(str(path), read_only=True)
    try:
        summary, late = timeliness(con, "main"), overdue(con, "main", grace)
    finally:
        con.close()
    as_of = late[0]["as_of_date"] if late else None
    print(f"Partner files, as of the last publication ({path})")
    header = ("partner", "kind", "cadence", "expected", "on time", "late", "missing", "on-time")
    rows = [
        (
            r["partner_code"],
            r["submission_kind"],
            r["cadence"],
            str(r["periods_expected"]),
            str(r["periods_on_time"]),
            str(r["periods_late"]),
            str(r["periods_missing"]),
            "-" if r["on_time_rate"] is None else f"{r['on_time_rate']:.0%}",
        )
        for r in summary
    ]
    _print_table(header, rows)
    print()
    when = f" (as of {as_of})" if as_of else ""
    print(f"Past deadline + {grace} days, no accepted file{when}: {len(late)}")
    _print_table(
        ("partner", "kind", "period", "deadline", "days over", "files received"),
        [
            (
                r["partner_code"],
                r["submission_kind"],
                r["period"],
                str(r["deadline_date"]),
                str(r["days_overdue"]),
                str(r["received"]),
            )
            for r in late
        ],
    )
    _print_held_files(home)
    return 1 if late else 0


def _print_held_files(home) -> None:
    """Files kept for an approved period (the lock at intake), from the store."""
    from orchestration import approvals, vocabulary
    from orchestration.intake.store import SubmissionStore

    held = [
        m
        for m in (s.manifest() for s in SubmissionStore(home).all())
        if m.get("status") == approvals.HELD
    ]
    print()
    print(f"Files held — {vocabulary.label('submission_statuses', approvals.HELD)}: {len(held)}")
    _print_table(
        ("partner", "kind", "file", "received", "periods", "approved period"),
        [
            (
                m["partner"],
                m["kind"] or "-",
                m["file_name"],
                m["received_at"][:16],
                ", ".join(m.get("periods") or []),
                ", ".join(
                    f"{h['scheme']} {h['period']}"
                    for h in (m.get("receipt") or {}).get("holds", [])
                ),
            )
            for m in held
        ],
    )


def _cmd_reminders(args) -> int:
    from orchestration import mail, vocabulary
    from orchestration.calendar import as_of_date
    from orchestration.reminders import send_reminders
    from orchestration.settings import prepare_environment

    home = prepare_environment()
    today = as_of_date(args.date)
    if not args.dry_run and not mail.configured():
        print(
            "sdsf: no mail server configured (SDSF_ALERT_SMTP_HOST): listing only.",
            file=sys.stderr,
        )
    outcomes = send_reminders(home, today, dry_run=args.dry_run)
    print(f"Reminders owed on {today:%Y-%m-%d} and not sent before: {len(outcomes)}")
    _print_table(
        ("partner", "to", "kind", "period", "deadline", "reminder", "sent"),
        [
            (
                o.reminder.partner,
                o.reminder.to,
                o.reminder.kind,
                o.reminder.period,
                str(o.reminder.deadline),
                vocabulary.label("reminder_kinds", o.reminder.reminder),
                "yes" if o.sent else (f"FAILED: {o.error}" if o.error else "no"),
            )
            for o in outcomes
        ],
    )
    return 1 if any(o.error for o in outcomes) else 0


def _print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]
    for line in (header, tuple("-" * w for w in widths), *rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())


def _cmd_templates(args) -> int:
    from orchestration.intake.templates import write_templates

    for path in write_templates():
        print(path)
    return 0


def _cmd_portal(args) -> int:
    import uvicorn

    from orchestration.portal.app import create_app
    from orchestration.settings import prepare_environment

    home = prepare_environment()
    print(f"Portail des partenaires : http://{args.host}:{args.port}/ (données : {home})")
    uvicorn.run(create_app(home), host=args.host, port=args.port, log_level="info")
    return 0


def _cmd_justify(args) -> int:
    from orchestration.intake.justifications import JustificationRefused, justify
    from orchestration.intake.quality import warning_id
    from orchestration.settings import prepare_environment

    warning = args.warning
    if not warning and args.submission and args.line is not None and args.rule:
        warning = warning_id(args.submission, args.line, args.rule)
    if not warning:
        print(
            "sdsf justify : donnez --warning ID, ou --submission, --line et --rule.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        entry = justify(prepare_environment(), warning, args.comment)
    except JustificationRefused as exc:
        print(f"sdsf justify : {exc} Rien n'a été modifié.", file=sys.stderr)
        return EXIT_REJECTED
    print(
        f"Avertissement {entry['warning']} marqué justifié : « {entry['comment']} ». "
        "L'accusé de réception le montre ; la page /qualite après la prochaine actualisation "
        "(sdsf run)."
    )
    return EXIT_ACCEPTED


def _cmd_audit(args) -> int:
    from datetime import date

    from orchestration import audit, vocabulary
    from orchestration.settings import sdsf_home

    try:
        since = date.fromisoformat(args.since) if args.since else None
    except ValueError:
        print(f"sdsf: --since {args.since} : date attendue au format AAAA-MM-JJ", file=sys.stderr)
        return EXIT_USAGE
    home = sdsf_home()
    trail = audit.read_trail(home)
    records = audit.select(trail.records, since=since, partner=args.partner)
    if args.format == "json":
        labelled = [
            dict(r, event_label=vocabulary.label(audit.EVENTS, r["event"])) for r in records
        ]
        print(json.dumps(labelled, ensure_ascii=False, indent=2))
    else:
        print(f"Journal d'audit ({audit.audit_path(home)}) : {len(records)} événement(s)")
        _print_table(*audit.text_rows(records))
    if trail.intact:
        return 0
    print(f"sdsf: journal d'audit altéré ({audit.audit_path(home)}) :", file=sys.stderr)
    for problem in trail.problems:
        print(f"  {problem}", file=sys.stderr)
    channels = audit.alert_tampering(home, trail)
    print(f"  alerte envoyée ({', '.join(channels)})", file=sys.stderr)
    return EXIT_REJECTED


def _cmd_init(args) -> int:
    from orchestration.starter import StarterError, write_starter

    try:
        written = write_starter(args.folder, args.departement, args.start_year)
    except StarterError as exc:
        print(f"sdsf : {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"Configuration de départ écrite dans {written.root} :")
    for path in sorted(p for p in written.root.rglob("*") if p.is_file()):
        print(f"  {path.relative_to(written.root)}")
    print("Modifiez ces fichiers (voir LISEZMOI.md), puis :")
    print(f"  SDSF_SOURCES={written.root} sdsf run")
    return 0


def _print_receipt(receipt, fmt: str) -> None:
    print(
        receipt.to_json() if fmt == "json" else receipt.to_text(), end="\n" if fmt == "json" else ""
    )


if __name__ == "__main__":
    sys.exit(main())
