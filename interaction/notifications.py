"""E-mail to a site's handlers and reviewers (the console backend in development)."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail

from sites.models import Role

logger = logging.getLogger(__name__)


def role_emails(tenant, role):
    users = get_user_model().objects.filter(
        is_active=True, groups__site_binding__tenant=tenant, groups__site_binding__role=role
    )
    return sorted({email for email in users.values_list("email", flat=True) if email})


def _send(recipients, subject, text):
    if not recipients:
        return 0
    try:
        return send_mail(f"[互动交流] {subject}", text, settings.DEFAULT_FROM_EMAIL, recipients)
    except OSError:
        # A mail server that is down must not undo a citizen's message or a handler's step.
        logger.exception("could not send interaction mail to %s", recipients)
        return 0


def notify_handlers(tenant, subject, text):
    return _send(role_emails(tenant, Role.HANDLER), subject, text)


def notify_reviewers(tenant, subject, text):
    return _send(role_emails(tenant, Role.REVIEWER), subject, text)
