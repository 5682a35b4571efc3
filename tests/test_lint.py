"""Lint is part of the tests: ruff on the Python, sqlfluff on the dbt project."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, pipeline_env

BIN = Path(sys.executable).parent


def _run(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=REPO, capture_output=True, text=True, timeout=900, check=False, env=env
    )


def test_ruff_check_is_clean():
    result = _run(str(BIN / "ruff"), "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    result = _run(str(BIN / "ruff"), "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_sqlfluff_lint_of_the_dbt_project_is_clean(tmp_path):
    result = _run(
        str(BIN / "sqlfluff"), "lint", "dbt_project", "--nocolor", env=pipeline_env(tmp_path)
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
