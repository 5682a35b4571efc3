"""``schemes/*.yaml`` of the deployment (``SDSF_SOURCES``): scheme files read, each checked, and
their codes across files; :func:`load_deployment` reads the whole folder."""

from __future__ import annotations

from pathlib import Path

from orchestration.schemes.checks import SchemeChecker
from orchestration.schemes.measures import load_measures
from orchestration.schemes.models import Measure, Partner, Scheme
from orchestration.schemes.partners import load_partners
from orchestration.schemes.yaml_reading import (
    Document,
    Issue,
    Loc,
    SchemeError,
    parse,
    read_yaml,
)
from orchestration.settings import Deployment, deployment


def _load_scheme(
    path: Path, measures: dict[str, Measure], partners: dict[str, Partner]
) -> tuple[Scheme | None, Document | None, list[Issue]]:
    doc, issues = read_yaml(path)
    if doc is None:
        return None, None, issues
    scheme, issues = parse(doc, Scheme)
    if scheme is None:
        return None, doc, issues
    issues = SchemeChecker(doc, scheme, measures, partners).run()
    return (None if issues else scheme), doc, issues


def load_scheme(
    path: Path | str,
    *,
    measures: dict[str, Measure] | None = None,
    partners: dict[str, Partner] | None = None,
) -> Scheme:
    """Read and check one scheme file; registries default to the deployment's."""
    measures = load_measures() if measures is None else measures
    partners = load_partners() if partners is None else partners
    scheme, _, issues = _load_scheme(Path(path), measures, partners)
    if issues:
        raise SchemeError(issues)
    return scheme


def load_schemes(
    directory: Path | str | None = None,
    *,
    measures: dict[str, Measure] | None = None,
    partners: dict[str, Partner] | None = None,
) -> list[Scheme]:
    """Read every ``*.yaml`` of a directory (by default the deployment's ``schemes/``), sorted
    by id; raise once with every file's problems.

    Across files, scheme ids, axis codes and action codes must be unique (partners report
    beneficiaries by action code).
    """
    measures = load_measures() if measures is None else measures
    partners = load_partners() if partners is None else partners
    issues: list[Issue] = []
    loaded: list[tuple[Scheme, Document]] = []
    for path in sorted(Path(directory or deployment().schemes).glob("*.yaml")):
        scheme, doc, file_issues = _load_scheme(path, measures, partners)
        issues += file_issues
        if scheme is not None:
            loaded.append((scheme, doc))
    owners: dict[tuple[str, str], str] = {}
    for scheme, doc in loaded:
        codes: list[tuple[str, Loc, str]] = [("scheme id", ("id",), scheme.id)]
        for i, axis in enumerate(scheme.axes):
            codes.append(("axis code", ("axes", i, "code"), axis.code))
            for j, action in enumerate(axis.actions):
                codes.append(("action code", ("axes", i, "actions", j, "code"), action.code))
        for what, loc, code in codes:
            owner = owners.setdefault((what, code), doc.file.name)
            if owner != doc.file.name:
                issues.append(doc.issue(loc, f"{what} {code!r} already used in {owner}"))
    if issues:
        raise SchemeError(issues)
    return sorted((scheme for scheme, _ in loaded), key=lambda s: s.id)


def load_deployment(
    folder: Deployment | None = None,
) -> tuple[dict[str, Measure], dict[str, Partner], list[Scheme]]:
    """The measures, partners and schemes of a deployment's folder (by default
    ``$SDSF_SOURCES``), every file checked; a missing folder or one without a scheme is a
    problem too. Raises one :class:`SchemeError` with every problem found."""
    folder = folder or deployment()
    if not folder.root.is_dir():
        raise SchemeError([Issue(folder.root, "", None, "folder not found (SDSF_SOURCES)")])
    if not any(folder.schemes.glob("*.yaml")):
        where = folder.schemes / "*.yaml"
        raise SchemeError([Issue(where, "", None, "no scheme file: write one (see `sdsf init`)")])
    measures = load_measures(folder.measures)
    partners = load_partners(folder.partners)
    return measures, partners, load_schemes(folder.schemes, measures=measures, partners=partners)
