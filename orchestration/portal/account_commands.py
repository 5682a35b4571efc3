"""`sdsf portal-account create|rotate|list`: the portal's accounts, of every role.

A partner account's login is its partner code; a reviewer's or a committee's login is given
with ``--login`` (``--partner`` is still read as the login of a reviewer, as the former
``--engineer`` accounts were made). A committee account names each scheme it approves with
``--scheme``. The roles themselves are orchestration/portal/roles.py.
"""

from __future__ import annotations

import sys

EXIT_DONE, EXIT_USAGE = 0, 2


def add_parser(sub) -> None:
    account = sub.add_parser("portal-account", help="create, rotate or list portal accounts")
    account.add_argument("action", choices=("create", "rotate", "list"))
    account.add_argument(
        "--partner",
        metavar="CODE",
        help="partner code (sources/partners.yaml); for a reviewer, read as its login",
    )
    account.add_argument("--login", metavar="LOGIN", help="the login of a reviewer or committee")
    account.add_argument(
        "--role",
        metavar="CODE",
        help="the account's role, a code of portal_roles in sources/vocabulary.yaml "
        "(partner, the default; reviewer; committee)",
    )
    account.add_argument(
        "--scheme",
        action="append",
        default=[],
        metavar="CODE",
        help="a scheme a committee account approves (repeat for several)",
    )
    account.add_argument(
        "--engineer", action="store_true", help="same as --role reviewer (former name)"
    )
    account.set_defaults(handler=_cmd_portal_account)


def _cmd_portal_account(args) -> int:
    from orchestration import vocabulary
    from orchestration.portal import roles
    from orchestration.portal.accounts import AccountError, AccountStore
    from orchestration.settings import sdsf_home

    store = AccountStore(sdsf_home())
    login = args.login or args.partner
    if args.action == "list":
        for a in store.list():
            if login and login not in (a.login, a.partner):
                continue
            role = vocabulary.label(roles.VOCABULARY, a.role)
            whose = f" {a.partner}" if a.partner else ""
            whose += f" ({', '.join(a.schemes)})" if a.schemes else ""
            print(f"{a.login}\t{role}{whose}\tcréé {a.created_at}\trenouvelé {a.rotated_at or '-'}")
        return EXIT_DONE
    if not login:
        print("sdsf: --partner (ou --login) est obligatoire pour create et rotate", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.action == "create":
            role = roles.REVIEWER if args.engineer else (args.role or roles.PARTNER)
            problem = _creation_problem(args, role)
            if problem:
                print(f"sdsf: {problem}", file=sys.stderr)
                return EXIT_USAGE
            secret = store.create(
                login, role=role, partner=args.partner, schemes=tuple(args.scheme)
            )
        else:
            secret = store.rotate(login)
    except AccountError as exc:
        print(f"sdsf: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"Identifiant : {login}")
    print(f"Mot de passe (affiché une seule fois, à transmettre au titulaire) : {secret}")
    return EXIT_DONE


def _creation_problem(args, role: str) -> str | None:
    """What is wrong with the arguments of a ``create`` of ``role``, in French."""
    from orchestration import schemes as scheme_defs
    from orchestration import vocabulary
    from orchestration.portal import roles

    if role not in roles.ROLES:
        choices = ", ".join(f"{c} ({vocabulary.label(roles.VOCABULARY, c)})" for c in roles.ROLES)
        return f"rôle inconnu : {role} (rôles : {choices})"
    if role == roles.PARTNER:
        if not args.partner or args.partner not in scheme_defs.load_partners():
            return f"partenaire inconnu du registre : {args.partner or '(aucun)'}"
        if args.login and args.login != args.partner:
            return "l'identifiant d'un compte partenaire est son code partenaire (--partner)"
    if role == roles.COMMITTEE:
        if not args.login:
            return "un compte du comité a besoin de son identifiant (--login)"
        if not args.scheme:
            return "un compte du comité nomme le ou les schémas qu'il valide (--scheme CODE)"
        known = {s.id for s in scheme_defs.load_schemes()}
        unknown = sorted(set(args.scheme) - known)
        if unknown:
            return f"schéma inconnu : {', '.join(unknown)} (connus : {', '.join(sorted(known))})"
    elif args.scheme:
        return "seul un compte du comité (--role committee) nomme des schémas"
    return None
