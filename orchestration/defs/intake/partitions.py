"""Deliveries as Dagster partitions: one partition per delivery (intake/deliveries.py).

The drop-folder sensor and `sdsf run` gather the files stored since the last delivery into a
new delivery and add its partition, so that a run processes only the files it is asked for, and
the UI shows every delivery's materialization (its files, accepted or rejected, and their
receipts) under its own key.
"""

import dagster as dg

from orchestration.intake.deliveries import deliver, deliveries

DELIVERY_PARTITIONS = dg.DynamicPartitionsDefinition(name="deliveries")


def unregistered_deliveries(instance: dg.DagsterInstance, home) -> list[str]:
    """Deliveries of the store that have no partition yet, oldest first."""
    known = set(instance.get_dynamic_partitions(DELIVERY_PARTITIONS.name))
    return [key for key in deliveries(home) if key not in known]


def register_deliveries(instance: dg.DagsterInstance, home) -> list[str]:
    """Deliver the stored files no delivery holds, and add a partition for every delivery that
    has none; returns the new keys.

    Keys are added oldest first, so a range of partitions follows the order files came in.
    """
    deliver(home)
    new = unregistered_deliveries(instance, home)
    if new:
        instance.add_dynamic_partitions(DELIVERY_PARTITIONS.name, new)
    return new
