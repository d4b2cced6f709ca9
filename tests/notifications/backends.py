"""Mail backends for tests: a server that is down, and one that refuses the first messages."""

from __future__ import annotations

import smtplib

from django.core.mail.backends import locmem


class RefusingBackend(locmem.EmailBackend):
    """A mail server that cannot be reached."""

    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")

    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


class FlakyBackend(locmem.EmailBackend):
    """Answers "451 try again later" to the first ``FlakyBackend.refusals`` messages, then
    delivers to ``django.core.mail.outbox``."""

    refusals = 0
    refused: list[str] = []

    def send_messages(self, messages):
        if FlakyBackend.refusals > 0:
            FlakyBackend.refusals -= 1
            FlakyBackend.refused.append(messages[0].subject)
            raise smtplib.SMTPDataError(451, b"4.3.0 Try again later")
        return super().send_messages(messages)
