"""Outgoing mail. MAIL_BACKEND chooses: `outbox` (default) writes each message as an .eml
file under instance/outbox for a developer to open; `smtp` sends through SMTP_HOST."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app


def _message(to: str, subject: str, body: str, language: str | None) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="durus")
    message.set_content(body)  # clears every Content-* header: the language comes after
    if language:
        message["Content-Language"] = language
    return message


def _write_outbox(message: EmailMessage) -> None:
    outbox = Path(current_app.config["MAIL_OUTBOX"])
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    (outbox / f"{stamp}.eml").write_bytes(bytes(message))


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=10) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        smtp.send_message(message)


def send_mail(to: str, subject: str, body: str, language: str | None = None) -> None:
    """Send (or file) a plain-text message; `language` is the code it is written in."""
    message = _message(to, subject, body, language)
    if current_app.config["MAIL_BACKEND"] == "smtp":
        _send_smtp(message)
    else:
        _write_outbox(message)
