"""A run's files validated on every core while the run loads them one by one, in order.

Validating a file (reading it, its contract, its reference codes) is most of what intake costs,
and depends on the file and on references fixed for the whole run, except for attendance: its
structures must be those its partner's placements loaded before it declare. Loading, the
quality rules across files (which read what earlier files loaded) and the receipts stay in the
run's process and in processing order, so a run gives what one file after another would give:
worker processes validate the next files while the run loads the current one, and attendance
files are handed out only once every file before them (placements come first) is loaded.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import replace

from orchestration.intake.store import StoredSubmission
from orchestration.intake.validation import ReferenceData
from orchestration.workers import worker_count, worker_pool

# Below this many files a run validates in its own process: starting a worker (importing
# pandas and pandera, about 2 s) would cost more than it saves.
PARALLEL_FROM = 40
# Files validated ahead of the one being loaded, per worker: enough to keep workers busy,
# few enough that waiting rows stay a small part of memory.
AHEAD_PER_WORKER = 4

_worker_state: tuple[ReferenceData, dict | None] | None = None


def validated(
    todo: list[StoredSubmission],
    reference: ReferenceData,
    rules: dict[str, set[str]] | None,
    structures_of: Callable[[str], frozenset[str]],
) -> Iterator[tuple[StoredSubmission, object, object]]:
    """Each file of ``todo`` (in processing order) with its receipt and rows, in that order.

    ``structures_of(partner)`` gives the structures an attendance file is checked against; it
    is asked only once the caller has taken, and so loaded, every file before the first
    attendance file."""
    workers = worker_count(len(todo))
    if len(todo) < PARALLEL_FROM or workers < 2:
        for sub in todo:
            yield sub, *_validate(sub, reference, rules, _known(sub, structures_of))
        return
    barrier = next((n for n, s in enumerate(todo) if s.kind == "attendance"), len(todo))
    with worker_pool(workers, initializer=_start_worker, initargs=(reference, rules)) as pool:
        pending: deque[Future] = deque()
        submitted = 0
        for taken in range(len(todo)):
            # Files up to the barrier may go ahead; past it only once the barrier is reached.
            limit = len(todo) if taken >= barrier else barrier
            while submitted < min(limit, taken + workers * AHEAD_PER_WORKER):
                sub = todo[submitted]
                pending.append(pool.submit(_validate_in_worker, sub, _known(sub, structures_of)))
                submitted += 1
            receipt, frame = pending.popleft().result()
            yield todo[taken], receipt, frame


def _known(sub: StoredSubmission, structures_of) -> frozenset[str] | None:
    """The structures an attendance file is checked against; None for the other kinds."""
    return structures_of(sub.partner) if sub.kind == "attendance" else None


def _validate(sub, reference, rules, known: frozenset[str] | None):
    from orchestration.intake.service import validate_submission

    if known is not None:
        reference = replace(reference, known_structures=known)
    return validate_submission(sub, reference, rules)


def _start_worker(reference: ReferenceData, rules: dict | None) -> None:
    global _worker_state
    _worker_state = (reference, rules)


def _validate_in_worker(sub: StoredSubmission, known: frozenset[str] | None):
    reference, rules = _worker_state
    return _validate(sub, reference, rules, known)
