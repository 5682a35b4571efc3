"""`sdsf`: what users do outside the Dagster UI.

sdsf run        refresh everything over what is in the data directory
sdsf demo       put the demo partner files in the inbox, then run
sdsf validate   check a file without keeping it (exit 0 accepted, 1 rejected, 2 bad usage)
sdsf submit     keep a partner's file, validate it, print its receipt, then run
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from models import KINDS

EXIT_ACCEPTED, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    return args.handler(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sdsf",
        description="Family-services schemes pipeline: partner files -> indicators -> site.",
        epilog="Data directory: $SDSF_HOME (default: data/ at the repository root).",
    )
    sub = parser.add_subparsers(dest="command")

    run = sub.add_parser("run", help="materialize every asset over the data directory")
    run.add_argument("--no-site", action="store_true", help="skip building the Evidence site")
    run.set_defaults(handler=_cmd_run)

    demo = sub.add_parser("demo", help="generate the demo partner files into the inbox, then run")
    demo.add_argument("--no-site", action="store_true", help="skip building the Evidence site")
    demo.add_argument("--no-run", action="store_true", help="only write the demo files")
    demo.set_defaults(handler=_cmd_demo)

    validate = sub.add_parser("validate", help="check a partner file without keeping it")
    validate.add_argument("--kind", required=True, choices=KINDS)
    validate.add_argument("--format", choices=("text", "json"), default="text")
    validate.add_argument("file", type=Path)
    validate.set_defaults(handler=_cmd_validate)

    submit = sub.add_parser("submit", help="keep a partner file, validate it and process it")
    submit.add_argument("--partner", required=True, help="partner code (sources/partners.yaml)")
    submit.add_argument("--kind", required=True, choices=KINDS)
    submit.add_argument("--format", choices=("text", "json"), default="text")
    submit.add_argument("--no-run", action="store_true", help="keep and receipt only")
    submit.add_argument("file", type=Path)
    submit.set_defaults(handler=_cmd_submit)

    templates = sub.add_parser(
        "templates", help="regenerate the CSV templates and column guide in sources/templates/"
    )
    templates.set_defaults(handler=_cmd_templates)
    return parser


def _cmd_run(args) -> int:
    from orchestration.runner import print_summary, run_refresh

    result = run_refresh(build_site=not args.no_site)
    print_summary(result)
    return 0 if result.success else 1


def _cmd_demo(args) -> int:
    from orchestration.demo import write_demo_inbox
    from orchestration.settings import prepare_environment

    home = prepare_environment()
    written = write_demo_inbox(home)
    print(f"{len(written)} fichiers de démonstration déposés dans {home / 'inbox'}")
    if args.no_run:
        return 0
    return _cmd_run(args)


def _cmd_validate(args) -> int:
    from orchestration.intake.validation import validate_bytes
    from orchestration.reference import reference_for_validation

    if not args.file.is_file():
        print(f"sdsf: fichier introuvable : {args.file}", file=sys.stderr)
        return EXIT_USAGE
    result = validate_bytes(
        args.file.read_bytes(),
        args.kind,
        reference=reference_for_validation(),
        file_name=args.file.name,
    )
    _print_receipt(result.receipt, args.format)
    return EXIT_ACCEPTED if result.receipt.accepted else EXIT_REJECTED


def _cmd_submit(args) -> int:
    from orchestration.intake.service import validate_submission
    from orchestration.intake.store import SubmissionStore
    from orchestration.reference import partner_kinds, reference_for_validation
    from orchestration.settings import prepare_environment

    if not args.file.is_file():
        print(f"sdsf: fichier introuvable : {args.file}", file=sys.stderr)
        return EXIT_USAGE
    home = prepare_environment()
    store = SubmissionStore(home)
    sub, _ = store.put(
        args.file.read_bytes(), partner=args.partner, kind=args.kind, file_name=args.file.name
    )
    receipt, _ = validate_submission(sub, reference_for_validation(), partner_kinds())
    store.record_receipt(sub, receipt)
    _print_receipt(receipt, args.format)
    if receipt.accepted and not args.no_run:
        from orchestration.runner import print_summary, run_refresh

        result = run_refresh(build_site=True, quiet=args.format == "json")
        if args.format != "json":
            print_summary(result)
        if not result.success:
            return EXIT_REJECTED
    return EXIT_ACCEPTED if receipt.accepted else EXIT_REJECTED


def _cmd_templates(args) -> int:
    from orchestration.intake.templates import write_templates

    for path in write_templates():
        print(path)
    return 0


def _print_receipt(receipt, fmt: str) -> None:
    print(
        receipt.to_json() if fmt == "json" else receipt.to_text(), end="\n" if fmt == "json" else ""
    )


if __name__ == "__main__":
    sys.exit(main())
