"""Worker processes for work split by file or by scheme: how many, and how they start.

Intake's validation, the publication's secrecy batches and the edition's exports each hand
independent pieces to a pool of processes. They start by ``spawn``, never by ``fork``: the
process that asks runs Dagster's and DuckDB's threads, which a fork would copy mid-work.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

# More workers than this gain little on the machines sdsf runs on, and each holds its imports
# (pandas, pandera, DuckDB: a few hundred MiB).
MAX_WORKERS = 4


def worker_count(tasks: int) -> int:
    """Workers worth starting for ``tasks`` pieces: one per core, at most ``MAX_WORKERS``;
    fewer than two means doing the work in this process."""
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS, tasks))


def worker_pool(workers: int, **options) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes (``options`` as ``ProcessPoolExecutor``'s)."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), **options)
