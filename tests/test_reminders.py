"""Reminders to partners (orchestration/reminders.py): mailed through a real local SMTP server,
once before a deadline and once after it, never twice, and not for a file already accepted."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, date, datetime

import pytest

from orchestration import vocabulary
from orchestration.intake.service import receive_file
from orchestration.reminders import due_reminders, send_reminders, sent_log
from tests.conftest import REPO, SDSF, pipeline_env
from tests.portal.conftest import PLACEMENTS_HEADER
from tests.smtp_server import smtp_server

# CD40 and CAF40 have a contact in sources/partners.yaml. Their 2018 placements are due 90
# days after the year's end, on 31 March 2019; their 2018 action reports 60 days after, on
# 1 March 2019.
CD40, CAF40 = "CD40", "CAF40"
CD40_ADDRESS = "pmi-donnees@cd40.example"
PLACEMENTS = vocabulary.label("submission_kinds", "placements")


@pytest.fixture
def mailbox(monkeypatch, tmp_path):
    monkeypatch.setenv("SDSF_HOME", str(tmp_path))
    monkeypatch.setenv("SDSF_PORTAL_URL", "https://portail.sdsf40.example")
    monkeypatch.delenv("SDSF_REMINDER_DAYS_BEFORE", raising=False)
    monkeypatch.delenv("SDSF_REMINDER_OVERDUE_WINDOW_DAYS", raising=False)
    with smtp_server() as box:
        monkeypatch.setenv("SDSF_ALERT_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SDSF_ALERT_SMTP_PORT", str(box.port))
        monkeypatch.setenv("SDSF_ALERT_FROM", "sdsf@cd40.example")
        yield box


def _mails_to(box, address: str, kind_label: str):
    return [m for m in box.messages if m.recipients == [address] and kind_label in m.subject]


def test_a_reminder_is_mailed_once_before_the_deadline_and_once_after(mailbox, tmp_path):
    home = tmp_path
    first = send_reminders(home, date(2019, 3, 25))
    assert first and all(o.sent for o in first)
    (before,) = _mails_to(mailbox, CD40_ADDRESS, PLACEMENTS)
    assert before.subject == f"[sdsf] Rappel : fichier « {PLACEMENTS} » 2018 attendu le 31/03/2019"
    assert "Partenaire : Conseil départemental des Landes (CD40)" in before.body
    assert "est attendu le 31/03/2019 (dans 6 jours)" in before.body
    assert "https://portail.sdsf40.example" in before.body
    assert before.message["From"] == "sdsf@cd40.example"
    # 2018's action reports were due on 1 March: 24 days late, within the 30-day window.
    overdue = [
        m for m in mailbox.messages if m.recipients == [CD40_ADDRESS] and "Relance" in m.subject
    ]
    assert [m.subject for m in overdue] == [
        "[sdsf] Relance : fichier « suivi des actions » 2018 en retard"
    ]
    assert "il y a 24 jours" in overdue[0].body

    # The same day again, and the next days before the deadline: nothing more.
    count = len(mailbox.messages)
    assert send_reminders(home, date(2019, 3, 25)) == []
    assert send_reminders(home, date(2019, 3, 29)) == []
    assert len(mailbox.messages) == count

    # Two days after the deadline, still no file: one reminder that it is overdue, once.
    after = send_reminders(home, date(2019, 4, 2))
    assert [
        (o.reminder.partner, o.reminder.kind, o.reminder.reminder)
        for o in after
        if o.reminder.partner == CD40
    ] == [(CD40, "placements", "overdue")]
    late = _mails_to(mailbox, CD40_ADDRESS, PLACEMENTS)[1]
    assert late.subject == f"[sdsf] Relance : fichier « {PLACEMENTS} » 2018 en retard"
    assert "était attendu le 31/03/2019, il y a 2 jours" in late.body
    assert send_reminders(home, date(2019, 4, 3)) == []
    assert len(_mails_to(mailbox, CD40_ADDRESS, PLACEMENTS)) == 2

    sent = [json.loads(line) for line in sent_log(home).read_text(encoding="utf-8").splitlines()]
    keys = [(r["partner"], r["kind"], r["period"], r["reminder"]) for r in sent]
    assert len(keys) == len(set(keys)) == len(mailbox.messages)


def test_an_accepted_file_stops_the_reminders_of_its_period_and_a_refused_one_does_not(
    mailbox, tmp_path
):
    home = tmp_path
    # CAF40's placements for 2018 arrive, accepted, on 28 March; CD40's arrive refused.
    good = f"{PLACEMENTS_HEADER}\r\n2018;EAJE-RAPPEL-1;EAJE_COLLECTIF;40192;24;31;1;7;non\r\n"
    bad = f"{PLACEMENTS_HEADER}\r\n2018;EAJE-RAPPEL-2;EAJE_COLLECTIF;99999;-3;31;1;7;non\r\n"
    arrived = datetime(2019, 3, 28, 9, 30, tzinfo=UTC)
    ok, refused = (
        receive_file(home, data.encode(), partner=partner, kind="placements",
                     file_name="places_2018.csv", received_at=arrived)
        for partner, data in ((CAF40, good), (CD40, bad))
    )  # fmt: skip
    assert ok.receipt.accepted and not refused.receipt.accepted

    owed = due_reminders(home, date(2019, 4, 2))
    placements = {
        (r.partner, r.reminder) for r in owed if r.kind == "placements" and r.period == "2018"
    }
    assert (CAF40, "overdue") not in placements
    assert (CD40, "overdue") in placements
    send_reminders(home, date(2019, 4, 2))
    (late,) = _mails_to(mailbox, CD40_ADDRESS, PLACEMENTS)
    assert "Un fichier reçu pour cette période a été refusé" in late.body


def test_without_a_mail_server_nothing_is_sent_nor_recorded(monkeypatch, tmp_path):
    monkeypatch.setenv("SDSF_HOME", str(tmp_path))
    monkeypatch.delenv("SDSF_ALERT_SMTP_HOST", raising=False)
    outcomes = send_reminders(tmp_path, date(2019, 3, 25))
    assert outcomes and not any(o.sent for o in outcomes)
    assert not sent_log(tmp_path).exists()


def test_a_contact_that_is_no_address_is_refused_at_load(tmp_path):
    from orchestration.schemes import load_partners

    registry = (REPO / "sources" / "partners.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "partners.yaml"
    broken.write_text(registry.replace("pmi-donnees@cd40.example", "pmi-donnees"), encoding="utf-8")
    with pytest.raises(Exception, match="not an e-mail address: 'pmi-donnees'") as error:
        load_partners(broken)
    assert "contact" in str(error.value)


def test_sdsf_reminders_dry_run_lists_what_is_owed_and_sends_nothing(tmp_path):
    env = pipeline_env(tmp_path)
    env.pop("SDSF_ALERT_SMTP_HOST", None)
    result = subprocess.run(
        [str(SDSF), "reminders", "--dry-run", "--date", "2019-03-25"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Reminders owed on 2019-03-25" in result.stdout
    line = next(x for x in result.stdout.splitlines() if x.startswith(CD40) and "placements" in x)
    assert CD40_ADDRESS in line and vocabulary.label("reminder_kinds", "before_deadline") in line
    assert not sent_log(tmp_path).exists()


def test_the_dagster_job_sends_them_and_its_schedule_runs_each_morning(
    mailbox, monkeypatch, tmp_path
):
    from orchestration.definitions import defs

    monkeypatch.setenv("SDSF_AS_OF_DATE", "2019-03-25")
    job = defs.resolve_job_def("partner_reminders")
    assert job.execute_in_process().success
    assert _mails_to(mailbox, CD40_ADDRESS, PLACEMENTS)
    assert job.execute_in_process().success  # a second tick the same day sends nothing more
    assert len(_mails_to(mailbox, CD40_ADDRESS, PLACEMENTS)) == 1
    schedule = defs.resolve_schedule_def("partner_reminders_daily")
    assert schedule.cron_schedule == "0 7 * * *" and schedule.job_name == "partner_reminders"
