"""E-mails to applicants (each step of their dossier) and to officers (lateness warnings).

Sent through Django's mail API once the transaction commits, in Vietnamese. A mail server
that is down must not undo an officer's work: failures are logged, not raised.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from dossiers.models import Dossier, Step

log = logging.getLogger(__name__)


def _site() -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/")


def _send(subject: str, body: str, to: list[str]) -> None:
    try:
        send_mail(subject, body, None, to)
    except Exception:  # any SMTP or socket error: the work is done, only the mail is lost
        log.exception("Could not send %r to %s", subject, to)


def applicant_message(dossier: Dossier, step: str, note: str = "") -> tuple[str, str]:
    """Subject and body of the e-mail telling the applicant what just happened."""
    with translation.override(settings.LANGUAGE_CODE):
        label = Step(step).label
        code = dossier.code or _("(not yet accepted)")
        subject = _("Dossier %(code)s: %(step)s") % {"code": code, "step": label}
        lines = [
            _("Procedure: %(name)s") % {"name": dossier.procedure.name},
            _("Status: %(status)s") % {"status": dossier.get_status_display()},
        ]
        if dossier.appointment_date:
            lines.append(
                _("Appointment date: %(date)s")
                % {"date": formats.date_format(dossier.appointment_date, "d/m/Y")}
            )
        if note:
            lines.append(note)
        if dossier.code:
            lines.append(
                _("Follow your dossier at %(url)s with its code and your ID number.")
                % {"url": _site() + reverse("dossiers:lookup")}
            )
        return subject, "\n".join(str(line) for line in lines)


def notify_applicant(dossier: Dossier, step: str, note: str = "") -> None:
    """After the commit, e-mail the applicant (when they gave an address)."""
    if not dossier.applicant_email:
        return
    subject, body = applicant_message(dossier, step, note)
    to = [dossier.applicant_email]
    transaction.on_commit(lambda: _send(subject, body, to))


def notify_lateness(dossier: Dossier, emails: list[str]) -> None:
    """After the commit, warn the officers that the dossier is due by the next working day."""
    if not emails:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Dossier %(code)s is due on %(date)s") % {
            "code": dossier.code,
            "date": formats.date_format(dossier.deadline, "d/m/Y"),
        }
        body = _(
            "The dossier %(code)s (%(procedure)s) is due on %(date)s. If it cannot be decided "
            "in time, send the applicant the apology letter with a new date today."
        ) % {
            "code": dossier.code,
            "procedure": dossier.procedure.name,
            "date": formats.date_format(dossier.deadline, "d/m/Y"),
        }
    transaction.on_commit(lambda: _send(str(subject), str(body), emails))
