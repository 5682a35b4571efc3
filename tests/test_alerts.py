"""A failed run writes an alert: to the log always, and to SMTP and a webhook when configured."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import dagster as dg
import pytest

from tests.smtp_server import smtp_server


@dg.op
def load_the_file():
    raise ValueError("Le fichier CAF40-placements est illisible")


@dg.job
def broken():
    load_the_file()


class _Webhook(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Webhook.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def _serve(server):
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.fixture
def failed_run():
    instance = dg.DagsterInstance.ephemeral()
    result = broken.execute_in_process(
        instance=instance, raise_on_error=False, tags={"sdsf/trigger": "schedule"}
    )
    assert not result.success
    run = instance.get_run_by_id(result.run_id)
    failure = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
    return instance, run, failure


def _alert_on(failed_run) -> None:
    """What Dagster does when the run fails: call the run-failure sensor on it."""
    from orchestration.defs.operations.alerts import run_failure_alert

    instance, run, failure = failed_run
    context = dg.build_run_status_sensor_context(
        sensor_name="run_failure_alert",
        dagster_instance=instance,
        dagster_run=run,
        dagster_event=failure,
    ).for_run_failure()
    run_failure_alert(context)


def test_a_failed_run_writes_an_alert_to_the_log_smtp_and_webhook(
    failed_run, tmp_path, monkeypatch
):
    from orchestration.defs.operations.alerts import alerts_log

    webhook = _serve(HTTPServer(("127.0.0.1", 0), _Webhook))
    monkeypatch.setenv("SDSF_HOME", str(tmp_path))
    monkeypatch.setenv("SDSF_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{webhook.server_port}/hook")
    monkeypatch.setenv("SDSF_ALERT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SDSF_ALERT_TO", "astreinte@cd40.example")
    _Webhook.received.clear()
    instance, run, failure = failed_run
    try:
        with smtp_server() as box:
            monkeypatch.setenv("SDSF_ALERT_SMTP_PORT", str(box.port))
            _alert_on(failed_run)
    finally:
        webhook.shutdown()

    (line,) = alerts_log(tmp_path).read_text(encoding="utf-8").splitlines()
    alert = json.loads(line)
    assert alert["run_id"] == run.run_id and alert["job"] == "broken"
    assert alert["trigger"] == "schedule"
    assert alert["delivered"] == ["log", "smtp", "webhook"]
    assert alert["delivery_errors"] == []
    (step,) = alert["failed_steps"]
    assert step["step"] == "load_the_file"
    assert "illisible" in step["error"]
    assert [a["run_id"] for a in _Webhook.received] == [run.run_id]
    (mail,) = box.messages
    assert mail.recipients == ["astreinte@cd40.example"]
    assert run.run_id in mail.body and mail.subject.startswith("[sdsf] échec du run broken")


def test_a_broken_channel_is_noted_and_the_alert_still_logged(failed_run, tmp_path, monkeypatch):
    from orchestration.defs.operations.alerts import alerts_log

    monkeypatch.setenv("SDSF_HOME", str(tmp_path))
    monkeypatch.setenv("SDSF_ALERT_WEBHOOK_URL", "http://127.0.0.1:9/nobody-listens")
    monkeypatch.delenv("SDSF_ALERT_SMTP_HOST", raising=False)
    _alert_on(failed_run)
    alert = json.loads(alerts_log(tmp_path).read_text(encoding="utf-8"))
    assert alert["delivered"] == ["log"]
    assert alert["delivery_errors"] and alert["delivery_errors"][0].startswith("webhook:")
