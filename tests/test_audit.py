"""The audit trail keeps its chain through concurrent appends and tells where it was tampered
with; `sdsf audit` says so in French, exits 1 and sends an alert; the sign-in throttle's rules."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from orchestration import audit
from orchestration.defs.operations.alerts import alerts_log
from orchestration.portal.throttle import SignInLimits, SignInThrottle
from tests.conftest import REPO, SDSF, pipeline_env

ENGINEER = audit.Actor("equipe_donnees", "10.0.0.7")


def _trail_of(home, count: int = 5) -> list[bytes]:
    for i in range(count):
        audit.record(home, "sign_in_succeeded", ENGINEER, subject=f"compte_{i}")
    return audit.audit_path(home).read_bytes().splitlines(keepends=True)


def _rewrite(home, lines: list[bytes]) -> None:
    audit.audit_path(home).write_bytes(b"".join(lines))


def test_records_chain_each_to_the_previous_and_name_who_and_where(tmp_path):
    _trail_of(tmp_path, 3)
    trail = audit.read_trail(tmp_path)
    assert trail.intact and [r["seq"] for r in trail.records] == [1, 2, 3]
    first, second, _ = trail.records
    assert first["prev"] == audit.GENESIS and second["prev"] == first["hash"]
    assert (first["who"], first["origin"], first["subject"]) == (
        "equipe_donnees",
        "10.0.0.7",
        "compte_0",
    )
    with pytest.raises(ValueError, match="audit_events"):
        audit.record(tmp_path, "not_an_event", ENGINEER)


def test_an_edited_line_is_found_with_its_number(tmp_path):
    lines = _trail_of(tmp_path)
    lines[2] = lines[2].replace(b"compte_2", b"compte_9")
    _rewrite(tmp_path, lines)
    assert audit.read_trail(tmp_path).problems == [
        "ligne 3 : enregistrement n° 3 modifié : son empreinte ne correspond plus à son contenu"
    ]


def test_a_removed_line_and_swapped_lines_are_found(tmp_path):
    lines = _trail_of(tmp_path)
    _rewrite(tmp_path, lines[:2] + lines[3:])
    (problem,) = audit.read_trail(tmp_path).problems
    assert problem.startswith("ligne 3 : enregistrement n° 4 trouvé là où le n° 3 était attendu")
    _rewrite(tmp_path, [lines[0], lines[2], lines[1], *lines[3:]])
    problems = audit.read_trail(tmp_path).problems
    assert problems[0].startswith("ligne 2 : enregistrement n° 3 trouvé là où le n° 2")
    assert len(problems) == 3  # line 2, line 3 and line 4 (which no longer follows n° 2)


def test_a_line_truncated_in_the_middle_and_a_cut_off_end_are_found(tmp_path):
    lines = _trail_of(tmp_path)
    _rewrite(tmp_path, lines[:2] + [lines[2][:40] + b"\n"] + lines[3:])
    problems = audit.read_trail(tmp_path).problems
    assert problems[0].startswith("ligne 3 : ligne illisible (coupée ou modifiée)")
    assert problems[1].startswith("ligne 4 : enregistrement n° 4 : il ne suit pas")
    _rewrite(tmp_path, lines[:3])
    assert audit.read_trail(tmp_path).problems == [
        "fin du journal tronquée : il s'arrête à l'enregistrement n° 3, le dernier écrit était "
        "le n° 5"
    ]


def test_appending_after_a_crash_cut_line_reports_only_that_line(tmp_path):
    lines = _trail_of(tmp_path, 2)
    _rewrite(tmp_path, [lines[0], lines[1][:30]])  # the crash: no newline, half a record
    audit.record(tmp_path, "sign_in_failed", ENGINEER, subject="compte_x")
    trail = audit.read_trail(tmp_path)
    assert [p[:30] for p in trail.problems] == ["ligne 2 : ligne illisible (cou"]
    assert [r["seq"] for r in trail.records] == [1, 3]


_APPENDER = """
import sys
from orchestration import audit
who = audit.Actor(sys.argv[2], "cli")
for i in range(int(sys.argv[3])):
    audit.record(sys.argv[1], "file_received", who, partner=sys.argv[2], subject=str(i))
