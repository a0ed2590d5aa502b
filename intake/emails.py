"""Builders for screening emails. They carry a link and nothing clinical: no answers, scores, flags or names."""

from __future__ import annotations

from django.urls import reverse

from clinic.models import Notification
from clinic.notifications import EmailContent, NotificationObsolete, register
from intake.models import Screening, UrgentAlert


@register("intake/news")
def news(notification: Notification) -> EmailContent:
    """To the patient: there is news about their questionnaire in the portal."""
    screening = Screening.objects.filter(pk=notification.context.get("screening_id")).select_related("patient").first()
    if screening is None or notification.recipient_id is None or screening.patient.user_id != notification.recipient_id:
        raise NotificationObsolete
    return EmailContent({"portal_path": reverse("intake:home")})


@register("intake/urgent_alert")
def urgent_alert(notification: Notification) -> EmailContent:
    """To the on-call recipients: a link to the screening, which needs a staff login and permission."""
    alert = UrgentAlert.objects.select_related("version").filter(pk=notification.context.get("alert_id")).first()
    if alert is None:
        raise NotificationObsolete
    # Sent even if acknowledged meanwhile: whoever is on call should still know it happened. The link names only the
    # alert and leads to what raised it (a version, perhaps a draft, or a course session's check-in answers).
    return EmailContent({"review_path": reverse("intake:staff-alert", args=[alert.pk])})
