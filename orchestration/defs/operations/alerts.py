"""Failures that tell: a run-failure sensor writes an alert an on-call engineer can act on.

Every failed run of the code location is written to ``$SDSF_HOME/alerts/alerts.log`` (one JSON
object per line: when, job, run id, failed steps and their errors, the partition, a link to the
run in the UI). When configured by environment variables, the same alert also goes:

- by e-mail, through the deployment's mail server (orchestration/mail.py:
  ``SDSF_ALERT_SMTP_HOST`` and the rest), to ``SDSF_ALERT_TO`` (a comma-separated list);
- to a webhook: ``SDSF_ALERT_WEBHOOK_URL`` receives the JSON alert by POST (a chat's incoming
  webhook, an incident tool).

A channel that fails is noted in the log; it never hides the alert itself.
"""

from __future__ import annotations

import json
import os
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from orchestration import mail
from orchestration.settings import sdsf_home

UI_URL = os.environ.get("SDSF_DAGSTER_UI_URL", "http://127.0.0.1:3000")


def alerts_log(home: Path | None = None) -> Path:
    return (home or sdsf_home()) / "alerts" / "alerts.log"


def build_alert(
    *, job: str, run_id: str, errors: list[dict], tags: dict[str, str], when: datetime
) -> dict:
    return {
        "at": when.isoformat(timespec="seconds"),
        "level": "error",
        "job": job,
        "run_id": run_id,
        "partition": tags.get("dagster/partition"),
        "trigger": tags.get("sdsf/trigger") or tags.get("dagster/sensor_name") or "manual",
        "failed_steps": errors,
        "url": f"{UI_URL}/runs/{run_id}",
    }


def deliver(alert: dict, home: Path | None = None) -> list[str]:
    """Write the alert to the log, then to each configured channel; returns the channels used."""
    log = alerts_log(home)
    log.parent.mkdir(parents=True, exist_ok=True)
    used = ["log"]
    problems = []
    for name, send in (("smtp", _send_mail), ("webhook", _post_webhook)):
        try:
            if send(alert):
                used.append(name)
        except Exception as exc:  # noqa: BLE001 - a broken channel must not lose the alert
            problems.append(f"{name}: {exc}")
    record = dict(alert, delivered=used, delivery_errors=problems)
    with log.open("a", encoding="utf-8") as out:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return used


def _summary(alert: dict) -> str:
    if "text" in alert:  # an alert that is not a failed run (a tampered audit trail) says it all
        return alert["text"]
    lines = [
        f"sdsf: run {alert['run_id']} of job '{alert['job']}' failed at {alert['at']}.",
        f"Partition: {alert['partition'] or '-'}; started by: {alert['trigger']}.",
        "",
    ]
    for step in alert["failed_steps"]:
        lines.append(f"- step {step['step']}: {step['error']}")
    lines += ["", f"Run in the Dagster UI: {alert['url']}"]
    return "\n".join(lines)


def _send_mail(alert: dict) -> bool:
    subject = alert.get("subject") or (
        f"[sdsf] échec du run {alert['job']} ({alert['run_id'][:8]})"
    )
    to = os.environ.get("SDSF_ALERT_TO", "root@localhost").split(",")
    return mail.send(subject, _summary(alert), [a.strip() for a in to if a.strip()])


def _post_webhook(alert: dict) -> bool:
    url = os.environ.get("SDSF_ALERT_WEBHOOK_URL")
    if not url:
        return False
    body = dict(alert, text=_summary(alert))
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - configured URL
        response.read()
    return True


def _step_errors(instance: dg.DagsterInstance, run_id: str) -> list[dict]:
    records = instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
    errors = []
    for record in records:
        event = record.dagster_event
        error = event.step_failure_data.error
        errors.append({"step": event.step_key, "error": _describe(error)[:2000]})
    return errors


def _describe(error) -> str:
    """The error and what caused it: Dagster wraps the asset's own exception."""
    parts = []
    while error is not None:
        parts.append(error.message.strip())
        error = error.cause
    return " <- caused by: ".join(parts)


@dg.run_failure_sensor(
    name="run_failure_alert",
    monitor_all_code_locations=False,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Writes an alert for every failed run to $SDSF_HOME/alerts/alerts.log, and "
    "to SMTP or a webhook when SDSF_ALERT_SMTP_HOST or SDSF_ALERT_WEBHOOK_URL is set.",
)
def run_failure_alert(context: dg.RunFailureSensorContext):
    run = context.dagster_run
    errors = _step_errors(context.instance, run.run_id)
    if not errors and context.failure_event.message:
        errors = [{"step": None, "error": context.failure_event.message}]
    alert = build_alert(
        job=run.job_name,
        run_id=run.run_id,
        errors=errors,
        tags=dict(run.tags),
        when=datetime.now(UTC),
    )
    used = deliver(alert)
    context.log.info(f"alert for run {run.run_id} written ({', '.join(used)})")
