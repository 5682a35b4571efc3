"""The one YAML loader the project parses its own files with.

libyaml's parser where PyYAML was built with it (its wheels are), else the pure-Python one:
every receipt reads the vocabulary and every scheme's YAML, and the pure-Python parser took about
a second of a demo receipt's three.
"""

from __future__ import annotations

from typing import Any

import yaml

SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` with :data:`SAFE_LOADER`."""
    return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader
