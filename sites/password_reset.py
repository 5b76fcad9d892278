"""The admin's password reset, telling the truth about the e-mail.

Django's reset form logs a failed send and the screen still says the mail is on its way; the user
then waits for a link that never comes. Here the mail server is tried before the request is
accepted (an unreachable or refusing server is an error on the reset screen itself), and a send
that fails after that turns the next screen into an error instead of "sent"
(templates/wagtailadmin/account/password_reset/done.html). With no mail server configured at all
the reset screens are off (``WAGTAIL_PASSWORD_RESET_ENABLED`` in cms/settings/base.py): the web
office resets passwords.

Whether an account exists for the address is never revealed: the check and the messages are the
same for every address.
"""

import logging
import smtplib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template import loader
from wagtail.admin.forms.auth import PasswordResetForm as WagtailPasswordResetForm

logger = logging.getLogger(__name__)

UNREACHABLE = "邮件服务器暂时无法连接，重置邮件未能发出。请稍后再试，或联系网站办重置密码。"
SEND_FAILED = "重置邮件未能发出。请稍后再试，或联系网站办重置密码。"
# The mark the "sent" screen looks for (sites/templatetags/cms_password_reset.py).
FAILED_TAG = "password-reset-failed"


class PasswordResetForm(WagtailPasswordResetForm):
    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                connection = get_connection(fail_silently=False)
                connection.open()
                connection.close()
            except (OSError, smtplib.SMTPException) as exc:
                logger.error("Password reset: the mail server cannot be reached: %s", exc)
                raise ValidationError(UNREACHABLE, code="mail_unreachable") from exc
        return cleaned

    def save(self, *args, request=None, **kwargs):
        self.failed = False
        super().save(*args, request=request, **kwargs)
        if self.failed and request is not None:
            messages.error(request, SEND_FAILED, extra_tags=FAILED_TAG)

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        """Django's message, sent without its blanket ``except Exception`` that only logs."""
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        message = EmailMultiAlternatives(subject, body, from_email, [to_email])
        if html_email_template_name is not None:
            message.attach_alternative(loader.render_to_string(html_email_template_name, context), "text/html")
        try:
            message.send()
        except Exception:  # any backend's failure: the user must not be told it was sent
            logger.exception("Password reset: the mail to user %s could not be sent", context["user"].pk)
            self.failed = True
