"""Reminders to partners as a Dagster job and its daily schedule (orchestration/reminders.py).

The schedule runs every morning at 07:00 (``SDSF_TIMEZONE``, default Europe/Paris): a reminder
is owed on a given day or not, and what was sent is recorded, so a daily tick sends each
reminder once and a missed tick only delays it. Off until switched on, like the refresh
schedules; ``sdsf reminders`` does the same from a terminal.
"""

import os

import dagster as dg

from orchestration import mail, vocabulary
from orchestration.reminders import send_reminders
from orchestration.settings import sdsf_home


@dg.op(description="Mail partners the reminders owed today, each once.")
def send_partner_reminders(context: dg.OpExecutionContext) -> None:
    if not mail.configured():
        context.log.warning("no mail server configured (SDSF_ALERT_SMTP_HOST): nothing sent")
    outcomes = send_reminders(sdsf_home())
    failed = [o for o in outcomes if o.error]
    for o in outcomes:
        r = o.reminder
        what = vocabulary.label("reminder_kinds", r.reminder)
        state = "sent" if o.sent else (f"FAILED: {o.error}" if o.error else "not sent")
        context.log.info(f"{r.partner} {r.kind} {r.period} ({what}) -> {r.to}: {state}")
    context.log.info(f"{sum(o.sent for o in outcomes)} sent, {len(failed)} failed")
    if failed:
        raise dg.Failure(
            f"{len(failed)} reminder(s) could not be sent; they will be tried again next run",
            metadata={"failed": "\n".join(f"{o.reminder.to}: {o.error}" for o in failed)},
        )


@dg.job(description="Mail partners the reminders of their due and overdue files.")
def partner_reminders():
    send_partner_reminders()


reminders_schedule = dg.ScheduleDefinition(
    name="partner_reminders_daily",
    job=partner_reminders,
    cron_schedule="0 7 * * *",
    execution_timezone=os.environ.get("SDSF_TIMEZONE", "Europe/Paris"),
    default_status=dg.DefaultScheduleStatus.STOPPED,
    tags={"sdsf/trigger": "schedule"},
    description="Every morning: reminders of files due soon and of files overdue, once each.",
)
