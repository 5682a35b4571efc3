"""A failed run writes an alert: to the log always, and to SMTP and a webhook when configured."""

from __future__ import annotations

import json
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import dagster as dg
import pytest


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


class _Smtp(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept one message (no TLS, no auth)."""

    messages: list[str] = []

    def handle(self):
        self.wfile.write(b"220 test ESMTP\r\n")
        data = None
        while line := self.rfile.readline():
            if data is not None:
                if line == b".\r\n":
                    _Smtp.messages.append(b"".join(data).decode("utf-8", "replace"))
                    data = None
                    self.wfile.write(b"250 queued\r\n")
                else:
                    data.append(line)
                continue
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.wfile.write(b"250 test\r\n")
            elif verb == b"DATA":
                data = []
                self.wfile.write(b"354 go on\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


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


def test_a_failed_run_writes_an_alert_to_the_log_smtp_and_webhook(
    failed_run, tmp_path, monkeypatch
):
    from orchestration.defs.operations.alerts import alerts_log, run_failure_alert

    webhook = _serve(HTTPServer(("127.0.0.1", 0), _Webhook))
    smtp = _serve(socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Smtp))
    monkeypatch.setenv("SDSF_HOME", str(tmp_path))
    monkeypatch.setenv("SDSF_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{webhook.server_port}/hook")
    monkeypatch.setenv("SDSF_ALERT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SDSF_ALERT_SMTP_PORT", str(smtp.server_address[1]))
    monkeypatch.setenv("SDSF_ALERT_TO", "astreinte@cd40.example")
    _Webhook.received.clear()
    _Smtp.messages.clear()
    instance, run, failure = failed_run
    try:
        context = dg.build_run_status_sensor_context(
            sensor_name="run_failure_alert",
            dagster_instance=instance,
            dagster_run=run,
            dagster_event=failure,
        ).for_run_failure()
        run_failure_alert(context)
    finally:
        webhook.shutdown()
        smtp.shutdown()

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
    (mail,) = _Smtp.messages
    assert "astreinte@cd40.example" in mail and run.run_id in mail


def test_a_broken_channel_is_noted_and_the_alert_still_logged(failed_run, tmp_path, monkeypatch):
    from orchestration.defs.operations.alerts import alerts_log, run_failure_alert

    monkeypatch.setenv("SDSF_HOME", str(tmp_path))
    monkeypatch.setenv("SDSF_ALERT_WEBHOOK_URL", "http://127.0.0.1:9/nobody-listens")
    monkeypatch.delenv("SDSF_ALERT_SMTP_HOST", raising=False)
    instance, run, failure = failed_run
    context = dg.build_run_status_sensor_context(
        sensor_name="run_failure_alert",
        dagster_instance=instance,
        dagster_run=run,
        dagster_event=failure,
    ).for_run_failure()
    run_failure_alert(context)
    alert = json.loads(alerts_log(tmp_path).read_text(encoding="utf-8"))
    assert alert["delivered"] == ["log"]
    assert alert["delivery_errors"] and alert["delivery_errors"][0].startswith("webhook:")
