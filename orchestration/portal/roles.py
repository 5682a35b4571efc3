"""What each role of a portal account may do, and the one check every sign-off step passes.

The roles, their French labels and what each may do are the ``portal_roles`` list of
sources/vocabulary.yaml; this module only reads it. The portal and `sdsf review|approve|unlock
--account` both call :func:`check_step`, so a partner account, or a committee account of
another scheme, is refused the same way everywhere, in French, and the refusal is audited.
"""

from __future__ import annotations

from pathlib import Path

from orchestration import audit, vocabulary

VOCABULARY = "portal_roles"
ROLES = vocabulary.codes(VOCABULARY)
PARTNER, REVIEWER, COMMITTEE = "partner", "reviewer", "committee"
assert set(ROLES) == {PARTNER, REVIEWER, COMMITTEE}, ROLES
# Role codes written before roles existed, and the role they are read as.
FORMER_ROLES = {"engineer": REVIEWER}
SIGN_OFF_STEPS = ("review", "approve", "unlock")
ACTIONS = frozenset({"upload", "see_all_partners", "justify", *SIGN_OFF_STEPS})
_MAY = {role: frozenset(vocabulary.attribute(VOCABULARY, role, "may")) for role in ROLES}
assert all(may <= ACTIONS for may in _MAY.values()), _MAY
# What a refused account was trying to do, for its French message.
_DOING = {
    "upload": "déposer des fichiers",
    "see_all_partners": "consulter les fichiers de tous les partenaires",
    "justify": "marquer un avertissement justifié",
    "review": "marquer une période revue",
    "approve": "valider une période",
    "unlock": "déverrouiller une période",
    "sign_off": "consulter la validation des périodes",
}


class RoleRefused(PermissionError):
    """The account's role does not allow the action; the message is French."""


def current_role(code: str) -> str:
    """The role a stored code stands for today (``engineer`` is a reviewer)."""
    return FORMER_ROLES.get(code, code)


def may(role: str, action: str) -> bool:
    """Whether accounts of ``role`` may take ``action`` (a code of :data:`ACTIONS`)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return action in _MAY.get(current_role(role), frozenset())


def signs_off(role: str) -> bool:
    """Whether the role has a part in the sign-off of periods (sees the periods page)."""
    return any(may(role, step) for step in SIGN_OFF_STEPS)


def refusal(account, action: str, scheme: str | None = None) -> str | None:
    """Why ``account`` may not take ``action`` (on ``scheme``), in French; None when it may."""
    if account is None:
        return "Compte inconnu du portail."
    role = vocabulary.label(VOCABULARY, account.role)
    doing = _DOING.get(action, action)
    allowed = signs_off(account.role) if action == "sign_off" else may(account.role, action)
    if not allowed:
        return f"Accès refusé : un compte {role} ne peut pas {doing}."
    if account.role == COMMITTEE and scheme is not None and scheme not in account.schemes:
        return (
            f"Accès refusé : le compte {account.login} ({role}) ne peut pas {doing} du schéma "
            f"« {scheme} » ; il valide seulement : {', '.join(account.schemes)}."
        )
    return None


def check(
    home: Path,
    account,
    action: str,
    actor: audit.Actor,
    *,
    scheme: str | None = None,
    subject: str | None = None,
    login: str | None = None,
) -> None:
    """Raise :class:`RoleRefused` (and audit ``access_refused``) unless the account may act.

    ``login`` is the login asked for when ``account`` is None (an unknown login).
    """
    reason = refusal(account, action, scheme)
    if reason is None:
        return
    audit.record(
        home,
        "access_refused",
        actor,
        partner=getattr(account, "partner", None),
        subject=subject,
        action=action,
        account=account.login if account is not None else login,
        role=account.role if account is not None else None,
        scheme=scheme,
    )
    raise RoleRefused(reason)
