"""Schemes (SDSF, MSA chartes), measures and partners as data: models and validating loaders.

The YAML files of the deployment's folder (``$SDSF_SOURCES``, by default the shipped
``sources/``; :func:`orchestration.settings.deployment`) are the only place where a scheme, a
partner or a measure is defined; their code lists (partner types, cadences, directions...) are
those of ``sources/vocabulary.yaml``. This package reads them into pydantic models, checks every
cross-reference (an indicator's action, a pilot in the partner registry, a measure and the
filters it accepts...) and flattens them into relational tables for the warehouse, with each
indicator's formula and sources written out in French for the evaluation's method page.

Every problem is reported as ``<file>:<line>: <path in the document>: <what is wrong>``, for
example ``sources/schemes/landes-2016-2018.yaml:48: axes[2].actions[0].pilot: unknown partner
'CAF99'``. Loaders collect all the problems of a file (and :func:`load_schemes` of all files)
before raising one :class:`SchemeError`.

One module per concept:

- :mod:`.models`: the shape of the three kinds of file (pydantic);
- :mod:`.yaml_reading`: reading YAML with line locations, :class:`Issue`, :class:`SchemeError`;
- :mod:`.codes`: what a valid territory code, identifier or vocabulary code looks like;
- :mod:`.measures`, :mod:`.partners`: the two registries, loaded and checked;
- :mod:`.checks`, :mod:`.loading`: a scheme's cross-reference checks, scheme files loaded;
- :mod:`.method_text`: formulas and sources in French;
- :mod:`.tables`: the warehouse tables, each column declared once with its value.
"""

from orchestration.schemes.codes import territory_level
from orchestration.schemes.loading import load_deployment, load_scheme, load_schemes
from orchestration.schemes.measures import load_measures
from orchestration.schemes.method_text import (
    filter_labels,
    formula_text,
    french_number,
    source_label,
    source_text,
    term_text,
)
from orchestration.schemes.models import (
    Formula,
    Indicator,
    Measure,
    Partner,
    Scheme,
    Submission,
    Term,
)
from orchestration.schemes.partners import load_partners
from orchestration.schemes.tables import (
    TABLE_COLUMNS,
    TABLE_KEYS,
    TABLES,
    scheme_tables,
    write_scheme_tables,
)
from orchestration.schemes.yaml_reading import Issue, SchemeError

__all__ = [
    "TABLES",
    "TABLE_COLUMNS",
    "TABLE_KEYS",
    "Formula",
    "Indicator",
    "Issue",
    "Measure",
    "Partner",
    "Scheme",
    "SchemeError",
    "Submission",
    "Term",
    "filter_labels",
    "formula_text",
    "french_number",
    "load_deployment",
    "load_measures",
    "load_partners",
    "load_scheme",
    "load_schemes",
    "scheme_tables",
    "source_label",
    "source_text",
    "term_text",
    "territory_level",
    "write_scheme_tables",
]
