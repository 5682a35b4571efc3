"""The one mail channel of a deployment: the SMTP server that alerts and reminders go through.

Configured by environment variables: ``SDSF_ALERT_SMTP_HOST`` (no host: no mail is sent),
``SDSF_ALERT_SMTP_PORT`` (default 25), ``SDSF_ALERT_SMTP_USER`` / ``SDSF_ALERT_SMTP_PASSWORD``
for STARTTLS and login, ``SDSF_ALERT_FROM`` (the sender).
"""

from __future__ import annotations

import os
import smtplib
from collections.abc import Iterable
from email.message import EmailMessage


def configured() -> bool:
    """Whether a mail server is configured."""
    return bool(os.environ.get("SDSF_ALERT_SMTP_HOST"))


def sender() -> str:
    return os.environ.get("SDSF_ALERT_FROM", "sdsf@localhost")


def send(subject: str, body: str, to: Iterable[str]) -> bool:
    """Send one plain-text mail; False when no server is configured (nothing sent)."""
    host = os.environ.get("SDSF_ALERT_SMTP_HOST")
    if not host:
        return False
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender()
    message["To"] = ", ".join(to)
    message.set_content(body)
    port = int(os.environ.get("SDSF_ALERT_SMTP_PORT", "25"))
    with smtplib.SMTP(host, port, timeout=20) as smtp:
        user = os.environ.get("SDSF_ALERT_SMTP_USER")
        if user:
            smtp.starttls()
            smtp.login(user, os.environ.get("SDSF_ALERT_SMTP_PASSWORD", ""))
        smtp.send_message(message)
    return True
