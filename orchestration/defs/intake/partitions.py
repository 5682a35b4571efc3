"""Submissions as Dagster partitions: one partition per stored file (its submission id).

The drop-folder sensor and `sdsf run` add a partition for each file they store, so that a run
processes only the files it is asked for, and the UI shows every file's materialization
(accepted or rejected, with its receipt) under its own key.
"""

import dagster as dg

from orchestration.intake.store import SubmissionStore

SUBMISSION_PARTITIONS = dg.DynamicPartitionsDefinition(name="submissions")


def unregistered_submissions(instance: dg.DagsterInstance, home) -> list[str]:
    """Stored submissions that have no partition yet, oldest first."""
    known = set(instance.get_dynamic_partitions(SUBMISSION_PARTITIONS.name))
    return [s.submission_id for s in SubmissionStore(home).all() if s.submission_id not in known]


def register_submissions(instance: dg.DagsterInstance, home) -> list[str]:
    """Add a partition for every stored submission that has none; returns the new keys.

    Keys are added oldest first, so a range of partitions follows the order files came in.
    """
    new = unregistered_submissions(instance, home)
    if new:
        instance.add_dynamic_partitions(SUBMISSION_PARTITIONS.name, new)
    return new
