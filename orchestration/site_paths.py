"""Where things live in the built site: one slice per département, under ``/<département>/``.

The one home of the site's addresses outside a slice: the slices' builds (their Evidence base
path), the national index's links and the tests read them here. Inside a slice, pages link with
addresses relative to its base (reports/sources/sdsf: ``schemas/<scheme>/…``).
"""

from __future__ import annotations


def slice_key(departement_code: str) -> str:
    """The slice a scheme of this département belongs to: the first folder of its addresses."""
    return departement_code


def slice_home(departement_code: str) -> str:
    """The address of a département's slice (its home page)."""
    return f"/{slice_key(departement_code)}/"


def scheme_path(departement_code: str, scheme_id: str) -> str:
    """The address of a scheme's page."""
    return f"{slice_home(departement_code)}schemas/{scheme_id}/"