"""


def test_two_processes_appending_at_once_keep_one_unbroken_chain(tmp_path):
    env = pipeline_env(tmp_path)
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _APPENDER, str(tmp_path), who, "150"], cwd=REPO, env=env
        )
        for who in ("CAF40", "CD40")
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    trail = audit.read_trail(tmp_path)
    assert trail.intact, trail.problems
    assert [r["seq"] for r in trail.records] == list(range(1, 301))
    for who in ("CAF40", "CD40"):
        assert [r["subject"] for r in trail.records if r["who"] == who] == [
            str(i) for i in range(150)
        ]


class _Hook(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        _Hook.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_sdsf_audit_says_where_the_trail_was_tampered_with_and_sends_an_alert(tmp_path):
    lines = _trail_of(tmp_path, 4)
    env = pipeline_env(tmp_path)
    intact = subprocess.run(
        [str(SDSF), "audit"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert intact.returncode == 0 and "4 événement(s)" in intact.stdout
    assert "qui" in intact.stdout and "depuis" in intact.stdout and "10.0.0.7" in intact.stdout
    _rewrite(tmp_path, lines[:1] + lines[2:])
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env["SDSF_ALERT_WEBHOOK_URL"] = f"http://127.0.0.1:{server.server_port}/hook"
    _Hook.received.clear()
    try:
        result = subprocess.run(
            [str(SDSF), "audit", "--format", "json"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.shutdown()
    assert result.returncode == 1
    assert "journal d'audit altéré" in result.stderr
    assert "ligne 2 : enregistrement n° 3 trouvé là où le n° 2 était attendu" in result.stderr
    assert [r["seq"] for r in json.loads(result.stdout)] == [1, 3, 4]  # what is left, still shown
    (alert,) = [json.loads(line) for line in alerts_log(tmp_path).read_text().splitlines()]
    assert alert["kind"] == "audit_tampered" and alert["delivered"] == ["log", "webhook"]
    assert any("ligne 2" in p for p in alert["problems"])
    (posted,) = _Hook.received
    assert "journal d'audit" in posted["text"] and "ligne 2" in posted["text"]


def test_the_throttle_slows_then_suspends_a_login_and_forgets_after_its_window():
    now = [0.0]
    limits = SignInLimits(
        window=60, slow_after=2, delay=1, max_delay=3, refuse_after=4, suspension=300
    )
    throttle = SignInThrottle(limits, clock=lambda: now[0])
    delays = []
    for _ in range(4):
        delays.append(throttle.delay("CAF40", "10.0.0.1"))
        started = throttle.failed("CAF40", "10.0.0.1")
    assert delays == [0, 0, 1, 2]
    assert started is not None and started.scope == "login"
    now[0] += 299
    assert throttle.suspension("CAF40", "10.0.0.9").scope == "login"
    assert throttle.suspension("CD40", "10.0.0.9") is None
    now[0] += 2
    assert throttle.suspension("CAF40", "10.0.0.9") is None
    throttle.failed("CD40", "10.0.0.2")
    throttle.failed("CD40", "10.0.0.2")
    now[0] += 61  # out of the window: forgotten
    assert throttle.delay("CD40", "10.0.0.2") == 0


def test_sign_in_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SDSF_SIGNIN_REFUSE_AFTER", "9")
    monkeypatch.setenv("SDSF_SIGNIN_SUSPENSION", "60")
    limits = SignInLimits.from_environment()
    assert (limits.refuse_after, limits.suspension, limits.slow_after) == (9, 60.0, 3)


def test_a_file_collected_from_the_inbox_is_audited_as_received_from_the_inbox(tmp_path):
    from orchestration.intake.service import collect_inbox

    drop = tmp_path / "inbox" / "CAF40" / "placements"
    drop.mkdir(parents=True)
    (drop / "places.csv").write_bytes(b"periode;code_structure\r\n2017;EAJE-1\r\n")
    (sub,) = collect_inbox(tmp_path)
    (event,) = audit.read_trail(tmp_path).records
    assert (event["event"], event["origin"], event["partner"]) == (
        "file_received",
        "inbox",
        "CAF40",
    )
    assert event["subject"] == sub.submission_id and event["details"]["file_name"] == "places.csv"
