"""Who a person is at the province's identity service, and which of our users that is.

A user is matched by the provider's issuer and its stable subject (``iss`` + ``sub``), never by
e-mail or name: those change and can be chosen by whoever registers at the provider, and two
provinces' services may both have a ``sub`` of ``10001``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdentityQuerySet(models.QuerySet):
    def of(self, issuer, subject):
        return self.filter(issuer=issuer, subject=subject)


class Identity(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_identities", verbose_name=_("用户")
    )
    issuer = models.CharField(_("身份认证服务"), max_length=255)
    subject = models.CharField(_("用户标识（sub）"), max_length=255)
    created_at = models.DateTimeField(_("首次登录"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("最近登录"), null=True, blank=True)

    objects = IdentityQuerySet.as_manager()

    class Meta:
        verbose_name = _("统一身份认证账号")
        verbose_name_plural = _("统一身份认证账号")
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="one_user_per_oidc_subject")]

    def __str__(self):
        return f"{self.subject} @ {self.issuer}"
